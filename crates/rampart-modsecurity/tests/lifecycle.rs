//! Memory across many transactions, and the engine's cleanup and re-creation. Its own test
//! binary, with one test, so that no other test's transactions move the numbers.
#![cfg(feature = "modsecurity")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use rampart_modsecurity::{ModSecurity, Rules, Transaction};

const RULES: &str = r#"
SecRuleEngine On
SecRequestBodyAccess On
SecRule ARGS:q "@contains evil" "id:1,phase:1,deny,status:403,msg:'evil',logdata:'%{MATCHED_VAR}'"
SecRule ARGS:w "@contains warn" "id:2,phase:1,pass,log,msg:'warn',logdata:'%{MATCHED_VAR}',tag:'t'"
SecRule ARGS:r "@streq go" "id:3,phase:1,redirect:'https://example.com/'"
SecRule REQUEST_BODY "@contains zzz" "id:4,phase:2,pass,log,msg:'body'"
"#;

/// Resident set size in bytes (Linux).
fn rss() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

fn one(engine: &Arc<ModSecurity>, rules: &Arc<Rules>, i: usize, body: &[u8]) {
    let mut tx = Transaction::new(engine, rules).unwrap();
    tx.process_connection("192.0.2.1", 1000, "192.0.2.2", 80)
        .unwrap();
    let uri = match i % 4 {
        0 => format!("/?q=evil{i}"),
        1 => format!("/?w=warn{i}"),
        2 => "/?r=go".to_owned(),
        _ => format!("/?x={i}"),
    };
    tx.process_uri(&uri, "POST", "1.1").unwrap();
    tx.add_request_header("Host", "h").unwrap();
    tx.add_request_header("Content-Type", "text/plain").unwrap();
    tx.process_request_headers().unwrap();
    // Every other intervention is fetched (and its strings freed); the rest are left for
    // msc_transaction_cleanup.
    if i % 2 == 0 {
        let _ = tx.intervention();
    }
    tx.append_request_body(body).unwrap();
    tx.process_request_body().unwrap();
    tx.process_response_headers(200, "HTTP 1.1").unwrap();
    tx.process_response_body().unwrap();
    tx.process_logging().unwrap();
}

#[test]
fn transactions_do_not_leak_and_the_engine_comes_back() {
    let body = vec![b'z'; 16 * 1024];
    {
        let engine = ModSecurity::instance().unwrap();
        let mut rules = Rules::new().unwrap();
        rules.add(RULES).unwrap();
        let rules = Arc::new(rules);
        for i in 0..500 {
            one(&engine, &rules, i, &body);
        }
        let before = rss();
        for i in 0..5000 {
            one(&engine, &rules, i, &body);
        }
        let grown = rss().saturating_sub(before);
        // A transaction that was not freed keeps at least its 16 KiB body: 5,000 of them
        // would be 80 MiB.
        assert!(
            grown < 8 << 20,
            "RSS grew by {grown} bytes over 5,000 transactions"
        );
        // Rules and engine dropped here, engine last (transactions held it too).
    }
    // A new engine after the old one's msc_cleanup, usable as before.
    let engine = ModSecurity::instance().unwrap();
    let mut rules = Rules::new().unwrap();
    rules.add(RULES).unwrap();
    let rules = Arc::new(rules);
    let mut tx = Transaction::new(&engine, &rules).unwrap();
    tx.process_connection("192.0.2.1", 1, "192.0.2.2", 2)
        .unwrap();
    tx.process_uri("/?q=evil", "GET", "1.1").unwrap();
    tx.process_request_headers().unwrap();
    assert_eq!(tx.intervention().map(|it| it.status), Some(403));
}
