//! The server's life around the requests: rules reloaded while traffic flows (a good file takes
//! effect on connections already open, a broken one is refused with its file:line:column and
//! the old rules keep serving, and no request fails either way), the admin listener, the logs
//! each exchange leaves, and a graceful shutdown that finishes what is in flight and refuses
//! what comes after.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "integration tests: a broken expectation must fail the test loudly"
)]

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use common::{
    eventually, get, request, send, try_send, Behaviour, Connection, Demo, Recorder, Setup,
};
use http_body_util::Full;
use tokio::net::TcpStream;

const BASE_RULES: &str =
    "SecRule ARGS \"@contains attack\" \"id:1001,phase:2,deny,status:403,log\"\n";
const NEW_RULE: &str =
    "SecRule ARGS \"@contains blockme\" \"id:1004,phase:2,deny,status:403,log\"\n";

/// What the writers saw: every outcome that was not the expected one is a failure.
#[derive(Debug, Default)]
struct Tally {
    passed: usize,
    denied: usize,
    failures: Vec<String>,
}

/// Sends `?q=hello` (always 200) and `?q=blockme` (200 before the new rule, 403 after) in turn
/// on one kept-alive connection until `stop`.
async fn writer(
    addr: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicUsize>,
) -> Tally {
    let mut tally = Tally::default();
    let mut connection = match Connection::open(addr).await {
        Ok(connection) => connection,
        Err(e) => {
            tally.failures.push(format!("connect: {e}"));
            return tally;
        }
    };
    while !stop.load(Ordering::Relaxed) {
        for query in ["hello", "blockme"] {
            let outcome = connection.send(get(&format!("/api/users?q={query}"))).await;
            sent.fetch_add(1, Ordering::Relaxed);
            match (query, outcome) {
                (_, Ok(reply)) if reply.status == 200 => tally.passed += 1,
                ("blockme", Ok(reply)) if reply.status == 403 => tally.denied += 1,
                (_, Ok(reply)) => tally.failures.push(format!(
                    "q={query}: status {}: {}",
                    reply.status,
                    reply.text()
                )),
                (_, Err(e)) => {
                    tally.failures.push(format!("q={query}: {e}"));
                    return tally;
                }
            }
        }
    }
    tally
}

fn write_rules(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write the rule file");
}

/// Waits until the writers have sent `more` requests beyond what they had sent so far.
async fn let_traffic_flow(sent: &AtomicUsize, more: usize) {
    let target = sent.load(Ordering::Relaxed) + more;
    eventually("the writers keep sending", || async {
        sent.load(Ordering::Relaxed) >= target
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_while_requests_flow() {
    let demo = Demo::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("rules.conf");
    write_rules(&rules, BASE_RULES);
    let proxy = Setup::new(&[demo.addr])
        .set("waf", "rules", vec![rules.display().to_string()])
        .start()
        .await;
    let probe = |query: &str| get(&format!("/api/users?q={query}"));
    assert_eq!(send(proxy.http, probe("blockme")).await.status, 200);

    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..4)
        .map(|_| tokio::spawn(writer(proxy.http, Arc::clone(&stop), Arc::clone(&sent))))
        .collect();
    let_traffic_flow(&sent, 40).await;

    // A good file: the new rule applies from the next request on.
    write_rules(&rules, &format!("{BASE_RULES}{NEW_RULE}"));
    let generation = proxy.handle.reload().await.expect("a good file reloads");
    assert_eq!(generation, 2);
    send(proxy.http, probe("blockme")).await.assert_denied(403);
    assert_eq!(send(proxy.http, probe("hello")).await.status, 200);
    let_traffic_flow(&sent, 40).await;

    // Broken files: refused with the place of the error; the previous rules keep serving.
    for broken in [
        "SecRule ARGS \"@rx (\" \"id:1005,phase:2,deny\"\n",
        "SecRule ARGS \"@contains x\" \"id:1006,phase:2,explode\"\n",
    ] {
        write_rules(&rules, &format!("{BASE_RULES}{NEW_RULE}{broken}"));
        let error = proxy
            .handle
            .reload()
            .await
            .expect_err("a broken file must be refused");
        assert!(
            has_location(&error, "rules.conf", 3),
            "the error should name rules.conf:3:COLUMN: {error}"
        );
        send(proxy.http, probe("blockme")).await.assert_denied(403);
        send(proxy.http, probe("attack")).await.assert_denied(403);
        assert_eq!(send(proxy.http, probe("hello")).await.status, 200);
        let_traffic_flow(&sent, 40).await;
    }

    // The same through the admin listener.
    let reload = || {
        request("POST", "/reload")
            .body(Full::new(Bytes::new()))
            .expect("request")
    };
    let reply = send(proxy.admin, reload()).await;
    assert_eq!(reply.status, 422, "{}", reply.text());
    assert!(
        has_location(&reply.text(), "rules.conf", 3),
        "{}",
        reply.text()
    );
    write_rules(&rules, BASE_RULES);
    let reply = send(proxy.admin, reload()).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(send(proxy.http, probe("blockme")).await.status, 200);
    let_traffic_flow(&sent, 40).await;

    stop.store(true, Ordering::Relaxed);
    let mut total = Tally::default();
    for writer in writers {
        let tally = tokio::time::timeout(common::TIMEOUT, writer)
            .await
            .expect("writer stopped")
            .expect("writer task");
        total.passed += tally.passed;
        total.denied += tally.denied;
        total.failures.extend(tally.failures);
    }
    assert!(
        total.failures.is_empty(),
        "requests failed during reloads: {:?}",
        total.failures
    );
    // The writers' connections were opened before the first reload: the new rule reached them.
    assert!(total.denied > 0, "{total:?}");
    assert!(total.passed > total.denied, "{total:?}");
}

/// Whether `text` holds `<…file>:<line>:<column>`.
fn has_location(text: &str, file: &str, line: usize) -> bool {
    let needle = format!("{file}:{line}:");
    text.match_indices(&needle).any(|(at, _)| {
        text[at + needle.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

#[tokio::test]
async fn admin_endpoints() {
    let demo = Demo::start().await;
    let proxy = Setup::new(&[demo.addr]).start().await;

    let reply = send(proxy.admin, get("/healthz")).await;
    assert_eq!(reply.status, 200);
    let reply = send(proxy.admin, get("/readyz")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let reply = send(proxy.admin, get("/metrics")).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/plain")),
        "{:?}",
        reply.header("content-type")
    );
    let reply = send(proxy.admin, get("/reload")).await;
    assert_eq!(reply.status, 405);
    let reply = send(proxy.admin, get("/nothing-here")).await;
    assert_eq!(reply.status, 404);

    // The admin listener is its own: the proxied application is not behind it.
    let reply = send(proxy.admin, get("/api/users")).await;
    assert_eq!(reply.status, 404);
    let reply = send(proxy.http, get("/api/users")).await;
    assert_eq!(reply.status, 200);
}

/// The value of an unlabelled metric in a Prometheus text page.
fn metric(page: &str, name: &str) -> Option<f64> {
    page.lines().find_map(|line| {
        line.strip_prefix(name)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}

#[tokio::test]
async fn metrics_count_the_rules_in_force() {
    let demo = Demo::start().await;
    let with = |directives: &str| Setup::new(&[demo.addr]).directives(directives);
    let base = rampart_proxy::rules::build(&with("").config())
        .expect("the base configuration compiles")
        .summary()
        .rules;
    assert!(base > 0, "the base configuration holds rules");
    // A chain counts once, as its starter: two more rules.
    let extra = concat!(
        "SecRule ARGS \"@contains a\" \"id:1101,phase:2,pass,nolog,chain\"\n",
        "SecRule ARGS \"@contains b\" \"t:none\"\n",
        "SecAction \"id:1102,phase:1,pass,nolog\"\n",
    );
    for (directives, expected) in [("", base), (extra, base + 2)] {
        let proxy = with(directives).start().await;
        let page = send(proxy.admin, get("/metrics")).await.text();
        assert_eq!(
            metric(&page, "rampart_rule_set_rules"),
            Some(expected as f64),
            "{directives}"
        );
        // A reload keeps the count of the set now in force.
        proxy.handle.reload().await.expect("the same rules reload");
        let page = send(proxy.admin, get("/metrics")).await.text();
        assert_eq!(
            metric(&page, "rampart_rule_set_rules"),
            Some(expected as f64)
        );
        assert_eq!(metric(&page, "rampart_rule_set_generation"), Some(2.0));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_in_flight_requests_and_refuses_new_ones() {
    let slow = Recorder::start_with(Behaviour {
        delay: Duration::from_millis(500),
        ..Behaviour::default()
    })
    .await;
    let proxy = Setup::new(&[slow.addr]).start().await;
    let (http, admin) = (proxy.http, proxy.admin);

    let in_flight = tokio::spawn(try_send(
        http,
        common::with_body("POST", "/slow", "text/plain", "still here"),
    ));
    slow.wait_for(1).await;
    let shutdown = tokio::spawn(proxy.handle.shutdown());

    eventually("the listener is closed", || async {
        TcpStream::connect(http).await.is_err()
    })
    .await;
    let reply = tokio::time::timeout(common::TIMEOUT, in_flight)
        .await
        .expect("the in-flight request finished")
        .expect("task")
        .expect("the in-flight request was not cut off");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.text(), "still here");

    tokio::time::timeout(common::TIMEOUT, shutdown)
        .await
        .expect("shutdown finished once drained")
        .expect("task");
    assert!(TcpStream::connect(http).await.is_err(), "still accepting");
    assert!(
        TcpStream::connect(admin).await.is_err(),
        "admin still accepting"
    );
    assert_eq!(slow.requests().len(), 1);
}

/// The logs get each exchange's headers, as the client sent them and as the upstream answered:
/// the proxy copies them out only when some log is on, so this is the case that must work.
#[tokio::test]
async fn logs_show_the_headers_of_each_exchange() {
    let demo = Demo::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let (audit, access) = (dir.path().join("audit.log"), dir.path().join("access.log"));
    let proxy = Setup::new(&[demo.addr])
        .set("log", "audit_log", audit.display().to_string())
        .set("log", "access_log", access.display().to_string())
        .directives("SecAuditEngine On\nSecAuditLogParts ABFHZ\n")
        .start()
        .await;
    let reply = send(
        proxy.http,
        request("GET", "/api/users/1")
            .header("User-Agent", "itest-agent/1.0")
            .header("X-Trace", "t-4711")
            .body(Full::new(Bytes::new()))
            .expect("request"),
    )
    .await;
    assert_eq!(reply.status, 200);
    let read = |path: &Path| std::fs::read_to_string(path).unwrap_or_default();
    eventually("both logs hold the exchange", || async {
        read(&audit).contains("t-4711") && read(&access).contains("itest-agent/1.0")
    })
    .await;
    let record: serde_json::Value =
        serde_json::from_str(read(&audit).trim_end()).expect("one JSON audit record");
    let transaction = &record["transaction"];
    assert_eq!(
        transaction["request"]["headers"]["x-trace"], "t-4711",
        "request headers as sent (hyper writes names in lower case): {record}"
    );
    let response_headers = transaction["response"]["headers"]
        .as_object()
        .expect("response headers");
    assert!(
        response_headers
            .iter()
            .any(|(name, value)| name.eq_ignore_ascii_case("content-type")
                && value.as_str().is_some_and(|v| v.contains("json"))),
        "the upstream's response headers: {record}"
    );
}
