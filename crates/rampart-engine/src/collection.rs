//! Keyed collections of values (ARGS, REQUEST_HEADERS, TX, …).
//!
//! Values are `Arc<[u8]>`: resolving a rule's targets clones pointers, not bytes, and leaves
//! the transaction free to change (a `setvar` on one match is visible to the next) while the
//! rule is still looking at the values it resolved. Keys compare ASCII case-insensitively, as
//! ModSecurity's collections do; order of insertion is kept.
//!
//! Most collections are a handful of members read whole, and a scan is the cheapest way to
//! find a name among them. TX is different: CRS keeps some sixty variables there and reads
//! or writes them by name a few hundred times per request, so a collection can be made
//! [`indexed`](Collection::indexed): a small open-addressing table from case-folded name to
//! first position, kept up to date as members are added.

use std::sync::Arc;

/// Shared, immutable bytes.
pub type Bytes = Arc<[u8]>;

pub fn bytes(value: impl AsRef<[u8]>) -> Bytes {
    Arc::from(value.as_ref())
}

/// An ordered multi-map from names to values.
#[derive(Debug, Default, Clone)]
pub struct Collection {
    entries: Vec<(Bytes, Bytes)>,
    index: Option<KeyIndex>,
}

impl Collection {
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty collection that finds members by name through an index rather than a scan.
    pub fn indexed() -> Self {
        Collection {
            entries: Vec::new(),
            index: Some(KeyIndex::default()),
        }
    }

    pub fn is_indexed(&self) -> bool {
        self.index.is_some()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// How many members it can hold before it must grow.
    pub fn capacity(&self) -> usize {
        self.entries.capacity()
    }

    pub fn iter(&self) -> impl Iterator<Item = &(Bytes, Bytes)> {
        self.entries.iter()
    }

    /// Adds a member, keeping any others of the same name.
    pub fn push(&mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) {
        self.push_shared(bytes(key), bytes(value));
    }

    pub fn push_shared(&mut self, key: Bytes, value: Bytes) {
        if let Some(index) = &mut self.index {
            let hash = folded_hash(&key);
            let earlier = index.find(&self.entries, &key, hash);
            index.add(&self.entries, earlier, hash);
        }
        self.entries.push((key, value));
    }

    /// Every member named `key`.
    pub fn get<'a, 'k>(
        &'a self,
        key: &'k [u8],
    ) -> impl Iterator<Item = &'a (Bytes, Bytes)> + use<'a, 'k> {
        // A scan compares names; only the index needs the hash.
        let hash = if self.index.is_some() {
            folded_hash(key)
        } else {
            0
        };
        self.get_hashed(key, hash)
    }

    /// Every member named `name`, whose hash is known already.
    pub fn get_name<'a, 'k>(
        &'a self,
        name: &'k Name,
    ) -> impl Iterator<Item = &'a (Bytes, Bytes)> + use<'a, 'k> {
        self.get_hashed(&name.lower, name.hash)
    }

    fn get_hashed<'a, 'k>(
        &'a self,
        key: &'k [u8],
        hash: u64,
    ) -> impl Iterator<Item = &'a (Bytes, Bytes)> + use<'a, 'k> {
        // The index has compared the name already when it found a member whose name no other
        // member holds: that member is the whole answer.
        let (range, compare) = match &self.index {
            None => (0..self.entries.len(), true),
            Some(index) => match index.find(&self.entries, key, hash) {
                None => (0..0, false),
                Some(at) if index.repeated => (at..self.entries.len(), true),
                Some(at) => (at..at + 1, false),
            },
        };
        self.entries
            .get(range)
            .unwrap_or_default()
            .iter()
            .filter(move |(k, _)| !compare || same_name(k, key))
    }

    pub fn first(&self, key: &[u8]) -> Option<&Bytes> {
        self.get(key).next().map(|(_, v)| v)
    }

    /// Replaces the first member named `key`, or adds one.
    pub fn set(&mut self, key: &[u8], value: Bytes) {
        self.set_named(key, value, || bytes(key));
    }

    /// [`set`](Self::set), with the name of a new member made by `name` (a rule's own
    /// copy, shared rather than copied).
    pub fn set_named(&mut self, key: &[u8], value: Bytes, name: impl FnOnce() -> Bytes) {
        let Some(index) = &mut self.index else {
            match self.entries.iter_mut().find(|(k, _)| same_name(k, key)) {
                Some(entry) => entry.1 = value,
                None => self.entries.push((name(), value)),
            }
            return;
        };
        let hash = folded_hash(key);
        match index.find(&self.entries, key, hash) {
            Some(at) => {
                if let Some(entry) = self.entries.get_mut(at) {
                    entry.1 = value;
                }
            }
            None => {
                index.add(&self.entries, None, hash);
                self.entries.push((name(), value));
            }
        }
    }

    /// Removes every member named `key`.
    pub fn remove(&mut self, key: &[u8]) {
        self.entries.retain(|(k, _)| !same_name(k, key));
        if let Some(index) = &mut self.index {
            index.rebuild(&self.entries);
        }
    }

    pub fn clear(&mut self) {
        // Most of a transaction's hundred-odd collections stay empty: nothing to undo.
        if self.entries.is_empty() {
            return;
        }
        self.entries.clear();
        if let Some(index) = &mut self.index {
            index.clear();
        }
    }
}

/// A member name a rule looks up, with its [`folded_hash`] computed once, at load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    bytes: Vec<u8>,
    /// Lower case: the form CRS writes its names in, so that most comparisons find equal
    /// words without folding them.
    lower: Vec<u8>,
    hash: u64,
}

impl Name {
    pub fn new(bytes: Vec<u8>) -> Self {
        let hash = folded_hash(&bytes);
        let lower = bytes.to_ascii_lowercase();
        Name { bytes, lower, hash }
    }
}

impl std::ops::Deref for Name {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

/// The first position of each name in an indexed collection. Slots hold position + 1 (0 is
/// empty) and the high half of the name's hash, so a probe touches a member's name only
/// when the hashes agree.
#[derive(Debug, Default, Clone)]
struct KeyIndex {
    slots: Vec<(u32, u32)>,
    names: usize,
    /// Some name is held by more than one member, so lookups must look past the first.
    repeated: bool,
}

impl KeyIndex {
    /// The first position of `key`, whose [`folded_hash`] is `hash`.
    fn find(&self, entries: &[(Bytes, Bytes)], key: &[u8], hash: u64) -> Option<usize> {
        if self.names == 0 {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut slot = hash as usize & mask;
        loop {
            let (position, check) = *self.slots.get(slot)?;
            if position == 0 {
                return None;
            }
            let at = position as usize - 1;
            if check == (hash >> 32) as u32
                && entries
                    .get(at)
                    .is_some_and(|(name, _)| same_name(name, key))
            {
                return Some(at);
            }
            slot = (slot + 1) & mask;
        }
    }

    /// Records the name whose hash is `hash` for the member about to be pushed after
    /// `entries`, given the position of an `earlier` member of that name, if any.
    fn add(&mut self, entries: &[(Bytes, Bytes)], earlier: Option<usize>, hash: u64) {
        if earlier.is_some() {
            self.repeated = true;
            return;
        }
        let at = entries.len();
        // At most half full, so probe sequences stay short and always end.
        if (self.names + 1) * 2 > self.slots.len() {
            self.grow(entries);
        }
        let Ok(position) = u32::try_from(at + 1) else {
            // Four billion members do not fit in memory anyway; stop indexing.
            self.repeated = true;
            return;
        };
        self.insert(hash, position);
    }

    fn insert(&mut self, hash: u64, position: u32) {
        let mask = self.slots.len() - 1;
        let mut slot = hash as usize & mask;
        while self.slots.get(slot).is_some_and(|(p, _)| *p != 0) {
            slot = (slot + 1) & mask;
        }
        if let Some(entry) = self.slots.get_mut(slot) {
            *entry = (position, (hash >> 32) as u32);
            self.names += 1;
        }
    }

    fn grow(&mut self, entries: &[(Bytes, Bytes)]) {
        let capacity = (self.slots.len() * 2).max(64);
        self.slots.clear();
        self.slots.resize(capacity, (0, 0));
        self.names = 0;
        self.reinsert(entries);
    }

    fn rebuild(&mut self, entries: &[(Bytes, Bytes)]) {
        self.clear();
        if entries.len() * 2 > self.slots.len() {
            let capacity = (entries.len() * 2).next_power_of_two().max(64);
            self.slots.resize(capacity, (0, 0));
        }
        self.reinsert(entries);
    }

    /// Indexes `entries` again into the (empty, large enough) table.
    fn reinsert(&mut self, entries: &[(Bytes, Bytes)]) {
        self.repeated = false;
        for (at, (name, _)) in entries.iter().enumerate() {
            let hash = folded_hash(name);
            // An earlier member holds the name (`at` itself is not in the table yet).
            if self.find(entries, name, hash).is_some() {
                self.repeated = true;
                continue;
            }
            if let Ok(position) = u32::try_from(at + 1) {
                self.insert(hash, position);
            }
        }
    }

    fn clear(&mut self) {
        self.slots.fill((0, 0));
        self.names = 0;
        self.repeated = false;
    }
}

/// A hash of `key` with ASCII letters folded to lower case, eight bytes at a time.
fn folded_hash(key: &[u8]) -> u64 {
    let mut hash = key.len() as u64;
    let mut mix = |word: u64| {
        hash =
            (hash.rotate_left(5) ^ lower_ascii_word(word)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    };
    let mut chunks = key.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        mix(u64::from_le_bytes(word));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        mix(u64::from_le_bytes(word));
    }
    hash
}

/// Whether two names are equal ASCII case-insensitively, compared eight bytes at a time.
pub(crate) fn same_name(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut a_words, mut b_words) = (a.chunks_exact(8), b.chunks_exact(8));
    for (x, y) in (&mut a_words).zip(&mut b_words) {
        let (mut x_word, mut y_word) = ([0u8; 8], [0u8; 8]);
        x_word.copy_from_slice(x);
        y_word.copy_from_slice(y);
        let (x, y) = (u64::from_le_bytes(x_word), u64::from_le_bytes(y_word));
        if x != y && lower_ascii_word(x) != lower_ascii_word(y) {
            return false;
        }
    }
    a_words
        .remainder()
        .eq_ignore_ascii_case(b_words.remainder())
}

/// The eight bytes of `word` with `A`–`Z` turned to `a`–`z` and every other byte kept.
fn lower_ascii_word(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let low7 = word & !HIGH;
    // A byte's top bit is set when its low seven bits are at least `A`, and when they
    // exceed `Z`; neither sum carries into the next byte.
    let at_least_a = low7 + ONES * u64::from(0x80 - b'A');
    let beyond_z = low7 + ONES * u64::from(0x80 - b'Z' - 1);
    let upper = at_least_a & !beyond_z & !word & HIGH;
    word | (upper >> 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_case_insensitive_and_order_is_kept() {
        let mut c = Collection::new();
        c.push("Host", "a");
        c.push("x", "1");
        c.push("HOST", "b");
        assert_eq!(c.get(b"host").count(), 2);
        c.set(b"hOsT", bytes("c"));
        let values: Vec<&[u8]> = c.iter().map(|(_, v)| &v[..]).collect();
        assert_eq!(values, [&b"c"[..], b"1", b"b"]);
        c.remove(b"HOST");
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn names_compare_like_eq_ignore_ascii_case() {
        let names: [&[u8]; 10] = [
            b"",
            b"host",
            b"HOST",
            b"detection_paranoia_level",
            b"DETECTION_PARANOIA_LEVEL",
            b"DETECTION_PARANOIA_LEVEX",
            b"detection_paranoia_leve",
            b"\xc9t\xc9_\xe9t\xe9_ABCDEFGH",
            b"\xe9t\xe9_\xe9t\xe9_abcdefgh",
            b"[]@`{}~^_abcdefghij",
        ];
        for a in names {
            for b in names {
                assert_eq!(same_name(a, b), a.eq_ignore_ascii_case(b), "{a:?} {b:?}");
            }
        }
        // Every byte against its case partner and its neighbours, in each lane.
        for byte in 0..=255u8 {
            for other in [byte, byte ^ 0x20, byte.wrapping_add(1)] {
                for lane in 0..9 {
                    let mut a = *b"0123456789";
                    let mut b = a;
                    a[lane] = byte;
                    b[lane] = other;
                    assert_eq!(same_name(&a, &b), a.eq_ignore_ascii_case(&b));
                }
            }
        }
    }

    #[test]
    fn words_fold_like_bytes() {
        for byte in 0..=255u8 {
            for lane in 0..8 {
                let mut word = [b'Q', 0xc9, b'z', b'@', b'[', 0x7f, b'a', b'Z'];
                word[lane] = byte;
                let mut expected = word;
                expected.make_ascii_lowercase();
                assert_eq!(
                    lower_ascii_word(u64::from_le_bytes(word)).to_le_bytes(),
                    expected,
                    "byte {byte:#x} in lane {lane}"
                );
            }
        }
    }

    /// An indexed collection answers every question as a scanned one does, through growth,
    /// repeated names, replacement, removal and clearing.
    #[test]
    fn indexed_collections_answer_as_scanned_ones() {
        let mut indexed = Collection::indexed();
        let mut scanned = Collection::new();
        let name = |n: usize| {
            let mut name = format!("Score_PL{n}_{}", "x".repeat(n % 11)).into_bytes();
            if n % 3 == 0 {
                name.make_ascii_uppercase();
            }
            name
        };
        let check = |indexed: &Collection, scanned: &Collection| {
            assert_eq!(
                indexed.iter().collect::<Vec<_>>(),
                scanned.iter().collect::<Vec<_>>()
            );
            for n in 0..400 {
                for key in [name(n), name(n).to_ascii_lowercase(), b"absent".to_vec()] {
                    assert_eq!(
                        indexed.get(&key).collect::<Vec<_>>(),
                        scanned.get(&key).collect::<Vec<_>>(),
                        "{}",
                        String::from_utf8_lossy(&key)
                    );
                }
            }
        };
        for round in 0..2 {
            for n in 0..300 {
                let value = bytes(format!("{round}-{n}"));
                indexed.set(&name(n), value.clone());
                scanned.set(&name(n), value);
            }
            check(&indexed, &scanned);
            for n in (0..300).step_by(7) {
                indexed.set(&name(n).to_ascii_lowercase(), bytes("again"));
                scanned.set(&name(n).to_ascii_lowercase(), bytes("again"));
            }
            check(&indexed, &scanned);
            indexed.push(name(5).to_ascii_lowercase(), "second");
            scanned.push(name(5).to_ascii_lowercase(), "second");
            check(&indexed, &scanned);
            for n in (0..300).step_by(5) {
                indexed.remove(&name(n));
                scanned.remove(&name(n));
            }
            check(&indexed, &scanned);
            indexed.set(&name(5), bytes("back"));
            scanned.set(&name(5), bytes("back"));
            check(&indexed, &scanned);
            indexed.clear();
            scanned.clear();
            check(&indexed, &scanned);
        }
    }
}
