//! What one finished exchange leaves behind, for the logs and the metrics: everything is
//! copied out of the transaction once, at the end, so that writers run off the request path.

use std::net::IpAddr;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use rampart_engine::{Intervention, MatchedRule};
use rampart_seclang::{AuditEngine, EngineMode};

/// One request/response exchange as the WAF saw it.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The transaction's id, also sent to a denied client.
    pub unique_id: String,
    pub started: SystemTime,
    pub client_ip: IpAddr,
    pub client_port: u16,
    pub server_ip: IpAddr,
    pub server_port: u16,
    /// The `Host` header, or the configured host name.
    pub hostname: String,
    pub method: String,
    /// As on the request line (path and query).
    pub uri: String,
    /// `1.0`, `1.1` or `2`.
    pub http_version: String,
    pub request_headers: Vec<(String, String)>,
    /// The request body as inspected (empty when the engine did not read it).
    pub request_body: Bytes,
    /// The status the client got; 0 when the connection was dropped.
    pub status: u16,
    pub response_headers: Vec<(String, String)>,
    /// The response body as inspected (empty unless phase 4 buffered it).
    pub response_body: Bytes,
    /// Body bytes sent to the client.
    pub bytes_sent: u64,
    /// The matched rules a log can show, in order: those logged, and those whose
    /// disruptive action was carried out. CRS's bookkeeping rules match on every request
    /// and show nowhere, so they are only counted.
    pub matched: Vec<MatchedRule>,
    /// How many rule matches the transaction recorded, shown or not.
    pub rule_matches: u64,
    pub intervention: Option<Intervention>,
    pub engine_mode: EngineMode,
    pub audit: AuditSettings,
    pub inbound_anomaly_score: i64,
    pub outbound_anomaly_score: i64,
    /// Why the upstream could not answer, when it could not.
    pub upstream_error: Option<UpstreamError>,
    /// The engine failed on this exchange (fail-open or fail-closed decided what followed).
    pub engine_error: Option<String>,
    /// Time spent in the engine.
    pub engine_time: Duration,
    /// From the request's arrival to the end of the response.
    pub duration: Duration,
}

/// The audit-log settings in force for the exchange (the rule set's, after `ctl`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSettings {
    pub engine: AuditEngine,
    /// `SecAuditLogParts`, e.g. `ABIJDEFHZ`.
    pub parts: String,
    /// `SecAuditLogRelevantStatus`, a regex over the status code.
    pub relevant_status: Option<String>,
}

/// How the upstream failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UpstreamError {
    /// No server could be connected (or none is healthy): 502.
    Connect,
    /// No response in time: 504.
    Timeout,
    /// The connection broke or the response was malformed: 502.
    Protocol,
}

impl UpstreamError {
    pub fn status(self) -> u16 {
        match self {
            UpstreamError::Timeout => 504,
            UpstreamError::Connect | UpstreamError::Protocol => 502,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            UpstreamError::Connect => "connect",
            UpstreamError::Timeout => "timeout",
            UpstreamError::Protocol => "protocol",
        }
    }
}
