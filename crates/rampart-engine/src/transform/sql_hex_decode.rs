//! `sqlHexDecode`: decode SQL hex literals (`0x414243` → `ABC`) in place.
//!
//! A `0x`/`0X` followed by at least one pair of hex digits is replaced by the bytes of all
//! the complete pairs that follow; a `0x` without a full pair is kept as it is. The
//! libmodsecurity 3.0.x loop has two further effects that are reproduced here because rules
//! see them:
//!
//! - after a literal, its step copies the next byte without examining it, so a literal that
//!   immediately follows another is not decoded (`0x410x42` → `A0x4`);
//! - its bound is off by one, so scanning stops before the last byte of the value and that
//!   byte is lost unless a hex literal reached it: `ABC` gives `AB`, and a one-byte value
//!   gives nothing;
//! - the result is measured with `strlen`, so it ends at the first NUL byte, whether the
//!   input had one or a literal decoded to one (`0x4100` → `A`).
//!
//! Later releases rewrote the loop and have none of these three effects.

use std::borrow::Cow;

use super::ctype::{at, hex_pair, is_hex};
use super::output::Output;
use super::TransformContext;

pub(super) fn sql_hex_decode<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let mut out = Output::new(input);
    let mut p = 0;
    while p + 1 < input.len() && at(input, p) != 0 {
        if at(input, p) == b'0'
            && matches!(at(input, p + 1), b'x' | b'X')
            && is_hex(at(input, p + 2))
            && is_hex(at(input, p + 3))
        {
            p += 2;
            while is_hex(at(input, p)) && is_hex(at(input, p + 1)) {
                out.push(hex_pair(at(input, p), at(input, p + 1)));
                p += 2;
            }
        }
        // The loop's own step copies one byte, even the terminator after a literal.
        out.push(at(input, p));
        p += 1;
    }
    out.truncate_at_nul();
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> Vec<u8> {
        sql_hex_decode(input, &TransformContext::default()).into_owned()
    }

    #[test]
    fn decodes_literals() {
        assert_eq!(run(b"0x414243"), b"ABC");
        assert_eq!(run(b"0X414243"), b"ABC");
        assert_eq!(run(b"00x414243"), b"0ABC");
        assert_eq!(run(b"0xz0x414243"), b"0xzABC");
        assert_eq!(run(b"0x4142430x0x434241"), b"ABC0xCBA");
        assert_eq!(run(b"SELECT 0x61646d696e;"), b"SELECT admin;");
    }

    #[test]
    fn the_byte_after_a_literal_is_not_examined() {
        // The "0" of the second literal is copied blindly, so it is not decoded.
        assert_eq!(run(b"0x4142430x434241"), b"ABC0x43424");
        assert_eq!(run(b"0x410x42"), b"A0x4");
        // With a separator the second literal decodes, and the blind copy takes the last byte.
        assert_eq!(run(b"0x41;0x42;"), b"A;B;");
    }

    #[test]
    fn odd_digit_runs_keep_the_leftover_digit() {
        assert_eq!(run(b"0x41424 x"), b"AB4 ");
        assert_eq!(run(b"0x414"), b"A4");
    }

    #[test]
    fn the_last_byte_is_lost_unless_a_literal_reaches_it() {
        assert_eq!(run(b"ABC"), b"AB");
        assert_eq!(run(b"A"), b"");
        assert_eq!(run(b"0x41 x"), b"A ");
        assert_eq!(run(b"0x"), b"0");
        assert_eq!(run(b"0x4"), b"0x");
    }

    #[test]
    fn output_ends_at_the_first_nul() {
        assert_eq!(run(b"0x4100420x43"), b"A");
        assert_eq!(run(b"ab\0cd"), b"ab");
    }

    #[test]
    fn a_shortened_input_is_borrowed() {
        assert!(matches!(
            sql_hex_decode(b"plain", &TransformContext::default()),
            Cow::Borrowed(b"plai")
        ));
    }
}
