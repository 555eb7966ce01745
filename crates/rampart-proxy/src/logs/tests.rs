//! `Logs` end to end: real files, many threads, shutdown.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::fixtures::{exchange, rule};
use super::*;

fn config(dir: &Path, error: &str, audit: &str, access: &str) -> LogConfig {
    let path = |name: &str| match name {
        "off" | "stdout" | "stderr" => name.to_string(),
        file => dir.join(file).display().to_string(),
    };
    LogConfig {
        error_log: path(error),
        audit_log: path(audit),
        access_log: path(access),
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn logs_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Logs>();
    check::<Arc<Logs>>();
}

#[test]
fn ten_thousand_records_from_eight_threads_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A tiny queue, so that callers really block on a busy writer.
    let logs = Arc::new(
        Logs::open_with_queue(
            &config(dir.path(), "error.log", "audit.log", "access.log"),
            8,
        )
        .unwrap(),
    );
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let logs = Arc::clone(&logs);
            std::thread::spawn(move || {
                for i in 0..1250 {
                    let mut ex = exchange();
                    ex.unique_id = format!("t{t}-{i}");
                    ex.matched
                        .push(rule(949110, "Inbound Anomaly Score Exceeded"));
                    logs.record(ex);
                }
                logs.server_error(&format!("thread {t} done"));
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    logs.shutdown();

    let access = read(&dir.path().join("access.log"));
    assert_eq!(access.lines().count(), 10_000);
    let mut rids: Vec<&str> = access
        .lines()
        .filter_map(|l| l.split(" rid=").nth(1)?.split(' ').next())
        .collect();
    rids.sort_unstable();
    rids.dedup();
    assert_eq!(rids.len(), 10_000, "every exchange exactly once");
    assert!(access.lines().all(|l| l.contains(" rules=942100,949110 ")));

    let error = read(&dir.path().join("error.log"));
    let warnings = error
        .lines()
        .filter(|l| l.contains("] ModSecurity: Warning. ") || l.contains(" ModSecurity: Warning. "))
        .count();
    assert_eq!(warnings, 20_000, "two logged rules per exchange");
    assert_eq!(
        error
            .lines()
            .filter(|l| l.contains("rampart: thread "))
            .count(),
        8
    );
    assert_eq!(error.lines().count(), 20_008);
    // nginx's *N numbers every exchange once.
    let mut connections: Vec<&str> = error
        .lines()
        .filter_map(|l| l.split(": *").nth(1)?.split(' ').next())
        .collect();
    connections.dedup();
    assert_eq!(connections.len(), 10_000);

    let audit = read(&dir.path().join("audit.log"));
    assert_eq!(audit.lines().count(), 10_000);
    for line in audit.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(
            v["transaction"]["messages"].as_array().map(Vec::len),
            Some(2)
        );
    }
}

#[test]
fn a_line_is_visible_within_milliseconds_without_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let logs = Logs::open(&config(dir.path(), "error.log", "off", "access.log")).unwrap();
    logs.record(exchange());
    let path = dir.path().join("access.log");
    let start = Instant::now();
    while read(&path).lines().count() < 1 {
        assert!(start.elapsed() < Duration::from_secs(5), "line not flushed");
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "{:?}",
        start.elapsed()
    );
    assert!(read(&path).starts_with("127.0.0.1 - - ["));
    logs.server_error("still here");
    let error = dir.path().join("error.log");
    let start = Instant::now();
    while !read(&error).contains("rampart: still here") {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "server error not flushed"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn off_logs_write_nothing_and_all_off_starts_no_thread() {
    let dir = tempfile::tempdir().unwrap();
    let logs = Logs::open(&config(dir.path(), "off", "off", "off")).unwrap();
    assert!(logs.jobs.is_none());
    logs.record(exchange());
    logs.server_error("nobody hears this");
    logs.shutdown();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    let logs = Logs::open(&config(dir.path(), "off", "audit.log", "off")).unwrap();
    let mut ex = exchange();
    ex.audit.engine = AuditEngine::Off;
    logs.record(ex);
    logs.record(exchange());
    logs.server_error("no error log");
    logs.shutdown();
    assert_eq!(read(&dir.path().join("audit.log")).lines().count(), 1);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn logs_sharing_a_file_keep_whole_lines() {
    let dir = tempfile::tempdir().unwrap();
    let logs = Arc::new(Logs::open(&config(dir.path(), "all.log", "all.log", "all.log")).unwrap());
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let logs = Arc::clone(&logs);
            std::thread::spawn(move || {
                for _ in 0..200 {
                    logs.record(exchange());
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    logs.shutdown();
    let text = read(&dir.path().join("all.log"));
    assert_eq!(text.lines().count(), 2400);
    for line in text.lines() {
        let known = line.starts_with("2026/11/24 13:59:01 [info] ")
            || line.starts_with("{\"transaction\":{")
            || line.starts_with("127.0.0.1 - - [");
        assert!(known, "{line}");
    }
}

#[test]
fn shutdown_is_idempotent_and_later_records_are_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let logs = Logs::open(&config(dir.path(), "off", "off", "access.log")).unwrap();
    logs.record(exchange());
    logs.shutdown();
    logs.shutdown();
    logs.record(exchange());
    logs.shutdown();
    assert_eq!(read(&dir.path().join("access.log")).lines().count(), 1);
}

#[test]
fn dropping_logs_flushes() {
    let dir = tempfile::tempdir().unwrap();
    {
        let logs = Logs::open(&config(dir.path(), "off", "off", "access.log")).unwrap();
        for _ in 0..3 {
            logs.record(exchange());
        }
    }
    assert_eq!(read(&dir.path().join("access.log")).lines().count(), 3);
}

#[test]
fn files_are_appended_to() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("access.log"), "earlier line\n").unwrap();
    let logs = Logs::open(&config(dir.path(), "off", "off", "access.log")).unwrap();
    logs.record(exchange());
    logs.shutdown();
    let text = read(&dir.path().join("access.log"));
    assert!(text.starts_with("earlier line\n127.0.0.1 - - ["), "{text}");
}

#[test]
fn an_unopenable_path_names_itself() {
    let dir = tempfile::tempdir().unwrap();
    let err = Logs::open(&config(dir.path(), "missing/dir/error.log", "off", "off")).unwrap_err();
    match err {
        LogError::Open { path, .. } => assert!(path.ends_with("missing/dir/error.log")),
        other => panic!("{other:?}"),
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_on_one_log_leaves_the_others_writing() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(dir.path(), "error.log", "off", "off");
    cfg.access_log = "/dev/full".into();
    let logs = Logs::open(&cfg).unwrap();
    for _ in 0..100 {
        logs.record(exchange());
    }
    logs.shutdown();
    assert_eq!(read(&dir.path().join("error.log")).lines().count(), 100);
}
