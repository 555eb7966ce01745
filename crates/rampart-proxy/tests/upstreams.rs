//! The upstream side: what the client gets when the application is down (502), too slow
//! (504) or hangs up without answering (502); round-robin over several servers; health
//! checks keeping traffic off a server that is down; a refused connection moving a bodiless
//! request on to the next server; and a server that was down coming back into rotation.
//!
//! Each failure must become a prompt, well-formed error answer naming the request id, never a
//! hung or reset client connection.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "integration tests: a broken expectation must fail the test loudly"
)]

mod common;

use std::time::{Duration, Instant};

use common::{
    dead_address, get, send, with_body, Behaviour, Demo, Hangup, HangupKind, Recorder, Setup, RULES,
};

#[tokio::test]
async fn an_upstream_that_is_down_is_a_502() {
    let proxy = Setup::new(&[dead_address().await])
        .directives(RULES)
        .start()
        .await;
    let reply = send(proxy.http, get("/api/users")).await;
    reply.assert_denied(502);
    assert!(reply.text().contains("Bad Gateway"), "{}", reply.text());
}

#[tokio::test]
async fn an_upstream_slower_than_the_read_timeout_is_a_504() {
    let slow = Recorder::start_with(Behaviour {
        delay: Duration::from_secs(30),
        ..Behaviour::default()
    })
    .await;
    let proxy = Setup::new(&[slow.addr])
        .set("upstream", "read_timeout_ms", 300_i64)
        .start()
        .await;
    let started = Instant::now();
    let reply = send(proxy.http, get("/slow")).await;
    reply.assert_denied(504);
    assert!(reply.text().contains("Gateway Timeout"), "{}", reply.text());
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the timeout took {:?}",
        started.elapsed()
    );
    assert_eq!(slow.requests().len(), 1);
}

#[tokio::test]
async fn an_upstream_that_hangs_up_without_answering_is_a_502() {
    for kind in [HangupKind::Close, HangupKind::Reset] {
        let upstream = Hangup::start(kind).await;
        let proxy = Setup::new(&[upstream.addr]).start().await;
        let reply = send(proxy.http, get("/")).await;
        reply.assert_denied(502);
        let reply = send(
            proxy.http,
            with_body("POST", "/form", "application/x-www-form-urlencoded", "a=1"),
        )
        .await;
        assert_eq!(reply.status, 502, "{kind:?}: {}", reply.text());
    }
}

#[tokio::test]
async fn requests_go_round_robin_over_the_servers() {
    let first = Recorder::start().await;
    let second = Recorder::start().await;
    let proxy = Setup::new(&[first.addr, second.addr]).start().await;
    for i in 0..6 {
        let reply = send(proxy.http, get(&format!("/item/{i}"))).await;
        assert_eq!(reply.status, 200);
    }
    let (a, b) = (first.requests().len(), second.requests().len());
    assert!(a > 0 && b > 0, "one server got everything: {a} / {b}");
    assert_eq!(a + b, 6);
}

#[tokio::test]
async fn one_server_down_behind_a_health_check_costs_no_request() {
    // The recorder answers the probes; the other server refuses connections.
    let alive = Recorder::start().await;
    let proxy = Setup::new(&[dead_address().await, alive.addr])
        .set("upstream", "health_check_path", "/healthz")
        .set("upstream", "health_check_interval_ms", 50_i64)
        .start()
        .await;

    // Before any probe has run, a bodiless request that cannot connect moves to the next server.
    for i in 0..4 {
        let reply = send(proxy.http, get(&format!("/early/{i}"))).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
    }

    // Probes run over the servers in order: when the live one has had its second, the dead one
    // has been probed and marked down, so requests with bodies (never retried) are safe too.
    alive.wait_for_health_checks(2).await;
    for i in 0..6 {
        let reply = send(
            proxy.http,
            with_body(
                "POST",
                &format!("/late/{i}"),
                "application/json",
                r#"{"n":1}"#,
            ),
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        let reply = send(proxy.http, get(&format!("/late/{i}"))).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    assert_eq!(alive.requests().len(), 16);
}

#[tokio::test]
async fn a_failing_health_check_takes_a_server_out_of_rotation() {
    let healthy = Recorder::start().await;
    let sick = Recorder::start_with(Behaviour {
        health_status: 500,
        ..Behaviour::default()
    })
    .await;
    let proxy = Setup::new(&[sick.addr, healthy.addr])
        .set("upstream", "health_check_path", "/healthz")
        .set("upstream", "health_check_interval_ms", 50_i64)
        .start()
        .await;
    // The second probe of the sick server means the first one's verdict has been recorded.
    sick.wait_for_health_checks(2).await;
    for i in 0..6 {
        let reply = send(proxy.http, get(&format!("/item/{i}"))).await;
        assert_eq!(reply.status, 200);
    }
    assert_eq!(
        sick.requests().len(),
        0,
        "a failing server still got traffic"
    );
    assert_eq!(healthy.requests().len(), 6);

    // The demo API reports healthy, so the proxy is ready.
    let demo = Demo::start().await;
    let proxy = Setup::new(&[demo.addr])
        .set("upstream", "health_check_path", "/healthz")
        .start()
        .await;
    let reply = send(proxy.admin, get("/readyz")).await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn without_health_checks_a_refusal_does_not_eject_a_server_for_good() {
    // No `health_check_path`: nothing probes the servers. A refused connection marks a server
    // down (and the request moves on), but nothing ever marks it up again, so a server that
    // restarted once (a deploy) gets no traffic until the proxy restarts. It should be back in
    // rotation within a few health-check intervals (100 ms here) of answering again.
    let flaky = dead_address().await;
    let steady = Recorder::start().await;
    let proxy = Setup::new(&[flaky, steady.addr])
        .set("upstream", "health_check_interval_ms", 100_i64)
        .start()
        .await;

    // Round-robin starts with the first server: refused, retried on the second.
    let reply = send(proxy.http, get("/during-outage")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());

    let back = Recorder::start_on(flaky).await;
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut sent = 0;
    while back.requests().is_empty() && Instant::now() < deadline {
        let reply = send(proxy.http, get(&format!("/after/{sent}"))).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        sent += 1;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        !back.requests().is_empty(),
        "the server at {flaky} answers again but got none of {sent} requests in 2 s"
    );
}

#[tokio::test]
async fn a_bodiless_request_tries_every_server_until_one_connects() {
    // Nothing of a request reaches an application whose connection was refused, and a GET has
    // no body to lose: it moves on until a server accepts, however many refuse first.
    let alive = Recorder::start().await;
    let proxy = Setup::new(&[dead_address().await, dead_address().await, alive.addr])
        .start()
        .await;
    let reply = send(proxy.http, get("/first")).await;
    assert_eq!(
        reply.status,
        200,
        "two refusals before the live server: {}",
        reply.text()
    );
    assert_eq!(alive.requests().len(), 1);
}
