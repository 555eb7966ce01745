//! `utf8toUnicode`: each multi-byte UTF-8 sequence as `%uXXXX`.
//!
//! Reproduces libmodsecurity 3.0.x, including its irregularities:
//!
//! - a well-formed 2-, 3- or 4-byte sequence becomes `%u` and the code point in lowercase hex,
//!   zero-padded to four digits (five or six for code points above U+FFFF: `%u1f600`);
//! - an overlong form and a UTF-16 surrogate (U+D800–U+DFFF) are still converted, but the
//!   lead byte is appended after the `%u` form (both for an overlong surrogate);
//! - lead bytes 0xF5–0xF7 are kept as they are and, if continuation bytes follow, also
//!   converted (their code points exceed U+10FFFF);
//! - a lead byte (0xC0–0xF4) without its continuation bytes is dropped, and the bytes after
//!   it are looked at afresh; stray continuation bytes and 0xF8–0xFF are kept as they are;
//! - NUL bytes vanish: the C code writes them without advancing its output pointer, so the
//!   next byte overwrites them.

use std::borrow::Cow;

use super::ctype::{at, HEX_LOWER};
use super::output::Output;
use super::TransformContext;

pub(super) fn utf8_to_unicode<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let mut out = Output::new(input);
    let is_continuation = |p: usize| at(input, p) & 0xc0 == 0x80;
    let mut i = 0;
    while let Some(&lead) = input.get(i) {
        let (len, code_point) = match lead {
            0x00 => (1, None),
            0x01..=0x7f => {
                out.push(lead);
                (1, None)
            }
            0xc0..=0xdf if is_continuation(i + 1) => (
                2,
                Some((u32::from(lead & 0x1f) << 6) | u32::from(at(input, i + 1) & 0x3f)),
            ),
            0xe0..=0xef if is_continuation(i + 1) && is_continuation(i + 2) => (
                3,
                Some(
                    (u32::from(lead & 0x0f) << 12)
                        | (u32::from(at(input, i + 1) & 0x3f) << 6)
                        | u32::from(at(input, i + 2) & 0x3f),
                ),
            ),
            0xf0..=0xf7 => {
                if lead >= 0xf5 {
                    out.push(lead);
                }
                if is_continuation(i + 1) && is_continuation(i + 2) && is_continuation(i + 3) {
                    (
                        4,
                        Some(
                            (u32::from(lead & 0x07) << 18)
                                | (u32::from(at(input, i + 1) & 0x3f) << 12)
                                | (u32::from(at(input, i + 2) & 0x3f) << 6)
                                | u32::from(at(input, i + 3) & 0x3f),
                        ),
                    )
                } else {
                    (1, None)
                }
            }
            // A 2- or 3-byte lead without its continuation bytes: dropped.
            0xc0..=0xef => (1, None),
            // Continuation bytes on their own, and 0xF8-0xFF.
            _ => {
                out.push(lead);
                (1, None)
            }
        };
        if let Some(code_point) = code_point {
            out.extend(b"%u");
            let digits = 8 - code_point.leading_zeros().min(31) as usize / 4;
            for _ in digits..4 {
                out.push(b'0');
            }
            for k in (0..digits).rev() {
                out.push(HEX_LOWER[((code_point >> (4 * k)) & 0xf) as usize]);
            }
            if (0xd800..=0xdfff).contains(&code_point) {
                out.push(lead);
            }
            let overlong = match len {
                2 => code_point < 0x80,
                3 => code_point < 0x800,
                _ => code_point < 0x1_0000,
            };
            if overlong {
                out.push(lead);
            }
        }
        i += len;
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> Vec<u8> {
        utf8_to_unicode(input, &TransformContext::default()).into_owned()
    }

    #[test]
    fn ascii_is_unchanged() {
        assert!(matches!(
            utf8_to_unicode(b"plain ascii", &TransformContext::default()),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn multi_byte_sequences() {
        assert_eq!(run("é".as_bytes()), b"%u00e9");
        assert_eq!(run("Ѐ Ё".as_bytes()), b"%u0400 %u0401");
        assert_eq!(run("■".as_bytes()), b"%u25a0");
        assert_eq!(run("€".as_bytes()), b"%u20ac");
        assert_eq!(run("😀".as_bytes()), b"%u1f600");
        assert_eq!(run("\u{10ffff}".as_bytes()), b"%u10ffff");
        assert_eq!(
            run("a\u{7ff}b\u{800}c\u{ffff}".as_bytes()),
            b"a%u07ffb%u0800c%uffff"
        );
    }

    #[test]
    fn overlong_forms_keep_the_lead_byte() {
        assert_eq!(run(b"\xc0\xaf"), b"%u002f\xc0");
        assert_eq!(run(b"\xc1\xbf"), b"%u007f\xc1");
        assert_eq!(run(b"\xe0\x80\xaf"), b"%u002f\xe0");
        assert_eq!(run(b"\xf0\x80\x80\xaf"), b"%u002f\xf0");
    }

    #[test]
    fn surrogates_keep_the_lead_byte() {
        assert_eq!(run(b"\xed\xa0\x80"), b"%ud800\xed");
        assert_eq!(run(b"\xed\xbf\xbf"), b"%udfff\xed");
        // Overlong and surrogate at once: the lead byte twice.
        assert_eq!(run(b"\xf0\x8d\xa0\x80"), b"%ud800\xf0\xf0");
    }

    #[test]
    fn leads_above_f4() {
        assert_eq!(run(b"\xf5\x80\x80\x80"), b"\xf5%u140000");
        assert_eq!(run(b"\xf7"), b"\xf7");
        assert_eq!(run(b"\xf8\xff"), b"\xf8\xff");
    }

    #[test]
    fn truncated_sequences_drop_the_lead_byte() {
        assert_eq!(run(b"\xc3"), b"");
        assert_eq!(run(b"a\xc3b"), b"ab");
        assert_eq!(run(b"\xe2\x82"), b"\x82");
        assert_eq!(run(b"\xf0\x9f\x98"), b"\x9f\x98");
        assert_eq!(run(b"\x80\xbf"), b"\x80\xbf");
    }

    #[test]
    fn nul_bytes_vanish() {
        assert_eq!(run(b"a\0b"), b"ab");
        assert_eq!(run(b"\0\0"), b"");
        assert_eq!(run(b"\0\xc3\xa9"), b"%u00e9");
    }
}
