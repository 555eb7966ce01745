//! Driving one exchange through the engine, the way a server in front of it would: the shared
//! core of `rampart eval` and `rampart ftw`.

use std::path::PathBuf;

use anyhow::Result;
use clap::ValueEnum;
use rampart_engine::MatchedRule;
use rampart_proxy::backend::Backend;
use serde::Serialize;

/// A request as received: bytes, in order.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub method: Vec<u8>,
    pub uri: Vec<u8>,
    /// As on the request line, e.g. `HTTP/1.1`.
    pub version: Vec<u8>,
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    pub body: Vec<u8>,
}

/// The upstream's answer.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn empty_ok() -> Self {
        Response {
            status: 200,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }
}

/// Where the exchange came from and went to.
#[derive(Debug, Clone)]
pub struct Connection {
    pub client: String,
    pub client_port: u16,
    pub server: String,
    pub server_port: u16,
}

impl Default for Connection {
    fn default() -> Self {
        Connection {
            client: "127.0.0.1".into(),
            client_port: 50000,
            server: "127.0.0.1".into(),
            server_port: 80,
        }
    }
}

/// What the engine made of an exchange.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// Rules that matched and would be logged, in order.
    pub matched: Vec<Matched>,
    pub intervention: Option<InterventionReport>,
    /// The status the client would see.
    pub status: u16,
    pub inbound_anomaly_score: i64,
    pub outbound_anomaly_score: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Matched {
    pub id: u64,
    pub phase: u8,
    pub msg: String,
    pub data: String,
    pub severity: Option<String>,
    pub matched_var_name: String,
    pub matched_var: String,
    #[serde(skip)]
    pub rule: MatchedRule,
}

#[derive(Debug, Clone, Serialize)]
pub struct InterventionReport {
    pub status: u16,
    pub phase: u8,
    pub rule_id: u64,
    pub url: Option<String>,
    pub drop: bool,
    pub message: String,
}

fn version_number(version: &[u8]) -> &[u8] {
    version.strip_prefix(b"HTTP/").unwrap_or(version)
}

/// The front-end policy `rampart serve` applies (see `rampart_proxy::frontend`), on a request
/// read from a file: what the engine sees offline is what it would see behind the proxy.
pub fn admit(request: &mut Request) -> rampart_proxy::frontend::Admission {
    let mut head = rampart_proxy::frontend::Head {
        method: std::mem::take(&mut request.method),
        uri: std::mem::take(&mut request.uri),
        version: std::mem::take(&mut request.version),
        headers: std::mem::take(&mut request.headers),
    };
    let admission = rampart_proxy::frontend::admit(&mut head);
    request.method = head.method;
    request.uri = head.uri;
    request.version = head.version;
    request.headers = head.headers;
    admission
}

/// Runs the full lifecycle. `upstream` answers the request when no rule stopped it first.
pub fn run(
    backend: &dyn Backend,
    connection: &Connection,
    request: &Request,
    upstream: impl FnOnce(&Request) -> Response,
) -> Verdict {
    let mut tx = backend.inspect();
    tx.process_connection(
        &connection.client,
        connection.client_port,
        &connection.server,
        connection.server_port,
    );
    tx.process_uri(
        &request.uri,
        &request.method,
        version_number(&request.version),
    );
    for (name, value) in &request.headers {
        tx.add_request_header(name, value);
    }
    tx.process_request_headers();
    let mut stopped = tx.intervention().is_some();
    if !stopped {
        tx.append_request_body(&request.body);
        tx.process_request_body();
        stopped = tx.intervention().is_some();
    }
    let mut status = 0;
    if !stopped {
        let response = upstream(request);
        status = response.status;
        for (name, value) in &response.headers {
            tx.add_response_header(name, value);
        }
        let mut protocol = b"HTTP/".to_vec();
        protocol.extend_from_slice(version_number(&request.version));
        tx.process_response_headers(response.status, &protocol);
        if tx.intervention().is_none() {
            tx.append_response_body(&response.body);
            tx.process_response_body();
        }
    }
    tx.process_logging();
    let intervention = tx.intervention().map(|i| InterventionReport {
        status: i.status,
        phase: i.phase,
        rule_id: i.rule_id,
        url: i.url.clone(),
        drop: i.drop,
        message: i.message.clone(),
    });
    if let Some(i) = &intervention {
        status = i.status;
    }
    let score = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| tx.tx(name))
            .and_then(|v| String::from_utf8_lossy(v).trim().parse().ok())
            .unwrap_or(0)
    };
    Verdict {
        matched: tx
            .matched_rules()
            .iter()
            .filter(|r| r.logged)
            .map(|r| Matched {
                id: r.id,
                phase: r.phase,
                msg: r.msg.clone(),
                data: r.data.clone(),
                severity: r.severity.map(|s| s.name().to_string()),
                matched_var_name: r.matched_var_name.clone(),
                matched_var: String::from_utf8_lossy(&r.matched_var).into_owned(),
                rule: r.clone(),
            })
            .collect(),
        intervention,
        status,
        inbound_anomaly_score: score(&["blocking_inbound_anomaly_score", "anomaly_score"]),
        outbound_anomaly_score: score(&[
            "blocking_outbound_anomaly_score",
            "outbound_anomaly_score",
        ]),
    }
}

/// Which engine evaluates the rules.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineName {
    Native,
    Modsecurity,
}

/// The rule files, loaded by that engine.
pub fn backend(name: EngineName, rules: &[PathBuf]) -> Result<Box<dyn Backend>> {
    match name {
        EngineName::Native => {
            let set = rampart_engine::load(rules).map_err(|errors| {
                let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
                anyhow::anyhow!("the rules do not load:\n{}", lines.join("\n"))
            })?;
            Ok(Box::new(rampart_proxy::backend::Native(
                std::sync::Arc::new(set),
            )))
        }
        EngineName::Modsecurity => {
            rampart_proxy::backend::modsecurity(rules).map_err(|error| anyhow::anyhow!("{error}"))
        }
    }
}
