//! `base64Decode`, `base64DecodeExt` and `base64Encode`.
//!
//! libmodsecurity 3.0.x decodes strictly with the mbed TLS 2 decoder it bundles, which is
//! all-or-nothing: the value (up to its first NUL byte, as it is passed as a C string) must
//! be well-formed base64, else the result is empty, not a partial decoding. Well-formed means
//! alphabet characters, at most two `=` and nothing but `=`, line breaks and trailing spaces
//! after the first `=`; spaces are allowed only before a line break or at the end, and
//! `\r\n` or `\n` line breaks anywhere. The data is then decoded in complete groups of four
//! characters, so a trailing partial group (unpadded input whose length is not a multiple of
//! four) is silently dropped: `QUJDRA` gives `ABC`.
//!
//! `base64DecodeExt` is ModSecurity's own "forgiving" decoder: every byte outside the
//! standard alphabet is skipped (in 3.0.x that includes `-` and `_`; the URL-safe alphabet was
//! only added much later), `=` is skipped too, and a trailing partial group yields the bytes
//! it completes. It gives up entirely (empty result) when a `=` not followed by another `=`
//! arrives one character into a group, or when the value ends one character into a group and
//! its last byte is `=` or, through a quirk of the C code comparing the decoded value of the
//! last byte with the character code of `=`, the digit `9`.
//!
//! `base64Encode` is standard base64 with `=` padding and no line breaks.

use std::borrow::Cow;

use super::ctype::at;
use super::output::owned_unless_same;
use super::TransformContext;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The value of a standard-alphabet base64 character.
fn value(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

pub(super) fn base64_decode<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let text = input.split(|&b| b == 0).next().unwrap_or_default();
    owned_unless_same(input, strict_decode(text).unwrap_or_default())
}

/// What [`strict_decode`] makes of each byte: an alphabet character's value, or one of these.
const PAD: u8 = 64;
const SPACE: u8 = 65;
const INVALID: u8 = 66;

static CLASS: [u8; 256] = {
    let mut class = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        class[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    class[b'=' as usize] = PAD;
    class[b' ' as usize] = SPACE;
    class[b'\r' as usize] = SPACE;
    class[b'\n' as usize] = SPACE;
    class
};

/// mbed TLS 2's `mbedtls_base64_decode`: `None` where it reports an invalid character.
///
/// Most values a rule decodes are either not base64 at all (a byte outside the alphabet
/// anywhere fails the whole value) or plain alphabet characters with trailing padding; one
/// pass over a table settles both, and only values with spaces or line breaks, or padding
/// in odd places, take the byte-by-byte walk of the C code.
fn strict_decode(src: &[u8]) -> Option<Vec<u8>> {
    let (mut pads, mut spaced, mut misplaced) = (0usize, false, false);
    for &byte in src {
        match CLASS[usize::from(byte)] {
            INVALID => return None,
            SPACE => spaced = true,
            PAD => pads += 1,
            _ => misplaced |= pads != 0,
        }
    }
    if spaced || misplaced || pads > 2 {
        return strict_decode_spaced(src);
    }
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut wanted = 3;
    for group in src.chunks_exact(4) {
        let mut bits: u32 = 0;
        for &byte in group {
            let value = CLASS[usize::from(byte)];
            if value == PAD {
                wanted -= 1;
            }
            bits = (bits << 6) | u32::from(value & 63);
        }
        let [_, b1, b2, b3] = bits.to_be_bytes();
        out.extend_from_slice(&[b1, b2, b3][..wanted]);
    }
    Some(out)
}

/// [`strict_decode`] for the values its table pass cannot settle.
fn strict_decode_spaced(src: &[u8]) -> Option<Vec<u8>> {
    let mut i = 0;
    let mut count = 0;
    let mut pads = 0;
    while i < src.len() {
        let mut spaces = 0;
        while at(src, i) == b' ' && i < src.len() {
            i += 1;
            spaces += 1;
        }
        if i == src.len() {
            break;
        }
        let byte = at(src, i);
        if (byte == b'\r' && at(src, i + 1) == b'\n' && i + 1 < src.len()) || byte == b'\n' {
            i += 1;
            continue;
        }
        if spaces != 0 {
            return None;
        }
        if byte == b'=' {
            pads += 1;
            if pads > 2 {
                return None;
            }
        } else {
            value(byte)?;
            if pads != 0 {
                return None;
            }
        }
        count += 1;
        i += 1;
    }
    let mut out = Vec::with_capacity(count / 4 * 3);
    let mut wanted = 3;
    let mut group = 0;
    let mut bits: u32 = 0;
    for &byte in src {
        if matches!(byte, b'\r' | b'\n' | b' ') {
            continue;
        }
        if byte == b'=' {
            wanted -= 1;
        }
        bits = (bits << 6) | u32::from(value(byte).unwrap_or(0));
        group += 1;
        if group == 4 {
            group = 0;
            let [_, b1, b2, b3] = bits.to_be_bytes();
            out.extend_from_slice(&[b1, b2, b3][..wanted]);
        }
    }
    Some(out)
}

pub(super) fn base64_decode_ext<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    owned_unless_same(input, forgiving_decode(input))
}

/// ModSecurity's `decode_forgiven_engine`.
fn forgiving_decode(input: &[u8]) -> Vec<u8> {
    /// What the C code's `ch` holds for `=`: its character code.
    const PAD: i32 = b'=' as i32;
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 2);
    let mut count = 0;
    let mut pending: u8 = 0;
    let mut last: i32 = 0;
    for (pos, &byte) in input.iter().enumerate() {
        if byte == b'=' {
            last = PAD;
            if at(input, pos + 1) != b'=' && count % 4 == 1 {
                return Vec::new();
            }
            continue;
        }
        let Some(v) = value(byte) else {
            last = -1;
            continue;
        };
        last = i32::from(v);
        match count % 4 {
            0 => pending = v << 2,
            1 => {
                out.push(pending | (v >> 4));
                pending = (v & 0x0f) << 4;
            }
            2 => {
                out.push(pending | (v >> 2));
                pending = (v & 0x03) << 6;
            }
            _ => out.push(pending | v),
        }
        count += 1;
    }
    if last == PAD && count % 4 == 1 {
        return Vec::new();
    }
    out
}

pub(super) fn base64_encode<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let mut out = Vec::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let [b0, b1, b2] = [at(chunk, 0), at(chunk, 1), at(chunk, 2)];
        let bits = u32::from_be_bytes([0, b0, b1, b2]);
        for k in 0..4 {
            if k <= chunk.len() {
                let index = (bits >> (18 - 6 * k)) & 0x3f;
                out.push(ALPHABET.get(index as usize).copied().unwrap_or(b'A'));
            } else {
                out.push(b'=');
            }
        }
    }
    owned_unless_same(input, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(input: &[u8]) -> Vec<u8> {
        base64_decode(input, &TransformContext::default()).into_owned()
    }

    fn decode_ext(input: &[u8]) -> Vec<u8> {
        base64_decode_ext(input, &TransformContext::default()).into_owned()
    }

    fn encode(input: &[u8]) -> Vec<u8> {
        base64_encode(input, &TransformContext::default()).into_owned()
    }

    #[test]
    fn strict_decoding() {
        assert_eq!(decode(b""), b"");
        assert_eq!(decode(b"VGVzdENhc2U="), b"TestCase");
        assert_eq!(decode(b"VGVzdENhc2Ux"), b"TestCase1");
        assert_eq!(decode(b"VGVzdENhc2UxMg=="), b"TestCase12");
        assert_eq!(decode(b"VGVzdABDYXNl"), b"Test\0Case");
        assert_eq!(decode(b"QUJD\r\nREVG\nR0g="), b"ABCDEFGH");
        assert_eq!(decode(b"QUJD  \r\nQUJD  "), b"ABCABC");
    }

    #[test]
    fn strict_decoding_stops_at_nul() {
        assert_eq!(decode(b"VGVzdENhc2U=\0VGVzdENhc2U="), b"TestCase");
    }

    #[test]
    fn strict_decoding_is_all_or_nothing() {
        assert_eq!(decode(b"QUJD!"), b"");
        assert_eq!(decode(b"QU JD"), b"");
        assert_eq!(decode(b"QQ==QQ=="), b"");
        assert_eq!(decode(b"Q==="), b"");
        assert_eq!(decode(b"QUJD\r"), b"");
        assert_eq!(decode(b"QUJD\xc3"), b"");
        assert_eq!(decode(b"eyJ-fQ"), b"");
    }

    #[test]
    fn the_table_pass_agrees_with_the_walk_of_the_c_code() {
        let alphabet = b"QUJDRAaz09+/====  \r\n-_.";
        for src in rampart_testkit::random_texts(0x2545_f491_4f6c_dd1d, alphabet, 14, 50_000) {
            assert_eq!(
                strict_decode(&src),
                strict_decode_spaced(&src),
                "{:?}",
                String::from_utf8_lossy(&src)
            );
        }
    }

    #[test]
    fn strict_decoding_drops_a_partial_group() {
        assert_eq!(decode(b"QUJDRA"), b"ABC");
        assert_eq!(decode(b"QQ"), b"");
        assert_eq!(decode(b"QQ="), b"");
        assert_eq!(decode(b"QUJD="), b"ABC");
    }

    #[test]
    fn forgiving_decoding() {
        assert_eq!(decode_ext(b""), b"");
        assert_eq!(decode_ext(b"VGVzdENhc2U="), b"TestCase");
        assert_eq!(decode_ext(b"VGVzdENhc2UxMg=="), b"TestCase12");
        assert_eq!(
            decode_ext(b"P.HNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
            b"<script>alert(1)</script>"
        );
        assert_eq!(decode_ext(b"QU\0JD"), b"ABC");
        // A trailing partial group keeps the bytes it completes.
        assert_eq!(decode_ext(b"QUJDRA"), b"ABCD");
        assert_eq!(decode_ext(b"QUJDREU"), b"ABCDE");
    }

    #[test]
    fn forgiving_decoding_skips_url_safe_characters_in_3_0() {
        assert_eq!(decode_ext(b"-_QUJD"), b"ABC");
    }

    #[test]
    fn forgiving_decoding_gives_up_on_a_pad_after_one_character() {
        assert_eq!(decode_ext(b"dzBzV==YWxlcnQoMSk="), b"");
        assert_eq!(decode_ext(b"QUJDR="), b"");
        // Each '=' of a run looks only at the byte after it, so the last one still fails.
        assert_eq!(decode_ext(b"QUJDR=="), b"");
        // Two or three characters into a group, padding is simply skipped.
        assert_eq!(decode_ext(b"QUJDRA="), b"ABCD");
        // ... and decoding carries on without realigning to a new group.
        assert_eq!(decode_ext(b"QUJDRA==QUJD"), b"ABCD\x04\x14$");
    }

    #[test]
    fn forgiving_decoding_quirk_with_a_final_nine() {
        // The last byte '9' decodes to 61, the character code of '='.
        assert_eq!(decode_ext(b"QUJD9"), b"");
        assert_eq!(decode_ext(b"QUJD8"), b"ABC");
        assert_eq!(decode_ext(b"QUJDR9"), b"ABCG");
    }

    #[test]
    fn encoding() {
        assert_eq!(encode(b""), b"");
        assert_eq!(encode(b"f"), b"Zg==");
        assert_eq!(encode(b"fo"), b"Zm8=");
        assert_eq!(encode(b"foo"), b"Zm9v");
        assert_eq!(encode(b"TestCase"), b"VGVzdENhc2U=");
        assert_eq!(encode(b"Test\0Case"), b"VGVzdABDYXNl");
        assert_eq!(encode(b"\xff\xfe\xfd"), b"//79");
    }

    #[test]
    fn round_trip_over_all_bytes() {
        let all: Vec<u8> = (0..=255u8).collect();
        let encoded = encode(&all);
        assert_eq!(decode(&encoded), all);
        assert_eq!(decode_ext(&encoded), all);
    }
}
