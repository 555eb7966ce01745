//! `removeNulls` and `replaceNulls`: drop NUL bytes, or turn each into a space.

use std::borrow::Cow;

use super::output::Output;
use super::TransformContext;

pub(super) fn remove_nulls<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let mut out = Output::new(input);
    for &byte in input.iter().filter(|&&b| b != 0) {
        out.push(byte);
    }
    out.finish()
}

pub(super) fn replace_nulls<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let mut out = Output::new(input);
    for &byte in input {
        out.push(if byte == 0 { b' ' } else { byte });
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: TransformContext<'static> = TransformContext { unicode_map: None };

    #[test]
    fn remove() {
        assert_eq!(&*remove_nulls(b"\0Test\0\0Case\0", &CTX), b"TestCase");
        assert_eq!(&*remove_nulls(b"\0\0", &CTX), b"");
        assert!(matches!(remove_nulls(b"Test Case", &CTX), Cow::Borrowed(_)));
    }

    #[test]
    fn replace() {
        assert_eq!(&*replace_nulls(b"\0Test\0\0Case\0", &CTX), b" Test  Case ");
        assert!(matches!(
            replace_nulls(b"Test Case", &CTX),
            Cow::Borrowed(_)
        ));
    }
}
