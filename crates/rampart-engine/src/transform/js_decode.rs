//! `jsDecode`: JavaScript string escapes, to bytes.
//!
//! ModSecurity decodes `\uHHHH` (lowercase `u` only) to one byte: the low byte of the code
//! point, with the full-width forms U+FF01–U+FF5E folded onto ASCII as in `urlDecodeUni`.
//! `\xHH` (lowercase `x` only) gives that byte. `\` followed by up to three octal digits
//! gives their value, but a three-digit run starting above `3` only takes two digits (so
//! `\666` is `6` then `6`), keeping the result within a byte. `\a \b \f \n \r \t \v` are the
//! C control characters; any other escaped byte, including a `u` or `x` not followed by
//! enough hex digits, stands for itself (`\q` → `q`, `\u12` → `u12`). A backslash at the very
//! end is kept.

use std::borrow::Cow;

use super::ctype::{at, hex_pair, is_hex, is_octal, strtol_low_byte};
use super::output::Output;
use super::TransformContext;

pub(super) fn js_decode<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let mut out = Output::new(input);
    let mut i = 0;
    while let Some(&byte) = input.get(i) {
        if byte != b'\\' {
            out.push(byte);
            i += 1;
            continue;
        }
        let next = at(input, i + 1);
        if i + 5 < input.len() && next == b'u' && (2..6).all(|k| is_hex(at(input, i + k))) {
            let low = hex_pair(at(input, i + 4), at(input, i + 5));
            let full_width =
                matches!(at(input, i + 2), b'f' | b'F') && matches!(at(input, i + 3), b'f' | b'F');
            out.push(if full_width && low > 0x00 && low < 0x5f {
                low + 0x20
            } else {
                low
            });
            i += 6;
        } else if i + 3 < input.len()
            && next == b'x'
            && is_hex(at(input, i + 2))
            && is_hex(at(input, i + 3))
        {
            out.push(hex_pair(at(input, i + 2), at(input, i + 3)));
            i += 4;
        } else if i + 1 < input.len() && is_octal(next) {
            let start = i + 1;
            let mut count = 1;
            while count < 3 && start + count < input.len() && is_octal(at(input, start + count)) {
                count += 1;
            }
            if count == 3 && next > b'3' {
                count = 2;
            }
            out.push(strtol_low_byte(
                input.get(start..start + count).unwrap_or_default(),
                8,
            ));
            i = start + count;
        } else if i + 1 < input.len() {
            out.push(match next {
                b'a' => 0x07,
                b'b' => 0x08,
                b'f' => 0x0c,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                b'v' => 0x0b,
                other => other,
            });
            i += 2;
        } else {
            out.push(byte);
            i += 1;
        }
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> Vec<u8> {
        js_decode(input, &TransformContext::default()).into_owned()
    }

    #[test]
    fn single_character_escapes() {
        assert_eq!(
            run(b"\\a\\b\\f\\n\\r\\t\\v\\?\\'\\\"\\\\"),
            b"\x07\x08\x0c\n\r\t\x0b?'\"\\"
        );
        assert_eq!(run(b"\\q\\/"), b"q/");
    }

    #[test]
    fn hex_and_unicode_escapes() {
        assert_eq!(run(b"\\x41\\x00\\xff\\xFf"), b"A\0\xff\xff");
        assert_eq!(run(b"\\u0041\\u1141\\u00e9"), b"AA\xe9");
        assert_eq!(run(b"\\u0021\\uff01\\uFF5e\\uff5f"), b"!!~\x5f");
        // Only lowercase introducers.
        assert_eq!(run(b"\\X41\\U0041"), b"X41U0041");
    }

    #[test]
    fn short_or_invalid_hex_escapes_drop_only_the_backslash() {
        assert_eq!(run(b"\\x"), b"x");
        assert_eq!(run(b"\\x\\x0"), b"xx0");
        assert_eq!(run(b"\\u\\u0\\u01\\u012"), b"uu0u01u012");
        assert_eq!(run(b"\\u00ag\\xag"), b"u00agxag");
    }

    #[test]
    fn octal_escapes() {
        assert_eq!(run(b"\\0\\12\\123\\101"), b"\0\nSA");
        assert_eq!(run(b"\\377"), b"\xff");
        // A three-digit run above \377 only takes two digits.
        assert_eq!(run(b"\\666"), b"\x366");
        assert_eq!(run(b"\\0123"), b"\n3");
        assert_eq!(run(b"\\8\\9"), b"89");
        assert_eq!(run(b"\\7"), b"\x07");
    }

    #[test]
    fn trailing_backslash_is_kept() {
        assert_eq!(run(b"\\"), b"\\");
        assert_eq!(run(b"abc\\"), b"abc\\");
        assert_eq!(run(b"\\\\0"), b"\\0");
    }

    #[test]
    fn unchanged_input_is_borrowed() {
        assert!(matches!(
            js_decode(b"no escapes", &TransformContext::default()),
            Cow::Borrowed(_)
        ));
    }
}
