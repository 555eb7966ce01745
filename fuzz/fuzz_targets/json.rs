//! Input: the JSON body; its first byte also sets the depth limit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_engine::body::{json, BodyLimits, BodySink};
use rampart_seclang::Variable;

#[derive(Default)]
struct CountingSink(usize);

impl BodySink for CountingSink {
    fn add_argument(&mut self, name: &[u8], value: &[u8]) -> bool {
        self.0 += 1 + name.len() + value.len();
        self.0 < 1_000_000
    }
    fn set_scalar(&mut self, _: Variable, value: &[u8]) {
        self.0 += value.len();
    }
    fn add_member(&mut self, _: Variable, key: &[u8], value: &[u8]) {
        self.0 += key.len() + value.len();
    }
}

fuzz_target!(|data: &[u8]| {
    let depth = data.first().map_or(0, |&b| u64::from(b));
    let limits = BodyLimits {
        json_depth: depth,
        ..BodyLimits::default()
    };
    let mut sink = CountingSink::default();
    let _ = json::process(data, &limits, &mut sink);
});
