//! `urlDecode`: `%XX` and `+`, without ever rejecting input.
//!
//! ModSecurity's decoder is the "non-strict" one: a `%` not followed by two hexadecimal
//! digits (including one too close to the end) is kept as it is and decoding resumes right
//! after it, so `%%41` gives `%A`. `+` always becomes a space. There is no `%u` handling here
//! (that is `urlDecodeUni`).

use std::borrow::Cow;

use super::ctype::{at, hex_pair, is_hex};
use super::output::Output;
use super::TransformContext;

pub(super) fn url_decode<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let mut out = Output::new(input);
    let mut i = 0;
    while let Some(&byte) = input.get(i) {
        match byte {
            b'%' if is_hex(at(input, i + 1)) && is_hex(at(input, i + 2)) => {
                out.push(hex_pair(at(input, i + 1), at(input, i + 2)));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                // Everything up to the next `%` or `+` is kept as it is.
                let rest = input.get(i + 1..).unwrap_or_default();
                let end = memchr::memchr2(b'%', b'+', rest).map_or(input.len(), |n| i + 1 + n);
                out.extend(input.get(i..end).unwrap_or_default());
                i = end;
            }
        }
    }
    out.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> Vec<u8> {
        url_decode(input, &TransformContext::default()).into_owned()
    }

    #[test]
    fn decodes_percent_pairs_and_plus() {
        assert_eq!(run(b"a%20b+c%2B"), b"a b c+");
        assert_eq!(run(b"%41%4a%4A"), b"AJJ");
        assert_eq!(run(b"%00"), b"\0");
        assert_eq!(run(b"%ff%FE"), b"\xff\xfe");
    }

    #[test]
    fn invalid_sequences_stay_as_they_are() {
        assert_eq!(run(b"%"), b"%");
        assert_eq!(run(b"%4"), b"%4");
        assert_eq!(run(b"%zz"), b"%zz");
        assert_eq!(run(b"%g0%20"), b"%g0 ");
        // Only the '%' is skipped, so a valid pair right after it still decodes.
        assert_eq!(run(b"%%41"), b"%A");
        assert_eq!(run(b"%0%41"), b"%0A");
        // No %u here.
        assert_eq!(run(b"%u0041"), b"%u0041");
    }

    #[test]
    fn unchanged_input_is_borrowed() {
        assert!(matches!(
            url_decode(b"plain%zz", &TransformContext::default()),
            Cow::Borrowed(_)
        ));
    }
}
