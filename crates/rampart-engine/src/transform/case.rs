//! `lowercase` and `uppercase`: ASCII letters only, byte by byte.
//!
//! ModSecurity converts with the C++ classic ("C") locale, so bytes above 0x7F, including
//! every byte of a UTF-8 sequence, pass through untouched.

use std::borrow::Cow;

use super::TransformContext;

pub(super) fn lowercase<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    convert(input, u8::is_ascii_uppercase, <[u8]>::make_ascii_lowercase)
}

pub(super) fn uppercase<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    convert(input, u8::is_ascii_lowercase, <[u8]>::make_ascii_uppercase)
}

/// The input from its first byte that `changes` on, converted in place in a copy.
fn convert(input: &[u8], changes: fn(&u8) -> bool, make: fn(&mut [u8])) -> Cow<'_, [u8]> {
    let Some(first) = input.iter().position(changes) else {
        return Cow::Borrowed(input);
    };
    let mut out = input.to_vec();
    if let Some(rest) = out.get_mut(first..) {
        make(rest);
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: TransformContext<'static> = TransformContext { unicode_map: None };

    #[test]
    fn ascii_only() {
        assert_eq!(
            &*lowercase(b"SeLeCT \xc3\x89\xff", &CTX),
            b"select \xc3\x89\xff"
        );
        assert_eq!(
            &*uppercase(b"select \xc3\xa9\xff", &CTX),
            b"SELECT \xc3\xa9\xff"
        );
    }

    #[test]
    fn unchanged_input_is_borrowed() {
        assert!(matches!(
            lowercase(b"already lower 123", &CTX),
            Cow::Borrowed(_)
        ));
        assert!(matches!(
            uppercase(b"ALREADY UPPER 123", &CTX),
            Cow::Borrowed(_)
        ));
    }
}
