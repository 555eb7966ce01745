//! `@detectSQLi` and `@detectXSS`: libinjection's tokenizers and fingerprints, through the
//! pure-Rust `libinjectionrs` port. The SQLi fingerprint goes to TX:0 when the rule captures,
//! as ModSecurity does.

use super::Captures;

pub fn sqli(input: &[u8], captures: Option<&mut Captures>) -> bool {
    let result = libinjectionrs::detect_sqli(input);
    if !result.is_injection() {
        return false;
    }
    if let (Some(out), Some(fingerprint)) = (captures, result.fingerprint) {
        *out = vec![fingerprint.to_string().into_bytes()];
    }
    true
}

pub fn xss(input: &[u8]) -> bool {
    libinjectionrs::detect_xss(input).is_injection()
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
