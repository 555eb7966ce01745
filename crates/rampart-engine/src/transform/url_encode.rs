//! `urlEncode`: percent-encode everything but letters, digits and `*`.
//!
//! ModSecurity keeps only ASCII letters, digits and `*` as they are, turns a space into `+`,
//! and encodes every other byte as `%` and two lowercase hex digits (so `-`, `.`, `_` and `~`
//! are encoded too).

use std::borrow::Cow;

use super::ctype::HEX_LOWER;
use super::output::Output;
use super::TransformContext;

pub(super) fn url_encode<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let mut out = Output::new(input);
    for &byte in input {
        match byte {
            b' ' => out.push(b'+'),
            b'*' | b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z' => out.push(byte),
            _ => out.extend(&[
                b'%',
                HEX_LOWER[usize::from(byte >> 4)],
                HEX_LOWER[usize::from(byte & 0x0f)],
            ]),
        }
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: TransformContext<'static> = TransformContext { unicode_map: None };

    #[test]
    fn encodes_all_but_alphanumerics_and_star() {
        assert_eq!(&*url_encode(b"a b*c", &CTX), b"a+b*c");
        assert_eq!(
            &*url_encode(b"-._~/?=&%+", &CTX),
            b"%2d%2e%5f%7e%2f%3f%3d%26%25%2b"
        );
        assert_eq!(&*url_encode(b"\0\xff\xc3\xa9", &CTX), b"%00%ff%c3%a9");
    }

    #[test]
    fn unchanged_input_is_borrowed() {
        assert!(matches!(
            url_encode(b"Test*Case123", &CTX),
            Cow::Borrowed(_)
        ));
    }
}
