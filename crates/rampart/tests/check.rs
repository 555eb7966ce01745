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
