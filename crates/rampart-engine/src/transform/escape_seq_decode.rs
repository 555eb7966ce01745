//! `escapeSeqDecode`: ANSI C escape sequences.
//!
//! ModSecurity decodes `\a \b \f \n \r \t \v \\ \? \' \"`, `\xHH` (either case of `x`) and
//! `\` plus one to three octal digits. Unlike `jsDecode`, a three-digit octal value is not
//! limited to a byte before it is stored, so it wraps: `\400` is NUL and `\777` is 0xFF. For
//! anything else after a backslash, including `\x` without two hex digits, the backslash is
//! dropped and the next byte kept (`\z` → `z`, `\xg1` → `xg1`). A backslash at the very end is
//! kept.

use std::borrow::Cow;

use super::ctype::{at, hex_pair, is_hex, is_octal};
use super::output::Output;
use super::TransformContext;

pub(super) fn escape_seq_decode<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let mut out = Output::new(input);
    let mut i = 0;
    while let Some(&byte) = input.get(i) {
        if byte != b'\\' || i + 1 >= input.len() {
            out.push(byte);
            i += 1;
            continue;
        }
        let next = at(input, i + 1);
        let simple = match next {
            b'a' => Some(0x07),
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'v' => Some(0x0b),
            b'\\' | b'?' | b'\'' | b'"' => Some(next),
            _ => None,
        };
        if let Some(decoded) = simple {
            out.push(decoded);
            i += 2;
        } else if matches!(next, b'x' | b'X')
            && i + 3 < input.len()
            && is_hex(at(input, i + 2))
            && is_hex(at(input, i + 3))
        {
            out.push(hex_pair(at(input, i + 2), at(input, i + 3)));
            i += 4;
        } else if is_octal(next) {
            let start = i + 1;
            let mut count = 1;
            while count < 3 && start + count < input.len() && is_octal(at(input, start + count)) {
                count += 1;
            }
            // The int result of strtol is stored into a byte.
            let value = input
                .get(start..start + count)
                .unwrap_or_default()
                .iter()
                .fold(0u32, |value, &digit| value * 8 + u32::from(digit - b'0'));
            out.push(value as u8);
            i = start + count;
        } else {
            out.push(next);
            i += 2;
        }
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> Vec<u8> {
        escape_seq_decode(input, &TransformContext::default()).into_owned()
    }

    #[test]
    fn c_escapes() {
        assert_eq!(
            run(b"\\a\\b\\f\\n\\r\\t\\v\\?\\'\\\"\\\\"),
            b"\x07\x08\x0c\n\r\t\x0b?'\"\\"
        );
    }

    #[test]
    fn hex_escapes_either_case() {
        assert_eq!(run(b"\\x41\\X42\\x00\\xff"), b"AB\0\xff");
        assert_eq!(run(b"\\x"), b"x");
        assert_eq!(run(b"\\x\\x0"), b"xx0");
        assert_eq!(run(b"\\xag\\xga"), b"xagxga");
    }

    #[test]
    fn octal_escapes_wrap_to_a_byte() {
        assert_eq!(run(b"\\0\\12\\123"), b"\0\nS");
        assert_eq!(run(b"\\01\\012"), b"\x01\n");
        assert_eq!(run(b"\\0123"), b"\n3");
        assert_eq!(run(b"\\666"), b"\xb6");
        assert_eq!(run(b"\\400\\777"), b"\0\xff");
    }

    #[test]
    fn unknown_escapes_drop_the_backslash() {
        assert_eq!(run(b"\\8\\9\\z\\u0041"), b"89zu0041");
        assert_eq!(run(b"\\\\u0000"), b"\\u0000");
    }

    #[test]
    fn trailing_backslash_is_kept() {
        assert_eq!(run(b"\\"), b"\\");
        assert_eq!(run(b"ab\\"), b"ab\\");
    }

    #[test]
    fn unchanged_input_is_borrowed() {
        assert!(matches!(
            escape_seq_decode(b"plain text", &TransformContext::default()),
            Cow::Borrowed(_)
        ));
    }
}
