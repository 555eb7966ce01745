//! Keyword and fingerprint lookup over libinjection's table.
//!
//! The table (`libinjectionrs`'s copy of `sql_keywords`) is sorted and upper case; keys come
//! from the input in any case. The search is the C one, bisection with the C comparison
//! (which upper-cases the key as it goes and compares bytes as signed `char`), so that a key
//! the C cannot find is not found here either, whatever bytes it holds. It upper-cases
//! nothing up front and allocates nothing.

use core::cmp::Ordering;

use libinjectionrs::sqli::sqli_data::SQL_KEYWORDS;

use super::token::kind;

/// The type of `key` in the table, or [`kind::NONE`].
pub(super) fn lookup(key: &[u8]) -> u8 {
    let words = SQL_KEYWORDS;
    let (mut low, mut high) = (0usize, words.len().saturating_sub(1));
    while low < high {
        let middle = (low + high) / 2;
        let below = words
            .get(middle)
            .is_some_and(|entry| compare(entry.word.as_bytes(), key) == Ordering::Less);
        if below {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    match words.get(low) {
        Some(entry) if compare(entry.word.as_bytes(), key) == Ordering::Equal => entry.token_type,
        _ => kind::NONE,
    }
}

/// Table word against key as libinjection orders them: the key's ASCII letters upper-cased,
/// bytes compared as signed, and a NUL in the key never equal to the word's end.
fn compare(word: &[u8], key: &[u8]) -> Ordering {
    for (index, &key_byte) in key.iter().enumerate() {
        let word_byte = word.get(index).copied().unwrap_or(0) as i8;
        let key_byte = key_byte.to_ascii_uppercase() as i8;
        if word_byte != key_byte {
            return word_byte.cmp(&key_byte);
        }
        if word_byte == 0 {
            return Ordering::Less;
        }
    }
    if word.len() == key.len() {
        Ordering::Equal
    } else {
        Ordering::Greater
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_in_any_case() {
        assert_eq!(lookup(b"select"), kind::EXPRESSION);
        assert_eq!(lookup(b"UnIoN"), kind::UNION);
        assert_eq!(lookup(b"UNION ALL"), kind::UNION);
        assert_eq!(lookup(b"sleep"), kind::FUNCTION);
        assert_eq!(lookup(b"&&"), kind::LOGIC_OPERATOR);
        assert_eq!(lookup(b"0s&sos"), kind::FINGERPRINT);
        assert_eq!(lookup(b"0NNNNN"), kind::NONE);
        assert_eq!(lookup(b"01&1"), kind::FINGERPRINT);
    }

    #[test]
    fn no_match_for_prefixes_extensions_nul_or_empty() {
        assert_eq!(lookup(b""), kind::NONE);
        assert_eq!(lookup(b"SELEC"), kind::NONE);
        assert_eq!(lookup(b"SELECTX"), kind::NONE);
        assert_eq!(lookup(b"SELECT\0"), kind::NONE);
        assert_eq!(lookup(b"SEL\0CT"), kind::NONE);
        assert_eq!(lookup(b"\xffSELECT"), kind::NONE);
    }

    /// Bisection finds every entry only if the table is in the comparison's order.
    #[test]
    fn table_is_in_search_order() {
        for pair in SQL_KEYWORDS.windows(2) {
            if let [a, b] = pair {
                assert_eq!(
                    compare(a.word.as_bytes(), b.word.as_bytes()),
                    Ordering::Less,
                    "{} / {}",
                    a.word,
                    b.word
                );
            }
        }
        for entry in SQL_KEYWORDS {
            assert_eq!(
                lookup(entry.word.as_bytes()),
                entry.token_type,
                "{}",
                entry.word
            );
        }
    }
}
