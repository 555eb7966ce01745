//! `length`: the value's length in bytes, as decimal digits.

use std::borrow::Cow;

use super::output::owned_unless_same;
use super::TransformContext;

pub(super) fn length<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    owned_unless_same(input, input.len().to_string().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: TransformContext<'static> = TransformContext { unicode_map: None };

    #[test]
    fn counts_bytes() {
        assert_eq!(&*length(b"", &CTX), b"0");
        assert_eq!(&*length(b"Test\0Case", &CTX), b"9");
        assert_eq!(&*length("é".as_bytes(), &CTX), b"2");
        assert_eq!(&*length(&[b'x'; 1234], &CTX), b"1234");
        // A value that is its own length comes back borrowed.
        assert!(matches!(length(b"1", &CTX), Cow::Borrowed(b"1")));
    }
}
