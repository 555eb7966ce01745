//! The harness that runs CRS's own regression suite (go-ftw format) against rampart in-process.
//!
//! CRS measures a WAF by sending each test's request to a real server and reading which rules
//! the WAF logged. rampart runs the same suite without sockets, so every step that go-ftw and
//! the server would do has to be reproduced here, byte for byte where bytes matter:
//!
//! 1. [`suite`] reads the test files (ftw-tests-schema v2).
//! 2. [`request`] builds the exact bytes go-ftw would put on the wire for a stage.
//! 3. [`raw`] parses those bytes back into a request, as the front-end server would.
//! 4. [`reflect`] answers as the suite's backend, albedo, would (for response-phase tests).
//! 5. [`expect`] compares what was observed with a stage's expectations.
//!
//! A runner does: [`suite::load_dir`] → for each test and stage → [`request::build`] →
//! [`raw::parse`] → engine (with [`reflect::respond`] as the upstream) → [`expect::check`].
//!
//! [`corpus`] is separate: it generates the request corpus for differential testing against
//! libmodsecurity (`corpus/diff`, see `corpus/README.md`).
//!
//! Nothing read from a file or built from a test may panic this crate: malformed input gets a
//! typed error.

#![warn(missing_docs)]

pub mod corpus;
pub mod expect;
pub mod raw;
pub mod reflect;
pub mod request;
pub mod suite;
