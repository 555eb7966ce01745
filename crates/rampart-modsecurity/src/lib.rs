//! The libmodsecurity backend: ModSecurity v3 itself, driven through its C API.
//!
//! rampart's native engine is held to ModSecurity's behaviour; this crate is where the real
//! thing runs beside it, both as a backend users may choose and as the oracle of the
//! differential tests. Everything that touches C is behind the `modsecurity` feature (off by
//! default): without it the crate compiles to the log-line parser alone ([`MatchedRule`]),
//! and the default build needs no C library.
//!
//! # Why our own thin FFI layer, not the `modsecurity` crate
//!
//! The `modsecurity` crate (0.1.4, with `modsecurity-sys`) would have been the other choice.
//! We declare the C functions ourselves (`ffi.rs`, no bindgen) because:
//! - the surface is small — about twenty `msc_*` functions and one struct, each copied from
//!   Debian's 3.0.9 headers, and a test resolves every symbol against the installed
//!   library;
//! - `modsecurity-sys` generates its bindings with bindgen at build time, which needs
//!   libclang on every machine that builds the feature, for declarations that never change
//!   within v3;
//! - the things this backend needs are not all in that crate's safe API: per-transaction
//!   routing of the log callback into parsed records, byte-exact `_n` header calls, the
//!   single-engine rule around `msc_init`/`msc_cleanup`, the process-wide lock around the
//!   rule parser, and libinjection's exported functions for the fidelity test;
//! - owning the `unsafe` means each block carries the reason it is sound for 3.0.9, checked
//!   against libmodsecurity's source, rather than trusting another layer's assumptions.
//!
//! `unsafe_code` is denied in the workspace and allowed here, at the crate level, because
//! calling C is this crate's whole job; every `unsafe` block is a single call or
//! dereference with a `// SAFETY:` comment.
//!
//! # The API
//!
//! - `ModSecurity::instance`: the engine (`msc_init`, connector info, log callback).
//! - `Rules`: `Rules::new`, `add` (text), `add_file`; errors carry libmodsecurity's parser
//!   message.
//! - `Transaction`: `process_connection`, `process_uri`, `add_request_header`,
//!   `process_request_headers`, `append_request_body`, `process_request_body`, the response
//!   counterparts, `process_logging`, `Transaction::intervention`, and
//!   `Transaction::matched_rules`: the logged matches as [`MatchedRule`] records.
//! - `libinjection`: the C libinjection inside libmodsecurity, as safe functions.
//!
//! # Logging
//!
//! `msc_set_log_cb` registers the callback with libmodsecurity's TextLogProperty
//! (`ModSecurity::setServerLogCb(cb)` → `setServerLogCb(cb, TextLogProperty)`), so each
//! call brings the `logCbData` pointer the transaction was created with and a text line
//! (`RuleMessage::log`) that lives only during the call. Each `Transaction` passes a
//! pointer to its own heap-allocated, mutex-guarded record list, so lines land in the
//! transaction that produced them. libmodsecurity only sends non-disruptive matches there
//! (`RuleWithActions::performLogging` skips messages whose rule is disruptive); the
//! disruptive rule's line is the intervention's `log`, which
//! `Transaction::intervention` parses and appends too. The text lines carry no phase
//! for warnings, so the record gets the phase whose processing call was running.
//! The records are what ModSecurity logs, not what the rules say: 3.0.9, for one, leaves the
//! tags out of the lines of `multiMatch` rules such as CRS 942100 (ModSecurity #2754), and
//! escapes `"`, `\` and non-printable bytes in `data` as `\xHH`.
//!
//! # Threads
//!
//! - `ModSecurity` is `Send + Sync` and there is one at a time: its C++ constructor and
//!   destructor call process-global `xmlInitParser`/`curl_global_init` and
//!   `xmlCleanupParser`/`curl_global_cleanup`, so creation and cleanup are serialised and
//!   never overlap (libmodsecurity's `src/modsecurity.cc`). After creation transactions
//!   only read it.
//! - `Rules` is `Send + Sync`: loading takes `&mut self`; loaded, one rule set may serve
//!   concurrent transactions ("Once the rules are loaded multiple requests can share the
//!   same `RulesSet` object", ModSecurity issues #2536 and #3215, and #2144 for sharing
//!   the engine and rules between workers). Loading itself is not thread-safe even across
//!   different rule sets — the parser has global state (#2536, #3138) — so every load
//!   takes one process-wide lock.
//! - `Transaction` is `Send` but not `Sync`: one thread at a time, through `&mut self`,
//!   and it may move between threads between calls.
//! - Known limitation of 3.0.9, not fixable from here: the persistent collections
//!   (`initcol:global`, `initcol:ip`, as CRS 3.3's rule 901321 uses) lock writes but not
//!   reads (#3054, fixed in 3.0.13 by #3216), so concurrent transactions whose rules read
//!   and write the same collection race inside the library.
//!
//! # Freeing
//!
//! Error strings of `msc_rules_add*` and the `url`/`log` of an intervention are `strdup`ed
//! for the caller and freed here with `free`; 3.0.9 has no `msc_intervention_cleanup`
//! (it came later). Each wrapper frees its object in `Drop` (`msc_cleanup`,
//! `msc_rules_cleanup`, `msc_transaction_cleanup`), and a transaction keeps its engine and
//! rule set alive through `Arc`s.

#![cfg_attr(feature = "modsecurity", allow(unsafe_code))]
// `unsafe_code` is allowed (only with the feature, the only configuration that has any)
// because this crate is an FFI binding: see "Why our own thin FFI layer" above.

mod logline;

pub use logline::MatchedRule;

#[cfg(feature = "modsecurity")]
mod ffi;
#[cfg(feature = "modsecurity")]
pub mod libinjection;
#[cfg(feature = "modsecurity")]
mod modsec;

#[cfg(feature = "modsecurity")]
pub use modsec::{Error, Intervention, ModSecurity, Rules, Transaction, CONNECTOR_INFO};
