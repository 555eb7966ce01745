//! What the engine's interventions look like on the wire: a deny page naming the request id, a
//! dropped connection, a redirect; nothing of a blocked request ever reaching the application;
//! DetectionOnly letting everything through; the request body limit; the client address taken
//! from `X-Forwarded-For` only behind a trusted proxy; and one run with Debian's real CRS.
//!
//! "Never reached the upstream" is the property that matters most, so the upstream here is a
//! recorder that counts what it receives, and each test ends with a benign request to prove
//! the counting works.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "integration tests: a broken expectation must fail the test loudly"
)]

mod common;

use std::collections::HashSet;
use std::path::Path;

use common::{
    get, multipart, raw_exchange, request, send, with_body, Demo, Recorder, Setup, RULES,
};

#[tokio::test]
async fn attacks_are_denied_before_reaching_the_upstream() {
    let upstream = Recorder::start().await;
    let proxy = Setup::new(&[upstream.addr]).directives(RULES).start().await;

    let (upload_type, upload) = multipart("an attack in a field", "f.txt", b"hello");
    let attacks = [
        get("/search?q=attack"),
        get("/search?a=1&q=under%20attack"),
        with_body(
            "POST",
            "/api/users",
            "application/json",
            r#"{"name":"x","profile":{"bio":"attack at dawn"}}"#,
        ),
        with_body(
            "POST",
            "/login",
            "application/x-www-form-urlencoded",
            "username=alice&password=attack",
        ),
        with_body("POST", "/upload", &upload_type, upload),
    ];
    let mut ids = HashSet::new();
    for attack in attacks {
        let what = format!("{} {}", attack.method(), attack.uri());
        let reply = send(proxy.http, attack).await;
        let id = reply.assert_denied(403);
        assert!(ids.insert(id), "{what}: request ids must differ");
        assert_eq!(
            upstream.requests().len(),
            0,
            "{what}: the upstream saw a denied request"
        );
    }

    let reply = send(proxy.http, get("/search?q=peace")).await;
    assert_eq!(reply.status, 200);
    assert_eq!(upstream.requests().len(), 1);
}

#[tokio::test]
async fn drop_closes_the_connection_without_an_answer() {
    let upstream = Recorder::start().await;
    let proxy = Setup::new(&[upstream.addr]).directives(RULES).start().await;

    let got = raw_exchange(
        proxy.http,
        b"GET /anything HTTP/1.1\r\nHost: localhost\r\nX-Drop: yes\r\n\r\n",
    )
    .await;
    assert!(
        got.is_empty(),
        "expected no answer at all, got {:?}",
        String::from_utf8_lossy(&got)
    );
    assert_eq!(upstream.requests().len(), 0);

    let got = raw_exchange(
        proxy.http,
        b"GET /anything HTTP/1.1\r\nHost: localhost\r\nX-Drop: no\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(got.starts_with(b"HTTP/1.1 200 "), "{got:?}");
    assert_eq!(upstream.requests().len(), 1);
}

#[tokio::test]
async fn redirect_answers_302_with_the_location() {
    let upstream = Recorder::start().await;
    let proxy = Setup::new(&[upstream.addr]).directives(RULES).start().await;

    let reply = send(proxy.http, get("/start?go=away")).await;
    assert_eq!(reply.status, 302, "{}", reply.text());
    assert_eq!(reply.header("location"), Some("https://example.com/"));
    assert_eq!(upstream.requests().len(), 0);
}

#[tokio::test]
async fn detection_only_lets_attacks_through() {
    let upstream = Recorder::start().await;
    let proxy = Setup::new(&[upstream.addr])
        .directives(RULES)
        .set("waf", "mode", "DetectionOnly")
        .start()
        .await;

    let reply = send(proxy.http, get("/search?q=attack")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let reply = send(proxy.http, get("/start?go=away")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let seen = upstream.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].uri, "/search?q=attack");
}

#[tokio::test]
async fn detection_only_forwards_a_body_over_the_limit_whole() {
    // In DetectionOnly, `SecRequestBodyLimitAction Reject` only records the overflow (as
    // ModSecurity v3 does): the request must still reach the application complete.
    let upstream = Recorder::start().await;
    let proxy = Setup::new(&[upstream.addr])
        .directives(&format!("{RULES}\nSecRequestBodyLimit 16384\n"))
        .set("waf", "mode", "DetectionOnly")
        // A short body declared longer leaves the upstream waiting: fail in 1 s, not 5.
        .set("upstream", "read_timeout_ms", 1000_i64)
        .start()
        .await;
    let body = common::pattern(1 << 20);

    let sized = with_body("POST", "/sized", "application/octet-stream", body.clone());
    let chunked = request("POST", "/chunked")
        .header(http::header::CONTENT_TYPE, "application/octet-stream")
        .body(common::streamed(body.clone(), 4096))
        .expect("request");
    let sized = common::try_send(proxy.http, sized).await;
    let chunked = common::try_send(proxy.http, chunked).await;
    let outcome = |reply: &Result<common::Reply, common::BoxError>| match reply {
        Ok(reply) => format!("{} ({} bytes)", reply.status, reply.body.len()),
        Err(e) => format!("error: {e}"),
    };
    let received: Vec<(String, usize)> = upstream
        .requests()
        .iter()
        .map(|s| (s.uri.clone(), s.body.len()))
        .collect();
    assert!(
        sized
            .as_ref()
            .is_ok_and(|r| r.status == 200 && r.body == body)
            && chunked
                .as_ref()
                .is_ok_and(|r| r.status == 200 && r.body == body),
        "sized: {}, chunked: {}; the upstream received {received:?} of {} bytes each",
        outcome(&sized),
        outcome(&chunked),
        body.len()
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_rejected_before_the_upstream() {
    // `SecRequestBodyLimitAction Reject` (the base configuration's) answers as ModSecurity v3
    // does: 403 from the engine (README, "Request and response bodies"), with the deny page.
    let upstream = Recorder::start().await;
    let proxy = Setup::new(&[upstream.addr])
        .directives(&format!("{RULES}\nSecRequestBodyLimit 16384\n"))
        .start()
        .await;

    let too_big = with_body(
        "POST",
        "/upload",
        "application/octet-stream",
        common::pattern(64 * 1024),
    );
    let reply = send(proxy.http, too_big).await;
    reply.assert_denied(403);
    assert_eq!(upstream.requests().len(), 0, "the upstream saw the body");

    // The same request under the limit goes through: the limit, not a rule, refused it.
    let fits = with_body(
        "POST",
        "/upload",
        "application/octet-stream",
        common::pattern(8 * 1024),
    );
    let reply = send(proxy.http, fits).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(upstream.requests().len(), 1);
}

const BLOCK_DOCUMENTATION_ADDRESS: &str =
    r#"SecRule REMOTE_ADDR "@ipMatch 203.0.113.7" "id:1010,phase:1,deny,status:403""#;

fn forwarded_for(address: &str) -> http::Request<http_body_util::Full<bytes::Bytes>> {
    request("GET", "/whoami")
        .header("x-forwarded-for", address)
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .expect("request")
}

#[tokio::test]
async fn x_forwarded_for_is_believed_only_from_trusted_proxies() {
    let upstream = Recorder::start().await;
    let trusting = Setup::new(&[upstream.addr])
        .directives(BLOCK_DOCUMENTATION_ADDRESS)
        .set("server", "trusted_proxies", vec!["127.0.0.1"])
        .start()
        .await;
    let reply = send(trusting.http, forwarded_for("203.0.113.7")).await;
    reply.assert_denied(403);
    let reply = send(trusting.http, forwarded_for("198.51.100.1")).await;
    assert_eq!(reply.status, 200);

    let untrusting = Setup::new(&[upstream.addr])
        .directives(BLOCK_DOCUMENTATION_ADDRESS)
        .start()
        .await;
    let reply = send(untrusting.http, forwarded_for("203.0.113.7")).await;
    assert_eq!(
        reply.status, 200,
        "an untrusted peer's X-Forwarded-For was believed"
    );

    // The upstream learns the hop: the client's list with the proxy's peer appended.
    let seen = upstream.requests();
    assert_eq!(seen.len(), 2);
    let xff = seen[1]
        .headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok());
    assert_eq!(xff, Some("203.0.113.7, 127.0.0.1"));
}

#[tokio::test]
async fn debian_crs_blocks_sql_injection_and_passes_a_benign_get() {
    let crs = Path::new("/usr/share/modsecurity-crs");
    let setup = Path::new("/etc/modsecurity/crs/crs-setup.conf");
    if !crs.join("rules").is_dir() || !setup.is_file() {
        eprintln!(
            "skipped: Debian's CRS is not installed at {} (run scripts/setup.sh)",
            crs.display()
        );
        return;
    }
    let demo = Demo::start().await;
    let proxy = Setup::new(&[demo.addr])
        .set("crs", "enabled", true)
        .set("crs", "path", crs.display().to_string())
        .set("crs", "setup", setup.display().to_string())
        .start()
        .await;
    // Headers a browser sends, so that CRS's protocol rules have nothing to score.
    let browser = |path: &str| {
        request("GET", path)
            .header(
                "user-agent",
                "Mozilla/5.0 (X11; Linux x86_64) rampart-itest",
            )
            .header("accept", "application/json")
            .body(http_body_util::Full::new(bytes::Bytes::new()))
            .expect("request")
    };

    let reply = send(proxy.http, browser("/api/users?q=alice")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["total"], 1);

    let reply = send(
        proxy.http,
        browser("/api/users?id=1%27%20OR%20%271%27%3D%271"),
    )
    .await;
    reply.assert_denied(403);
}
