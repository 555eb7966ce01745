//! Prometheus metrics for `rampart serve`, rendered for the admin listener's `/metrics`.
//!
//! Every request task shares one [`Metrics`] behind an `Arc` and reports to it once, at the end
//! of its exchange, so the design is about what that call costs under concurrency:
//!
//! - Counters, gauges and histogram buckets are atomics updated with relaxed ordering. Each
//!   value stands alone; a scrape that sees one counter a little ahead of another is the same
//!   as a scrape taken a moment later, so no ordering between them is worth paying for.
//! - Histograms have fixed buckets and integer sums (anomaly points, microseconds): one atomic
//!   add per bucket and per sum, exact totals, no float compare-and-swap loops.
//! - The only family whose labels are not known up front is blocked requests by (rule id,
//!   phase): the ids come from whichever rule set is loaded. It is a map behind a `Mutex`, and
//!   the lock is taken only when an exchange was actually blocked. Ordinary traffic never
//!   touches it; under an attack the critical section is one map increment, which costs less
//!   than the rule evaluation that led to it. Preallocating per-rule atomics instead would tie
//!   the metrics to every rule-set reload for little gain. Its cardinality is bounded by the
//!   disruptive rules the operator loaded, never by anything a client sends.
//! - Matched rules are counted, not labelled: a label per matching rule would make the series
//!   count grow with the rule set and the traffic, which is what the blocked family avoids by
//!   counting only the single rule that decided each blocked exchange.
//!
//! The exposition is written by hand (see `text`): it is a few lines of text per family, and a
//! client library would bring a registry and dynamic dispatch onto the request path.

mod histogram;
mod text;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::exchange::{Exchange, UpstreamError};

use histogram::Histogram;
use text::{Kind, Label, Text};

/// Anomaly-score buckets, in points (CRS's default inbound threshold is 5, outbound 4).
const SCORE_BOUNDS: &[i64] = &[0, 1, 2, 3, 5, 8, 10, 15, 20, 30, 50];

/// Engine time per exchange, 10 µs to 1 s, in microseconds.
const ENGINE_BOUNDS: &[i64] = &[
    10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000,
    500_000, 1_000_000,
];

/// Whole-exchange time, 1 ms to 60 s, in microseconds.
const REQUEST_BOUNDS: &[i64] = &[
    1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000,
    5_000_000, 10_000_000, 30_000_000, 60_000_000,
];

const MICROS_PER_SECOND: u64 = 1_000_000;

/// `status_class` label values, indexed by [`status_class`].
const STATUS_CLASSES: [&str; 7] = ["1xx", "2xx", "3xx", "4xx", "5xx", "dropped", "other"];

/// `kind` label values, indexed by [`upstream_index`].
const UPSTREAM_KINDS: [UpstreamError; 3] = [
    UpstreamError::Connect,
    UpstreamError::Timeout,
    UpstreamError::Protocol,
];

/// The metrics of one server.
#[derive(Debug)]
pub struct Metrics {
    requests: [AtomicU64; STATUS_CLASSES.len()],
    /// (rule id, phase) → blocked exchanges; see the module docs for why this is a `Mutex`.
    blocked: Mutex<BTreeMap<(u64, u8), u64>>,
    rule_matches: AtomicU64,
    inbound_score: Histogram,
    outbound_score: Histogram,
    upstream_errors: [AtomicU64; UPSTREAM_KINDS.len()],
    engine_errors: AtomicU64,
    engine_duration: Histogram,
    request_duration: Histogram,
    rule_set_generation: AtomicU64,
    rule_set_rules: AtomicU64,
    reloads_ok: AtomicU64,
    reloads_failed: AtomicU64,
    in_flight: AtomicI64,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        Metrics {
            requests: Default::default(),
            blocked: Mutex::new(BTreeMap::new()),
            rule_matches: AtomicU64::new(0),
            inbound_score: Histogram::new(SCORE_BOUNDS, 1),
            outbound_score: Histogram::new(SCORE_BOUNDS, 1),
            upstream_errors: Default::default(),
            engine_errors: AtomicU64::new(0),
            engine_duration: Histogram::new(ENGINE_BOUNDS, MICROS_PER_SECOND),
            request_duration: Histogram::new(REQUEST_BOUNDS, MICROS_PER_SECOND),
            rule_set_generation: AtomicU64::new(0),
            rule_set_rules: AtomicU64::new(0),
            reloads_ok: AtomicU64::new(0),
            reloads_failed: AtomicU64::new(0),
            in_flight: AtomicI64::new(0),
        }
    }

    /// Records a finished exchange. Lock-free unless the exchange was blocked.
    ///
    /// `exchange.upstream_error` is not counted here: upstream failures are counted where they
    /// happen, through [`Metrics::upstream_error`], so that each is counted exactly once.
    pub fn observe(&self, exchange: &Exchange) {
        if let Some(slot) = self.requests.get(status_class(exchange.status)) {
            slot.fetch_add(1, Relaxed);
        }
        if exchange.rule_matches > 0 {
            self.rule_matches.fetch_add(exchange.rule_matches, Relaxed);
        }
        self.inbound_score.observe(exchange.inbound_anomaly_score);
        self.outbound_score.observe(exchange.outbound_anomaly_score);
        if exchange.engine_error.is_some() {
            self.engine_errors.fetch_add(1, Relaxed);
        }
        self.engine_duration.observe(micros(exchange.engine_time));
        self.request_duration.observe(micros(exchange.duration));
        if let Some(intervention) = &exchange.intervention {
            if intervention.status != 0 || intervention.drop {
                let mut blocked = self.blocked.lock().unwrap_or_else(PoisonError::into_inner);
                *blocked
                    .entry((intervention.rule_id, intervention.phase))
                    .or_insert(0) += 1;
            }
        }
    }

    /// Counts one failed upstream attempt. The caller reports each failure once, when it
    /// happens; [`Metrics::observe`] does not count `Exchange::upstream_error` again.
    pub fn upstream_error(&self, kind: UpstreamError) {
        if let Some(slot) = self.upstream_errors.get(upstream_index(kind)) {
            slot.fetch_add(1, Relaxed);
        }
    }

    /// A rule set of `rules` rules was loaded and is now in force: the initial load as well
    /// as every reload counts as `result="ok"`.
    pub fn rule_set_loaded(&self, generation: u64, rules: u64) {
        self.rule_set_generation.store(generation, Relaxed);
        self.rule_set_rules.store(rules, Relaxed);
        self.reloads_ok.fetch_add(1, Relaxed);
    }

    /// A reload failed; the previous rule set stays in force.
    pub fn reload_failed(&self) {
        self.reloads_failed.fetch_add(1, Relaxed);
    }

    /// Counts a request as in flight until the guard is dropped. Hold the guard for as long as
    /// the exchange lasts, including the streaming of the response body.
    pub fn in_flight(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Relaxed);
        InFlight {
            metrics: Arc::clone(self),
        }
    }

    /// The exposition, Prometheus text format 0.0.4.
    pub fn render(&self) -> String {
        // Copied out so that blocked requests never wait on the formatting below.
        let blocked: Vec<((u64, u8), u64)> = {
            let map = self.blocked.lock().unwrap_or_else(PoisonError::into_inner);
            map.iter().map(|(&key, &count)| (key, count)).collect()
        };
        let mut text = Text::with_capacity(6_144 + 64 * blocked.len());

        text.family(
            "rampart_build_info",
            "rampart's version; the value is always 1.",
            Kind::Gauge,
        );
        text.int(
            "rampart_build_info",
            &[("version", Label::Str(env!("CARGO_PKG_VERSION")))],
            1,
        );

        text.family(
            "rampart_requests_total",
            "Finished requests by response status class; \"dropped\" when the connection was closed without a response.",
            Kind::Counter,
        );
        for (class, slot) in STATUS_CLASSES.iter().zip(&self.requests) {
            text.int(
                "rampart_requests_total",
                &[("status_class", Label::Str(class))],
                slot.load(Relaxed),
            );
        }

        text.family(
            "rampart_requests_blocked_total",
            "Requests blocked by a disruptive rule, by the id and phase of the rule that decided.",
            Kind::Counter,
        );
        for ((rule_id, phase), count) in blocked {
            text.int(
                "rampart_requests_blocked_total",
                &[
                    ("rule_id", Label::Int(rule_id)),
                    ("phase", Label::Int(u64::from(phase))),
                ],
                count,
            );
        }

        text.family(
            "rampart_rule_matches_total",
            "Rule matches over all requests, logged or not.",
            Kind::Counter,
        );
        text.int(
            "rampart_rule_matches_total",
            &[],
            self.rule_matches.load(Relaxed),
        );

        self.inbound_score.render(
            &mut text,
            "rampart_inbound_anomaly_score",
            "Inbound anomaly score per request.",
        );
        self.outbound_score.render(
            &mut text,
            "rampart_outbound_anomaly_score",
            "Outbound anomaly score per request.",
        );

        text.family(
            "rampart_upstream_errors_total",
            "Failed upstream attempts by kind.",
            Kind::Counter,
        );
        for (kind, slot) in UPSTREAM_KINDS.iter().zip(&self.upstream_errors) {
            text.int(
                "rampart_upstream_errors_total",
                &[("kind", Label::Str(kind.label()))],
                slot.load(Relaxed),
            );
        }

        text.family(
            "rampart_engine_errors_total",
            "Requests on which the rule engine failed.",
            Kind::Counter,
        );
        text.int(
            "rampart_engine_errors_total",
            &[],
            self.engine_errors.load(Relaxed),
        );

        self.engine_duration.render(
            &mut text,
            "rampart_engine_duration_seconds",
            "Time spent in the rule engine per request.",
        );
        self.request_duration.render(
            &mut text,
            "rampart_request_duration_seconds",
            "Time from a request's arrival to the end of its response.",
        );

        text.family(
            "rampart_rule_set_generation",
            "Generation of the rule set in force.",
            Kind::Gauge,
        );
        text.int(
            "rampart_rule_set_generation",
            &[],
            self.rule_set_generation.load(Relaxed),
        );

        text.family(
            "rampart_rule_set_rules",
            "Rules in the rule set in force.",
            Kind::Gauge,
        );
        text.int(
            "rampart_rule_set_rules",
            &[],
            self.rule_set_rules.load(Relaxed),
        );

        text.family(
            "rampart_rule_set_reloads_total",
            "Rule-set loads by result, the initial load included.",
            Kind::Counter,
        );
        text.int(
            "rampart_rule_set_reloads_total",
            &[("result", Label::Str("ok"))],
            self.reloads_ok.load(Relaxed),
        );
        text.int(
            "rampart_rule_set_reloads_total",
            &[("result", Label::Str("failed"))],
            self.reloads_failed.load(Relaxed),
        );

        text.family(
            "rampart_in_flight_requests",
            "Requests being processed.",
            Kind::Gauge,
        );
        text.int(
            "rampart_in_flight_requests",
            &[],
            self.in_flight.load(Relaxed),
        );

        text.finish()
    }
}

/// Keeps a request counted in `rampart_in_flight_requests` until dropped.
#[derive(Debug)]
#[must_use = "the request stops counting as in flight when the guard is dropped"]
pub struct InFlight {
    metrics: Arc<Metrics>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.metrics.in_flight.fetch_sub(1, Relaxed);
    }
}

/// Index into [`STATUS_CLASSES`]; status 0 means the connection was dropped.
fn status_class(status: u16) -> usize {
    match status {
        0 => 5,
        100..=599 => usize::from(status / 100) - 1,
        _ => 6,
    }
}

/// Index into [`UPSTREAM_KINDS`].
fn upstream_index(kind: UpstreamError) -> usize {
    match kind {
        UpstreamError::Connect => 0,
        UpstreamError::Timeout => 1,
        UpstreamError::Protocol => 2,
    }
}

/// Whole microseconds, saturating (a duration past 292,000 years is not a concern).
fn micros(duration: Duration) -> i64 {
    i64::try_from(duration.as_micros()).unwrap_or(i64::MAX)
}
