//! `@validateUrlEncoding` and `@validateUtf8Encoding`: they *match* when the value is invalid.

/// A `%` not followed by two hex digits.
pub fn url_encoding_is_invalid(input: &[u8]) -> bool {
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'%' {
            let valid = input.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && input.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
            if !valid {
                return true;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    false
}

/// Not well-formed UTF-8: truncated or invalid sequences, overlong forms, surrogates, or code
/// points above U+10FFFF.
pub fn utf8_is_invalid(input: &[u8]) -> bool {
    std::str::from_utf8(input).is_err()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoding() {
        assert!(!url_encoding_is_invalid(b"a%20b%2F"));
        assert!(url_encoding_is_invalid(b"100%"));
        assert!(url_encoding_is_invalid(b"%G0"));
        assert!(url_encoding_is_invalid(b"%2"));
    }

    #[test]
    fn utf8() {
        assert!(!utf8_is_invalid("héllo €".as_bytes()));
        assert!(utf8_is_invalid(b"\xc0\xaf"), "overlong");
        assert!(utf8_is_invalid(b"\xed\xa0\x80"), "surrogate");
        assert!(utf8_is_invalid(b"\xe2\x82"), "truncated");
        assert!(utf8_is_invalid(b"\xf4\x90\x80\x80"), "above U+10FFFF");
    }
}
