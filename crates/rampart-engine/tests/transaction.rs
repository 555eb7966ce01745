//! Transactions through the public API against the real CRS v4.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::sync::{Arc, OnceLock};

use rampart_engine::{load, RuleSet, Transaction};

fn crs4() -> Arc<RuleSet> {
    static RULES: OnceLock<Arc<RuleSet>> = OnceLock::new();
    RULES
        .get_or_init(|| {
            Arc::new(load(rampart_testkit::crs4_load_order()).unwrap_or_else(|e| panic!("{e:?}")))
        })
        .clone()
}

fn run(uri: &str, headers: &[(&str, &str)], body: &[u8]) -> Transaction {
    let mut tx = Transaction::new(crs4());
    tx.process_connection("192.0.2.10", 40000, "127.0.0.1", 80);
    tx.process_uri(uri.as_bytes(), b"GET", b"1.1");
    for (name, value) in headers {
        tx.add_request_header(name.as_bytes(), value.as_bytes());
    }
    tx.process_request_headers();
    tx.append_request_body(body);
    tx.process_request_body();
    tx.process_response_headers(200, b"HTTP/1.1");
    tx.process_response_body();
    tx.process_logging();
    tx
}

fn logged_ids(tx: &Transaction) -> Vec<u64> {
    tx.matched_rules()
        .iter()
        .filter(|r| r.logged)
        .map(|r| r.id)
        .collect()
}

const BROWSER: &[(&str, &str)] = &[
    ("Host", "localhost"),
    (
        "User-Agent",
        "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/120.0",
    ),
    ("Accept", "text/html,application/xhtml+xml"),
];

#[test]
fn benign_request_matches_nothing_logged() {
    let tx = run("/index.html?q=hello&page=2", BROWSER, b"");
    assert_eq!(logged_ids(&tx), Vec::<u64>::new());
    assert!(
        tx.matched_rules().is_empty(),
        "nothing a log would show is recorded"
    );
    assert!(
        tx.match_count() > 50,
        "CRS's nolog rules match silently, and are counted: {}",
        tx.match_count()
    );
}

#[test]
fn sql_injection_is_detected_and_scored() {
    let tx = run("/?id=1%27%20OR%20%271%27%3D%271", BROWSER, b"");
    let ids = logged_ids(&tx);
    assert!(ids.contains(&942100), "libinjection SQLi: {ids:?}");
    assert!(
        ids.contains(&949110),
        "inbound anomaly score exceeded: {ids:?}"
    );
    let score: i64 = String::from_utf8_lossy(tx.tx("blocking_inbound_anomaly_score").unwrap())
        .parse()
        .unwrap();
    assert!(score >= 5, "score {score}");
    let rule = tx.matched_rules().iter().find(|r| r.id == 942100).unwrap();
    assert_eq!(rule.matched_var_name, "ARGS:id");
    assert!(rule.msg.contains("SQL Injection"), "{}", rule.msg);
}
