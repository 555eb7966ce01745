//! The C-library character tests and number conversions ModSecurity's decoders rely on.
//!
//! ModSecurity runs in the C locale, so `isspace`, `isxdigit` and friends are ASCII-only; its
//! hexadecimal helper does no validation of its own (callers check first, except
//! `hexDecode`, which does not); and `strtol` saturates on overflow, which decides what an
//! absurdly long numeric HTML entity turns into. These are reproduced here once.

/// The byte at `index`, or NUL past the end: ModSecurity's buffers are NUL-terminated copies,
/// and several decoders peek one byte beyond the value and see that terminator.
pub(super) fn at(input: &[u8], index: usize) -> u8 {
    input.get(index).copied().unwrap_or(0)
}

/// C `isspace` in the C locale: space, `\t`, `\n`, `\v`, `\f`, `\r`.
pub(super) fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// ModSecurity's `VALID_HEX` (and C `isxdigit` in the C locale).
pub(super) fn is_hex(byte: u8) -> bool {
    byte.is_ascii_hexdigit()
}

/// ModSecurity's `ISODIGIT`.
pub(super) fn is_octal(byte: u8) -> bool {
    matches!(byte, b'0'..=b'7')
}

/// ModSecurity's `xsingle2c`: the value of one hexadecimal digit, with the same wrapping
/// arithmetic on bytes that are not digits at all.
pub(super) fn hex_digit_value(byte: u8) -> u8 {
    if byte >= b'A' {
        (byte & 0xdf).wrapping_sub(b'A').wrapping_add(10)
    } else {
        byte.wrapping_sub(b'0')
    }
}

/// ModSecurity's `x2c`: two hexadecimal digits to a byte, unchecked.
pub(super) fn hex_pair(high: u8, low: u8) -> u8 {
    hex_digit_value(high)
        .wrapping_mul(16)
        .wrapping_add(hex_digit_value(low))
}

/// `(unsigned char) strtol(digits, NULL, radix)` for a run of valid digits: the low byte of
/// the value, or 0xFF when the value overflows a `long` (which `strtol` clamps to
/// `LONG_MAX`).
pub(super) fn strtol_low_byte(digits: &[u8], radix: u32) -> u8 {
    let mut value: u64 = 0;
    for &digit in digits {
        let Some(digit) = char::from(digit).to_digit(radix) else {
            break;
        };
        match value
            .checked_mul(u64::from(radix))
            .and_then(|v| v.checked_add(u64::from(digit)))
        {
            Some(next) if next <= i64::MAX as u64 => value = next,
            _ => return 0xff,
        }
    }
    value as u8
}

/// Lowercase hexadecimal digits.
pub(super) const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_is_the_c_locale_set() {
        let spaces: Vec<u8> = (0..=255u8).filter(|&b| is_space(b)).collect();
        assert_eq!(spaces, b"\t\n\x0b\x0c\r ");
    }

    #[test]
    fn hex_pair_decodes_valid_digits_and_wraps_on_garbage() {
        assert_eq!(hex_pair(b'4', b'1'), 0x41);
        assert_eq!(hex_pair(b'f', b'F'), 0xff);
        // 'g' -> ('G' - 'A') + 10 = 16, so "g0" is 16 * 16 = 256, wrapped to 0.
        assert_eq!(hex_pair(b'g', b'0'), 0);
        // '!' -> 0x21 - 0x30 wraps to 0xF1.
        assert_eq!(hex_pair(b'0', b'!'), 0xf1);
    }

    #[test]
    fn strtol_keeps_the_low_byte_and_saturates() {
        assert_eq!(strtol_low_byte(b"65", 10), 65);
        assert_eq!(strtol_low_byte(b"321", 10), 65);
        assert_eq!(strtol_low_byte(b"141", 16), 0x41);
        assert_eq!(strtol_low_byte(b"0000000000000000000041", 16), 0x41);
        assert_eq!(strtol_low_byte(b"7fffffffffffffff", 16), 0xff);
        assert_eq!(strtol_low_byte(b"10000000000000041", 16), 0xff);
        assert_eq!(strtol_low_byte(b"99999999999999999999", 10), 0xff);
        assert_eq!(strtol_low_byte(b"777", 8), 0xff);
        assert_eq!(strtol_low_byte(b"400", 8), 0);
    }
}
