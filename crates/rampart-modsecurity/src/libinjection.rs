//! libinjection as libmodsecurity runs it.
//!
//! ModSecurity's `@detectSQLi` and `@detectXSS` call the libinjection copy bundled in
//! libmodsecurity (`others/libinjection`, exported by Debian's `libmodsecurity.so.3`). rampart's
//! native engine calls the pure-Rust port `libinjectionrs` instead. These safe functions expose
//! the C copy so that the two can be compared verdict for verdict and fingerprint for
//! fingerprint (see `tests/libinjection_fidelity.rs`): any difference there is a difference
//! between rampart and ModSecurity on every rule that uses the operators.
//!
//! All three are pure functions over their input with the state on the caller's stack, so
//! they may be called from any number of threads at once.

use core::ffi::{c_char, c_int, CStr};
use std::mem::MaybeUninit;

use crate::ffi;

/// `FLAG_QUOTE_NONE`: the input is not inside a string literal.
pub const FLAG_QUOTE_NONE: i32 = 1;
/// `FLAG_QUOTE_SINGLE`: read the input as if it followed a `'`.
pub const FLAG_QUOTE_SINGLE: i32 = 2;
/// `FLAG_QUOTE_DOUBLE`: read the input as if it followed a `"`.
pub const FLAG_QUOTE_DOUBLE: i32 = 4;
/// `FLAG_SQL_ANSI`: ANSI comments (`--x` is a comment).
pub const FLAG_SQL_ANSI: i32 = 8;
/// `FLAG_SQL_MYSQL`: MySQL comments (`--x` is two minus signs).
pub const FLAG_SQL_MYSQL: i32 = 16;

/// A pointer and length libinjection can read: an empty slice becomes a pointer to a NUL,
/// never a dangling one.
fn raw(input: &[u8]) -> (*const c_char, usize) {
    if input.is_empty() {
        (c"".as_ptr(), 0)
    } else {
        (input.as_ptr().cast(), input.len())
    }
}

/// `libinjection_sqli(s, len, fingerprint)`, exactly as ModSecurity's `@detectSQLi` calls it:
/// the verdict, and the fingerprint when the verdict is SQLi (ModSecurity puts it in `TX:0`).
pub fn detect_sqli(input: &[u8]) -> (bool, Option<String>) {
    let (ptr, len) = raw(input);
    let mut fingerprint = [0 as c_char; 8];
    // SAFETY: `ptr` is valid for `len` bytes (or points at a NUL when `len` is 0) and
    // libinjection only reads them; `fingerprint` is the 8-byte buffer the API writes at most
    // a 5-character fingerprint plus NUL into (ModSecurity passes the same `char[8]`).
    let is_sqli = unsafe { ffi::libinjection_sqli(ptr, len, fingerprint.as_mut_ptr()) } != 0;
    if !is_sqli {
        return (false, None);
    }
    let bytes: Vec<u8> = fingerprint
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    (true, Some(String::from_utf8_lossy(&bytes).into_owned()))
}

/// `libinjection_xss(s, len)`, as ModSecurity's `@detectXSS` calls it.
pub fn detect_xss(input: &[u8]) -> bool {
    let (ptr, len) = raw(input);
    // SAFETY: `ptr` is valid for `len` bytes (or points at a NUL when `len` is 0); libinjection
    // only reads them.
    unsafe { ffi::libinjection_xss(ptr, len) != 0 }
}

/// The fingerprint of one parsing context (`libinjection_sqli_init` then
/// `libinjection_sqli_fingerprint(state, flags)`), whether or not it is SQLi: a finer probe
/// than [`detect_sqli`], which only reports the fingerprint of the context that matched.
/// `flags` is a `FLAG_QUOTE_*` constant or-ed with a `FLAG_SQL_*` one; 0 means
/// `FLAG_QUOTE_NONE | FLAG_SQL_ANSI`, as in libinjection.
pub fn sqli_fingerprint(input: &[u8], flags: i32) -> String {
    let (ptr, len) = raw(input);
    let mut state = MaybeUninit::<ffi::SqliState>::uninit();
    // SAFETY: `state` has the size and layout of `struct libinjection_sqli_state` (asserted in
    // `ffi`); `libinjection_sqli_init` initialises every field it later reads, keeps `ptr`
    // (valid for `len` bytes, only read) for the calls below, which happen while `input` is
    // borrowed.
    unsafe { ffi::libinjection_sqli_init(state.as_mut_ptr(), ptr, len, 0) };
    // SAFETY: the state was initialised just above; the function returns a pointer to the
    // state's own NUL-terminated `fingerprint` field.
    let fp = unsafe { ffi::libinjection_sqli_fingerprint(state.as_mut_ptr(), flags as c_int) };
    if fp.is_null() {
        return String::new();
    }
    // SAFETY: `fp` points into `state`, which is alive, and is NUL-terminated within its 8
    // bytes.
    let fp = unsafe { CStr::from_ptr(fp) };
    String::from_utf8_lossy(fp.to_bytes()).into_owned()
}

/// The bundled libinjection's version string (`libinjection_version()`).
pub fn version() -> String {
    // SAFETY: returns a pointer to a static NUL-terminated string.
    let v = unsafe { ffi::libinjection_version() };
    if v.is_null() {
        return String::new();
    }
    // SAFETY: non-null, static and NUL-terminated (see above).
    let v = unsafe { CStr::from_ptr(v) };
    String::from_utf8_lossy(v.to_bytes()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_payloads() {
        let (sqli, fp) = detect_sqli(b"1' OR '1'='1");
        assert!(sqli);
        assert_eq!(fp.as_deref(), Some("s&sos"));
        assert_eq!(detect_sqli(b"hello world"), (false, None));
        assert_eq!(detect_sqli(b""), (false, None));
        assert!(detect_xss(b"<script>alert(1)</script>"));
        assert!(!detect_xss(b"hello"));
        assert!(!detect_xss(b""));
        assert!(!version().is_empty());
    }

    #[test]
    fn single_context_fingerprints() {
        assert_eq!(sqli_fingerprint(b"1 UNION SELECT 2", 0), "1UE1");
        assert_eq!(
            sqli_fingerprint(b"1' OR '1'='1", FLAG_QUOTE_SINGLE | FLAG_SQL_ANSI),
            "s&sos"
        );
        assert_eq!(sqli_fingerprint(b"", 0), "");
    }
}
