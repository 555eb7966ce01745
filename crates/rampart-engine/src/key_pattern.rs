//! Regular expressions that pick collection members by name (`TX:/^header_name_/`,
//! `!REQUEST_COOKIES:/^_pk_ref/`).
//!
//! CRS writes most of them as a fixed prefix, often followed by more pattern, and checks
//! them against every name of a collection, or against the name of every value a rule
//! reads when they are exclusions. A name that does not begin with the prefix cannot match,
//! and a pattern that is nothing but an anchored prefix needs no regex at all; so the prefix
//! is read off the pattern at load and compared first.

use regex::bytes::Regex;

/// A compiled name pattern, matched ASCII case-insensitively.
#[derive(Debug, Clone)]
pub struct KeyPattern {
    regex: Regex,
    /// Lower case; every matching name begins with it (in any case).
    prefix: Vec<u8>,
    /// The pattern is `^` and the prefix, nothing more: the prefix decides alone.
    prefix_only: bool,
}

impl KeyPattern {
    /// `regex` must be `pattern` compiled case-insensitively.
    pub fn new(pattern: &str, regex: Regex) -> Self {
        let prefix = required_prefix(pattern);
        let prefix_only = pattern.len() == prefix.len() + 1;
        KeyPattern {
            regex,
            prefix,
            prefix_only,
        }
    }

    #[inline]
    pub fn is_match(&self, key: &[u8]) -> bool {
        let starts = key
            .get(..self.prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(&self.prefix));
        starts && (self.prefix_only || self.regex_matches(key))
    }

    #[inline(never)]
    fn regex_matches(&self, key: &[u8]) -> bool {
        self.regex.is_match(key)
    }
}

/// The literal that follows a leading `^`, up to the first byte that is not a letter, a
/// digit, `_` or `-`, and short of a byte a quantifier makes optional. Nothing for a
/// pattern with an alternation anywhere, which may not be anchored at all.
fn required_prefix(pattern: &str) -> Vec<u8> {
    let Some(rest) = pattern.strip_prefix('^') else {
        return Vec::new();
    };
    if pattern.contains('|') {
        return Vec::new();
    }
    let bytes = rest.as_bytes();
    let literal = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    let mut prefix = Vec::new();
    for (at, &byte) in bytes.iter().enumerate() {
        if !literal(byte) {
            break;
        }
        if matches!(bytes.get(at + 1), Some(b'?' | b'*' | b'{')) {
            break;
        }
        prefix.push(byte.to_ascii_lowercase());
    }
    prefix
}

#[cfg(test)]
mod tests {
    use regex::bytes::RegexBuilder;

    use super::*;

    fn compiled(pattern: &str) -> KeyPattern {
        let regex = RegexBuilder::new(pattern)
            .unicode(false)
            .case_insensitive(true)
            .dot_matches_new_line(true)
            .build()
            .expect("compiles");
        KeyPattern::new(pattern, regex)
    }

    #[test]
    fn prefixes_stop_at_what_is_not_plainly_required() {
        assert_eq!(required_prefix("^_pk_ref"), b"_pk_ref");
        assert_eq!(required_prefix("^pbjs-\\w+$"), b"pbjs-");
        assert_eq!(required_prefix("^_ga(?:_\\w+)?$"), b"_ga");
        assert_eq!(
            required_prefix("^Header_Name_920450_"),
            b"header_name_920450_"
        );
        assert_eq!(required_prefix("^abc?d"), b"ab");
        assert_eq!(required_prefix("^ab*"), b"a");
        assert_eq!(required_prefix("^ab{0,2}"), b"a");
        assert_eq!(required_prefix("^ab+"), b"ab");
        assert_eq!(required_prefix("^a|b"), b"");
        assert_eq!(required_prefix("(?:^a)|b"), b"");
        assert_eq!(required_prefix("rfi_parameter_.*"), b"");
        assert_eq!(required_prefix("^"), b"");
    }

    /// With or without a prefix, and whether the prefix decides alone or the regex runs
    /// after it, the answer is the regex's.
    #[test]
    fn answers_are_the_regexs() {
        let patterns = [
            "^_pk_ref",
            "^pbjs-\\w+$",
            "^_ga(?:_\\w+)?$",
            "^header_name_920450_",
            "^abc?d",
            "^a|b",
            "rfi_parameter_.*",
            "^",
            "\\x22?\\x24Version",
        ];
        let keys: [&[u8]; 16] = [
            b"",
            b"_pk_ref",
            b"_PK_REF.123",
            b"x_pk_ref",
            b"_pk_re",
            b"pbjs-abc",
            b"PBJS-",
            b"pbjs-a.b",
            b"_ga",
            b"_GA_X1",
            b"_gab",
            b"header_name_920450_host",
            b"abd",
            b"b",
            b"rfi_parameter_x",
            b"\"$Version",
        ];
        for pattern in patterns {
            let fast = compiled(pattern);
            for key in keys {
                assert_eq!(
                    fast.is_match(key),
                    fast.regex_matches(key),
                    "/{pattern}/ against {:?}",
                    String::from_utf8_lossy(key)
                );
            }
        }
    }
}
