//! `compressWhitespace`: each run of whitespace becomes one space.
//!
//! libmodsecurity 3.0.x tests bytes with C `isspace` in the C locale (space, `\t`, `\n`,
//! `\v`, `\f`, `\r`). Unlike ModSecurity 2, the non-breaking space 0xA0 is not whitespace
//! here. A single space stays as it is; a single tab becomes a space.

use std::borrow::Cow;

use super::ctype::is_space;
use super::output::Output;
use super::TransformContext;

pub(super) fn compress_whitespace<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let mut out = Output::new(input);
    let mut in_space = false;
    for &byte in input {
        if is_space(byte) {
            if !in_space {
                out.push(b' ');
                in_space = true;
            }
        } else {
            out.push(byte);
            in_space = false;
        }
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: TransformContext<'static> = TransformContext { unicode_map: None };

    #[test]
    fn runs_collapse() {
        assert_eq!(
            &*compress_whitespace(b"  Test \t\n\x0b\x0c\r Case  ", &CTX),
            b" Test Case "
        );
        assert_eq!(&*compress_whitespace(b"a\tb", &CTX), b"a b");
        assert_eq!(
            &*compress_whitespace(b"a\xa0\xa0b\0\0c", &CTX),
            b"a\xa0\xa0b\0\0c"
        );
    }

    #[test]
    fn single_spaces_are_borrowed() {
        assert!(matches!(
            compress_whitespace(b"a b c", &CTX),
            Cow::Borrowed(_)
        ));
    }
}
