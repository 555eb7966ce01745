//! `removeWhitespace`: delete whitespace and non-breaking-space bytes.
//!
//! ModSecurity deletes C-locale whitespace (space, `\t`, `\n`, `\v`, `\f`, `\r`) and also
//! every 0xA0 and every 0xC2 byte, wherever they occur. The last is meant for the UTF-8
//! encoding of U+00A0 (`C2 A0`) but applies to any 0xC2 byte, so it also mangles other
//! UTF-8 text (`Â¿` loses its lead byte).

use std::borrow::Cow;

use super::ctype::is_space;
use super::TransformContext;

pub(super) fn remove_whitespace<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let removed = |byte: u8| is_space(byte) || byte == 0xa0 || byte == 0xc2;
    let Some(first) = input.iter().position(|&byte| removed(byte)) else {
        return Cow::Borrowed(input);
    };
    let mut out = Vec::with_capacity(input.len());
    out.extend_from_slice(&input[..first]);
    out.extend(
        input[first..]
            .iter()
            .copied()
            .filter(|&byte| !removed(byte)),
    );
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: TransformContext<'static> = TransformContext { unicode_map: None };

    #[test]
    fn removes_whitespace_and_nbsp_bytes() {
        assert_eq!(
            &*remove_whitespace(b" T\te\ns\x0bt\x0cC\ra s\xc2\xa0e ", &CTX),
            b"TestCase"
        );
        // Any 0xC2, not only before 0xA0.
        assert_eq!(&*remove_whitespace(b"\xc2\xbf\xa0x", &CTX), b"\xbfx");
        assert_eq!(&*remove_whitespace(b"a\0b", &CTX), b"a\0b");
    }

    #[test]
    fn unchanged_input_is_borrowed() {
        assert!(matches!(
            remove_whitespace(b"TestCase", &CTX),
            Cow::Borrowed(_)
        ));
    }
}
