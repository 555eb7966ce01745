//! `rampart ftw`: the CRS regression suite, in-process.
//!
//! Each stage's request is built byte for byte as go-ftw would send it, parsed as a front-end
//! would, and run through the engine; `/reflect` is answered as CRS's test backend does. A
//! request the front-end cannot parse gets nginx's 400. The rule ids the engine would log are
//! compared with the stage's expectations, as go-ftw compares the ids in the error log.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use rampart_harness::expect::{self, Observed, Verdict};
use rampart_harness::suite::{Stage, Test};
use rampart_harness::{raw, reflect, request, suite};
use rampart_proxy::backend::Backend;
use regex::Regex;
use serde::{Deserialize, Serialize};

use super::drive::{self, Connection, Request, Response};
use rampart_proxy::frontend::Admission;

#[derive(Args)]
pub struct FtwArgs {
    /// The shared test data directory (holding crs/ and modsecurity/).
    #[arg(long, default_value = "../shared")]
    shared: PathBuf,
    /// Rule files to load instead of the suite's configuration (recommended config,
    /// test-setup.conf, crs-setup.conf.example, rules/*.conf).
    #[arg(long = "rules", num_args = 1..)]
    rules: Vec<PathBuf>,
    /// The tests directory (default: crs/v4.28.0/tests/regression/tests under --shared).
    #[arg(long)]
    tests: Option<PathBuf>,
    /// Run only tests whose id (`RULEID-TESTID`) matches this regex.
    #[arg(long)]
    include: Option<String>,
    /// Skip tests whose id matches this regex.
    #[arg(long)]
    exclude: Option<String>,
    /// Tests known to fail with the reason (YAML list of {test, reason}).
    #[arg(long, default_value = "fidelity/crs-v4-exceptions.yaml")]
    exceptions: PathBuf,
    /// Fail (exit 1) when fewer tests pass than this.
    #[arg(long)]
    min_passed: Option<usize>,
    /// Print each failing test with its reasons.
    #[arg(long)]
    show_failures: bool,
    /// The engine: rampart's own, or libmodsecurity (a build with `--features modsecurity`).
    #[arg(long, value_enum, default_value_t = super::drive::EngineName::Native)]
    engine: super::drive::EngineName,
    /// Run over HTTP: start `rampart serve` and the test backend on loopback, send each stage
    /// over TCP, and read the rule ids from the error log between `X-CRS-Test` markers.
    #[arg(long)]
    http: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// The exceptions file: go-ftw's overrides format. An entry without `output` skips its tests;
/// one with `output` replaces their expectations (every stage's), as go-ftw does for engines
/// that differ from Apache + ModSecurity 2. Every entry says why.
#[derive(Deserialize)]
struct ExceptionsFile {
    #[serde(default)]
    test_overrides: Vec<Exception>,
}

#[derive(Deserialize)]
struct Exception {
    rule_id: u64,
    test_ids: Vec<u64>,
    reason: String,
    #[serde(default)]
    output: Option<rampart_harness::suite::Output>,
}

/// What the exceptions file says about one test.
#[derive(Clone)]
struct Override {
    reason: String,
    output: Option<rampart_harness::suite::Output>,
}

#[derive(Serialize, Clone)]
struct TestResult {
    test: String,
    /// pass, fail, skipped (listed without an override), overridden (passes under its listed
    /// expectations) or overridden-fail.
    outcome: &'static str,
    reasons: Vec<String>,
    logged_ids: Vec<u64>,
}

#[derive(Serialize)]
struct Report {
    passed: usize,
    failed: usize,
    skipped: usize,
    /// Of the passed tests, how many passed under overridden expectations.
    overridden: usize,
    results: Vec<TestResult>,
}

/// The configuration the suite runs under, in its load order.
pub fn suite_config(shared: &Path) -> Vec<PathBuf> {
    let mut files = vec![
        shared.join("modsecurity/modsecurity.conf-recommended"),
        shared.join("crs/test-setup.conf"),
        shared.join("crs/v4.28.0/crs-setup.conf.example"),
    ];
    let rules = shared.join("crs/v4.28.0/rules");
    if let Ok(entries) = std::fs::read_dir(&rules) {
        let mut confs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "conf"))
            .collect();
        confs.sort();
        files.extend(confs);
    }
    files
}

pub fn run(args: &FtwArgs) -> Result<ExitCode> {
    let config = if args.rules.is_empty() {
        suite_config(&args.shared)
    } else {
        args.rules.clone()
    };
    let rules = super::drive::backend(args.engine, &config)?;
    let rules = &*rules;
    let mut target = if args.http {
        Some(super::ftw_http::Target::start(
            &config,
            args.engine == super::drive::EngineName::Modsecurity,
        )?)
    } else {
        None
    };
    let tests_dir = args
        .tests
        .clone()
        .unwrap_or_else(|| args.shared.join("crs/v4.28.0/tests/regression/tests"));
    let files = suite::load_dir(&tests_dir)
        .with_context(|| format!("loading tests from {}", tests_dir.display()))?;
    let include = args.include.as_deref().map(Regex::new).transpose()?;
    let exclude = args.exclude.as_deref().map(Regex::new).transpose()?;
    let exceptions = load_exceptions(&args.exceptions)?;
    let tests: Vec<&Test> = files
        .iter()
        .flat_map(|f| f.tests.iter())
        .filter(|t| {
            let id = t.id();
            include.as_ref().is_none_or(|r| r.is_match(&id))
                && !exclude.as_ref().is_some_and(|r| r.is_match(&id))
        })
        .collect();
    let results = match target.as_mut() {
        // One server, one log: the stages go one after another.
        Some(target) => tests
            .iter()
            .map(|t| run_test(t, &exceptions, &mut |stage| target.run_stage(stage)))
            .collect(),
        None => run_all(rules, &tests, &exceptions),
    };
    drop(target);
    let passed = results
        .iter()
        .filter(|r| matches!(r.outcome, "pass" | "overridden"))
        .count();
    let overridden = results.iter().filter(|r| r.outcome == "overridden").count();
    let failed = results
        .iter()
        .filter(|r| matches!(r.outcome, "fail" | "overridden-fail"))
        .count();
    let skipped = results.iter().filter(|r| r.outcome == "skipped").count();
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(
                &mut out,
                &Report {
                    passed,
                    failed,
                    skipped,
                    overridden,
                    results: results.clone(),
                },
            )?;
            writeln!(out)?;
        }
        Format::Text => {
            for result in &results {
                let failed = matches!(result.outcome, "fail" | "overridden-fail");
                if args.show_failures && failed {
                    writeln!(out, "{} {}", result.outcome.to_uppercase(), result.test)?;
                    for reason in &result.reasons {
                        writeln!(out, "    {reason}")?;
                    }
                }
            }
            writeln!(
                out,
                "{} tests; {overridden} of the passed ones under overridden expectations (see {})",
                results.len(),
                args.exceptions.display()
            )?;
            writeln!(out, "{passed} passed, {failed} failed, {skipped} skipped")?;
        }
    }
    if let Some(min) = args.min_passed {
        if passed < min {
            eprintln!("rampart ftw: {passed} tests passed, fewer than the {min} required");
            return Ok(ExitCode::FAILURE);
        }
        return Ok(ExitCode::SUCCESS);
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn load_exceptions(path: &Path) -> Result<HashMap<String, Override>> {
    if !path.exists() {
        return Ok(HashMap::new());
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let file: ExceptionsFile =
        serde_yaml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let mut map = HashMap::new();
    for exception in file.test_overrides {
        anyhow::ensure!(
            !exception.reason.trim().is_empty(),
            "{}: the entry for rule {} has no reason",
            path.display(),
            exception.rule_id
        );
        for test in &exception.test_ids {
            map.insert(
                suite::test_id(exception.rule_id, *test),
                Override {
                    reason: exception.reason.trim().to_string(),
                    output: exception.output.clone(),
                },
            );
        }
    }
    Ok(map)
}

fn run_all(
    rules: &dyn Backend,
    tests: &[&Test],
    exceptions: &HashMap<String, Override>,
) -> Vec<TestResult> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .max(1);
    let chunk = tests.len().div_ceil(workers).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = tests
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|t| run_test(t, exceptions, &mut |stage| run_stage(rules, stage)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

fn run_test(
    test: &Test,
    exceptions: &HashMap<String, Override>,
    run_stage: &mut dyn FnMut(&Stage) -> (Verdict, Vec<u64>),
) -> TestResult {
    let id = test.id();
    let exception = exceptions.get(&id);
    let mut reasons = Vec::new();
    let mut logged_ids = Vec::new();
    if let Some(Override {
        reason,
        output: None,
    }) = exception
    {
        return TestResult {
            test: id,
            outcome: "skipped",
            reasons: vec![reason.clone()],
            logged_ids,
        };
    }
    for (index, stage) in test.stages.iter().enumerate() {
        let overridden;
        let stage = match exception.and_then(|e| e.output.as_ref()) {
            Some(output) => {
                overridden = Stage {
                    output: output.clone(),
                    ..stage.clone()
                };
                &overridden
            }
            None => stage,
        };
        let (verdict, ids) = run_stage(stage);
        logged_ids.extend(ids);
        match verdict {
            Verdict::Pass => {}
            Verdict::Fail(why) | Verdict::Unsupported(why) => {
                reasons.extend(why.into_iter().map(|r| format!("stage {}: {r}", index + 1)))
            }
        }
    }
    let passed = reasons.is_empty();
    let outcome = match (passed, exception) {
        (true, None) => "pass",
        (true, Some(_)) => "overridden",
        (false, Some(e)) => {
            reasons.insert(0, format!("overridden ({}), and still failing", e.reason));
            "overridden-fail"
        }
        (false, None) => "fail",
    };
    TestResult {
        test: id,
        outcome,
        reasons,
        logged_ids,
    }
}

/// Runs one stage: what the checks saw, and the ids logged.
pub fn run_stage(rules: &dyn Backend, stage: &Stage) -> (Verdict, Vec<u64>) {
    let bytes = match request::build(&stage.input) {
        Ok(bytes) => bytes,
        Err(error) => {
            return (
                Verdict::Fail(vec![format!("request not built: {error}")]),
                Vec::new(),
            )
        }
    };
    let observed_ids: Vec<u64>;
    let (status, log, response_bytes) = match raw::parse(&bytes) {
        Err(_) => {
            // What nginx answers to a request it cannot parse; the WAF never sees it.
            observed_ids = Vec::new();
            (
                400,
                String::new(),
                b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec(),
            )
        }
        Ok(parsed) => {
            let mut request = to_request(parsed);
            match super::drive::admit(&mut request) {
                Admission::Accept => {}
                Admission::Reject { status, reason } => {
                    let response = format!("HTTP/1.1 {status} {reason}\r\n\r\n");
                    let observed = Observed {
                        logged_ids: &[],
                        status: Some(status),
                        log: Some(""),
                        response: Some(response.as_bytes()),
                        error: None,
                    };
                    return (expect::check(&stage.output, &observed), Vec::new());
                }
                Admission::Drop { reason } => {
                    let observed = Observed {
                        logged_ids: &[],
                        status: None,
                        log: Some(""),
                        response: None,
                        error: Some(reason),
                    };
                    return (expect::check(&stage.output, &observed), Vec::new());
                }
            }
            let connection = Connection {
                server_port: stage.input.port(),
                ..Connection::default()
            };
            let mut reflected: Option<reflect::Response> = None;
            let verdict = drive::run(rules, &connection, &request, |r| {
                let answer = reflect::respond(&r.method, &r.uri, &r.body);
                let response = Response {
                    status: answer.status,
                    headers: answer
                        .headers
                        .iter()
                        .map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec()))
                        .collect(),
                    body: answer.body.clone(),
                };
                reflected = Some(answer);
                response
            });
            observed_ids = verdict.matched.iter().map(|m| m.id).collect();
            let host = header(&request, b"host").unwrap_or_default();
            let uri = String::from_utf8_lossy(&request.uri).into_owned();
            let mut lines: Vec<String> = verdict
                .matched
                .iter()
                .map(|m| rampart_proxy::logs::error_log::warning_message(&m.rule, &host, &uri, ""))
                .collect();
            if let Some(i) = &verdict.intervention {
                lines.push(format!("ModSecurity: {} [id \"{}\"]", i.message, i.rule_id));
            }
            let mut response = format!("HTTP/1.1 {} \r\n", verdict.status).into_bytes();
            if let Some(answer) = &reflected {
                if verdict.intervention.is_none() {
                    for (name, value) in &answer.headers {
                        response.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
                    }
                    response.extend_from_slice(b"\r\n");
                    response.extend_from_slice(&answer.body);
                }
                if let Some(message) = &answer.log_message {
                    lines.push(message.clone());
                }
            }
            (verdict.status, lines.join("\n"), response)
        }
    };
    let observed = Observed {
        logged_ids: &observed_ids,
        status: Some(status),
        log: Some(&log),
        response: Some(&response_bytes),
        error: None,
    };
    (expect::check(&stage.output, &observed), observed_ids)
}

fn header(request: &Request, name: &[u8]) -> Option<String> {
    request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
}

/// A parsed request as the engine is fed it. Bytes after the headers that no framing header
/// announced are not a body to a real front-end, so they are dropped.
pub fn to_request(parsed: raw::RawRequest) -> Request {
    let body = match parsed.framing {
        raw::BodyFraming::UntilEnd | raw::BodyFraming::None => Vec::new(),
        _ => parsed.body,
    };
    Request {
        method: parsed.method,
        uri: parsed.uri,
        version: parsed.version,
        headers: parsed.headers,
        body,
    }
}
