//! `cssDecode`: CSS 2 backslash escapes, one byte each.
//!
//! After a backslash, ModSecurity reads up to six hex digits and keeps only the last two as
//! the byte (one digit: its own value). Four digits, or five starting with `0`, or six
//! starting with `00`, additionally get the full-width fold: `ff01`–`ff5e` become `!`–`~`.
//! One whitespace byte after a hex escape is swallowed, as CSS says. A backslash before a
//! newline removes both; before any other non-hex byte it is simply dropped; at the very end
//! it is dropped too.
//!
//! libmodsecurity 3.0.x then builds its result from the decoding buffer as a C string, so the
//! value ends at the first NUL byte in the decoded text, whether that NUL came from the input
//! or from an escape such as `\0`. That truncation is reproduced (later releases keep the
//! NUL and what follows).

use std::borrow::Cow;

use super::ctype::{at, hex_digit_value, hex_pair, is_hex, is_space};
use super::output::Output;
use super::TransformContext;

pub(super) fn css_decode<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let mut out = Output::new(input);
    let mut i = 0;
    while let Some(&byte) = input.get(i) {
        if byte != b'\\' {
            out.push(byte);
            i += 1;
        } else if i + 1 >= input.len() {
            // A lone trailing backslash is a continuation to nothing.
            i += 1;
        } else {
            i += 1;
            let digits = input
                .get(i..)
                .unwrap_or_default()
                .iter()
                .take(6)
                .take_while(|&&b| is_hex(b))
                .count();
            if digits > 0 {
                let d = |k: usize| at(input, i + k);
                let last_two = |n: usize| hex_pair(d(n - 2), d(n - 1));
                let (mut decoded, full_width_check) = match digits {
                    1 => (hex_digit_value(d(0)), false),
                    2 | 3 => (last_two(digits), false),
                    4 => (last_two(4), true),
                    5 => (last_two(5), d(0) == b'0'),
                    _ => (last_two(6), d(0) == b'0' && d(1) == b'0'),
                };
                if full_width_check
                    && decoded > 0x00
                    && decoded < 0x5f
                    && matches!(d(digits - 3), b'f' | b'F')
                    && matches!(d(digits - 4), b'f' | b'F')
                {
                    decoded += 0x20;
                }
                out.push(decoded);
                let mut consumed = digits;
                if i + consumed < input.len() && is_space(d(consumed)) {
                    consumed += 1;
                }
                i += consumed;
            } else if at(input, i) == b'\n' {
                i += 1;
            } else {
                out.push(at(input, i));
                i += 1;
            }
        }
        if out.last() == Some(0) {
            // Everything from the first NUL on is lost (see the module notes).
            break;
        }
    }
    out.truncate_at_nul();
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> Vec<u8> {
        css_decode(input, &TransformContext::default()).into_owned()
    }

    #[test]
    fn escapes_keep_the_last_two_hex_digits() {
        assert_eq!(run(b"\\41"), b"A");
        assert_eq!(run(b"\\1A\\1 A"), b"\x1a\x01A");
        assert_eq!(run(b"\\12\\123\\1234\\12345\\123456"), b"\x12#4EV");
        // Six digits at most: the seventh is an ordinary character.
        assert_eq!(run(b"\\1234567"), b"V7");
        assert_eq!(run(b"\\123456 7"), b"V7");
        assert_eq!(run(b"\\1x\\1 x"), b"\x01x\x01x");
    }

    #[test]
    fn full_width_fold() {
        assert_eq!(run(b"\\ff01\\ff5e\\FF21"), b"!~A");
        assert_eq!(run(b"\\0ff21\\00ff21"), b"AA");
        // Five digits not starting with 0, or six not starting with 00: no fold.
        assert_eq!(run(b"\\1ff21"), b"!");
        assert_eq!(run(b"\\10ff21"), b"!");
        assert_eq!(run(b"\\ff5f"), b"\x5f");
    }

    #[test]
    fn other_escapes() {
        // \a is a hex digit (0x0a); \g and \n are not, so they stand for themselves.
        assert_eq!(run(b"\\a\\g\\n\\?\\'\\\""), b"\ngn?'\"");
        assert_eq!(run(b"a\\\nb"), b"ab");
        assert_eq!(run(b"test\\"), b"test");
        // One whitespace after a hex escape is swallowed, a second one stays.
        assert_eq!(run(b"\\41  B\\41\tB"), b"A BAB");
    }

    #[test]
    fn output_ends_at_the_first_nul() {
        assert_eq!(run(b"Test\0Case"), b"Test");
        assert_eq!(run(b"ab\\0 gh"), b"ab");
        // Up to six hex digits belong to the escape, so this is 0xCD, not NUL.
        assert_eq!(run(b"ab\\0cd"), b"ab\xcd");
        assert_eq!(run(b"\\00 x"), b"");
        assert_eq!(
            run(b"test\\a\\b\\f\\n\\r\\t\\v\\?\\'\\\"\\0\\12"),
            b"test\n\x0b\x0fnrtv?'\""
        );
    }

    #[test]
    fn unchanged_input_is_borrowed() {
        assert!(matches!(
            css_decode(b"color: red", &TransformContext::default()),
            Cow::Borrowed(_)
        ));
        assert!(matches!(
            css_decode(b"abc\0def", &TransformContext::default()),
            Cow::Borrowed(b"abc")
        ));
    }
}
