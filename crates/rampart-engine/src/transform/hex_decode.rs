//! `hexDecode`: pairs of hex digits to bytes, with no validation at all.
//!
//! ModSecurity converts every two input bytes with its unchecked digit arithmetic, whether or
//! not they are hex digits (`zz` yields 0x53 by that arithmetic), and drops a final odd byte.
//! It is the inverse of `hexEncode` on well-formed input and garbage-in, garbage-out
//! otherwise; there is no error case.

use std::borrow::Cow;

use super::ctype::hex_pair;
use super::output::owned_unless_same;
use super::TransformContext;

pub(super) fn hex_decode<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let decoded = input
        .chunks_exact(2)
        .map(|pair| match pair {
            [high, low] => hex_pair(*high, *low),
            _ => 0,
        })
        .collect();
    owned_unless_same(input, decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> Vec<u8> {
        hex_decode(input, &TransformContext::default()).into_owned()
    }

    #[test]
    fn decodes_pairs() {
        assert_eq!(run(b"546573740043617365"), b"Test\0Case");
        assert_eq!(run(b"4a4A"), b"JJ");
        assert_eq!(run(b""), b"");
    }

    #[test]
    fn odd_length_drops_the_last_byte() {
        assert_eq!(run(b"414"), b"A");
        assert_eq!(run(b"4"), b"");
        assert_eq!(run(b"01234567890a0"), b"\x01\x23\x45\x67\x89\x0a");
    }

    #[test]
    fn non_hex_bytes_go_through_the_same_arithmetic() {
        // 'z' -> ('Z' - 'A') + 10 = 35; 35 * 16 + 35 = 595, wrapped to 0x53.
        assert_eq!(run(b"zz"), b"\x53");
        // 'g' -> 16, so "g1" is 0x101 wrapped to 0x01.
        assert_eq!(run(b"g1"), b"\x01");
        // ' ' -> 0x20 - 0x30 wraps to 0xf0.
        assert_eq!(run(b" 0"), b"\x00");
    }
}
