//! A transaction: one request/response exchange evaluated against a rule set.
//!
//! The lifecycle is ModSecurity's: connection → request line → request headers → phase 1 →
//! request body (in chunks) → phase 2 → response status and headers → phase 3 → response body
//! → phase 4 → phase 5. Each `process_*` call returns the intervention, if a rule decided one.
//! A transaction owns everything it computes; the rule set is shared read-only through an
//! `Arc` by any number of transactions on any threads.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use rampart_seclang::{
    AllowScope, AuditEngine, BodyProcessor, EngineMode, IdRange, Phase, Severity, Variable,
};

use crate::byte_set::ByteSet;
use crate::collection::Bytes;
use crate::persist::{default_store, CollectionStore};
use crate::ruleset::RuleSet;
pub(crate) use value_facts::{ValueFacts, ValueMap};

mod address_hash;
mod evaluate;
mod phase_summaries;
mod removals;
mod resolve;
mod spare;
pub(crate) mod state;
mod value_facts;

use state::State;

/// What the engine decided to do with the exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intervention {
    /// HTTP status to answer with (for `redirect`, the redirect status).
    pub status: u16,
    /// `redirect`'s target.
    pub url: Option<String>,
    /// `drop`: close the connection without answering.
    pub drop: bool,
    pub rule_id: u64,
    pub phase: u8,
    /// The log line's summary, e.g. `Access denied with code 403 (phase 2)`.
    pub message: String,
}

/// A rule (chain) that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedRule {
    pub id: u64,
    pub phase: u8,
    pub msg: String,
    /// `logdata`, macros expanded.
    pub data: String,
    pub severity: Option<Severity>,
    /// Shared with the rule set: recording a match copies no strings.
    pub tags: Arc<[String]>,
    pub ver: Option<Arc<str>>,
    pub rev: Option<Arc<str>>,
    pub maturity: Option<u8>,
    pub accuracy: Option<u8>,
    pub file: Arc<str>,
    pub line: u32,
    /// e.g. `ARGS:id`.
    pub matched_var_name: String,
    pub matched_var: Vec<u8>,
    /// ModSecurity's `Matched "Operator …" against variable …` text.
    ///
    pub match_message: String,
    /// Whether ModSecurity would write it to the error log (`log`/`nolog`). When not, the
    /// match was disruptive.
    pub logged: bool,
    /// Whether the rule's disruptive action was carried out.
    pub disruptive: bool,
}

/// Outcome of appending body bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyStatus {
    /// Kept for inspection.
    Accepted,
    /// Over the limit with `ProcessPartial`: the rest is not inspected.
    Truncated,
    /// Over the limit with `Reject`: the transaction has an intervention (when the engine is On).
    Rejected,
}

static TRANSACTION_COUNTER: AtomicU64 = AtomicU64::new(0);

fn new_unique_id() -> String {
    let micros = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());
    let n = TRANSACTION_COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{micros}.{n:06}")
}

/// One exchange under evaluation.
#[derive(Debug)]
pub struct Transaction {
    rules: Arc<RuleSet>,
    pub(crate) state: State,
    id: String,
    pub(crate) engine: EngineMode,
    pub(crate) request_body_access: bool,
    /// `SecAuditEngine` and `SecAuditLogParts`, after `ctl:auditEngine` / `ctl:auditLogParts`.
    pub(crate) audit_engine: AuditEngine,
    pub(crate) audit_parts: String,
    pub(crate) body_processor: Option<BodyProcessor>,
    pub(crate) force_request_body_variable: bool,
    pub(crate) removed_ids: Vec<IdRange>,
    /// By [tag number](crate::RuleSet::tag_id).
    pub(crate) removed_tags: Vec<u32>,
    pub(crate) removed_msgs: Vec<String>,
    pub(crate) removed_targets: removals::TargetRemovals,
    pub(crate) allow: Option<(AllowScope, u8)>,
    pub(crate) skip_next: u32,
    pub(crate) skip_after: Option<Arc<str>>,
    /// The matches a log can show.
    pub(crate) matched: Vec<MatchedRule>,
    /// How many matches there were in all, shown or not.
    pub(crate) match_count: u64,
    pub(crate) intervention: Option<Intervention>,
    pub(crate) current_chain: Option<u32>,
    request_body_truncated: bool,
    /// Request body bytes received (kept or not).
    pub(crate) request_body_seen: u64,
    /// The multipart parser, fed as the body arrives. Boxed: it is large and most
    /// requests have none, and it keeps the transaction's own allocation under glibc's
    /// 1 KB "large request" size, which makes malloc consolidate every chunk the previous
    /// transaction freed (a visible share of a small request).
    multipart: Option<Box<crate::body::multipart::Parser>>,
    phases_run: u8,
    pub(crate) store: Arc<dyn CollectionStore>,
    /// Persistent collections loaded by this transaction: (variable, record key), with the
    /// expiry of each variable that `expirevar` set.
    pub(crate) persistent: Vec<(Variable, Vec<u8>)>,
    pub(crate) expiries: Vec<(Variable, Vec<u8>, u64)>,
    /// Transformation results: (value address, length, chain id) → result.
    pub(crate) transform_cache: TransformCache,
    pub(crate) literal_scans: LiteralScans,
    /// Per value source, its summary for the current phase once a rule asked for it.
    pub(crate) source_literals: phase_summaries::PhaseSummaries,
    /// Spare buffers for the values a rule's targets resolve to, one per chain depth in use.
    pub(crate) value_buffers: Vec<Vec<resolve::Resolved>>,
}

pub(crate) type StepMemo =
    HashMap<(usize, usize, u32), (Bytes, Option<Bytes>), address_hash::BuildAddressHasher>;

pub(crate) type TransformCache =
    HashMap<(usize, usize, u32), Transformed, address_hash::BuildAddressHasher>;

/// A value after one transformation chain, with what the chain's prefilter found in it.
#[derive(Debug)]
pub(crate) struct Transformed {
    /// Held so that the value's address, the cache key, stays its own.
    #[allow(dead_code)]
    pub source: Bytes,
    pub result: Bytes,
}

/// What the transaction's rules learned about the values they looked at.
#[derive(Debug, Default)]
pub(crate) struct LiteralScans {
    /// (address, length) of a stored value or a transformation result → its facts. Each
    /// entry holds its value, so the address stays that value's for the transaction.
    pub values: ValueMap,
    /// Every scan's bits, end to end.
    pub bits: Vec<u64>,
    /// Scratch space for a source's union of bits.
    pub union: Vec<u64>,
    /// The positions in `values` of each stored summary's values, end to end.
    pub stored: Vec<u32>,
    /// Every distinct transformation result, by content. The content is the client's, so
    /// the hash is seeded per process; foldhash is that at a fraction of SipHash's cost.
    pub results: std::collections::HashSet<Bytes, foldhash::fast::RandomState>,
    /// (input address, length, transformation) → the input, held, and the step's result
    /// (`None`: unchanged).
    pub steps: StepMemo,
}

/// A value source's values in the current phase, summarized for the prefilter.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SourceSummary {
    /// Where the union of the values' prefilter bits starts in [`LiteralScans::bits`].
    pub at: usize,
    /// How many values the source lists.
    pub values: usize,
    /// The union of the bytes of those values as stored, before any transformation.
    pub stored_bytes: ByteSet,
    /// Where the positions of those values' facts start in [`LiteralScans::stored`].
    pub stored_at: usize,
}

impl Drop for Transaction {
    /// Hands the transaction's emptied containers to the next transaction on this thread.
    fn drop(&mut self) {
        let mut spare = spare::Spare::default();
        self.state.give_to(&mut spare);
        spare.matched = std::mem::take(&mut self.matched);
        spare.transform_cache = std::mem::take(&mut self.transform_cache);
        spare.literal_scans = std::mem::take(&mut self.literal_scans);
        spare.source_literals = std::mem::take(&mut self.source_literals);
        spare.value_buffers = std::mem::take(&mut self.value_buffers);
        spare.keep();
    }
}

impl Transaction {
    pub fn new(rules: Arc<RuleSet>) -> Self {
        Self::with_id(rules, new_unique_id())
    }

    /// A transaction whose persistent collections live in `store`.
    pub fn with_store(rules: Arc<RuleSet>, store: Arc<dyn CollectionStore>) -> Self {
        let mut tx = Self::new(rules);
        tx.store = store;
        tx
    }

    /// A transaction with a caller-chosen `UNIQUE_ID` (e.g. the proxy's request id).
    pub fn with_id(rules: Arc<RuleSet>, id: String) -> Self {
        let config = rules.config();
        let sources = rules.value_sources;
        let mut spare = spare::Spare::take().unwrap_or_default();
        let mut state = State::in_spare(&mut spare);
        state.set_scalar(Variable::UniqueId, &id);
        let mut source_literals = std::mem::take(&mut spare.source_literals);
        source_literals.reserve(sources);
        let mut matched = std::mem::take(&mut spare.matched);
        matched.reserve(128);
        let mut transform_cache = std::mem::take(&mut spare.transform_cache);
        let mut literal_scans = std::mem::take(&mut spare.literal_scans);
        // Sized for a typical request, rather than rehashed on the way up.
        transform_cache.reserve(64);
        literal_scans.values.reserve(128);
        literal_scans.bits.reserve(1024);
        literal_scans.results.reserve(64);
        literal_scans.steps.reserve(64);
        Transaction {
            engine: config.rule_engine,
            request_body_access: config.request_body_access,
            audit_engine: config.audit_engine,
            audit_parts: config.audit_log_parts.clone(),
            rules,
            state,
            id,
            body_processor: None,
            force_request_body_variable: false,
            removed_ids: Vec::new(),
            removed_tags: Vec::new(),
            removed_msgs: Vec::new(),
            removed_targets: removals::TargetRemovals::default(),
            allow: None,
            skip_next: 0,
            skip_after: None,
            matched,
            match_count: 0,
            intervention: None,
            current_chain: None,
            request_body_truncated: false,
            request_body_seen: 0,
            multipart: None,
            phases_run: 0,
            store: default_store(),
            persistent: Vec::new(),
            expiries: Vec::new(),
            transform_cache,
            literal_scans,
            source_literals,
            value_buffers: std::mem::take(&mut spare.value_buffers),
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Client and server addresses (`REMOTE_ADDR`, `SERVER_PORT`, …).
    pub fn process_connection(
        &mut self,
        client: &str,
        client_port: u16,
        server: &str,
        server_port: u16,
    ) {
        self.state.set_scalar(Variable::RemoteAddr, client);
        self.state.set_scalar(Variable::RemoteHost, client);
        self.state
            .set_scalar(Variable::RemotePort, client_port.to_string());
        self.state.set_scalar(Variable::ServerAddr, server);
        self.state
            .set_scalar(Variable::ServerPort, server_port.to_string());
    }

    /// The request line: `uri` exactly as received, `version` as in `1.1`.
    pub fn process_uri(&mut self, uri: &[u8], method: &[u8], version: &[u8]) {
        let config = self.rules.config();
        let (separator, limit) = (config.argument_separator, config.arguments_limit);
        self.state
            .set_request_line(method, uri, version, separator, limit);
    }

    pub fn add_request_header(&mut self, name: &[u8], value: &[u8]) {
        self.state.add_request_header(name, value);
    }

    /// Phase 1.
    pub fn process_request_headers(&mut self) -> Option<&Intervention> {
        self.run_phase(Phase::RequestHeaders);
        self.intervention.as_ref()
    }

    /// Takes request body bytes as they arrive, enforcing `SecRequestBodyLimit` (and, for
    /// bodies without files, `SecRequestBodyNoFilesLimit`). A multipart body is parsed as it
    /// streams in and only its first `SecRequestBodyInMemoryLimit` bytes are kept for
    /// `REQUEST_BODY`, so an upload never sits in memory whole.
    pub fn append_request_body(&mut self, chunk: &[u8]) -> BodyStatus {
        if self.request_body_truncated {
            return BodyStatus::Truncated;
        }
        let rules = Arc::clone(&self.rules);
        let config = rules.config();
        let multipart = self.is_multipart();
        let limit = if multipart {
            config.request_body_limit
        } else {
            config
                .request_body_limit
                .min(config.request_body_no_files_limit)
        };
        let seen = self.request_body_seen;
        let mut chunk = chunk;
        let mut status = BodyStatus::Accepted;
        if limit > 0 && seen + chunk.len() as u64 > limit {
            self.state.set_scalar(Variable::InboundDataError, "1");
            match config.request_body_limit_action {
                rampart_seclang::LimitAction::ProcessPartial => {
                    let room = usize::try_from(limit.saturating_sub(seen)).unwrap_or(0);
                    chunk = &chunk[..room.min(chunk.len())];
                    self.request_body_truncated = true;
                    status = BodyStatus::Truncated;
                }
                rampart_seclang::LimitAction::Reject => {
                    if self.engine == EngineMode::On && self.intervention.is_none() {
                        self.intervention = Some(Intervention {
                            status: 403,
                            url: None,
                            drop: false,
                            rule_id: 0,
                            phase: 2,
                            message: if multipart || limit == config.request_body_limit {
                                "Request body limit is marked to reject the request".into()
                            } else {
                                format!(
                                    "Request body no files data length is larger than the configured limit ({limit})"
                                )
                            },
                        });
                    }
                    return BodyStatus::Rejected;
                }
            }
        }
        self.request_body_seen += chunk.len() as u64;
        if multipart {
            let content_type = self
                .state
                .collection(Variable::RequestHeaders)
                .first(b"content-type")
                .cloned()
                .unwrap_or_else(|| crate::collection::bytes(""));
            let limits = evaluate::body_limits(config);
            let parser = self.multipart.get_or_insert_with(|| {
                Box::new(crate::body::multipart::Parser::new(&content_type, limits))
            });
            let mut sink = state::StateSink {
                state: &mut self.state,
                limit: None,
            };
            parser.feed(chunk, &mut sink);
            let keep = usize::try_from(config.request_body_in_memory_limit)
                .unwrap_or(usize::MAX)
                .saturating_sub(self.state.request_body.len());
            self.state
                .request_body
                .extend_from_slice(&chunk[..keep.min(chunk.len())]);
        } else {
            self.state.request_body.extend_from_slice(chunk);
        }
        status
    }

    /// Whether the body goes to the multipart processor (by `ctl` or by its Content-Type).
    fn is_multipart(&self) -> bool {
        match self.body_processor {
            Some(processor) => processor == BodyProcessor::Multipart,
            None => self
                .state
                .scalar(Variable::ReqbodyProcessor)
                .is_some_and(|p| &p[..] == b"MULTIPART"),
        }
    }

    /// Processes the request body and runs phase 2.
    pub fn process_request_body(&mut self) -> Option<&Intervention> {
        if self.engine == EngineMode::Off || self.intervention.is_some() {
            return self.intervention.as_ref();
        }
        self.process_body_variables();
        if self.request_body_access {
            self.run_phase(Phase::RequestBody);
        }
        self.intervention.as_ref()
    }

    pub fn add_response_header(&mut self, name: &[u8], value: &[u8]) {
        self.state.add_response_header(name, value);
    }

    /// Response status line and phase 3. `protocol` as in `HTTP/1.1`.
    pub fn process_response_headers(
        &mut self,
        status: u16,
        protocol: &[u8],
    ) -> Option<&Intervention> {
        self.state
            .set_scalar(Variable::ResponseStatus, status.to_string());
        self.state.set_scalar(Variable::ResponseProtocol, protocol);
        self.run_phase(Phase::ResponseHeaders);
        self.intervention.as_ref()
    }

    /// Whether the response body will be inspected (its type is one of
    /// `SecResponseBodyMimeType`, and response body access is on).
    pub fn inspects_response_body(&self) -> bool {
        let config = self.rules.config();
        if !config.response_body_access {
            return false;
        }
        let content_type = self
            .state
            .scalar(Variable::ResponseContentType)
            .map(|t| t.to_ascii_lowercase())
            .unwrap_or_default();
        match &config.response_body_mime_types {
            Some(types) => types
                .iter()
                .any(|t| t.as_bytes() == content_type.as_slice()),
            None => true,
        }
    }

    /// Buffers response body bytes when they will be inspected, within `SecResponseBodyLimit`.
    pub fn append_response_body(&mut self, chunk: &[u8]) -> BodyStatus {
        if !self.inspects_response_body() {
            return BodyStatus::Accepted;
        }
        let config = self.rules.config();
        let limit = config.response_body_limit;
        let held = self.state.response_body.len() as u64;
        if limit > 0 && held + chunk.len() as u64 > limit {
            self.state.set_scalar(Variable::OutboundDataError, "1");
            let room = usize::try_from(limit.saturating_sub(held)).unwrap_or(0);
            self.state
                .response_body
                .extend_from_slice(&chunk[..room.min(chunk.len())]);
            return match config.response_body_limit_action {
                rampart_seclang::LimitAction::ProcessPartial => BodyStatus::Truncated,
                rampart_seclang::LimitAction::Reject => {
                    if self.engine == EngineMode::On && self.intervention.is_none() {
                        self.intervention = Some(Intervention {
                            status: 403,
                            url: None,
                            drop: false,
                            rule_id: 0,
                            phase: 4,
                            message: "Response body limit is marked to reject the request".into(),
                        });
                    }
                    BodyStatus::Rejected
                }
            };
        }
        self.state.response_body.extend_from_slice(chunk);
        BodyStatus::Accepted
    }

    /// Phase 4.
    pub fn process_response_body(&mut self) -> Option<&Intervention> {
        if !self.inspects_response_body() {
            return self.intervention.as_ref();
        }
        if self.state.scalar(Variable::OutboundDataError).is_none() {
            self.state.set_scalar(Variable::OutboundDataError, "0");
        }
        let body = std::mem::take(&mut self.state.response_body);
        self.state.set_scalar(Variable::ResponseBody, &body);
        self.state
            .set_scalar(Variable::ResponseContentLength, body.len().to_string());
        self.state.response_body = body;
        self.run_phase(Phase::ResponseBody);
        self.intervention.as_ref()
    }

    /// Phase 5: runs even after an intervention. Persistent collections are written back.
    pub fn process_logging(&mut self) {
        self.run_phase(Phase::Logging);
        self.persist_collections();
    }

    /// The rules that matched and that a log shows (`log`, or disruptive), in order. CRS's
    /// bookkeeping rules (`nolog` gates and counters) match on every request; they are only
    /// [counted](Self::match_count), which keeps recording them nearly free.
    pub fn matched_rules(&self) -> &[MatchedRule] {
        &self.matched
    }

    /// How many times a rule (chain) matched, shown or not.
    pub fn match_count(&self) -> u64 {
        self.match_count
    }

    pub fn intervention(&self) -> Option<&Intervention> {
        self.intervention.as_ref()
    }

    /// A TX variable's value.
    pub fn tx(&self, name: &str) -> Option<&[u8]> {
        self.state
            .collection(Variable::Tx)
            .first(name.as_bytes())
            .map(|v: &Bytes| &v[..])
    }

    /// Whether phase 2 reads the request body (`SecRequestBodyAccess`, after `ctl`). A server
    /// can forward the body as it streams when it does not.
    pub fn request_body_access(&self) -> bool {
        self.request_body_access && self.engine != EngineMode::Off
    }

    /// The request body as kept for inspection (`REQUEST_BODY`'s source).
    pub fn request_body(&self) -> &[u8] {
        &self.state.request_body
    }

    /// The response body as buffered for phase 4.
    pub fn response_body(&self) -> &[u8] {
        &self.state.response_body
    }

    /// `SecAuditEngine` in force for this transaction.
    pub fn audit_engine(&self) -> AuditEngine {
        self.audit_engine
    }

    /// `SecAuditLogParts` in force for this transaction.
    pub fn audit_log_parts(&self) -> &str {
        &self.audit_parts
    }

    /// The rule engine mode in force (after any `ctl:ruleEngine`).
    pub fn engine_mode(&self) -> EngineMode {
        self.engine
    }

    /// The rule set this transaction runs against.
    pub fn rules(&self) -> &Arc<RuleSet> {
        &self.rules
    }

    pub(crate) fn mark_phase_run(&mut self, phase: Phase) -> bool {
        let bit = 1 << phase.number();
        let first = self.phases_run & bit == 0;
        self.phases_run |= bit;
        first
    }
}

#[cfg(test)]
mod tests {
    fn assert_send<T: Send>() {}

    #[test]
    fn transaction_can_move_between_threads() {
        assert_send::<super::Transaction>();
    }
}

#[cfg(test)]
mod size {
    /// See `Transaction::multipart`: glibc serves a request of up to 1,008 bytes (a chunk
    /// under 1 KB) from its per-thread cache and small bins; a larger one first merges
    /// every chunk the previous transaction freed.
    #[test]
    fn a_transaction_fits_a_small_allocation() {
        let size = std::mem::size_of::<super::Transaction>();
        assert!(size <= 1008, "{size}");
    }
}
