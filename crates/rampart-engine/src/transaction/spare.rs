//! Storage that a finished transaction hands to the next one on the same thread.
//!
//! A transaction fills a hundred variable slots, a few hash tables sized for a typical
//! request, and the list of matched rules; allocating and freeing all of that for every
//! request cost more than some of the rules. When a transaction is dropped its containers
//! are emptied and kept, one set per thread, and the next transaction built on that thread
//! starts with their capacity. Only containers travel, never contents: each is cleared
//! before it is stored, and containers that grew large (a request with thousands of
//! arguments) are let go rather than kept, so an idle thread holds a few tens of kilobytes.

use std::cell::Cell;

use super::phase_summaries::PhaseSummaries;
use super::{LiteralScans, MatchedRule, TransformCache};
use crate::collection::{Bytes, Collection};
use crate::transaction::resolve::Resolved;

/// Beyond these a container is dropped instead of kept.
const MAX_ENTRIES: usize = 1024;
const MAX_BITS: usize = 1 << 16;

/// The emptied containers of one transaction.
#[derive(Debug, Default)]
pub(crate) struct Spare {
    pub scalars: Vec<Option<Bytes>>,
    pub collections: Vec<Collection>,
    pub matched_vars: Vec<Resolved>,
    pub matched: Vec<MatchedRule>,
    pub transform_cache: TransformCache,
    pub literal_scans: LiteralScans,
    pub source_literals: PhaseSummaries,
    pub value_buffers: Vec<Vec<Resolved>>,
}

thread_local! {
    static SPARE: Cell<Option<Spare>> = const { Cell::new(None) };
}

impl Spare {
    /// This thread's spare containers, if a transaction left some.
    pub fn take() -> Option<Spare> {
        SPARE.try_with(Cell::take).ok().flatten()
    }

    /// Empties the containers and keeps them for the thread's next transaction.
    pub fn keep(mut self) {
        self.clear();
        // During thread teardown the slot may be gone; the containers are then just freed.
        let _ = SPARE.try_with(|slot| slot.set(Some(self)));
    }

    fn clear(&mut self) {
        let Spare {
            scalars,
            collections,
            matched_vars,
            matched,
            transform_cache,
            literal_scans,
            source_literals,
            value_buffers,
        } = self;
        scalars.fill(None);
        for collection in collections.iter_mut() {
            bounded(collection, Collection::capacity, Collection::clear);
        }
        bounded(matched_vars, Vec::capacity, Vec::clear);
        bounded(matched, Vec::capacity, Vec::clear);
        bounded(
            transform_cache,
            TransformCache::capacity,
            TransformCache::clear,
        );
        let LiteralScans {
            values,
            bits,
            union,
            stored,
            results,
            steps,
        } = literal_scans;
        bounded(values, |v| v.capacity(), |v| v.clear());
        bounded(results, |r| r.capacity(), |r| r.clear());
        bounded(steps, |s| s.capacity(), |s| s.clear());
        if bits.capacity() > MAX_BITS || union.capacity() > MAX_BITS {
            *bits = Vec::new();
            *union = Vec::new();
        }
        bounded(stored, Vec::capacity, Vec::clear);
        bits.clear();
        union.clear();
        // Sized by the rule set, not by the request: kept whatever its size.
        source_literals.start_phase();
        value_buffers.truncate(4);
        for buffer in value_buffers.iter_mut() {
            bounded(buffer, Vec::capacity, Vec::clear);
        }
    }
}

/// Clears `container`, or replaces it with an empty one when it has grown past
/// [`MAX_ENTRIES`].
fn bounded<T: Default>(container: &mut T, capacity: impl Fn(&T) -> usize, clear: impl Fn(&mut T)) {
    if capacity(container) > MAX_ENTRIES {
        *container = T::default();
    } else {
        clear(container);
    }
}
