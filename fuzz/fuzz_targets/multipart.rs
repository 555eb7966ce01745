//! Input: one byte N, then N bytes of Content-Type (or a fixed one when N is 0), one byte for
//! the chunk size, then the body, fed in chunks of that size.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_engine::body::{multipart, BodyLimits, BodySink};
use rampart_seclang::Variable;

/// Counts what it is given, so nothing is optimised away.
#[derive(Default)]
struct CountingSink(usize);

impl BodySink for CountingSink {
    fn add_argument(&mut self, name: &[u8], value: &[u8]) -> bool {
        self.0 += name.len() + value.len();
        self.0 % 7 != 0
    }
    fn set_scalar(&mut self, _: Variable, value: &[u8]) {
        self.0 += value.len();
    }
    fn add_member(&mut self, _: Variable, key: &[u8], value: &[u8]) {
        self.0 += key.len() + value.len();
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&ct_len, rest)) = data.split_first() else {
        return;
    };
    let ct_len = usize::from(ct_len).min(rest.len());
    let (content_type, rest) = rest.split_at(ct_len);
    let content_type: &[u8] = if content_type.is_empty() {
        b"multipart/form-data; boundary=b"
    } else {
        content_type
    };
    let Some((&chunk, body)) = rest.split_first() else {
        return;
    };
    let limits = BodyLimits {
        json_depth: 0,
        upload_files: u64::from(chunk % 4),
        file_content: usize::from(chunk % 32),
    };
    let mut sink = CountingSink::default();
    let mut parser = multipart::Parser::new(content_type, limits);
    for piece in body.chunks(usize::from(chunk).max(1)) {
        parser.feed(piece, &mut sink);
    }
    let _ = parser.finish(&mut sink);
});
