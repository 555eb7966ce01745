//! `@rx`: regular expressions with PCRE's meaning as ModSecurity compiles them.
//!
//! ModSecurity compiles patterns with `DOTALL | MULTILINE` and without UTF mode: `.` matches
//! any byte, `^`/`$` match at line boundaries, and classes such as `\w` are ASCII-only. The
//! `regex` crate in byte mode with Unicode off and `(?sm)` has exactly that meaning and runs in
//! linear time, so no input can make a rule backtrack. An empty pattern is `.*`, as in
//! ModSecurity. Captures (with the `capture` action) fill TX:0–TX:9 from the first match.

use regex::bytes::{Regex, RegexBuilder};

/// A compiled `@rx` pattern.
#[derive(Debug, Clone)]
pub struct RxMatcher {
    regex: Regex,
}

/// Why a pattern does not compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RxError(pub String);

impl RxMatcher {
    pub fn new(pattern: &str) -> Result<Self, RxError> {
        let pattern = if pattern.is_empty() { ".*" } else { pattern };
        let pattern = to_byte_pattern(pattern)?;
        let regex = RegexBuilder::new(&pattern)
            .unicode(false)
            .dot_matches_new_line(true)
            .multi_line(true)
            .octal(true)
            .size_limit(256 << 20)
            .dfa_size_limit(64 << 20)
            .build()
            .map_err(|error| RxError(error.to_string()))?;
        Ok(RxMatcher { regex })
    }

    pub fn is_match(&self, input: &[u8]) -> bool {
        self.regex.is_match(input)
    }

    /// The groups of the first match (group 0 first), or `None` when nothing matches.
    pub fn captures(&self, input: &[u8], out: &mut Vec<Vec<u8>>) -> bool {
        let Some(captures) = self.regex.captures(input) else {
            return false;
        };
        out.clear();
        for group in captures.iter().take(10) {
            out.push(group.map(|m| m.as_bytes().to_vec()).unwrap_or_default());
        }
        true
    }
}

/// Rewrites a PCRE (non-UTF) pattern so that the `regex` crate reads it byte for byte: every
/// non-ASCII character becomes the escapes of its UTF-8 bytes (inside a class, each byte is a
/// member of its own, as in PCRE), and `\x{HH}` becomes `\xHH`.
pub fn to_byte_pattern(pattern: &str) -> Result<String, RxError> {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('x') if chars.peek() == Some(&'{') => {
                    chars.next();
                    let mut hex = String::new();
                    for h in chars.by_ref() {
                        if h == '}' {
                            break;
                        }
                        hex.push(h);
                    }
                    let value = u32::from_str_radix(hex.trim(), 16)
                        .map_err(|_| RxError(format!("bad escape \\x{{{hex}}}")))?;
                    if value > 0xff {
                        return Err(RxError(format!(
                            "\\x{{{hex}}} is above 0xff, which a byte pattern cannot match"
                        )));
                    }
                    out.push_str(&format!("\\x{value:02X}"));
                }
                Some(next) if !next.is_ascii() => {
                    push_bytes(&mut out, next);
                }
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => out.push('\\'),
            }
        } else if c.is_ascii() {
            out.push(c);
        } else {
            push_bytes(&mut out, c);
        }
    }
    Ok(out)
}

fn push_bytes(out: &mut String, c: char) {
    let mut buffer = [0; 4];
    for byte in c.encode_utf8(&mut buffer).bytes() {
        out.push_str(&format!("\\x{byte:02X}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcre_flags_and_byte_semantics() {
        let rx = RxMatcher::new("^b$").unwrap();
        assert!(rx.is_match(b"a\nb\nc"), "MULTILINE: ^ and $ at line ends");
        assert!(RxMatcher::new("a.c").unwrap().is_match(b"a\nc"), "DOTALL");
        assert!(
            RxMatcher::new("a.c").unwrap().is_match(b"a\xffc"),
            "any byte"
        );
        assert!(
            !RxMatcher::new(r"^\w+$").unwrap().is_match("é".as_bytes()),
            "ASCII \\w"
        );
        assert!(RxMatcher::new("(?i)select").unwrap().is_match(b"SeLeCt"));
        assert!(
            RxMatcher::new("").unwrap().is_match(b""),
            "empty pattern is .*"
        );
        assert!(
            RxMatcher::new(r"\x41\101").unwrap().is_match(b"AA"),
            "hex and octal escapes"
        );
    }

    #[test]
    fn non_ascii_is_bytes_as_in_pcre_without_utf() {
        let rx = RxMatcher::new("[a’]").unwrap();
        assert!(
            rx.is_match(b"\x99"),
            "each UTF-8 byte of ’ is a class member"
        );
        assert!(RxMatcher::new(r"[\x7f-\x{ff}]").unwrap().is_match(b"\xfe"));
        assert!(RxMatcher::new("’").unwrap().is_match("x’y".as_bytes()));
        assert!(RxMatcher::new(r"\x{100}").is_err());
        assert_eq!(
            to_byte_pattern(r"\\x{41}").unwrap(),
            r"\\x{41}",
            "escaped backslash"
        );
    }

    #[test]
    fn captures_fill_groups_in_order() {
        let mut out = Vec::new();
        assert!(RxMatcher::new("(a)(x)?(b)")
            .unwrap()
            .captures(b"zab", &mut out));
        assert_eq!(
            out,
            vec![b"ab".to_vec(), b"a".to_vec(), Vec::new(), b"b".to_vec()]
        );
    }
}
