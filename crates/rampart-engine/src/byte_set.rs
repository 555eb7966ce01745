//! Sets of byte values.
//!
//! The bytes a value holds say a lot about what can happen to it: a transformation whose
//! trigger bytes are all absent leaves the value as it is, and a pattern that needs one of
//! a few punctuation bytes cannot match a value without any of them. Both questions become
//! one AND of four words once a value's set is known, however long the value.

/// A set of byte values, one bit each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ByteSet([u64; 4]);

/// From this length on, [`ByteSet::of`] fills a table of 256 flags first.
const LONG: usize = 256;

impl ByteSet {
    /// The bytes that occur in `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        if bytes.len() >= LONG {
            return Self::of_long(bytes);
        }
        let mut words = [0u64; 4];
        for &byte in bytes {
            words[usize::from(byte >> 6)] |= 1 << (byte & 63);
        }
        ByteSet(words)
    }

    /// [`Self::of`] for a long value (a body, an upload): each byte marks its own slot, so
    /// no byte waits on the word the previous one updated.
    fn of_long(bytes: &[u8]) -> Self {
        let mut seen = [false; 256];
        for &byte in bytes {
            seen[usize::from(byte)] = true;
        }
        ByteSet::from_fn(|byte| seen[usize::from(byte)])
    }

    /// The bytes for which `member` holds.
    pub fn from_fn(member: impl Fn(u8) -> bool) -> Self {
        let mut set = ByteSet::default();
        for byte in 0..=255u8 {
            if member(byte) {
                set.insert(byte);
            }
        }
        set
    }

    pub fn insert(&mut self, byte: u8) {
        self.0[usize::from(byte >> 6)] |= 1 << (byte & 63);
    }

    pub fn contains(&self, byte: u8) -> bool {
        self.0[usize::from(byte >> 6)] & (1 << (byte & 63)) != 0
    }

    pub fn union(self, other: ByteSet) -> ByteSet {
        let mut words = self.0;
        for (word, other) in words.iter_mut().zip(other.0) {
            *word |= other;
        }
        ByteSet(words)
    }

    pub fn intersects(&self, other: &ByteSet) -> bool {
        self.0.iter().zip(&other.0).any(|(a, b)| a & b != 0)
    }

    pub fn intersection(&self, other: &ByteSet) -> ByteSet {
        let mut words = self.0;
        for (word, other) in words.iter_mut().zip(other.0) {
            *word &= other;
        }
        ByteSet(words)
    }

    /// The members, in increasing order.
    pub fn iter(self) -> impl Iterator<Item = u8> {
        (0u8..4).flat_map(move |index| {
            let mut word = self.0[usize::from(index)];
            std::iter::from_fn(move || {
                (word != 0).then(|| {
                    let bit = word.trailing_zeros() as u8;
                    word &= word - 1;
                    index * 64 + bit
                })
            })
        })
    }

    pub fn is_empty(&self) -> bool {
        self.0 == [0; 4]
    }

    pub fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership_and_intersection() {
        let value = ByteSet::of(b"Hello\x00\xff");
        for byte in [b'H', b'e', b'l', b'o', 0, 0xff] {
            assert!(value.contains(byte));
        }
        assert!(!value.contains(b'h'));
        assert_eq!(value.len(), 6);
        let quote = ByteSet::of(b"'");
        assert!(!value.intersects(&quote));
        assert!(value.intersects(&ByteSet::of(b"\xff")));
        assert!(value.union(quote).contains(b'\''));
        assert!(ByteSet::default().is_empty());
        let members: Vec<u8> = value
            .intersection(&ByteSet::of(b"o\xffz\x00"))
            .iter()
            .collect();
        assert_eq!(members, [0, b'o', 0xff]);
        assert_eq!(
            ByteSet::from_fn(|b| b.is_ascii_digit()),
            ByteSet::of(b"0123456789")
        );
    }

    #[test]
    fn long_values_give_the_same_set() {
        let mut next = rampart_testkit::xorshift(0x2545_f491_4f6c_dd1d);
        for len in [LONG, LONG + 1, 1000, 5000] {
            for spread in [4u64, 64, 256] {
                let value: Vec<u8> = (0..len).map(|_| (next() % spread) as u8 ^ 0x55).collect();
                let mut short = ByteSet::default();
                value.iter().for_each(|&byte| short.insert(byte));
                assert_eq!(
                    ByteSet::of(&value),
                    short,
                    "{len} bytes over {spread} values"
                );
            }
        }
    }
}
