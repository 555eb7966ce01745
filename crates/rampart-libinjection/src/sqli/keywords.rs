//! Keyword and fingerprint lookup over libinjection's table.
//!
//! The table (`libinjectionrs`'s copy of `sql_keywords`) is sorted and upper case; keys come
//! from the input in any case. The C searches it by bisection with a comparison that
//! upper-cases the key as it goes; a key is found exactly when its upper-cased bytes are a
//! word of the table (a NUL in the key never equals a word's end, and no word holds one).
//! The tokenizer asks for every word and every fingerprint, so the table is indexed once by
//! a hash of the upper-cased word (open addressing, at most half full), and a lookup hashes
//! the key eight bytes at a time, upper-casing as it goes: one hash and usually one
//! comparison instead of a dozen. The bisection stays, in the tests, as the reference.

use std::sync::OnceLock;

use libinjectionrs::sqli::sqli_data::SQL_KEYWORDS;

use super::token::kind;

/// Positions in [`SQL_KEYWORDS`] (plus one; zero is an empty slot) by hash.
struct Words {
    slots: Vec<u16>,
    longest: usize,
}

fn words() -> &'static Words {
    static WORDS: OnceLock<Words> = OnceLock::new();
    WORDS.get_or_init(|| {
        let capacity = (SQL_KEYWORDS.len() * 2).next_power_of_two();
        let mut words = Words {
            slots: vec![0; capacity],
            longest: 0,
        };
        for (at, entry) in SQL_KEYWORDS.iter().enumerate() {
            let word = entry.word.as_bytes();
            // The first of two equal words is the one bisection would settle on.
            if words.position(word).is_some() {
                continue;
            }
            let Ok(position) = u16::try_from(at + 1) else {
                break;
            };
            words.longest = words.longest.max(word.len());
            let mask = words.slots.len() - 1;
            let mut slot = upper_hash(word) as usize & mask;
            while words.slots[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            words.slots[slot] = position;
        }
        words
    })
}

impl Words {
    /// Where in the table the word `key` names (in any case) is.
    fn position(&self, key: &[u8]) -> Option<usize> {
        let mask = self.slots.len() - 1;
        let mut slot = upper_hash(key) as usize & mask;
        loop {
            let at = usize::from(*self.slots.get(slot)?).checked_sub(1)?;
            let word = SQL_KEYWORDS.get(at)?.word.as_bytes();
            if word.len() == key.len()
                && word
                    .iter()
                    .zip(key)
                    .all(|(w, k)| *w == k.to_ascii_uppercase())
            {
                return Some(at);
            }
            slot = (slot + 1) & mask;
        }
    }
}

/// Builds the table.
pub(super) fn prepare() {
    words();
}

/// The type of `key` in the table, or [`kind::NONE`].
pub(super) fn lookup(key: &[u8]) -> u8 {
    let words = words();
    if key.is_empty() || key.len() > words.longest {
        return kind::NONE;
    }
    words
        .position(key)
        .and_then(|at| SQL_KEYWORDS.get(at))
        .map_or(kind::NONE, |entry| entry.token_type)
}

/// A hash of `key` upper-cased (ASCII), eight bytes at a time (FxHash's mixing). The table
/// is fixed at load, so a key chosen by an attacker can only miss, never lengthen a probe
/// sequence.
fn upper_hash(key: &[u8]) -> u64 {
    let mut hash = key.len() as u64;
    let mut mix = |bytes: &[u8]| {
        let mut word = [0u8; 8];
        word[..bytes.len()].copy_from_slice(bytes);
        let word = upper_ascii_word(u64::from_le_bytes(word));
        hash = (hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    };
    let mut chunks = key.chunks_exact(8);
    for chunk in &mut chunks {
        mix(chunk);
    }
    if !chunks.remainder().is_empty() {
        mix(chunks.remainder());
    }
    hash ^ (hash >> 29)
}

/// The eight bytes of `word` with `a`–`z` turned to `A`–`Z` and every other byte kept.
fn upper_ascii_word(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let low7 = word & !HIGH;
    // A byte's top bit is set when its low seven bits are at least `a`, and when they
    // exceed `z`; neither sum carries into the next byte.
    let at_least_a = low7 + ONES * u64::from(0x80 - b'a');
    let beyond_z = low7 + ONES * u64::from(0x80 - b'z' - 1);
    let lower = at_least_a & !beyond_z & !word & HIGH;
    word & !(lower >> 2)
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
        keys.push(vec![b'A'; 65]);
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

    #[test]
    fn words_upper_case_like_bytes() {
        for byte in 0..=255u8 {
            for lane in 0..8 {
                let mut word = [b'q', 0xe9, b'Z', b'`', b'{', 0x7f, b'A', b'z'];
                word[lane] = byte;
                let mut expected = word;
                expected.make_ascii_uppercase();
                assert_eq!(
                    upper_ascii_word(u64::from_le_bytes(word)).to_le_bytes(),
                    expected,
                    "byte {byte:#x} in lane {lane}"
                );
            }
        }
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
