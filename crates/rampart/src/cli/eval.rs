//! `rampart eval`: evaluate raw HTTP/1.1 requests offline and print the verdicts as JSON.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use base64::Engine as _;
use clap::Args;
use rampart_harness::raw;
use serde::{Deserialize, Serialize};

use super::drive::{self, Connection, Response, Verdict};
use super::ftw::to_request;
use rampart_proxy::frontend::Admission;

#[derive(Args)]
pub struct EvalArgs {
    /// Rule configuration files, loaded in order.
    #[arg(required = true)]
    rules: Vec<PathBuf>,
    /// The engine: rampart's own, or libmodsecurity (a build with `--features modsecurity`).
    #[arg(long, value_enum, default_value_t = super::drive::EngineName::Native)]
    engine: super::drive::EngineName,
    /// A file holding one raw HTTP/1.1 request.
    #[arg(long, conflicts_with = "jsonl")]
    request: Option<PathBuf>,
    /// Read requests as JSON lines from standard input:
    /// {"id": "...", "request_b64": "...", "response": {"status": 200, "headers": {}, "body_b64": "..."}}
    #[arg(long)]
    jsonl: bool,
}

#[derive(Deserialize)]
pub(super) struct Line {
    #[serde(default)]
    pub(super) id: serde_json::Value,
    pub(super) request_b64: String,
    #[serde(default)]
    pub(super) response: Option<LineResponse>,
}

#[derive(Deserialize)]
pub(super) struct LineResponse {
    #[serde(default = "ok")]
    status: u16,
    #[serde(default)]
    headers: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    body_b64: String,
}

fn ok() -> u16 {
    200
}

#[derive(Serialize)]
struct Output<'a> {
    #[serde(skip_serializing_if = "serde_json::Value::is_null")]
    id: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    /// Set when rampart's front-end refuses the request before the rules see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    rejected: Option<Rejection>,
    #[serde(flatten)]
    verdict: Option<&'a Verdict>,
}

#[derive(Serialize)]
pub(super) struct Rejection {
    /// The status answered, or none when the connection is closed.
    pub(super) status: Option<u16>,
    pub(super) reason: &'static str,
}

/// Applies the front-end policy, then the rules.
pub(super) fn evaluate(
    rules: &dyn rampart_proxy::backend::Backend,
    parsed: raw::RawRequest,
    response: Response,
) -> Result<Verdict, Rejection> {
    let mut request = to_request(parsed);
    match super::drive::admit(&mut request) {
        Admission::Accept => {}
        Admission::Reject { status, reason } => {
            return Err(Rejection {
                status: Some(status),
                reason,
            })
        }
        Admission::Drop { reason } => {
            return Err(Rejection {
                status: None,
                reason,
            })
        }
    }
    Ok(drive::run(rules, &Connection::default(), &request, |_| {
        response
    }))
}

/// A JSON line's response, or the default (200, nothing).
pub(super) fn line_response(response: Option<LineResponse>) -> Result<Response> {
    let engine = base64::engine::general_purpose::STANDARD;
    Ok(match response {
        Some(r) => Response {
            status: r.status,
            headers: r
                .headers
                .into_iter()
                .map(|(n, v)| (n.into_bytes(), v.into_bytes()))
                .collect(),
            body: engine.decode(r.body_b64.trim())?,
        },
        None => Response::empty_ok(),
    })
}

pub fn run(args: &EvalArgs) -> Result<ExitCode> {
    let rules = super::drive::backend(args.engine, &args.rules)?;
    let rules = &*rules;
    let mut out = std::io::stdout().lock();
    if let Some(path) = &args.request {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let parsed = raw::parse(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let result = evaluate(rules, parsed, Response::empty_ok());
        let output = match &result {
            Ok(verdict) => Output {
                id: serde_json::Value::Null,
                error: None,
                rejected: None,
                verdict: Some(verdict),
            },
            Err(rejection) => Output {
                id: serde_json::Value::Null,
                error: None,
                rejected: Some(Rejection {
                    status: rejection.status,
                    reason: rejection.reason,
                }),
                verdict: None,
            },
        };
        serde_json::to_writer_pretty(&mut out, &output)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if !args.jsonl {
        bail!("give --request FILE or --jsonl");
    }
    let engine = base64::engine::general_purpose::STANDARD;
    for (number, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let evaluated = (|| -> Result<(serde_json::Value, Result<Verdict, Rejection>)> {
            let input: Line = serde_json::from_str(&line)?;
            let bytes = engine.decode(input.request_b64.trim())?;
            let parsed = raw::parse(&bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
            let response = line_response(input.response)?;
            Ok((input.id, evaluate(rules, parsed, response)))
        })();
        let output = match &evaluated {
            Ok((id, Ok(verdict))) => Output {
                id: id.clone(),
                error: None,
                rejected: None,
                verdict: Some(verdict),
            },
            Ok((id, Err(rejection))) => Output {
                id: id.clone(),
                error: None,
                rejected: Some(Rejection {
                    status: rejection.status,
                    reason: rejection.reason,
                }),
                verdict: None,
            },
            Err(error) => Output {
                id: serde_json::Value::from(format!("line {}", number + 1)),
                error: Some(format!("{error:#}")),
                rejected: None,
                verdict: None,
            },
        };
        serde_json::to_writer(&mut out, &output)?;
        writeln!(out)?;
    }
    Ok(ExitCode::SUCCESS)
}
