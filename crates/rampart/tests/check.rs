//! `rampart check` as a user runs it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::process::Command;

fn rampart() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rampart"))
}

#[test]
fn check_reports_crs4_counts_as_json() {
    let output = rampart()
        .args(["check", "--format", "json"])
        .args(rampart_testkit::crs4_load_order())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["rules"], 639);
    assert_eq!(report["chained"], 73);
    assert_eq!(report["markers"], 30);
    assert_eq!(report["errors"], serde_json::json!([]));
    let by_phase = report["by_phase"].as_object().unwrap();
    assert_eq!(
        by_phase.values().map(|n| n.as_u64().unwrap()).sum::<u64>(),
        639
    );
}

#[test]
fn check_reports_crs3_counts() {
    let output = rampart()
        .arg("check")
        .args(rampart_testkit::crs3_load_order())
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("ok: 634 rules (166 chained), 40 markers"),
        "{stdout}"
    );
}

#[test]
fn malformed_file_exits_1_with_file_line_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.conf");
    std::fs::write(
        &path,
        "SecRuleEngine On\nSecRule ARGS \"@rx x\" \"id:1,phase:2,denyy\"\n",
    )
    .unwrap();
    let output = rampart().arg("check").arg(&path).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let expected = format!(
        "{}:2:36: error: unknown action `denyy` (did you mean `deny`?)",
        path.display()
    );
    assert!(stderr.contains(&expected), "{stderr}");

    let output = rampart()
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["errors"][0]["line"], 2);
    assert_eq!(report["errors"][0]["column"], 36);
    assert_eq!(report["errors"][0]["file"], path.display().to_string());
}

#[test]
fn check_config_compiles_what_serve_would_load() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("rampart.toml");
    std::fs::write(
        &config,
        "[upstream]\nservers = [\"127.0.0.1:3000\"]\n[crs]\nenabled = false\n\
         [waf]\ndirectives = \"SecRule ARGS \\\"@contains x\\\" \\\"id:1,phase:2,deny\\\"\"\n",
    )
    .unwrap();
    let output = rampart()
        .args(["check", "--format", "json", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // The built-in base configuration's rules (200000-200007 family) plus the inline one.
    assert!(report["rules"].as_u64().unwrap() >= 7, "{report}");
    assert_eq!(report["errors"], serde_json::json!([]));
}

#[test]
fn check_config_reports_rule_errors_with_positions_and_config_errors_by_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.conf"),
        "SecRule ARGS \"@rx a\" \"id:1,denyy\"\n",
    )
    .unwrap();
    let config = dir.path().join("rampart.toml");
    std::fs::write(
        &config,
        "[upstream]\nservers = [\"127.0.0.1:3000\"]\n[crs]\nenabled = false\n[waf]\nrules = [\"bad.conf\"]\n",
    )
    .unwrap();
    let output = rampart()
        .args(["check", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad.conf:1:"), "{stderr}");
    assert!(stderr.contains("denyy"), "{stderr}");

    std::fs::write(&config, "[upstream]\nservers = [\"no-port\"]\n").unwrap();
    let output = rampart()
        .args(["check", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("upstream.servers"), "{stderr}");
}
