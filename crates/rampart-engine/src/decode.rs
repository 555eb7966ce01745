//! The URL decoders ModSecurity uses when it fills variables (not the `t:` transformations).
//!
//! Arguments are decoded leniently: `+` is a space, a valid `%XX` is its byte, and anything
//! else stays as it is but flags the request (`URLENCODED_ERROR`). The request URI is decoded
//! the same way except that `+` stays `+`.

/// Decodes an `application/x-www-form-urlencoded` name or value. Returns the bytes and
/// whether an invalid `%` sequence was seen.
pub fn url_decode_form(input: &[u8]) -> (Vec<u8>, bool) {
    decode(input, true)
}

/// Decodes a request URI: `%XX` only.
pub fn url_decode_uri(input: &[u8]) -> Vec<u8> {
    decode(input, false).0
}

fn decode(input: &[u8], plus_is_space: bool) -> (Vec<u8>, bool) {
    let mut out = Vec::with_capacity(input.len());
    let mut invalid = false;
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'%' => match (hex(input.get(i + 1)), hex(input.get(i + 2))) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 3;
                }
                _ => {
                    invalid = true;
                    out.push(b'%');
                    i += 1;
                }
            },
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    (out, invalid)
}

fn hex(byte: Option<&u8>) -> Option<u8> {
    let byte = *byte?;
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding_is_lenient() {
        assert_eq!(url_decode_form(b"a+b%20c%41"), (b"a b cA".to_vec(), false));
        assert_eq!(url_decode_form(b"100%"), (b"100%".to_vec(), true));
        assert_eq!(url_decode_form(b"%zz%4"), (b"%zz%4".to_vec(), true));
    }

    #[test]
    fn uri_decoding_keeps_plus() {
        assert_eq!(url_decode_uri(b"/a+b/%2e%2E/%"), b"/a+b/../%".to_vec());
    }
}
