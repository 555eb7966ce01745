//! libmodsecurity behind the engine interface. ModSecurity keeps its own state (limits, body
//! processors, TX) out of reach of the C API, so this adapter reports what the API shows:
//! interventions, and the rules it logged, parsed from its log lines.

use std::sync::Arc;

use rampart_engine::{BodyStatus, Intervention, MatchedRule};
use rampart_modsecurity as msc;
use rampart_seclang::{AuditEngine, EngineMode, Severity};

use super::{Backend, BackendError, Inspection};
use crate::exchange::AuditSettings;

/// How much of a response body is handed to libmodsecurity; it applies its own
/// `SecResponseBodyLimit` within that.
const RESPONSE_BUFFER_LIMIT: usize = 1024 * 1024;

pub struct ModSecBackend {
    engine: Arc<msc::ModSecurity>,
    rules: Arc<msc::Rules>,
    /// What `msc_rules_add` reported loading.
    rule_count: u64,
}

impl std::fmt::Debug for ModSecBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ModSecBackend")
    }
}

impl ModSecBackend {
    /// One configuration text, as a server's main configuration: with one
    /// `msc_rules_add_file` per file, libmodsecurity 3.0.9 merges the sets so that a later
    /// `SecRuleEngine` does not override an earlier one, so callers pass `Include`s.
    pub fn from_text(text: &str) -> Result<Self, BackendError> {
        let engine =
            msc::ModSecurity::instance().map_err(|e| BackendError::Rules(e.to_string()))?;
        let mut rules = msc::Rules::new().map_err(|e| BackendError::Rules(e.to_string()))?;
        let rule_count = rules
            .add(text)
            .map_err(|e| BackendError::Rules(e.to_string()))?;
        Ok(ModSecBackend {
            engine,
            rules: Arc::new(rules),
            rule_count: rule_count as u64,
        })
    }
}

impl Backend for ModSecBackend {
    fn inspect(&self) -> Box<dyn Inspection> {
        let tx = msc::Transaction::new(&self.engine, &self.rules).ok();
        let id = tx.as_ref().map(|t| t.id().to_string()).unwrap_or_default();
        Box::new(ModSecInspection {
            tx,
            id,
            matched: Vec::new(),
            intervention: None,
            response_held: 0,
            phase: 0,
        })
    }

    fn name(&self) -> &'static str {
        "modsecurity"
    }

    fn rule_count(&self) -> u64 {
        self.rule_count
    }
}

struct ModSecInspection {
    /// `None` when libmodsecurity could not create the transaction: nothing is inspected.
    tx: Option<msc::Transaction>,
    id: String,
    matched: Vec<MatchedRule>,
    intervention: Option<Intervention>,
    response_held: usize,
    phase: u8,
}

fn convert(rule: msc::MatchedRule, phase: u8, disruptive: bool) -> MatchedRule {
    MatchedRule {
        id: rule.id.unwrap_or(0),
        phase: rule.phase.unwrap_or(phase),
        msg: rule.msg,
        data: rule.data,
        severity: rule
            .severity
            .and_then(|n| Severity::ALL.get(usize::from(n)).copied()),
        tags: rule.tags.into(),
        ver: (!rule.ver.is_empty()).then(|| rule.ver.into()),
        rev: (!rule.rev.is_empty()).then(|| rule.rev.into()),
        maturity: rule.maturity,
        accuracy: rule.accuracy,
        file: rule.file.into(),
        line: rule.line.and_then(|l| u32::try_from(l).ok()).unwrap_or(0),
        matched_var_name: String::new(),
        matched_var: Vec::new(),
        match_message: rule.match_message,
        logged: true,
        disruptive,
    }
}

impl ModSecInspection {
    /// Collects what the last call logged and decided.
    fn after(&mut self, phase: u8) {
        self.phase = phase;
        let Some(tx) = self.tx.as_mut() else { return };
        let intervention = if self.intervention.is_none() {
            tx.intervention()
        } else {
            None
        };
        for rule in tx.take_matched_rules() {
            self.matched.push(convert(rule, phase, false));
        }
        if let Some(i) = intervention {
            if let Some(last) = self.matched.last_mut() {
                // `intervention()` appends the disruptive rule's parsed line.
                last.disruptive = true;
            }
            let rule_id = i.rule.as_ref().and_then(|r| r.id).unwrap_or(0);
            self.intervention = Some(Intervention {
                status: u16::try_from(i.status).unwrap_or(403),
                url: i.url,
                drop: false,
                rule_id,
                phase,
                message: i.log.unwrap_or_default(),
            });
        }
    }
}

impl Inspection for ModSecInspection {
    fn id(&self) -> &str {
        &self.id
    }
    fn process_connection(
        &mut self,
        client: &str,
        client_port: u16,
        server: &str,
        server_port: u16,
    ) {
        if let Some(tx) = self.tx.as_mut() {
            let _ = tx.process_connection(client, client_port, server, server_port);
        }
    }
    fn process_uri(&mut self, uri: &[u8], method: &[u8], version: &[u8]) {
        if let Some(tx) = self.tx.as_mut() {
            let _ = tx.process_uri(
                uri,
                &String::from_utf8_lossy(method),
                &String::from_utf8_lossy(version),
            );
        }
    }
    fn add_request_header(&mut self, name: &[u8], value: &[u8]) {
        if let Some(tx) = self.tx.as_mut() {
            let _ = tx.add_request_header(name, value);
        }
    }
    fn process_request_headers(&mut self) {
        if let Some(tx) = self.tx.as_mut() {
            let _ = tx.process_request_headers();
        }
        self.after(1);
    }
    fn request_body_access(&self) -> bool {
        true
    }
    fn append_request_body(&mut self, chunk: &[u8]) -> BodyStatus {
        if let Some(tx) = self.tx.as_mut() {
            let _ = tx.append_request_body(chunk);
        }
        BodyStatus::Accepted
    }
    fn process_request_body(&mut self) {
        if self.intervention.is_some() {
            return;
        }
        if let Some(tx) = self.tx.as_mut() {
            let _ = tx.process_request_body();
        }
        self.after(2);
    }
    fn add_response_header(&mut self, name: &[u8], value: &[u8]) {
        if let Some(tx) = self.tx.as_mut() {
            let _ = tx.add_response_header(name, value);
        }
    }
    fn process_response_headers(&mut self, status: u16, protocol: &[u8]) {
        if let Some(tx) = self.tx.as_mut() {
            let _ = tx.process_response_headers(status, &String::from_utf8_lossy(protocol));
        }
        self.after(3);
    }
    fn inspects_response_body(&self) -> bool {
        true
    }
    fn append_response_body(&mut self, chunk: &[u8]) -> BodyStatus {
        let room = RESPONSE_BUFFER_LIMIT.saturating_sub(self.response_held);
        let take = room.min(chunk.len());
        if let Some(tx) = self.tx.as_mut() {
            let _ = tx.append_response_body(&chunk[..take]);
        }
        self.response_held += take;
        if take < chunk.len() {
            BodyStatus::Truncated
        } else {
            BodyStatus::Accepted
        }
    }
    fn process_response_body(&mut self) {
        if self.intervention.is_some() {
            return;
        }
        if let Some(tx) = self.tx.as_mut() {
            let _ = tx.process_response_body();
        }
        self.after(4);
    }
    fn process_logging(&mut self) {
        if let Some(tx) = self.tx.as_mut() {
            let _ = tx.process_logging();
        }
        let phase = self.phase;
        self.after(phase.max(5));
    }
    fn intervention(&self) -> Option<&Intervention> {
        self.intervention.as_ref()
    }
    fn matched_rules(&self) -> &[MatchedRule] {
        &self.matched
    }
    fn match_count(&self) -> u64 {
        self.matched.len() as u64
    }
    fn tx(&self, _name: &str) -> Option<&[u8]> {
        None
    }
    fn engine_mode(&self) -> EngineMode {
        EngineMode::On
    }
    fn audit(&self) -> AuditSettings {
        AuditSettings {
            engine: AuditEngine::Off,
            parts: String::new(),
            relevant_status: None,
        }
    }
    fn request_body(&self) -> &[u8] {
        &[]
    }
    fn response_body(&self) -> &[u8] {
        &[]
    }
}
