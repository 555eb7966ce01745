//! `urlDecodeUni`: `urlDecode` plus IIS's `%uXXXX`.
//!
//! A `%uXXXX` (either case of `u`) becomes one byte. With a `SecUnicodeMapFile` loaded (and a
//! code page above zero) the code point is looked up first. Otherwise, or when the map has no
//! entry, ModSecurity keeps only the low byte of the code point, except that the full-width
//! ASCII forms U+FF01–U+FF5E are folded onto `!`–`~` by adding 0x20 to that byte (it checks
//! the literal `ff` prefix, so `%uFF21` is `A` but `%uFE21` is `!`). A `%u` without four hex
//! digits after it is kept as the two bytes `%u` and decoding resumes after them, so `%u%41`
//! gives `%uA`. The rest is `urlDecode`: invalid `%` kept, `+` to space.
//!
//! Very old libmodsecurity releases emitted `x` for unmapped code points; 3.0.x (and later)
//! use the low byte as described.

use std::borrow::Cow;

use super::ctype::{at, hex_pair, is_hex};
use super::output::Output;
use super::TransformContext;

pub(super) fn url_decode_uni<'a>(input: &'a [u8], ctx: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let map = ctx.unicode_map.filter(|map| map.code_page() > 0);
    let mut out = Output::new(input);
    let mut i = 0;
    while let Some(&byte) = input.get(i) {
        if byte == b'%' && matches!(at(input, i + 1), b'u' | b'U') {
            let digits = [
                at(input, i + 2),
                at(input, i + 3),
                at(input, i + 4),
                at(input, i + 5),
            ];
            if i + 5 < input.len() && digits.iter().all(|&d| is_hex(d)) {
                let [d1, d2, d3, d4] = digits;
                let code = u16::from_be_bytes([hex_pair(d1, d2), hex_pair(d3, d4)]);
                let decoded = map.and_then(|map| map.get(code)).unwrap_or_else(|| {
                    let low = hex_pair(d3, d4);
                    let full_width = matches!(d1, b'f' | b'F') && matches!(d2, b'f' | b'F');
                    if full_width && low > 0x00 && low < 0x5f {
                        low + 0x20
                    } else {
                        low
                    }
                });
                out.push(decoded);
                i += 6;
            } else {
                out.push(b'%');
                out.push(at(input, i + 1));
                i += 2;
            }
        } else if byte == b'%' && is_hex(at(input, i + 1)) && is_hex(at(input, i + 2)) {
            out.push(hex_pair(at(input, i + 1), at(input, i + 2)));
            i += 3;
        } else if byte == b'+' {
            out.push(b' ');
            i += 1;
        } else {
            // Everything up to the next `%` or `+` is kept as it is.
            let rest = input.get(i + 1..).unwrap_or_default();
            let end = memchr::memchr2(b'%', b'+', rest).map_or(input.len(), |n| i + 1 + n);
            out.extend(input.get(i..end).unwrap_or_default());
            i = end;
        }
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::super::UnicodeMap;
    use super::*;

    fn run(input: &[u8]) -> Vec<u8> {
        url_decode_uni(input, &TransformContext::default()).into_owned()
    }

    #[test]
    fn plain_url_decoding() {
        assert_eq!(run(b"Test+Case%21"), b"Test Case!");
        assert_eq!(run(b"%"), b"%");
        assert_eq!(run(b"%%20"), b"% ");
        assert_eq!(run(b"%0g%20"), b"%0g ");
        assert_eq!(run(b"%+"), b"% ");
    }

    #[test]
    fn percent_u_keeps_the_low_byte() {
        assert_eq!(run(b"%u0041%U0042"), b"AB");
        assert_eq!(run(b"%u1141"), b"A");
        assert_eq!(run(b"%u00ff"), b"\xff");
        assert_eq!(run(b"%u0000"), b"\0");
    }

    #[test]
    fn full_width_ascii_is_folded() {
        assert_eq!(run(b"%uff01%uFF21%uff5e"), b"!A~");
        // Outside FF01..FF5E only the low byte is kept.
        assert_eq!(run(b"%uff00%uff5f%uff7f"), b"\x00\x5f\x7f");
        // The fold needs the literal "ff" prefix.
        assert_eq!(run(b"%ufe21"), b"!");
    }

    #[test]
    fn short_or_invalid_percent_u_is_kept() {
        assert_eq!(run(b"%u"), b"%u");
        assert_eq!(run(b"%U"), b"%U");
        assert_eq!(run(b"%u004"), b"%u004");
        assert_eq!(run(b"%u000g%u0020"), b"%u000g ");
        // Only "%u" is skipped; what follows is decoded on its own.
        assert_eq!(run(b"%u%41"), b"%uA");
        assert_eq!(run(b"%u%u0020"), b"%u ");
    }

    #[test]
    fn unicode_map_takes_precedence() {
        let map = UnicodeMap::parse("20127 (US-ASCII)\n00c0:41 ff21:7a 0041:2a\n", 20127)
            .expect("parses");
        let ctx = TransformContext {
            unicode_map: Some(&map),
        };
        let decode = |input: &[u8]| url_decode_uni(input, &ctx).into_owned();
        assert_eq!(decode(b"%u00c0"), b"A");
        assert_eq!(decode(b"%uff21"), b"z");
        assert_eq!(decode(b"%u0041"), b"*");
        // Built-in IDNA full stop.
        assert_eq!(decode(b"%u3002"), b".");
        // Not in the map: the usual fallback.
        assert_eq!(decode(b"%u00c1%uff22"), b"\xc1B");
    }

    #[test]
    fn a_map_without_code_page_is_ignored() {
        let map = UnicodeMap::parse("0 (none)\n00c0:41\n", 0).expect("parses");
        let ctx = TransformContext {
            unicode_map: Some(&map),
        };
        assert_eq!(&*url_decode_uni(b"%u00c0", &ctx), b"\xc0");
    }
}
