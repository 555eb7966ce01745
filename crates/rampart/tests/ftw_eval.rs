//! `rampart ftw` and `rampart eval` as a user runs them, and their agreement: the same request
//! gets the same matched rule ids from both.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::io::Write;
use std::process::{Command, Stdio};

use base64::Engine as _;
use rampart_harness::{request, suite};

fn rampart() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rampart"));
    command.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    command
}

fn shared() -> String {
    rampart_testkit::shared_dir().display().to_string()
}

/// Tests whose first stage needs no `/reflect` backend answer (eval answers 200 empty).
const SAMPLE: &str = "^(942100-[1-9]|932160-[1-5]|920270-[1-3]|941100-[1-5]|930100-[1-3]|933100-[1-3]|920350-[1-3])$";

#[test]
fn ftw_runs_a_selection_and_prints_the_closing_line() {
    let output = rampart()
        .args([
            "ftw",
            "--shared",
            &shared(),
            "--include",
            "^(920100-[0-9]+|942100-[1-9])$",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    let counts: Vec<usize> = last
        .split([',', ' '])
        .filter_map(|w| w.parse().ok())
        .collect();
    assert_eq!(counts.len(), 3, "closing line: {last}");
    assert!(counts[0] >= 25, "{last}");
    assert_eq!(counts[1], 0, "failures: {stdout}");
    assert!(output.status.success());
}

#[test]
fn eval_matches_ftw_on_the_same_requests() {
    let ftw = rampart()
        .args([
            "ftw",
            "--shared",
            &shared(),
            "--format",
            "json",
            "--include",
            SAMPLE,
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&ftw.stdout).unwrap();
    let results = report["results"].as_array().unwrap();
    assert!(results.len() >= 25, "sample too small: {}", results.len());

    let files =
        suite::load_dir(&rampart_testkit::shared_dir().join("crs/v4.28.0/tests/regression/tests"))
            .unwrap();
    let pattern = regex::Regex::new(SAMPLE).unwrap();
    let mut lines = String::new();
    for test in files
        .iter()
        .flat_map(|f| f.tests.iter())
        .filter(|t| pattern.is_match(&t.id()))
    {
        assert_eq!(test.stages.len(), 1, "{} has several stages", test.id());
        let bytes = request::build(&test.stages[0].input).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        lines.push_str(&format!(
            "{{\"id\": \"{}\", \"request_b64\": \"{b64}\"}}\n",
            test.id()
        ));
    }
    let mut config: Vec<String> = vec![
        format!("{}/modsecurity/modsecurity.conf-recommended", shared()),
        format!("{}/crs/test-setup.conf", shared()),
        format!("{}/crs/v4.28.0/crs-setup.conf.example", shared()),
    ];
    config.extend(
        rampart_testkit::conf_files(&rampart_testkit::crs4_rules_dir())
            .iter()
            .map(|p| p.display().to_string()),
    );
    let mut eval = rampart()
        .arg("eval")
        .arg("--jsonl")
        .args(&config)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    eval.stdin
        .take()
        .unwrap()
        .write_all(lines.as_bytes())
        .unwrap();
    let output = eval.wait_with_output().unwrap();
    assert!(output.status.success());
    let mut compared = 0;
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let verdict: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = verdict["id"].as_str().unwrap();
        let eval_ids: Vec<u64> = verdict["matched"]
            .as_array()
            .map(|m| m.iter().map(|r| r["id"].as_u64().unwrap()).collect())
            .unwrap_or_default();
        let ftw_ids: Vec<u64> = results
            .iter()
            .find(|r| r["test"] == id)
            .unwrap_or_else(|| panic!("{id} missing from ftw"))["logged_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(eval_ids, ftw_ids, "{id}");
        compared += 1;
    }
    assert_eq!(compared, results.len());
}

#[test]
fn eval_reports_requests_the_front_end_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.http");
    std::fs::write(&path, "GET /#fragment HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let output = rampart()
        .args(["eval", "--request"])
        .arg(&path)
        .arg(format!(
            "{}/modsecurity/modsecurity.conf-recommended",
            shared()
        ))
        .output()
        .unwrap();
    let verdict: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(verdict["rejected"]["status"], 400);
}
