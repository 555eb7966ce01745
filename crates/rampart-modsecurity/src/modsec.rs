//! Safe owners of libmodsecurity's three objects: the engine ([`ModSecurity`]), a rule set
//! ([`Rules`]) and a transaction ([`Transaction`]).
//!
//! Each wrapper owns exactly one C object and frees it in `Drop`; the sharing rules the C++
//! library needs (see the crate docs) are expressed as `Send`/`Sync` and as `&mut self`
//! where the library mutates.

use core::ffi::{c_char, c_int, c_void, CStr};
use std::ffi::CString;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::ffi;
use crate::logline::MatchedRule;

/// What can go wrong talking to libmodsecurity.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `msc_init` returned NULL.
    #[error("libmodsecurity could not be initialised (msc_init returned NULL)")]
    Init,
    /// `msc_create_rules_set` returned NULL.
    #[error("libmodsecurity could not create a rule set")]
    CreateRules,
    /// `msc_new_transaction_with_id` returned NULL.
    #[error("libmodsecurity could not create a transaction")]
    CreateTransaction,
    /// Rules did not load; `message` is libmodsecurity's parser error.
    #[error("rules from {origin} did not load: {message}")]
    Rules {
        /// The file, or `inline rules`.
        origin: String,
        /// What libmodsecurity said.
        message: String,
    },
    /// An argument has a NUL byte where the C API takes a C string.
    #[error("{what} contains a NUL byte, which libmodsecurity's C API cannot take")]
    Nul {
        /// Which argument.
        what: &'static str,
    },
    /// A processing call returned false ("operation failed" in the C API's terms).
    #[error("{function} reported failure")]
    Call {
        /// The C function.
        function: &'static str,
    },
}

fn c_string(bytes: impl Into<Vec<u8>>, what: &'static str) -> Result<CString, Error> {
    CString::new(bytes).map_err(|_| Error::Nul { what })
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing panics while these locks are held; a poisoned one still guards valid data.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Copies and frees a string libmodsecurity `strdup`ed for the caller.
///
/// # Safety
/// `ptr` is NULL or a `malloc`ed NUL-terminated string that nothing else will use or free.
unsafe fn take_c_string(ptr: *mut c_char) -> Option<String> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: per the contract, a live NUL-terminated string.
    let text = String::from_utf8_lossy(unsafe { CStr::from_ptr(ptr) }.to_bytes()).into_owned();
    // SAFETY: per the contract, ours to free, with the allocator that strdup used.
    unsafe { ffi::free(ptr.cast()) };
    Some(text)
}

// ---------------------------------------------------------------------------------------
// ModSecurity

/// The process's libmodsecurity engine (`msc_init`), with rampart's connector name and log
/// callback set.
///
/// `ModSecurity::new()` (C++) calls process-global initialisers — `xmlInitParser`,
/// `curl_global_init` — and `msc_cleanup` the matching `xmlCleanupParser`,
/// `curl_global_cleanup`, none of which may run while another thread uses libxml2 or curl.
/// So there is one instance at a time: [`ModSecurity::instance`] hands out the live one
/// and creates it when there is none; its `Drop` (when the last `Arc` goes, transactions
/// included) runs `msc_cleanup`, and a new instance is only created once that has finished.
pub struct ModSecurity {
    ptr: NonNull<ffi::ModSecurity>,
    who_am_i: String,
}

// SAFETY: the C++ object has no thread affinity (no thread-locals; it is created in one
// nginx worker and used from any). Moving the owner to another thread is fine.
unsafe impl Send for ModSecurity {}
// SAFETY: everything this wrapper writes into the object — connector info, log callback —
// is written once, in `instance`, before the object is shared. After that transactions only
// read it (`m_logCb`, `m_logProperties`, `m_connector`); `whoAmI`, which writes a cached
// string, is called once at creation and its result kept here. The persistent collections
// the object owns (GLOBAL, IP, …) are updated by transactions under the library's own lock
// (see the crate docs for the 3.0.9 caveat on reading them).
unsafe impl Sync for ModSecurity {}

struct Registry {
    live: Weak<ModSecurity>,
    /// True from `msc_cleanup` of the last instance until the next one is made.
    clean: bool,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    live: Weak::new(),
    clean: true,
});
static CLEANED: Condvar = Condvar::new();

/// Serialises rule parsing across the process: libmodsecurity's bison/flex parser keeps
/// global state, and two rule sets loading at once crash it (ModSecurity #2536, #3138).
static PARSER: Mutex<()> = Mutex::new(());

/// What rampart tells libmodsecurity it is (`msc_set_connector_info`).
pub const CONNECTOR_INFO: &str = concat!("rampart-modsecurity v", env!("CARGO_PKG_VERSION"));

impl ModSecurity {
    /// The live engine, created (msc_init, msc_set_connector_info, msc_set_log_cb) if there is
    /// none.
    pub fn instance() -> Result<Arc<ModSecurity>, Error> {
        let mut registry = lock(&REGISTRY);
        loop {
            if let Some(live) = registry.live.upgrade() {
                return Ok(live);
            }
            if registry.clean {
                break;
            }
            // The last instance's Arc is gone but its Drop has not finished msc_cleanup:
            // wait, so that init and cleanup never overlap.
            registry = CLEANED
                .wait(registry)
                .unwrap_or_else(PoisonError::into_inner);
        }
        let connector = c_string(CONNECTOR_INFO, "connector info")?;
        // SAFETY: no arguments; returns a new object or NULL.
        let raw = unsafe { ffi::msc_init() };
        let ptr = NonNull::new(raw).ok_or(Error::Init)?;
        // SAFETY: `ptr` is the live object just created and not yet shared; the string is
        // copied into a std::string by the callee.
        unsafe { ffi::msc_set_connector_info(ptr.as_ptr(), connector.as_ptr()) };
        // SAFETY: as above; `log_callback` is a plain `extern "C"` function that lives for the
        // whole program.
        unsafe { ffi::msc_set_log_cb(ptr.as_ptr(), Some(log_callback)) };
        // SAFETY: as above; the returned pointer is to a string owned by the object, read
        // before anything else can touch it.
        let who = unsafe { ffi::msc_who_am_i(ptr.as_ptr()) };
        let who_am_i = if who.is_null() {
            String::new()
        } else {
            // SAFETY: non-null, NUL-terminated, owned by the live object.
            String::from_utf8_lossy(unsafe { CStr::from_ptr(who) }.to_bytes()).into_owned()
        };
        let engine = Arc::new(ModSecurity { ptr, who_am_i });
        registry.live = Arc::downgrade(&engine);
        registry.clean = false;
        Ok(engine)
    }

    /// libmodsecurity's version line, e.g. `ModSecurity v3.0.9 (Linux)`.
    pub fn who_am_i(&self) -> &str {
        &self.who_am_i
    }
}

impl Drop for ModSecurity {
    fn drop(&mut self) {
        let mut registry = lock(&REGISTRY);
        // SAFETY: the object is ours; no transaction is left (each holds an Arc), and the
        // registry lock keeps msc_init from running at the same time.
        unsafe { ffi::msc_cleanup(self.ptr.as_ptr()) };
        registry.clean = true;
        CLEANED.notify_all();
    }
}

impl std::fmt::Debug for ModSecurity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModSecurity")
            .field("who_am_i", &self.who_am_i)
            .finish()
    }
}

// ---------------------------------------------------------------------------------------
// Rules

/// A rule set (`msc_create_rules_set`): directives and rules, loaded with `&mut self`, then
/// shared read-only (usually in an `Arc`) by any number of concurrent transactions.
pub struct Rules {
    ptr: NonNull<ffi::RulesSet>,
    /// libmodsecurity's accumulated parser error text as of the last failure.
    reported_errors: String,
}

// SAFETY: no thread affinity; a rule set built in one thread may be used and freed in another.
unsafe impl Send for Rules {}
// SAFETY: only the loading methods write to the rule set, and they take `&mut self`; through
// `&Rules` the only use is as the rule set of transactions, which libmodsecurity v3 supports
// from many threads at once ("Once the rules are loaded multiple requests can share the same
// RulesSet object", ModSecurity #2536, #3215).
unsafe impl Sync for Rules {}

impl Rules {
    /// An empty rule set.
    pub fn new() -> Result<Rules, Error> {
        // SAFETY: no arguments; returns a new object or NULL.
        let raw = unsafe { ffi::msc_create_rules_set() };
        let ptr = NonNull::new(raw).ok_or(Error::CreateRules)?;
        Ok(Rules {
            ptr,
            reported_errors: String::new(),
        })
    }

    /// Adds rules and directives from text (`msc_rules_add`); `Include` and `@pmFromFile`
    /// paths are relative to the working directory. Returns how many rules were added.
    pub fn add(&mut self, rules: &str) -> Result<usize, Error> {
        let text = c_string(rules, "rule text")?;
        self.load("inline rules".to_owned(), |set, error| {
            // SAFETY: `set` is our live rule set, exclusively borrowed; `text` is a valid C
            // string for the call; `error` is a valid out-pointer.
            unsafe { ffi::msc_rules_add(set, text.as_ptr(), error) }
        })
    }

    /// Adds rules from a file (`msc_rules_add_file`); its `Include`s and data files are found
    /// relative to it. Returns how many rules were added.
    pub fn add_file(&mut self, path: impl AsRef<Path>) -> Result<usize, Error> {
        let path = path.as_ref();
        let c_path = c_string(path.as_os_str().as_encoded_bytes(), "rule file path")?;
        self.load(path.display().to_string(), |set, error| {
            // SAFETY: as in `add`, with the path as the C string.
            unsafe { ffi::msc_rules_add_file(set, c_path.as_ptr(), error) }
        })
    }

    fn load(
        &mut self,
        origin: String,
        call: impl FnOnce(*mut ffi::RulesSet, *mut *const c_char) -> c_int,
    ) -> Result<usize, Error> {
        let mut error: *const c_char = ptr::null();
        let count = {
            let _parser = lock(&PARSER);
            call(self.ptr.as_ptr(), &mut error)
        };
        // SAFETY: on failure `error` is a strdup()ed string handed to us (rules_set.cc); on
        // success it is still NULL.
        let message = unsafe { take_c_string(error.cast_mut()) };
        if count < 0 {
            let full = message.unwrap_or_default();
            // RulesSet appends every parser error to one stream and returns all of it, so a
            // second failure would repeat the first one's text: report only the new part.
            let fresh = match full.strip_prefix(self.reported_errors.as_str()) {
                Some(new) if !self.reported_errors.is_empty() && !new.trim().is_empty() => new,
                _ => full.as_str(),
            };
            let message = fresh.trim().to_owned();
            self.reported_errors = full;
            return Err(Error::Rules { origin, message });
        }
        Ok(usize::try_from(count).unwrap_or(0))
    }
}

impl Drop for Rules {
    fn drop(&mut self) {
        // SAFETY: the rule set is ours and, since every transaction holds an `Arc<Rules>`,
        // no transaction uses it any more.
        unsafe { ffi::msc_rules_cleanup(self.ptr.as_ptr()) };
    }
}

impl std::fmt::Debug for Rules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rules").finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------------------
// Transaction

/// Where a transaction's log callbacks land: the `logCbData` pointer given to
/// `msc_new_transaction_with_id` points at one of these, on the heap (in an `Arc`, which
/// unlike a `Box` promises no uniqueness that the C side's pointer would break) so that it does
/// not move for the transaction's whole life.
#[derive(Default)]
struct LogSink {
    records: Mutex<Vec<MatchedRule>>,
    /// The SecLang phase being processed, 0 when none.
    phase: AtomicU8,
}

impl LogSink {
    fn push(&self, line: &[u8]) {
        let mut rule = MatchedRule::parse(&String::from_utf8_lossy(line));
        if rule.phase.is_none() {
            rule.phase = match self.phase.load(Ordering::Relaxed) {
                0 => None,
                p => Some(p),
            };
        }
        lock(&self.records).push(rule);
    }
}

/// The log callback given to `msc_set_log_cb`. libmodsecurity calls it synchronously, on the
/// thread running the transaction's processing call, with that transaction's `logCbData`
/// and a text line valid only during the call (ModSecurity::serverLog, TextLogProperty).
unsafe extern "C" fn log_callback(data: *mut c_void, line: *const c_void) {
    if data.is_null() || line.is_null() {
        return;
    }
    // SAFETY: every transaction of this crate's engine is created with `logCbData` pointing
    // at its `LogSink`, which outlives the C transaction (freed after
    // msc_transaction_cleanup). Only shared access is taken; the sink's Mutex orders it.
    let sink = unsafe { &*data.cast::<LogSink>() };
    // SAFETY: with TextLogProperty the second argument is a NUL-terminated C string, alive
    // for the duration of this call; it is copied before returning.
    let text = unsafe { CStr::from_ptr(line.cast::<c_char>()) };
    // No unwinding into C++.
    let _ = catch_unwind(AssertUnwindSafe(|| sink.push(text.to_bytes())));
}

/// What ModSecurity asks the server to do (`msc_intervention`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intervention {
    /// The HTTP status to answer with (403 for a plain `deny`).
    pub status: i32,
    /// `pause` in milliseconds (0 unless a rule asked for one).
    pub pause: i32,
    /// Where a `redirect` goes.
    pub url: Option<String>,
    /// The log line of the disruptive rule.
    pub log: Option<String>,
    /// Whether the request must be stopped.
    pub disruptive: bool,
    /// `log` parsed.
    pub rule: Option<MatchedRule>,
}

static TRANSACTIONS: AtomicU64 = AtomicU64::new(0);

/// One HTTP transaction run through libmodsecurity (`msc_new_transaction_with_id`).
///
/// Call the processing methods in HTTP order, checking [`Transaction::intervention`] after
/// each. Byte-slice arguments go through the length-taking `_n` C functions where
/// libmodsecurity has them (headers, bodies), so NUL bytes and non-UTF-8 reach the rules
/// intact; the C-string arguments (uri, method, addresses) refuse NUL bytes with
/// [`Error::Nul`].
pub struct Transaction {
    ptr: NonNull<ffi::Transaction>,
    sink: Arc<LogSink>,
    id: String,
    // Kept alive for as long as the C transaction points at them; dropped after `drop`.
    _engine: Arc<ModSecurity>,
    _rules: Arc<Rules>,
}

// SAFETY: a C++ Transaction has no thread affinity, so it may move between threads between
// calls (a request handled by an async task). It is not `Sync`: all use goes through
// `&mut self`, one thread at a time, as libmodsecurity requires of a transaction. The log
// sink it points libmodsecurity at is behind a Mutex.
unsafe impl Send for Transaction {}

impl Transaction {
    /// A transaction with a generated id.
    pub fn new(engine: &Arc<ModSecurity>, rules: &Arc<Rules>) -> Result<Transaction, Error> {
        let n = TRANSACTIONS.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        Self::with_id(engine, rules, &format!("{nanos:x}-{n}"))
    }

    /// A transaction whose `UNIQUE_ID` is `id`.
    pub fn with_id(
        engine: &Arc<ModSecurity>,
        rules: &Arc<Rules>,
        id: &str,
    ) -> Result<Transaction, Error> {
        let c_id = c_string(id, "transaction id")?;
        let sink = Arc::<LogSink>::default();
        let data: *const LogSink = Arc::as_ptr(&sink);
        // SAFETY: engine and rules are live (and kept alive by the Arcs stored below); the
        // id is copied into a std::string by the constructor (the C API takes `char *` but
        // does not write to it); `data` points at the sink, which is stored in the returned
        // Transaction and outlives the C transaction.
        let raw = unsafe {
            ffi::msc_new_transaction_with_id(
                engine.ptr.as_ptr(),
                rules.ptr.as_ptr(),
                c_id.as_ptr().cast_mut(),
                data.cast_mut().cast(),
            )
        };
        let ptr = NonNull::new(raw).ok_or(Error::CreateTransaction)?;
        Ok(Transaction {
            ptr,
            sink,
            id: id.to_owned(),
            _engine: Arc::clone(engine),
            _rules: Arc::clone(rules),
        })
    }

    /// The transaction's id (`UNIQUE_ID`).
    pub fn id(&self) -> &str {
        &self.id
    }

    fn check(ret: c_int, function: &'static str) -> Result<(), Error> {
        if ret == 0 {
            Err(Error::Call { function })
        } else {
            Ok(())
        }
    }

    fn set_phase(&self, phase: u8) {
        self.sink.phase.store(phase, Ordering::Relaxed);
    }

    /// `msc_process_connection`: the client's and server's addresses and ports.
    pub fn process_connection(
        &mut self,
        client_ip: &str,
        client_port: u16,
        server_ip: &str,
        server_port: u16,
    ) -> Result<(), Error> {
        let client = c_string(client_ip, "client address")?;
        let server = c_string(server_ip, "server address")?;
        self.set_phase(0);
        // SAFETY: our live transaction, used from this thread only (`&mut self`); the strings
        // are valid for the call and copied by the callee.
        let ret = unsafe {
            ffi::msc_process_connection(
                self.ptr.as_ptr(),
                client.as_ptr(),
                c_int::from(client_port),
                server.as_ptr(),
                c_int::from(server_port),
            )
        };
        Self::check(ret, "msc_process_connection")
    }

    /// `msc_process_uri`: the request target as sent (path and query, not decoded), the
    /// method (`GET`) and the HTTP version without the `HTTP/` (`1.1`).
    pub fn process_uri(
        &mut self,
        uri: impl AsRef<[u8]>,
        method: &str,
        http_version: &str,
    ) -> Result<(), Error> {
        let uri = c_string(uri.as_ref(), "uri")?;
        let method = c_string(method, "method")?;
        let version = c_string(http_version, "HTTP version")?;
        self.set_phase(0);
        // SAFETY: as in `process_connection`.
        let ret = unsafe {
            ffi::msc_process_uri(
                self.ptr.as_ptr(),
                uri.as_ptr(),
                method.as_ptr(),
                version.as_ptr(),
            )
        };
        Self::check(ret, "msc_process_uri")
    }

    /// `msc_add_n_request_header`: one request header, bytes as received.
    pub fn add_request_header(
        &mut self,
        name: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> Result<(), Error> {
        let (name, value) = (name.as_ref(), value.as_ref());
        // SAFETY: our live transaction (`&mut self`); the slices are valid for their lengths
        // and copied by the callee (std::string(key, len)).
        let ret = unsafe {
            ffi::msc_add_n_request_header(
                self.ptr.as_ptr(),
                name.as_ptr(),
                name.len(),
                value.as_ptr(),
                value.len(),
            )
        };
        Self::check(ret, "msc_add_n_request_header")
    }

    /// `msc_process_request_headers`: runs phase 1.
    pub fn process_request_headers(&mut self) -> Result<(), Error> {
        self.set_phase(1);
        // SAFETY: our live transaction (`&mut self`).
        let ret = unsafe { ffi::msc_process_request_headers(self.ptr.as_ptr()) };
        Self::check(ret, "msc_process_request_headers")
    }

    /// `msc_append_request_body`: a piece of the request body (may be called repeatedly).
    pub fn append_request_body(&mut self, body: &[u8]) -> Result<(), Error> {
        // SAFETY: our live transaction (`&mut self`); the slice is valid for its length and
        // copied into the transaction's body buffer.
        let ret =
            unsafe { ffi::msc_append_request_body(self.ptr.as_ptr(), body.as_ptr(), body.len()) };
        Self::check(ret, "msc_append_request_body")
    }

    /// `msc_process_request_body`: parses the body and runs phase 2.
    pub fn process_request_body(&mut self) -> Result<(), Error> {
        self.set_phase(2);
        // SAFETY: our live transaction (`&mut self`).
        let ret = unsafe { ffi::msc_process_request_body(self.ptr.as_ptr()) };
        Self::check(ret, "msc_process_request_body")
    }

    /// `msc_add_n_response_header`: one response header.
    pub fn add_response_header(
        &mut self,
        name: impl AsRef<[u8]>,
        value: impl AsRef<[u8]>,
    ) -> Result<(), Error> {
        let (name, value) = (name.as_ref(), value.as_ref());
        // SAFETY: as in `add_request_header`.
        let ret = unsafe {
            ffi::msc_add_n_response_header(
                self.ptr.as_ptr(),
                name.as_ptr(),
                name.len(),
                value.as_ptr(),
                value.len(),
            )
        };
        Self::check(ret, "msc_add_n_response_header")
    }

    /// `msc_process_response_headers`: the status and protocol (`HTTP 1.1`); runs phase 3.
    pub fn process_response_headers(&mut self, status: u16, protocol: &str) -> Result<(), Error> {
        let protocol = c_string(protocol, "protocol")?;
        self.set_phase(3);
        // SAFETY: our live transaction (`&mut self`); the string is valid for the call and
        // copied.
        let ret = unsafe {
            ffi::msc_process_response_headers(
                self.ptr.as_ptr(),
                c_int::from(status),
                protocol.as_ptr(),
            )
        };
        Self::check(ret, "msc_process_response_headers")
    }

    /// `msc_append_response_body`: a piece of the response body.
    pub fn append_response_body(&mut self, body: &[u8]) -> Result<(), Error> {
        // SAFETY: as in `append_request_body`.
        let ret =
            unsafe { ffi::msc_append_response_body(self.ptr.as_ptr(), body.as_ptr(), body.len()) };
        Self::check(ret, "msc_append_response_body")
    }

    /// `msc_process_response_body`: runs phase 4.
    pub fn process_response_body(&mut self) -> Result<(), Error> {
        self.set_phase(4);
        // SAFETY: our live transaction (`&mut self`).
        let ret = unsafe { ffi::msc_process_response_body(self.ptr.as_ptr()) };
        Self::check(ret, "msc_process_response_body")
    }

    /// `msc_update_status_code`: the status actually sent, when it differs from the one given
    /// to [`Transaction::process_response_headers`].
    pub fn update_status_code(&mut self, status: u16) -> Result<(), Error> {
        // SAFETY: our live transaction (`&mut self`).
        let ret = unsafe { ffi::msc_update_status_code(self.ptr.as_ptr(), c_int::from(status)) };
        Self::check(ret, "msc_update_status_code")
    }

    /// `msc_process_logging`: runs phase 5 and writes the audit log, if configured.
    pub fn process_logging(&mut self) -> Result<(), Error> {
        self.set_phase(5);
        // SAFETY: our live transaction (`&mut self`).
        let ret = unsafe { ffi::msc_process_logging(self.ptr.as_ptr()) };
        Self::check(ret, "msc_process_logging")
    }

    /// `msc_intervention`: `Some` when ModSecurity wants the request stopped (or redirected).
    /// libmodsecurity resets its pending intervention when it reports one, so each is
    /// returned once. Its log line is also added to [`Transaction::matched_rules`], since
    /// libmodsecurity does not send disruptive matches to the log callback.
    pub fn intervention(&mut self) -> Option<Intervention> {
        let mut it = ffi::ModSecurityIntervention {
            status: 200,
            pause: 0,
            url: ptr::null_mut(),
            log: ptr::null_mut(),
            disruptive: 0,
        };
        // SAFETY: our live transaction (`&mut self`); `it` is a valid, initialised struct the
        // callee fills in.
        unsafe { ffi::msc_intervention(self.ptr.as_ptr(), &mut it) };
        // SAFETY: `url` and `log` are NULL or strdup()ed copies that belong to us
        // (Transaction::intervention in transaction.cc); each is freed exactly once here.
        let (url, log) = unsafe { (take_c_string(it.url), take_c_string(it.log)) };
        if it.disruptive == 0 {
            return None;
        }
        let rule = log.as_deref().map(MatchedRule::parse);
        if let Some(rule) = &rule {
            lock(&self.sink.records).push(rule.clone());
        }
        Some(Intervention {
            status: it.status,
            pause: it.pause,
            url,
            log,
            disruptive: true,
            rule,
        })
    }

    /// The rule matches logged so far: every log-callback line of this transaction, then
    /// the log line of each intervention fetched, in order.
    pub fn matched_rules(&self) -> Vec<MatchedRule> {
        lock(&self.sink.records).clone()
    }

    /// Like [`Transaction::matched_rules`], emptying the list.
    pub fn take_matched_rules(&mut self) -> Vec<MatchedRule> {
        std::mem::take(&mut *lock(&self.sink.records))
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        // SAFETY: the transaction is ours and used by nobody else (`&mut self`); the log sink,
        // engine and rule set it points at are fields dropped only after this.
        unsafe { ffi::msc_transaction_cleanup(self.ptr.as_ptr()) };
    }
}

impl std::fmt::Debug for Transaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transaction")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}
