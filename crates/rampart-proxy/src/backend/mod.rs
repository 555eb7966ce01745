//! The engine interface: what the proxy (and `rampart eval` / `ftw`) needs from a WAF engine,
//! so that rampart's native engine and libmodsecurity are interchangeable per deployment.
//!
//! It is ModSecurity's own transaction lifecycle — the one every connector drives — so that
//! each backend is a thin delegation and neither has to pretend to be the other.

use std::fmt::Debug;
use std::sync::Arc;

use rampart_engine::{BodyStatus, Intervention, MatchedRule, RuleSet, Transaction};
use rampart_seclang::EngineMode;

use crate::exchange::AuditSettings;

/// One exchange under inspection.
pub trait Inspection: Send {
    fn id(&self) -> &str;
    fn process_connection(
        &mut self,
        client: &str,
        client_port: u16,
        server: &str,
        server_port: u16,
    );
    /// The request line: the target as received, `version` as in `1.1`.
    fn process_uri(&mut self, uri: &[u8], method: &[u8], version: &[u8]);
    fn add_request_header(&mut self, name: &[u8], value: &[u8]);
    /// Phase 1.
    fn process_request_headers(&mut self);
    /// Whether phase 2 wants the body (otherwise it may stream past).
    fn request_body_access(&self) -> bool;
    fn append_request_body(&mut self, chunk: &[u8]) -> BodyStatus;
    /// Phase 2.
    fn process_request_body(&mut self);
    fn add_response_header(&mut self, name: &[u8], value: &[u8]);
    /// Phase 3; `protocol` as in `HTTP/1.1`.
    fn process_response_headers(&mut self, status: u16, protocol: &[u8]);
    fn inspects_response_body(&self) -> bool;
    fn append_response_body(&mut self, chunk: &[u8]) -> BodyStatus;
    /// Phase 4.
    fn process_response_body(&mut self);
    /// Phase 5.
    fn process_logging(&mut self);
    fn intervention(&self) -> Option<&Intervention>;
    /// The matches a log can show (logged or disruptive); a backend may list more.
    fn matched_rules(&self) -> &[MatchedRule];
    /// How many rules matched, shown or not.
    fn match_count(&self) -> u64;
    /// A TX variable, where the backend can tell (anomaly scores for logs and metrics).
    fn tx(&self, name: &str) -> Option<&[u8]>;
    fn engine_mode(&self) -> EngineMode;
    fn audit(&self) -> AuditSettings;
    /// The request body as kept for inspection.
    fn request_body(&self) -> &[u8];
    /// The response body as buffered for phase 4.
    fn response_body(&self) -> &[u8];
}

/// A loaded rule set on some engine: the factory of inspections.
pub trait Backend: Send + Sync + Debug {
    fn inspect(&self) -> Box<dyn Inspection>;
    /// `native` or `modsecurity`.
    fn name(&self) -> &'static str;
    /// How many rules the set holds, as its engine counts them (rampart counts the rules with
    /// an id, so a chain counts once; libmodsecurity reports what `msc_rules_add` loaded).
    fn rule_count(&self) -> u64;
}

/// rampart's own engine.
#[derive(Debug)]
pub struct Native(pub Arc<RuleSet>);

impl Backend for Native {
    fn inspect(&self) -> Box<dyn Inspection> {
        Box::new(Transaction::new(Arc::clone(&self.0)))
    }

    fn name(&self) -> &'static str {
        "native"
    }

    fn rule_count(&self) -> u64 {
        self.0.summary().rules as u64
    }
}

impl Inspection for Transaction {
    fn id(&self) -> &str {
        Transaction::id(self)
    }
    fn process_connection(
        &mut self,
        client: &str,
        client_port: u16,
        server: &str,
        server_port: u16,
    ) {
        Transaction::process_connection(self, client, client_port, server, server_port);
    }
    fn process_uri(&mut self, uri: &[u8], method: &[u8], version: &[u8]) {
        Transaction::process_uri(self, uri, method, version);
    }
    fn add_request_header(&mut self, name: &[u8], value: &[u8]) {
        Transaction::add_request_header(self, name, value);
    }
    fn process_request_headers(&mut self) {
        Transaction::process_request_headers(self);
    }
    fn request_body_access(&self) -> bool {
        Transaction::request_body_access(self)
    }
    fn append_request_body(&mut self, chunk: &[u8]) -> BodyStatus {
        Transaction::append_request_body(self, chunk)
    }
    fn process_request_body(&mut self) {
        Transaction::process_request_body(self);
    }
    fn add_response_header(&mut self, name: &[u8], value: &[u8]) {
        Transaction::add_response_header(self, name, value);
    }
    fn process_response_headers(&mut self, status: u16, protocol: &[u8]) {
        Transaction::process_response_headers(self, status, protocol);
    }
    fn inspects_response_body(&self) -> bool {
        Transaction::inspects_response_body(self)
    }
    fn append_response_body(&mut self, chunk: &[u8]) -> BodyStatus {
        Transaction::append_response_body(self, chunk)
    }
    fn process_response_body(&mut self) {
        Transaction::process_response_body(self);
    }
    fn process_logging(&mut self) {
        Transaction::process_logging(self);
    }
    fn intervention(&self) -> Option<&Intervention> {
        Transaction::intervention(self)
    }
    fn matched_rules(&self) -> &[MatchedRule] {
        Transaction::matched_rules(self)
    }
    fn match_count(&self) -> u64 {
        Transaction::match_count(self)
    }
    fn tx(&self, name: &str) -> Option<&[u8]> {
        Transaction::tx(self, name)
    }
    fn engine_mode(&self) -> EngineMode {
        Transaction::engine_mode(self)
    }
    fn audit(&self) -> AuditSettings {
        AuditSettings {
            engine: self.audit_engine(),
            parts: self.audit_log_parts().to_string(),
            relevant_status: self.rules().config().audit_log_relevant_status.clone(),
        }
    }
    fn request_body(&self) -> &[u8] {
        Transaction::request_body(self)
    }
    fn response_body(&self) -> &[u8] {
        Transaction::response_body(self)
    }
}

/// Why a backend could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error(
        "this rampart was built without the libmodsecurity backend (cargo feature `modsecurity`)"
    )]
    NotBuilt,
    #[error("libmodsecurity refused the rules: {0}")]
    Rules(String),
}

#[cfg(feature = "modsecurity")]
mod modsecurity;

/// libmodsecurity with `files` loaded in order.
pub fn modsecurity(files: &[std::path::PathBuf]) -> Result<Box<dyn Backend>, BackendError> {
    let mut text = String::new();
    for file in files {
        let path = std::path::absolute(file).unwrap_or_else(|_| file.clone());
        text.push_str(&include_line(&path));
    }
    modsecurity_from_text(&text).map(|b| -> Box<dyn Backend> { Box::new(b) })
}

/// An `Include` of `path` (a glob is expanded by libmodsecurity). libmodsecurity 3.0.9 keeps
/// the quotes of a quoted glob as part of the name, so paths go unquoted unless they hold
/// whitespace.
pub fn include_line(path: &std::path::Path) -> String {
    let text = path.display().to_string();
    if text.contains(char::is_whitespace) {
        format!(
            "Include \"{}\"\n",
            text.replace('\\', "\\\\").replace('"', "\\\"")
        )
    } else {
        format!("Include {text}\n")
    }
}

/// libmodsecurity with one configuration text (its `Include`s resolved by libmodsecurity).
#[cfg(feature = "modsecurity")]
pub fn modsecurity_from_text(text: &str) -> Result<modsecurity::ModSecBackend, BackendError> {
    modsecurity::ModSecBackend::from_text(text)
}

/// libmodsecurity: unavailable in this build.
#[cfg(not(feature = "modsecurity"))]
pub fn modsecurity_from_text(text: &str) -> Result<Unavailable, BackendError> {
    let _ = text;
    Err(BackendError::NotBuilt)
}

/// Stands for the libmodsecurity backend in builds without it; never constructed.
#[cfg(not(feature = "modsecurity"))]
#[derive(Debug)]
pub enum Unavailable {}

#[cfg(not(feature = "modsecurity"))]
impl Backend for Unavailable {
    fn inspect(&self) -> Box<dyn Inspection> {
        match *self {}
    }

    fn name(&self) -> &'static str {
        match *self {}
    }

    fn rule_count(&self) -> u64 {
        match *self {}
    }
}
