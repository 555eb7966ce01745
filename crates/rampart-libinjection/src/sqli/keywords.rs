//! Keyword and fingerprint lookup over libinjection's table.
//!
//! The table (`libinjectionrs`'s copy of `sql_keywords`) is sorted and upper case; keys come
//! from the input in any case. The C searches it by bisection with a comparison that
//! upper-cases the key as it goes; a key is found exactly when its upper-cased bytes are a
//! word of the table (a NUL in the key never equals a word's end, and no word holds one).
//! The tokenizer asks for every word and every fingerprint, so the table is put into a hash
//! map once, and each key is upper-cased into a stack buffer: a dozen string comparisons per
//! lookup become one hash and usually one comparison. The bisection stays, in the tests, as
//! the reference the map is checked against.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use libinjectionrs::sqli::sqli_data::SQL_KEYWORDS;

use super::token::kind;

/// The words of the table by their bytes, and the length of the longest.
struct Words {
    types: HashMap<&'static [u8], u8, BuildHasherDefault<WordHasher>>,
    longest: usize,
}

fn words() -> &'static Words {
    static WORDS: OnceLock<Words> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut types = HashMap::with_capacity_and_hasher(SQL_KEYWORDS.len(), Default::default());
        let mut longest = 0;
        for entry in SQL_KEYWORDS {
            let word = entry.word.as_bytes();
            longest = longest.max(word.len());
            // The first of two equal words is the one bisection would settle on.
            types.entry(word).or_insert(entry.token_type);
        }
        Words { types, longest }
    })
}

/// Builds the map.
pub(super) fn prepare() {
    words();
}

/// Longer than any word of the table: keys up to this length are upper-cased on the stack.
const KEY_BUFFER: usize = 64;

/// The type of `key` in the table, or [`kind::NONE`].
pub(super) fn lookup(key: &[u8]) -> u8 {
    let words = words();
    if key.is_empty() || key.len() > words.longest || key.len() > KEY_BUFFER {
        return kind::NONE;
    }
    let mut upper = [0u8; KEY_BUFFER];
    let upper = &mut upper[..key.len()];
    upper.copy_from_slice(key);
    upper.make_ascii_uppercase();
    words.types.get(&upper[..]).copied().unwrap_or(kind::NONE)
}

/// Multiply-rotate hashing of whole words (FxHash's scheme). The table is fixed at build
/// time, so a key chosen by an attacker can only miss, never lengthen a probe sequence that
/// an insertion made.
#[derive(Default)]
struct WordHasher(u64);

impl WordHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use core::cmp::Ordering;

    use super::*;

    /// libinjection's own search: bisection with its comparison.
    fn bisect(key: &[u8]) -> u8 {
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
            Some(entry) if compare(entry.word.as_bytes(), key) == Ordering::Equal => {
                entry.token_type
            }
            _ => kind::NONE,
        }
    }

    /// Table word against key as libinjection orders them: the key's ASCII letters
    /// upper-cased, bytes compared as signed, and a NUL in the key never equal to the word's
    /// end.
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

    /// The map finds what bisection finds: every word in three cases, and every word
    /// changed by one byte (cut, extended, one byte replaced by a NUL, a letter of another
    /// case, a high byte).
    #[test]
    fn map_agrees_with_bisection() {
        let mut keys: Vec<Vec<u8>> = Vec::new();
        for entry in SQL_KEYWORDS {
            let word = entry.word.as_bytes();
            keys.push(word.to_vec());
            keys.push(word.to_ascii_lowercase());
            keys.push(word[..word.len() - 1].to_vec());
            let mut longer = word.to_vec();
            longer.push(b'X');
            keys.push(longer);
            for (at, replacement) in [(0, 0u8), (word.len() - 1, 0xc1), (word.len() / 2, b'`')] {
                let mut changed = word.to_vec();
                changed[at] = replacement;
                keys.push(changed);
            }
        }
        keys.push(vec![b'A'; KEY_BUFFER + 1]);
        for key in keys {
            assert_eq!(
                lookup(&key),
                bisect(&key),
                "{:?}",
                String::from_utf8_lossy(&key)
            );
        }
    }

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

    /// Bisection, the reference, finds every entry only if the table is in the comparison's
    /// order.
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
                bisect(entry.word.as_bytes()),
                entry.token_type,
                "{}",
                entry.word
            );
        }
    }
}
