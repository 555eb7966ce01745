//! `parityEven7bit`, `parityOdd7bit`, `parityZero7bit`: set or clear the top bit of each byte.
//!
//! ModSecurity computes the parity over all eight bits of the byte as it stands, including
//! the top bit it is about to overwrite, not over the low seven. For ASCII input that is the
//! usual 7-bit parity; for a byte with the top bit already set the result differs from a
//! textbook implementation (`parityEven7bit` maps 0x81 to 0x01, not 0x81), and that is what
//! is reproduced.

use std::borrow::Cow;

use super::output::Output;
use super::TransformContext;

pub(super) fn parity_even_7bit<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    map_bytes(input, |byte| {
        if byte.count_ones() % 2 == 1 {
            byte | 0x80
        } else {
            byte & 0x7f
        }
    })
}

pub(super) fn parity_odd_7bit<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    map_bytes(input, |byte| {
        if byte.count_ones() % 2 == 1 {
            byte & 0x7f
        } else {
            byte | 0x80
        }
    })
}

pub(super) fn parity_zero_7bit<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    map_bytes(input, |byte| byte & 0x7f)
}

fn map_bytes(input: &[u8], f: fn(u8) -> u8) -> Cow<'_, [u8]> {
    let mut out = Output::new(input);
    for &byte in input {
        out.push(f(byte));
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: TransformContext<'static> = TransformContext { unicode_map: None };

    #[test]
    fn even() {
        // 'A' (0x41) has two bits set: even already. 'C' (0x43) has three.
        assert_eq!(&*parity_even_7bit(b"AC\0", &CTX), b"A\xc3\0");
        // Parity over eight bits: 0x81 has two bits set, so its top bit is cleared.
        assert_eq!(&*parity_even_7bit(b"\x81\x80\xff", &CTX), b"\x01\x80\x7f");
    }

    #[test]
    fn odd() {
        assert_eq!(&*parity_odd_7bit(b"AC\0", &CTX), b"\xc1C\x80");
        assert_eq!(&*parity_odd_7bit(b"\x81\x80\xff", &CTX), b"\x81\x00\xff");
    }

    #[test]
    fn zero() {
        assert_eq!(&*parity_zero_7bit(b"\xc1\x41\xff\x80", &CTX), b"AA\x7f\0");
        assert!(matches!(parity_zero_7bit(b"ascii", &CTX), Cow::Borrowed(_)));
    }
}
