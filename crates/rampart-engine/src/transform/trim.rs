//! `trim`, `trimLeft`, `trimRight`: strip C-locale whitespace.
//!
//! ModSecurity trims with `std::isspace` in the C locale: space, `\t`, `\n`, `\v`, `\f` and
//! `\r`. NUL and the non-breaking space 0xA0 are not whitespace here. The result is always a
//! slice of the input, so trimming never allocates.

use std::borrow::Cow;

use super::ctype::is_space;
use super::TransformContext;

pub(super) fn trim<'a>(input: &'a [u8], ctx: &TransformContext<'_>) -> Cow<'a, [u8]> {
    match trim_right(input, ctx) {
        Cow::Borrowed(rest) => trim_left(rest, ctx),
        Cow::Owned(rest) => Cow::Owned(rest),
    }
}

pub(super) fn trim_left<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let start = input.iter().take_while(|&&b| is_space(b)).count();
    Cow::Borrowed(input.get(start..).unwrap_or_default())
}

pub(super) fn trim_right<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let end = input.len() - input.iter().rev().take_while(|&&b| is_space(b)).count();
    Cow::Borrowed(input.get(..end).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: TransformContext<'static> = TransformContext { unicode_map: None };

    #[test]
    fn trims_the_c_locale_set() {
        let input = b" \t\n\x0b\x0c\rx y\r\x0c\x0b\n\t ";
        assert_eq!(&*trim(input, &CTX), b"x y");
        assert_eq!(&*trim_left(input, &CTX), b"x y\r\x0c\x0b\n\t ");
        assert_eq!(&*trim_right(input, &CTX), b" \t\n\x0b\x0c\rx y");
    }

    #[test]
    fn nul_and_nbsp_are_not_whitespace() {
        assert_eq!(&*trim(b"\0 a \0", &CTX), b"\0 a \0");
        assert_eq!(&*trim(b"\xa0a\xa0", &CTX), b"\xa0a\xa0");
    }

    #[test]
    fn all_whitespace_and_empty() {
        assert_eq!(&*trim(b"  \t ", &CTX), b"");
        assert_eq!(&*trim_left(b"   ", &CTX), b"");
        assert_eq!(&*trim_right(b"", &CTX), b"");
    }

    #[test]
    fn always_borrowed() {
        assert!(matches!(trim(b"  a  ", &CTX), Cow::Borrowed(b"a")));
    }
}
