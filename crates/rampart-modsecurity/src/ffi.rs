//! Hand-written declarations of the part of libmodsecurity's C API this crate calls.
//!
//! Each one is copied from Debian's 3.0.9 headers (`/usr/include/modsecurity/modsecurity.h`,
//! `rules_set.h`, `transaction.h`, `intervention.h`), with the C types spelt as `core::ffi`
//! types. There is no bindgen: the headers are C++ with C entry points, a dozen functions are
//! needed, and a generated file would drag libclang into every build for no gain. Every
//! declaration is used, so the link itself fails if the installed library lacks a symbol;
//! argument and return types are what the link cannot check, hence the header comparison.
//!
//! libinjection is not part of the public API: libmodsecurity bundles its own copy
//! (`others/libinjection`) and the shared object exports it. Its declarations follow
//! libinjection's `libinjection.h` / `libinjection_sqli.h`; see [`SqliState`] for how the
//! state layout was checked against the binary.

use core::ffi::{c_char, c_int, c_uchar, c_void};

/// `ModSecurity` (`modsecurity.h`), opaque.
#[repr(C)]
pub struct ModSecurity {
    _opaque: [u8; 0],
}

/// `RulesSet` (`rules_set.h`), opaque.
#[repr(C)]
pub struct RulesSet {
    _opaque: [u8; 0],
}

/// `Transaction` (`transaction.h`), opaque.
#[repr(C)]
pub struct Transaction {
    _opaque: [u8; 0],
}

/// `ModSecurityIntervention` (`intervention.h`): the one struct the API hands back by value.
/// `url` and `log` are `strdup`ed by `Transaction::intervention` when set and belong to the
/// caller, who frees them with `free` (3.0.9 has no `msc_intervention_cleanup`).
#[repr(C)]
pub struct ModSecurityIntervention {
    pub status: c_int,
    pub pause: c_int,
    pub url: *mut c_char,
    pub log: *mut c_char,
    pub disruptive: c_int,
}

/// `ModSecLogCb` (`modsecurity.h`): `void (*)(void *, const void *)`. With
/// `msc_set_log_cb` the second argument is a NUL-terminated text line (TextLogProperty).
pub type ModSecLogCb = Option<unsafe extern "C" fn(*mut c_void, *const c_void)>;

extern "C" {
    // modsecurity.h
    pub fn msc_init() -> *mut ModSecurity;
    pub fn msc_who_am_i(msc: *mut ModSecurity) -> *const c_char;
    pub fn msc_set_connector_info(msc: *mut ModSecurity, connector: *const c_char);
    pub fn msc_set_log_cb(msc: *mut ModSecurity, cb: ModSecLogCb);
    pub fn msc_cleanup(msc: *mut ModSecurity);

    // rules_set.h
    pub fn msc_create_rules_set() -> *mut RulesSet;
    pub fn msc_rules_add_file(
        rules: *mut RulesSet,
        file: *const c_char,
        error: *mut *const c_char,
    ) -> c_int;
    pub fn msc_rules_add(
        rules: *mut RulesSet,
        plain_rules: *const c_char,
        error: *mut *const c_char,
    ) -> c_int;
    pub fn msc_rules_cleanup(rules: *mut RulesSet) -> c_int;

    // transaction.h
    pub fn msc_new_transaction_with_id(
        ms: *mut ModSecurity,
        rules: *mut RulesSet,
        id: *mut c_char,
        log_cb_data: *mut c_void,
    ) -> *mut Transaction;
    pub fn msc_process_connection(
        transaction: *mut Transaction,
        client: *const c_char,
        c_port: c_int,
        server: *const c_char,
        s_port: c_int,
    ) -> c_int;
    pub fn msc_process_uri(
        transaction: *mut Transaction,
        uri: *const c_char,
        protocol: *const c_char,
        http_version: *const c_char,
    ) -> c_int;
    pub fn msc_add_n_request_header(
        transaction: *mut Transaction,
        key: *const c_uchar,
        len_key: usize,
        value: *const c_uchar,
        len_value: usize,
    ) -> c_int;
    pub fn msc_process_request_headers(transaction: *mut Transaction) -> c_int;
    pub fn msc_append_request_body(
        transaction: *mut Transaction,
        body: *const c_uchar,
        size: usize,
    ) -> c_int;
    pub fn msc_process_request_body(transaction: *mut Transaction) -> c_int;
    pub fn msc_add_n_response_header(
        transaction: *mut Transaction,
        key: *const c_uchar,
        len_key: usize,
        value: *const c_uchar,
        len_value: usize,
    ) -> c_int;
    pub fn msc_process_response_headers(
        transaction: *mut Transaction,
        code: c_int,
        protocol: *const c_char,
    ) -> c_int;
    pub fn msc_append_response_body(
        transaction: *mut Transaction,
        body: *const c_uchar,
        size: usize,
    ) -> c_int;
    pub fn msc_process_response_body(transaction: *mut Transaction) -> c_int;
    pub fn msc_process_logging(transaction: *mut Transaction) -> c_int;
    pub fn msc_intervention(
        transaction: *mut Transaction,
        it: *mut ModSecurityIntervention,
    ) -> c_int;
    pub fn msc_update_status_code(transaction: *mut Transaction, status: c_int) -> c_int;
    pub fn msc_transaction_cleanup(transaction: *mut Transaction);

    // libinjection.h, as bundled in libmodsecurity
    pub fn libinjection_sqli(s: *const c_char, slen: usize, fingerprint: *mut c_char) -> c_int;
    pub fn libinjection_xss(s: *const c_char, slen: usize) -> c_int;
    pub fn libinjection_version() -> *const c_char;
    // libinjection_sqli.h, as bundled in libmodsecurity
    pub fn libinjection_sqli_init(
        state: *mut SqliState,
        s: *const c_char,
        slen: usize,
        flags: c_int,
    );
    pub fn libinjection_sqli_fingerprint(state: *mut SqliState, flags: c_int) -> *const c_char;

    // libc: the strings libmodsecurity strdup()s for us (rule errors, intervention url/log).
    pub fn free(ptr: *mut c_void);
}

/// One token of `struct libinjection_sqli_token` in the copy bundled with libmodsecurity
/// 3.0.9: `size_t pos; size_t len; int count; char type, str_open, str_close; char val[32];`
/// (56 bytes). Only its size matters here.
#[repr(C)]
pub struct SqliToken {
    pub pos: usize,
    pub len: usize,
    pub count: c_int,
    pub kind: c_char,
    pub str_open: c_char,
    pub str_close: c_char,
    pub val: [c_char; 32],
}

/// `struct libinjection_sqli_state`. `libinjection_sqli_fingerprint` needs the caller to
/// own one, so its size must be right. The field list is libinjection's; the numbers were
/// checked against the 3.0.9 binary with `objdump -d`: `libinjection_sqli` reserves 0x238
/// bytes of stack for one state with the stack guard at 0x228 (so the state fits in 552
/// bytes), copies the fingerprint from offset 0x1f8, and `libinjection_sqli_fingerprint`
/// walks tokens 0x38 bytes apart starting at 0x30 — all as this layout gives (size 544).
#[repr(C)]
pub struct SqliState {
    pub s: *const c_char,
    pub slen: usize,
    pub lookup: *const c_void,
    pub userdata: *mut c_void,
    pub flags: c_int,
    pub pos: usize,
    pub tokenvec: [SqliToken; 8],
    pub current: *mut SqliToken,
    pub fingerprint: [c_char; 8],
    pub reason: c_int,
    pub stats_comment_ddw: c_int,
    pub stats_comment_ddx: c_int,
    pub stats_comment_c: c_int,
    pub stats_comment_hash: c_int,
    pub stats_folds: c_int,
    pub stats_tokens: c_int,
}

const _: () = {
    assert!(core::mem::size_of::<SqliToken>() == 0x38);
    assert!(core::mem::size_of::<SqliState>() == 544);
    assert!(core::mem::offset_of!(SqliState, tokenvec) == 0x30);
    assert!(core::mem::offset_of!(SqliState, fingerprint) == 0x1f8);
};
