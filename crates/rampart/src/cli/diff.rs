//! `rampart diff`: the same requests through two engines under the same configuration, and
//! where they disagree. With libmodsecurity on one side it is the oracle that holds the native
//! engine to ModSecurity's behaviour on traffic nobody wrote a test for.
//!
//! Two engines agree on a request when the client would get the same status and the same set
//! of rule ids would be logged. Known disagreements are listed, each with its cause, in a
//! YAML file; anything else is unexplained and makes the command fail.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use base64::Engine as _;
use clap::{Args, ValueEnum};
use rampart_harness::raw;
use rampart_proxy::backend::Backend;
use serde::{Deserialize, Serialize};

use super::drive::{backend, EngineName, Response};
use super::eval::{evaluate, line_response, Line};

#[derive(Args)]
pub struct DiffArgs {
    /// Rule configuration files, loaded in order by both engines.
    #[arg(required = true)]
    rules: Vec<PathBuf>,
    /// Requests: raw HTTP files, `.jsonl` files as `rampart eval --jsonl` reads them, or
    /// directories of either (read recursively, in name order).
    #[arg(long = "requests", required = true, num_args = 1..)]
    requests: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = EngineName::Native)]
    left: EngineName,
    #[arg(long, value_enum, default_value_t = EngineName::Modsecurity)]
    right: EngineName,
    /// Known disagreements with their causes (YAML list of {id, rules, any_status, cause}).
    #[arg(long)]
    known: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Succeed with up to this many unexplained disagreements (a ratchet while they are
    /// being worked through; the default is none).
    #[arg(long, default_value_t = 0)]
    max_unexplained: usize,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// What one engine made of one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Outcome {
    /// The status the client gets; `None` when the connection is closed or refused unanswered.
    status: Option<u16>,
    /// Logged rule ids, without repeats.
    rules: BTreeSet<u64>,
}

#[derive(Serialize)]
struct Row {
    id: String,
    left: Outcome,
    right: Outcome,
    agree: bool,
    /// The known cause, when the disagreement is listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    known: Option<String>,
}

#[derive(Serialize, Default)]
struct Summary {
    requests: usize,
    agree: usize,
    disagree_known: usize,
    disagree_unexplained: usize,
    /// Rule id → requests on which only one engine logged it: (left only, right only).
    by_rule: BTreeMap<u64, (usize, usize)>,
}

/// A listed disagreement: requests whose id matches `id` (a regex) and that differ only in
/// `rules` (any of them; empty: any difference) are explained by `cause`. The statuses must
/// agree too, unless `any_status` says the reference's answer is not defined for them (it
/// depends on memory libmodsecurity reads out of bounds, say).
#[derive(Deserialize)]
struct Known {
    id: String,
    #[serde(default)]
    rules: Vec<u64>,
    #[serde(default)]
    any_status: bool,
    cause: String,
}

#[derive(Deserialize)]
struct KnownFile {
    known: Vec<Known>,
}

/// A request and the upstream answer it gets.
struct Input {
    id: String,
    request: Result<(raw::RawRequest, Response), String>,
}

fn outcome(backend: &dyn Backend, input: &Input) -> Outcome {
    match &input.request {
        Err(_) => Outcome {
            status: Some(400),
            rules: BTreeSet::new(),
        },
        Ok((parsed, response)) => match evaluate(backend, parsed.clone(), response.clone()) {
            Ok(verdict) => Outcome {
                status: Some(verdict.status),
                rules: verdict.matched.iter().map(|m| m.id).collect(),
            },
            Err(rejection) => Outcome {
                status: rejection.status,
                rules: BTreeSet::new(),
            },
        },
    }
}

pub fn run(args: &DiffArgs) -> Result<ExitCode> {
    let left = backend(args.left, &args.rules)?;
    let right = backend(args.right, &args.rules)?;
    let known: Vec<(regex::Regex, Known)> = match &args.known {
        None => Vec::new(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let file: KnownFile = serde_yaml::from_str(&text)
                .with_context(|| format!("parsing {}", path.display()))?;
            file.known
                .into_iter()
                .map(|k| Ok((regex::Regex::new(&k.id)?, k)))
                .collect::<Result<_>>()?
        }
    };
    let mut inputs = Vec::new();
    for path in &args.requests {
        read_inputs(path, &mut inputs)?;
    }
    let mut summary = Summary::default();
    let mut rows = Vec::new();
    for input in &inputs {
        let (l, r) = (outcome(&*left, input), outcome(&*right, input));
        let agree = l == r;
        let differing: BTreeSet<u64> = l.rules.symmetric_difference(&r.rules).copied().collect();
        for id in &differing {
            let entry = summary.by_rule.entry(*id).or_default();
            if l.rules.contains(id) {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
        }
        let known = (!agree)
            .then(|| {
                known.iter().find(|(pattern, k)| {
                    pattern.is_match(&input.id)
                        && (l.status == r.status || k.any_status)
                        && (k.rules.is_empty() || differing.iter().all(|id| k.rules.contains(id)))
                })
            })
            .flatten()
            .map(|(_, k)| k.cause.clone());
        summary.requests += 1;
        match (agree, &known) {
            (true, _) => summary.agree += 1,
            (false, Some(_)) => summary.disagree_known += 1,
            (false, None) => summary.disagree_unexplained += 1,
        }
        rows.push(Row {
            id: input.id.clone(),
            left: l,
            right: r,
            agree,
            known,
        });
    }
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(
                &mut out,
                &serde_json::json!({ "summary": &summary, "requests": &rows }),
            )?;
            writeln!(out)?;
        }
        Format::Text => {
            for row in rows.iter().filter(|r| !r.agree) {
                let status = |s: Option<u16>| s.map_or("closed".to_string(), |s| s.to_string());
                writeln!(
                    out,
                    "{} {}: {} {:?} | {} {:?}{}",
                    if row.known.is_some() {
                        "KNOWN"
                    } else {
                        "DIFF "
                    },
                    row.id,
                    status(row.left.status),
                    row.left.rules,
                    status(row.right.status),
                    row.right.rules,
                    row.known
                        .as_deref()
                        .map(|c| format!(" ({c})"))
                        .unwrap_or_default()
                )?;
            }
            for (id, (left_only, right_only)) in &summary.by_rule {
                writeln!(
                    out,
                    "rule {id}: only left on {left_only}, only right on {right_only}"
                )?;
            }
            writeln!(
                out,
                "{} requests: {} agree, {} disagree ({} known, {} unexplained)",
                summary.requests,
                summary.agree,
                summary.disagree_known + summary.disagree_unexplained,
                summary.disagree_known,
                summary.disagree_unexplained
            )?;
        }
    }
    Ok(if summary.disagree_unexplained <= args.max_unexplained {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn read_inputs(path: &Path, inputs: &mut Vec<Input>) -> Result<()> {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .with_context(|| format!("reading {}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            read_inputs(&entry, inputs)?;
        }
        return Ok(());
    }
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let name = path.display().to_string();
    if path.extension().is_some_and(|e| e == "jsonl") {
        let engine = base64::engine::general_purpose::STANDARD;
        for (number, line) in String::from_utf8_lossy(&bytes).lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let line: Line = match serde_json::from_str(line) {
                Ok(line) => line,
                Err(error) => {
                    inputs.push(Input {
                        id: format!("{name}:{}", number + 1),
                        request: Err(error.to_string()),
                    });
                    continue;
                }
            };
            let id = match &line.id {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => format!("{name}:{}", number + 1),
                other => other.to_string(),
            };
            // A request the raw parser refuses is still a request: both engines are asked
            // about it as a server would answer it (400).
            let request = (|| -> Result<(raw::RawRequest, Response)> {
                let bytes = engine.decode(line.request_b64.trim())?;
                let parsed = raw::parse(&bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
                Ok((parsed, line_response(line.response)?))
            })()
            .map_err(|e| format!("{e:#}"));
            inputs.push(Input { id, request });
        }
    } else {
        inputs.push(Input {
            id: name,
            request: raw::parse(&bytes)
                .map(|r| (r, Response::empty_ok()))
                .map_err(|e| e.to_string()),
        });
    }
    Ok(())
}
