//! Persistent collections (IP, GLOBAL, SESSION, USER, RESOURCE) behind a store.
//!
//! `initcol`, `setsid`, `setuid` and `setrsc` load a collection record by key when a rule asks
//! for it; the transaction works on its own copy, and writes the record back when it ends.
//! The store is a trait so that replicas can share state (a Redis store implements it later);
//! the in-memory store here serves a single process. Stores are touched once per collection
//! per transaction, never in the per-rule loop.

use std::collections::HashMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

/// One variable of a stored record, with its expiry (seconds since the epoch), if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVar {
    pub name: Vec<u8>,
    pub value: Vec<u8>,
    pub expires: Option<u64>,
}

/// Where persistent collections live.
pub trait CollectionStore: Send + Sync + Debug {
    /// The live (unexpired) variables of a record; empty when there is none.
    fn load(&self, collection: &str, key: &[u8]) -> Vec<StoredVar>;
    /// Replaces a record.
    fn store(&self, collection: &str, key: &[u8], vars: Vec<StoredVar>);
}

/// A record's address: collection name and key.
type RecordKey = (String, Vec<u8>);

/// A process-local store.
#[derive(Debug, Default)]
pub struct InMemoryStore {
    records: Mutex<HashMap<RecordKey, Vec<StoredVar>>>,
}

pub fn now_epoch() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl CollectionStore for InMemoryStore {
    fn load(&self, collection: &str, key: &[u8]) -> Vec<StoredVar> {
        let now = now_epoch();
        let Ok(records) = self.records.lock() else {
            return Vec::new();
        };
        records
            .get(&(collection.to_string(), key.to_vec()))
            .map(|vars| {
                vars.iter()
                    .filter(|v| v.expires.is_none_or(|e| e > now))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    fn store(&self, collection: &str, key: &[u8], vars: Vec<StoredVar>) {
        if let Ok(mut records) = self.records.lock() {
            records.insert((collection.to_string(), key.to_vec()), vars);
        }
    }
}

/// The store transactions use when none is given: one per process.
pub fn default_store() -> Arc<dyn CollectionStore> {
    static STORE: OnceLock<Arc<InMemoryStore>> = OnceLock::new();
    STORE
        .get_or_init(|| Arc::new(InMemoryStore::default()))
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expired_variables_are_not_loaded() {
        let store = InMemoryStore::default();
        let var = |name: &str, expires| StoredVar {
            name: name.into(),
            value: b"1".to_vec(),
            expires,
        };
        store.store(
            "IP",
            b"1.2.3.4",
            vec![
                var("live", None),
                var("gone", Some(1)),
                var("later", Some(u64::MAX)),
            ],
        );
        let names: Vec<Vec<u8>> = store
            .load("IP", b"1.2.3.4")
            .into_iter()
            .map(|v| v.name)
            .collect();
        assert_eq!(names, vec![b"live".to_vec(), b"later".to_vec()]);
        assert!(store.load("IP", b"other").is_empty());
    }
}
