//! `hexEncode`: each byte as two lowercase hex digits.

use std::borrow::Cow;

use super::ctype::HEX_LOWER;
use super::output::owned_unless_same;
use super::TransformContext;

pub(super) fn hex_encode<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let mut out = Vec::with_capacity(input.len() * 2);
    for &byte in input {
        out.push(HEX_LOWER[usize::from(byte >> 4)]);
        out.push(HEX_LOWER[usize::from(byte & 0x0f)]);
    }
    owned_unless_same(input, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercase_pairs() {
        let run = |input: &[u8]| hex_encode(input, &TransformContext::default()).into_owned();
        assert_eq!(run(b"Test\0Case"), b"546573740043617365");
        assert_eq!(run(b"\xff\x0a"), b"ff0a");
        assert!(matches!(
            hex_encode(b"", &TransformContext::default()),
            Cow::Borrowed(_)
        ));
    }
}
