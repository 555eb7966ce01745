//! The value-source summaries of the current phase, found by source id.
//!
//! CRS gives some 340 ids to the sources its rules read, and a benign request summarizes a
//! few dozen of them per phase. A table with a whole summary per id had to be cleared at
//! every phase: 22 KB written five times per request, mostly to lines the request never
//! read, which cost cache misses more than instructions. Here each id holds only a stamp
//! and a position among the summaries made: a phase starts by moving to a new stamp, which
//! turns every older entry stale without touching it.

use super::SourceSummary;

#[derive(Debug, Default)]
pub(crate) struct PhaseSummaries {
    /// Per source id: the stamp of the phase that summarized it, and where its summary is in
    /// `made`. An entry with another stamp is from an earlier phase (or transaction).
    slots: Vec<(u32, u32)>,
    made: Vec<SourceSummary>,
    /// Never 0 once a phase has started, so that fresh slots read as stale.
    stamp: u32,
}

impl PhaseSummaries {
    /// Makes room for `sources` ids (a rule set's count).
    pub fn reserve(&mut self, sources: usize) {
        if self.slots.len() < sources {
            self.slots.resize(sources, (0, 0));
        }
    }

    /// Forgets every summary: the values they describe may change between phases.
    pub fn start_phase(&mut self) {
        self.made.clear();
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            // Four billion phases on: old stamps may come round again, so clear them.
            self.slots.fill((0, 0));
            self.stamp = 1;
        }
    }

    pub fn get(&self, id: usize) -> Option<&SourceSummary> {
        match self.slots.get(id) {
            Some(&(stamp, at)) if stamp == self.stamp => self.made.get(at as usize),
            _ => None,
        }
    }

    pub fn insert(&mut self, id: usize, summary: SourceSummary) {
        if self.slots.len() <= id {
            self.slots.resize(id + 1, (0, 0));
        }
        let Ok(at) = u32::try_from(self.made.len()) else {
            // More summaries than a phase can have sources: leave the id unsummarized.
            return;
        };
        self.made.push(summary);
        self.slots[id] = (self.stamp, at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::byte_set::ByteSet;

    fn summary(at: usize) -> SourceSummary {
        SourceSummary {
            at,
            values: 1,
            stored_bytes: ByteSet::default(),
            stored_at: 0,
        }
    }

    #[test]
    fn a_new_phase_forgets_every_summary() {
        let mut table = PhaseSummaries::default();
        table.reserve(4);
        table.start_phase();
        assert!(table.get(2).is_none(), "fresh slots are stale");
        table.insert(2, summary(7));
        table.insert(9, summary(8));
        assert_eq!(table.get(2).map(|s| s.at), Some(7));
        assert_eq!(
            table.get(9).map(|s| s.at),
            Some(8),
            "an id past the reserve"
        );
        assert!(table.get(3).is_none());
        table.start_phase();
        assert!(table.get(2).is_none() && table.get(9).is_none());
        table.insert(9, summary(1));
        assert_eq!(table.get(9).map(|s| s.at), Some(1));
    }

    #[test]
    fn stamps_that_wrap_do_not_revive_old_summaries() {
        let mut table = PhaseSummaries::default();
        table.reserve(2);
        table.start_phase();
        table.insert(0, summary(5));
        table.stamp = u32::MAX;
        table.start_phase();
        assert_eq!(table.stamp, 1);
        assert!(
            table.get(0).is_none(),
            "stamp 1 again, but the slot was cleared"
        );
    }
}
