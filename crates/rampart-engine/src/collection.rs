//! Keyed collections of values (ARGS, REQUEST_HEADERS, TX, …).
//!
//! Values are `Arc<[u8]>`: resolving a rule's targets clones pointers, not bytes, and leaves
//! the transaction free to change (a `setvar` on one match is visible to the next) while the
//! rule is still looking at the values it resolved. Keys compare ASCII case-insensitively, as
//! ModSecurity's collections do; order of insertion is kept.

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
}

impl Collection {
    pub fn new() -> Self {
        Self::default()
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
        self.entries.push((bytes(key), bytes(value)));
    }

    pub fn push_shared(&mut self, key: Bytes, value: Bytes) {
        self.entries.push((key, value));
    }

    /// Every member named `key`.
    pub fn get<'a, 'k>(
        &'a self,
        key: &'k [u8],
    ) -> impl Iterator<Item = &'a (Bytes, Bytes)> + use<'a, 'k> {
        self.entries
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(key))
    }

    pub fn first(&self, key: &[u8]) -> Option<&Bytes> {
        self.get(key).next().map(|(_, v)| v)
    }

    /// Replaces the first member named `key`, or adds one.
    pub fn set(&mut self, key: &[u8], value: Bytes) {
        match self
            .entries
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
        {
            Some(entry) => entry.1 = value,
            None => self.entries.push((bytes(key), value)),
        }
    }

    /// Removes every member named `key`.
    pub fn remove(&mut self, key: &[u8]) {
        self.entries.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
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
}
