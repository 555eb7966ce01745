//! What a transaction knows about each distinct value its rules look at: the bytes it holds
//! and where its prefilter scan is. A benign request asks about 800 times for some 150
//! values, mostly the same value several times in a row (its prefilter bits, then the
//! transformation chain's trigger bytes, then the operator's input), so a small
//! direct-mapped table of recent answers sits in front of the hash map.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use super::address_hash::BuildAddressHasher;
use crate::byte_set::ByteSet;
use crate::collection::Bytes;

/// Slots in the table of recent answers.
const RECENT: usize = 256;

/// The bytes a value holds, and where its prefilter bits start once scanned.
#[derive(Debug)]
pub(crate) struct ValueFacts {
    /// Held so that the value's address, the key, stays its own for the transaction.
    pub held: Bytes,
    pub bytes: ByteSet,
    pub scan: Option<u32>,
}

impl ValueFacts {
    fn new(value: &Bytes) -> Self {
        ValueFacts {
            held: value.clone(),
            bytes: ByteSet::of(value),
            scan: None,
        }
    }

    fn is(&self, (address, length): (usize, usize)) -> bool {
        self.held.as_ptr() as usize == address && self.held.len() == length
    }
}

/// (address, length) of a stored value or a transformation result → its [`ValueFacts`].
#[derive(Debug, Default)]
pub(crate) struct ValueMap {
    facts: Vec<ValueFacts>,
    index: HashMap<(usize, usize), u32, BuildAddressHasher>,
    /// Positions in `facts`, by a few bits of the key. An entry is only trusted once the
    /// fact it points to is found to be the value's, so the table is never cleared: an
    /// entry left from an earlier transaction points past the end, or at another value.
    /// Empty until [`Self::reserve`]: a map made only to be replaced costs nothing.
    recent: Box<[u32]>,
}

impl ValueMap {
    /// The facts of `value`, worked out the first time it is asked about.
    pub fn of(&mut self, value: &Bytes) -> &mut ValueFacts {
        let at = self.position_of(value);
        &mut self.facts[at]
    }

    /// Where the facts of `value` are, for [`Self::at`]; worked out the first time.
    pub fn position_of(&mut self, value: &Bytes) -> usize {
        let key = (value.as_ptr() as usize, value.len());
        let slot = (key.0 >> 4 ^ key.0 >> 12 ^ key.1) % RECENT;
        let recent = self.recent.get(slot).map_or(usize::MAX, |&at| at as usize);
        let at = if self.facts.get(recent).is_some_and(|facts| facts.is(key)) {
            recent
        } else {
            let at = match self.index.entry(key) {
                Entry::Occupied(entry) => *entry.get() as usize,
                Entry::Vacant(entry) => {
                    entry.insert(u32::try_from(self.facts.len()).unwrap_or(u32::MAX));
                    self.facts.push(ValueFacts::new(value));
                    self.facts.len() - 1
                }
            };
            if let Some(entry) = self.recent.get_mut(slot) {
                *entry = u32::try_from(at).unwrap_or(u32::MAX);
            }
            at
        };
        if at < self.facts.len() {
            at
        } else {
            // Only past u32::MAX values, which no request holds: start that value afresh.
            self.facts.push(ValueFacts::new(value));
            self.facts.len() - 1
        }
    }

    /// The facts at a position [`Self::position_of`] gave in this transaction.
    pub fn at(&mut self, position: usize) -> Option<&mut ValueFacts> {
        self.facts.get_mut(position)
    }

    pub fn capacity(&self) -> usize {
        self.facts.capacity()
    }

    pub fn reserve(&mut self, additional: usize) {
        self.facts.reserve(additional);
        self.index.reserve(additional);
        if self.recent.is_empty() {
            self.recent = vec![u32::MAX; RECENT].into_boxed_slice();
        }
    }

    pub fn clear(&mut self) {
        self.facts.clear();
        self.index.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collection::bytes;

    #[test]
    fn each_value_has_its_own_facts_across_clears() {
        // Without the table of recent answers (never reserved) and with it.
        for reserved in [false, true] {
            let mut map = ValueMap::default();
            if reserved {
                map.reserve(4);
            }
            let (a, b) = (bytes("a<b"), bytes("plain"));
            map.of(&a).scan = Some(7);
            assert!(map.of(&b).scan.is_none());
            assert_eq!(map.of(&a).scan, Some(7), "asked again, the same facts");
            assert!(map.of(&b).bytes.contains(b'p'));
            map.clear();
            assert!(map.of(&a).scan.is_none(), "a cleared map starts afresh");
            // Many values, most sharing a slot of the recent table with another.
            let many: Vec<Bytes> = (0..2000).map(|i| bytes(format!("v{i}"))).collect();
            for (i, value) in many.iter().enumerate() {
                map.of(value).scan = Some(i as u32);
            }
            for (i, value) in many.iter().enumerate().rev() {
                assert_eq!(map.of(value).scan, Some(i as u32));
            }
        }
    }
}
