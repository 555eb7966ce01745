//! Percent-decoding of paths, query strings and `application/x-www-form-urlencoded` bodies.

/// Splits `name=value&…` into decoded pairs (`+` is a space). Empty pieces are skipped; a
/// piece without `=` has an empty value. Invalid UTF-8 becomes U+FFFD.
pub(crate) fn parse_pairs(input: &[u8]) -> Vec<(String, String)> {
    input
        .split(|b| *b == b'&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (name, value) = match piece.iter().position(|b| *b == b'=') {
                Some(eq) => (&piece[..eq], &piece[eq + 1..]),
                None => (piece, &[][..]),
            };
            (decode(name, true), decode(value, true))
        })
        .collect()
}

/// The first value of `name` among `pairs`.
pub(crate) fn first<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Percent-decodes `input`; with `plus_is_space`, `+` becomes a space (form encoding). A `%`
/// not followed by two hex digits is kept as it is.
pub(crate) fn decode(input: &[u8], plus_is_space: bool) -> String {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'%' => {
                let hex = input.get(i + 1..i + 3).and_then(|h| {
                    Some(
                        (char::from(h[0]).to_digit(16)? * 16 + char::from(h[1]).to_digit(16)?)
                            as u8,
                    )
                });
                match hex {
                    Some(byte) => {
                        out.push(byte);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_form_pairs() {
        let pairs = parse_pairs(b"username=alice&password=won%64er+land&&flag&x=%zz%4");
        assert_eq!(
            pairs,
            [
                ("username".into(), "alice".into()),
                ("password".into(), "wonder land".into()),
                ("flag".into(), String::new()),
                ("x".into(), "%zz%4".into()),
            ]
        );
        assert_eq!(first(&pairs, "password"), Some("wonder land"));
        assert_eq!(first(&pairs, "nope"), None);
    }

    #[test]
    fn decodes_paths_without_plus() {
        assert_eq!(decode(b"/api/users/%31+", false), "/api/users/1+");
        assert_eq!(decode(b"%ff", false), "\u{fffd}");
    }
}
