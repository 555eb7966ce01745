//! A histogram that request tasks fill with two relaxed atomic adds.
//!
//! Buckets are stored per interval (not cumulative) so an observation touches one bucket, and
//! the cumulative `le` series is summed at render time. `_count` is that sum too, never a
//! counter of its own: a scrape racing with observations then still has `+Inf` equal to
//! `_count`, which Prometheus requires. The sum is an integer in the histogram's unit (anomaly
//! points, microseconds): integers add atomically in one instruction and stay exact, where a
//! float sum would need a compare-and-swap loop and drift.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};

use super::text::{Kind, Label, Text};

#[derive(Debug)]
pub(super) struct Histogram {
    /// Upper bounds (inclusive), ascending, in units; `+Inf` is implicit.
    bounds: &'static [i64],
    /// Units per base unit: 1 for anomaly points, 1,000,000 for seconds kept in microseconds.
    scale: u64,
    /// One per bound, then `+Inf`.
    buckets: Box<[AtomicU64]>,
    sum: AtomicI64,
}

impl Histogram {
    pub(super) fn new(bounds: &'static [i64], scale: u64) -> Self {
        Histogram {
            bounds,
            scale,
            buckets: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum: AtomicI64::new(0),
        }
    }

    /// Records one value, in units.
    pub(super) fn observe(&self, value: i64) {
        let index = self.bounds.partition_point(|&bound| bound < value);
        if let Some(bucket) = self.buckets.get(index) {
            bucket.fetch_add(1, Relaxed);
        }
        self.sum.fetch_add(value, Relaxed);
    }

    pub(super) fn render(&self, text: &mut Text, name: &str, help: &str) {
        let (bucket, sum, count) = suffixed(name);
        text.family(name, help, Kind::Histogram);
        let mut cumulative: u64 = 0;
        for (index, slot) in self.buckets.iter().enumerate() {
            cumulative += slot.load(Relaxed);
            let le = match self.bounds.get(index) {
                Some(&bound) => Label::Scaled(bound, self.scale),
                None => Label::PlusInf,
            };
            text.int(bucket.as_str(), &[("le", le)], cumulative);
        }
        text.scaled(sum.as_str(), &[], self.sum.load(Relaxed), self.scale);
        text.int(count.as_str(), &[], cumulative);
    }
}

/// `_bucket`, `_sum`, `_count` names: built per render, which is not the request path.
fn suffixed(name: &str) -> (String, String, String) {
    (
        format!("{name}_bucket"),
        format!("{name}_sum"),
        format!("{name}_count"),
    )
}
