//! Prometheus metrics. (Stub: being written.)

use crate::exchange::Exchange;

#[derive(Debug, Default)]
pub struct Metrics {}

impl Metrics {
    pub fn new() -> Self {
        Metrics {}
    }

    pub fn observe(&self, _exchange: &Exchange) {}

    pub fn upstream_error(&self, _kind: crate::exchange::UpstreamError) {}

    pub fn rule_set_loaded(&self, _generation: u64) {}

    pub fn reload_failed(&self) {}

    pub fn render(&self) -> String {
        String::new()
    }
}
