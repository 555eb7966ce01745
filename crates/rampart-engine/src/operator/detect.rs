//! `@detectSQLi` and `@detectXSS`: libinjection's tokenizers and fingerprints, with the
//! verdicts of the libinjection 3.9.2 that libmodsecurity 3.0.9 bundles (`rampart-libinjection`).
//! The SQLi fingerprint goes to TX:0 when the rule captures, as ModSecurity does.

use super::Captures;

pub fn sqli(input: &[u8], captures: Option<&mut Captures>) -> bool {
    let Some(fingerprint) = rampart_libinjection::detect_sqli(input) else {
        return false;
    };
    if let Some(out) = captures {
        *out = vec![fingerprint.as_bytes().to_vec()];
    }
    true
}

pub fn xss(input: &[u8]) -> bool {
    rampart_libinjection::detect_xss(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_classic_payloads() {
        let mut captured = Vec::new();
        assert!(sqli(b"1' OR '1'='1", Some(&mut captured)));
        assert!(!captured[0].is_empty());
        assert!(!sqli(b"hello world", None));
        assert!(xss(b"<script>alert(1)</script>"));
        assert!(!xss(b"hello"));
    }
}
