//! The protocols clients reach the proxy with: HTTP/1.1 and HTTP/2 over TLS (chosen by ALPN),
//! and HTTP/2 with prior knowledge (h2c) on the plain listener. Whatever the protocol, the
//! rules see the same request and the upstream gets HTTP/1.1.
//!
//! The certificate is a fresh self-signed one from rcgen and the client is rustls trusting
//! exactly that certificate, so the handshake is verified end to end, not skipped.

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "integration tests: a broken expectation must fail the test loudly"
)]

mod common;

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use common::{send_on, Demo, Recorder, Setup, H2, RULES};
use http::header::CONTENT_TYPE;
use http::Request;
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

/// A proxy with a TLS listener, and the certificate a client should trust.
async fn tls_proxy(upstream: SocketAddr) -> (common::Proxy, CertificateDer<'static>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()])
        .expect("self-signed certificate");
    let cert_path = dir.path().join("cert.pem");
    let key_path = dir.path().join("key.pem");
    std::fs::write(&cert_path, certified.cert.pem()).expect("write cert");
    std::fs::write(&key_path, certified.key_pair.serialize_pem()).expect("write key");
    let proxy = Setup::new(&[upstream])
        .directives(RULES)
        .set("server", "tls_listen", vec!["127.0.0.1:0"])
        .set("tls", "cert", cert_path.display().to_string())
        .set("tls", "key", key_path.display().to_string())
        .start()
        .await;
    // The files are read at start; the directory may go.
    drop(dir);
    (proxy, certified.cert.der().clone())
}

/// A verified TLS connection offering `alpn`.
async fn tls_connect(
    addr: SocketAddr,
    trusted: &CertificateDer<'static>,
    alpn: &[&[u8]],
) -> TlsStream<TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(trusted.clone())
        .expect("trust the test certificate");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let stream = TcpStream::connect(addr).await.expect("connect");
    let name = ServerName::try_from("localhost").expect("server name");
    tokio::time::timeout(
        common::TIMEOUT,
        TlsConnector::from(Arc::new(config)).connect(name, stream),
    )
    .await
    .expect("TLS handshake timed out")
    .expect("TLS handshake")
}

fn absolute_get(scheme: &str, addr: SocketAddr, path: &str) -> Request<Full<Bytes>> {
    Request::get(format!("{scheme}://localhost:{}{path}", addr.port()))
        .body(Full::new(Bytes::new()))
        .expect("request")
}

#[tokio::test]
async fn http1_over_tls() {
    let demo = Demo::start().await;
    let (proxy, cert) = tls_proxy(demo.addr).await;
    let https = proxy.https.expect("a TLS listener");

    let stream = tls_connect(https, &cert, &[b"http/1.1"]).await;
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
    let reply = send_on(TokioIo::new(stream), common::get("/api/users/1"))
        .await
        .expect("exchange");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.version, http::Version::HTTP_11);
    assert_eq!(reply.json()["name"], "Alice Liddell");

    let stream = tls_connect(https, &cert, &[b"http/1.1"]).await;
    let reply = send_on(TokioIo::new(stream), common::get("/api/users?q=attack"))
        .await
        .expect("exchange");
    reply.assert_denied(403);
}

#[tokio::test]
async fn http2_over_tls_by_alpn() {
    let upstream = Recorder::start().await;
    let (proxy, cert) = tls_proxy(upstream.addr).await;
    let https = proxy.https.expect("a TLS listener");

    let stream = tls_connect(https, &cert, &[b"h2", b"http/1.1"]).await;
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let mut h2 = H2::handshake(TokioIo::new(stream)).await.expect("h2");

    let reply = h2
        .send(absolute_get("https", https, "/hello?x=1"))
        .await
        .expect("exchange");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.version, http::Version::HTTP_2);

    // On the same connection: attacks in the query and in a form body.
    let reply = h2
        .send(absolute_get("https", https, "/hello?q=attack"))
        .await
        .expect("exchange");
    reply.assert_denied(403);
    let form = Request::post(format!("https://localhost:{}/form", https.port()))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from_static(b"a=1&b=attack")))
        .expect("request");
    let reply = h2.send(form).await.expect("exchange");
    reply.assert_denied(403);

    // The upstream got the benign request over HTTP/1.1, with a Host and the forwarding headers.
    let seen = upstream.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].uri, "/hello?x=1");
    let header = |name: &str| seen[0].headers.get(name).and_then(|v| v.to_str().ok());
    assert_eq!(
        header("host"),
        Some(format!("localhost:{}", https.port()).as_str())
    );
    assert_eq!(header("x-forwarded-proto"), Some("https"));
    assert_eq!(header("x-forwarded-for"), Some("127.0.0.1"));
}

#[tokio::test]
async fn h2c_with_prior_knowledge_on_the_plain_listener() {
    let upstream = Recorder::start().await;
    let proxy = Setup::new(&[upstream.addr]).directives(RULES).start().await;
    let stream = TcpStream::connect(proxy.http).await.expect("connect");
    let mut h2 = H2::handshake(TokioIo::new(stream)).await.expect("h2c");

    let reply = h2
        .send(absolute_get("http", proxy.http, "/plain"))
        .await
        .expect("exchange");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.version, http::Version::HTTP_2);

    let reply = h2
        .send(absolute_get("http", proxy.http, "/plain?q=attack"))
        .await
        .expect("exchange");
    reply.assert_denied(403);

    let json = Request::post(format!("http://localhost:{}/api", proxy.http.port()))
        .header(CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from_static(br#"{"note":"attack"}"#)))
        .expect("request");
    h2.send(json).await.expect("exchange").assert_denied(403);

    // A body that passes reaches the upstream intact.
    let body = common::pattern(50_000);
    let post = Request::post(format!("http://localhost:{}/echo", proxy.http.port()))
        .header(CONTENT_TYPE, "application/octet-stream")
        .body(Full::new(Bytes::from(body.clone())))
        .expect("request");
    let reply = h2.send(post).await.expect("exchange");
    assert_eq!(reply.status, 200);
    assert!(reply.body == body);

    let seen = upstream.requests();
    assert_eq!(seen.len(), 2, "only the benign requests reach the upstream");
    assert!(seen[1].body == body);
}
