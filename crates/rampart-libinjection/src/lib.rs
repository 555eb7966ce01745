//! libinjection, as ModSecurity v3 runs it.
//!
//! `@detectSQLi` and `@detectXSS` are defined by whatever libinjection the reference engine
//! links: libmodsecurity 3.0.9 bundles libinjection 3.9.2. The later libinjection that the
//! `libinjectionrs` port follows differs in small ways that change verdicts (NUL bytes in the
//! SQL tokenizer, which `on*` attribute names count as event handlers). This crate holds our
//! own implementation of the 3.9.2 behaviour; from `libinjectionrs` it takes only data.
//!
//! The referee is `crates/rampart-modsecurity/tests/libinjection_fidelity.rs`, which compares
//! every answer here with the C functions exported by libmodsecurity.

pub mod sqli;
pub mod xss;

pub use sqli::{detect_sqli, is_sqli_inert, sqli_fingerprint, Fingerprint, SqliFlags};
pub use xss::detect_xss;

/// Builds the lookup tables now rather than in the first call to [`detect_sqli`], so that a
/// server's first request does not pay for them.
pub fn prepare() {
    sqli::prepare();
}
