//! Benign traffic through `rampart serve`: the client gets exactly what the application
//! answers, the application gets exactly what the client sent (bodies byte for byte, including
//! the part past a `ProcessPartial` inspection limit), and response-phase rules see the
//! upstream's status and JSON body.
//!
//! A WAF that alters clean traffic breaks applications quietly, so these compare against the
//! demo API answering directly, and against an upstream that records what it received.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "integration tests: a broken expectation must fail the test loudly"
)]

mod common;

use bytes::Bytes;
use common::{
    get, multipart, pattern, request, send, streamed, with_body, Demo, Recorder, Setup, RULES,
};
use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http_body_util::Full;

/// One request, replayable against two servers.
#[derive(Debug)]
struct Case {
    method: &'static str,
    path: &'static str,
    content_type: Option<String>,
    body: Vec<u8>,
}

impl Case {
    fn new(method: &'static str, path: &'static str) -> Case {
        Case {
            method,
            path,
            content_type: None,
            body: Vec::new(),
        }
    }

    fn body(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Case {
        self.content_type = Some(content_type.to_string());
        self.body = body.into();
        self
    }

    fn request(&self) -> http::Request<Full<Bytes>> {
        let mut builder = request(self.method, self.path);
        if let Some(content_type) = &self.content_type {
            builder = builder.header(CONTENT_TYPE, content_type);
        }
        builder
            .body(Full::new(Bytes::from(self.body.clone())))
            .expect("request")
    }
}

#[tokio::test]
async fn benign_requests_get_what_the_demo_api_answers_directly() {
    // Two demo APIs start from the same seeded state and see the same sequence of requests:
    // one directly, one through the proxy.
    let direct = Demo::start().await;
    let behind = Demo::start().await;
    let proxy = Setup::new(&[behind.addr]).directives(RULES).start().await;

    let (upload_type, upload) = multipart("a benign note", "report.bin", &pattern(10_000));
    let cases = [
        Case::new("GET", "/healthz"),
        Case::new("GET", "/api/users"),
        Case::new("GET", "/api/users?q=ali&limit=1"),
        Case::new("GET", "/api/users/2"),
        Case::new("GET", "/api/orders?user_id=1"),
        Case::new("GET", "/api/no-such-thing"),
        Case::new("POST", "/api/users").body(
            "application/json",
            r#"{"name":"Dana Scully","email":"dana@example.com"}"#,
        ),
        Case::new("PUT", "/api/users/2").body("application/json", r#"{"name":"Robert"}"#),
        Case::new("POST", "/api/orders").body(
            "application/json",
            r#"{"user_id":1,"items":[{"sku":"BOOK-1","qty":2},{"sku":"PEN-9","qty":1}]}"#,
        ),
        Case::new("POST", "/login").body(
            "application/x-www-form-urlencoded",
            "username=alice&password=wonderland",
        ),
        Case::new("POST", "/login").body(
            "application/x-www-form-urlencoded",
            "username=alice&password=wrong",
        ),
        Case::new("POST", "/upload").body(&upload_type, upload),
        Case::new("DELETE", "/api/users/3"),
        Case::new("GET", "/api/users/3"),
    ];
    for case in &cases {
        let want = send(direct.addr, case.request()).await;
        let got = send(proxy.http, case.request()).await;
        assert_eq!(got.status, want.status, "{case:?}: {}", got.text());
        for name in ["content-type", "location", "allow"] {
            assert_eq!(got.header(name), want.header(name), "{case:?}: {name}");
        }
        if case.path == "/login" && want.status == 200 {
            // The session token is random; everything else is not.
            let (mut got, mut want) = (got.json(), want.json());
            assert!(got["token"].as_str().is_some_and(|t| t.len() == 32));
            got["token"] = serde_json::Value::Null;
            want["token"] = serde_json::Value::Null;
            assert_eq!(got, want, "{case:?}");
        } else {
            assert_eq!(got.text(), want.text(), "{case:?}");
        }
    }
}

#[tokio::test]
async fn request_bodies_reach_the_upstream_byte_for_byte() {
    let upstream = Recorder::start().await;
    let proxy = Setup::new(&[upstream.addr]).directives(RULES).start().await;

    // Files are not counted against the base configuration's 128 KiB
    // `SecRequestBodyNoFilesLimit`; the other bodies stay under it.
    let (upload_type, upload) = multipart("note", "blob.bin", &pattern(200_000));
    let bodies: [(&str, Vec<u8>); 4] = [
        (
            "application/json",
            br#"{"user":{"name":"Zo\u00eb","tags":["a","b"]},"n":[1,2.5,null]}"#.to_vec(),
        ),
        (
            "application/x-www-form-urlencoded",
            b"a=1&b=%C3%A9t%C3%A9&c=x+y&d=&e".to_vec(),
        ),
        (&upload_type, upload),
        ("application/octet-stream", pattern(100_000)),
    ];
    for (i, (content_type, body)) in bodies.iter().enumerate() {
        let reply = send(
            proxy.http,
            with_body("POST", "/echo", content_type, body.clone()),
        )
        .await;
        assert_eq!(reply.status, 200, "{content_type}: {}", reply.text());
        assert_eq!(reply.body.as_ref(), body.as_slice(), "{content_type}: echo");
        let seen = &upstream.requests()[i];
        assert_eq!(seen.method, "POST");
        assert_eq!(seen.uri, "/echo");
        assert_eq!(seen.body.as_ref(), body.as_slice(), "{content_type}");
        assert_eq!(
            seen.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()),
            Some(*content_type)
        );
        assert_eq!(
            seen.headers
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok()),
            Some(body.len().to_string().as_str())
        );
    }
}

#[tokio::test]
async fn a_megabyte_past_a_process_partial_limit_arrives_complete() {
    // The engine inspects the first 64 KiB; the rest must stream on behind it, in order.
    let upstream = Recorder::start().await;
    let proxy = Setup::new(&[upstream.addr])
        .directives(&format!(
            "{RULES}\nSecRequestBodyLimit 65536\nSecRequestBodyNoFilesLimit 65536\n\
             SecRequestBodyLimitAction ProcessPartial\n"
        ))
        .start()
        .await;
    let body = pattern(1 << 20);

    // With a Content-Length.
    let reply = send(
        proxy.http,
        with_body(
            "POST",
            "/upload/sized",
            "application/octet-stream",
            body.clone(),
        ),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.body == body, "the echo differs from what was sent");

    // Chunked, in 16 KiB frames.
    let chunked = request("POST", "/upload/chunked")
        .header(CONTENT_TYPE, "application/octet-stream")
        .body(streamed(body.clone(), 16 * 1024))
        .expect("request");
    let reply = send(proxy.http, chunked).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.body == body, "the echo differs from what was sent");

    let seen = upstream.requests();
    assert_eq!(seen.len(), 2);
    for request in &seen {
        assert_eq!(request.body.len(), body.len(), "{}", request.uri);
        assert!(request.body == body, "{}: body altered", request.uri);
    }
}

#[tokio::test]
async fn head_answers_keep_the_upstreams_content_length() {
    // A HEAD answer carries the headers the GET would; its Content-Length is the GET body's
    // length (RFC 9110 §9.3.2), not the length of the empty HEAD body.
    let direct = Demo::start().await;
    let behind = Demo::start().await;
    let proxy = Setup::new(&[behind.addr]).directives(RULES).start().await;

    let get_reply = send(direct.addr, get("/api/users/1")).await;
    let head = || {
        request("HEAD", "/api/users/1")
            .body(Full::new(Bytes::new()))
            .expect("request")
    };
    let want = send(direct.addr, head()).await;
    let got = send(proxy.http, head()).await;
    assert_eq!(got.status, 200);
    assert_eq!(
        want.header("content-length"),
        Some(get_reply.body.len().to_string().as_str()),
        "the demo API itself"
    );
    assert_eq!(
        got.header("content-length"),
        want.header("content-length"),
        "HEAD through the proxy"
    );
    assert!(got.body.is_empty());
}

#[tokio::test]
async fn response_rules_see_the_upstreams_status_and_json_body() {
    let demo = Demo::start().await;
    let proxy = Setup::new(&[demo.addr])
        .directives(
            r#"
SecRule RESPONSE_STATUS "@streq 404" "id:1006,phase:3,deny,status:403,log"
SecRule RESPONSE_BODY "@contains carol@example.org" "id:1007,phase:4,deny,status:403,log"
"#,
        )
        .start()
        .await;

    // Phase 3: the demo's 404 is replaced by the deny page.
    let reply = send(proxy.http, get("/api/users/99")).await;
    reply.assert_denied(403);
    assert!(!reply.text().contains("not found"), "{}", reply.text());

    // Phase 4: a JSON answer holding the watched address is withheld entirely.
    let reply = send(proxy.http, get("/api/users/3")).await;
    reply.assert_denied(403);
    assert!(!reply.text().contains("carol"), "{}", reply.text());

    // Answers that match neither rule pass unchanged.
    let reply = send(proxy.http, get("/api/users/1")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["email"], "alice@example.com");
    assert_eq!(
        reply.header("content-length"),
        Some(reply.body.len().to_string().as_str())
    );
}
