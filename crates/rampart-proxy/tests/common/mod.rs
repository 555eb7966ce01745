//! Fixtures shared by the proxy's integration tests: a proxy started in-process from a small
//! TOML configuration, upstreams to put behind it (the demo API, and a recording upstream that
//! can echo, stall or hang up), and HTTP/1.1 and HTTP/2 clients that speak over real loopback
//! sockets.
//!
//! Everything binds port 0 on 127.0.0.1, so tests run in parallel without colliding, and every
//! wait is bounded by [`TIMEOUT`] so that a hung proxy fails a test instead of stalling the
//! suite.

#![allow(dead_code)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderMap, CONTENT_TYPE, HOST};
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rampart_proxy::{serve, Config, ServeHandle};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The longest any one exchange or wait may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// The small rule set most tests run: a phase 2 deny on any argument containing `attack`, a
/// phase 1 drop on `X-Drop: yes`, and a phase 1 redirect on `go=away`.
pub const RULES: &str = r#"
SecRule ARGS "@contains attack" "id:1001,phase:2,deny,status:403,log"
SecRule REQUEST_HEADERS:X-Drop "@streq yes" "id:1002,phase:1,drop"
SecRule ARGS:go "@streq away" "id:1003,phase:1,redirect:https://example.com/,log"
"#;

// ---------------------------------------------------------------------------------------------
// The proxy.

/// A proxy configuration under construction: loopback listeners on port 0, the given
/// upstreams, rampart's base configuration, CRS off and the logs off (their contents are not
/// what these tests check).
pub struct Setup {
    table: toml::Table,
}

impl Setup {
    pub fn new(upstreams: &[SocketAddr]) -> Setup {
        let servers: Vec<String> = upstreams.iter().map(ToString::to_string).collect();
        let text = format!(
            r#"
[server]
listen = ["127.0.0.1:0"]
admin_listen = "127.0.0.1:0"
shutdown_grace_ms = 5000

[upstream]
servers = {servers:?}
connect_timeout_ms = 1000
read_timeout_ms = 5000

[waf]
base_config = true

[crs]
enabled = false

[log]
error_log = "off"
audit_log = "off"
access_log = "off"
"#
        );
        Setup {
            table: toml::from_str(&text).expect("the base test configuration parses"),
        }
    }

    /// Sets `[section] key = value`.
    pub fn set(mut self, section: &str, key: &str, value: impl Into<toml::Value>) -> Setup {
        let entry = self
            .table
            .entry(section.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        match entry {
            toml::Value::Table(table) => {
                table.insert(key.to_string(), value.into());
            }
            other => panic!("[{section}] is not a table: {other:?}"),
        }
        self
    }

    /// `[waf] directives`: SecLang loaded after everything else.
    pub fn directives(self, text: &str) -> Setup {
        self.set("waf", "directives", text)
    }

    /// The configuration as `rampart serve` would read it (with no environment overrides).
    pub fn config(&self) -> Config {
        let text = toml::to_string(&self.table).expect("the test configuration serializes");
        Config::from_parts(&text, Path::new("itest.toml"), std::iter::empty())
            .unwrap_or_else(|e| panic!("test configuration rejected: {e}\n{text}"))
    }

    pub async fn start(self) -> Proxy {
        let handle = tokio::time::timeout(TIMEOUT * 4, serve(self.config(), None))
            .await
            .expect("the proxy did not start in time")
            .unwrap_or_else(|e| panic!("the proxy did not start: {e}"));
        Proxy {
            http: handle
                .http
                .first()
                .copied()
                .unwrap_or(([0, 0, 0, 0], 0).into()),
            https: handle.https.first().copied(),
            admin: handle.admin.expect("an admin listener"),
            handle,
        }
    }
}

/// A running proxy; dropping it aborts its tasks.
pub struct Proxy {
    pub http: SocketAddr,
    pub https: Option<SocketAddr>,
    pub admin: SocketAddr,
    pub handle: ServeHandle,
}

// ---------------------------------------------------------------------------------------------
// Upstreams.

/// The demo API, served in-process.
pub struct Demo {
    pub addr: SocketAddr,
    _stop: oneshot::Sender<()>,
}

impl Demo {
    pub async fn start() -> Demo {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        let (stop, stopped) = oneshot::channel::<()>();
        let config = rampart_demo::Config {
            log_requests: false,
            drain_timeout: Duration::from_millis(100),
            ..rampart_demo::Config::default()
        };
        tokio::spawn(rampart_demo::serve_with(listener, config, async {
            let _ = stopped.await;
        }));
        Demo { addr, _stop: stop }
    }
}

/// A request as an upstream received it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub uri: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// How a [`Recorder`] answers.
#[derive(Debug, Clone)]
pub struct Behaviour {
    /// Waited after the request body is read, before answering.
    pub delay: Duration,
    /// The status of `GET /healthz`.
    pub health_status: u16,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            delay: Duration::ZERO,
            health_status: 200,
        }
    }
}

/// An HTTP/1.1 upstream that records every request and echoes its body back (200, with the
/// request's `Content-Type`), so that tests can check what went through the proxy.
pub struct Recorder {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    count: watch::Receiver<usize>,
    task: JoinHandle<()>,
}

impl Recorder {
    pub async fn start() -> Recorder {
        Recorder::start_with(Behaviour::default()).await
    }

    pub async fn start_with(behaviour: Behaviour) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        Recorder::serve(listener, behaviour)
    }

    /// Starts on a given address (one that was free a moment ago, say).
    pub async fn start_on(addr: SocketAddr) -> Recorder {
        let listener = TcpListener::bind(addr)
            .await
            .unwrap_or_else(|e| panic!("cannot bind {addr} again: {e}"));
        Recorder::serve(listener, Behaviour::default())
    }

    fn serve(listener: TcpListener, behaviour: Behaviour) -> Recorder {
        let addr = listener.local_addr().expect("local address");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (counter, count) = watch::channel(0usize);
        let counter = Arc::new(counter);
        let task = tokio::spawn({
            let seen = Arc::clone(&seen);
            async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let seen = Arc::clone(&seen);
                    let counter = Arc::clone(&counter);
                    let behaviour = behaviour.clone();
                    let service = service_fn(move |request: Request<Incoming>| {
                        record_and_answer(
                            request,
                            Arc::clone(&seen),
                            Arc::clone(&counter),
                            behaviour.clone(),
                        )
                    });
                    tokio::spawn(async move {
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
            }
        });
        Recorder {
            addr,
            seen,
            count,
            task,
        }
    }

    /// Every request received so far, health checks included.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("recorder lock").clone()
    }

    /// The requests received so far, health checks left out.
    pub fn requests(&self) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|s| s.uri != "/healthz")
            .collect()
    }

    /// Waits until `n` requests (health checks included) have arrived.
    pub async fn wait_for(&self, n: usize) {
        let mut count = self.count.clone();
        tokio::time::timeout(TIMEOUT, count.wait_for(|c| *c >= n))
            .await
            .unwrap_or_else(|_| panic!("the upstream did not receive {n} requests in time"))
            .expect("recorder running");
    }

    /// Waits until `n` health checks have arrived.
    pub async fn wait_for_health_checks(&self, n: usize) {
        let wait = async {
            loop {
                let probes = self.seen().iter().filter(|s| s.uri == "/healthz").count();
                if probes >= n {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        };
        tokio::time::timeout(TIMEOUT, wait)
            .await
            .unwrap_or_else(|_| panic!("fewer than {n} health checks arrived in time"));
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record_and_answer(
    request: Request<Incoming>,
    seen: Arc<Mutex<Vec<Seen>>>,
    counter: Arc<watch::Sender<usize>>,
    behaviour: Behaviour,
) -> Result<Response<Full<Bytes>>, BoxError> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await?.to_bytes();
    let health = parts.uri.path() == "/healthz";
    seen.lock().expect("recorder lock").push(Seen {
        method: parts.method.to_string(),
        uri: parts.uri.to_string(),
        headers: parts.headers.clone(),
        body: body.clone(),
    });
    counter.send_modify(|c| *c += 1);
    if health {
        let mut response = Response::new(Full::new(Bytes::from_static(b"ok")));
        *response.status_mut() = http::StatusCode::from_u16(behaviour.health_status)?;
        return Ok(response);
    }
    if !behaviour.delay.is_zero() {
        tokio::time::sleep(behaviour.delay).await;
    }
    let mut response = Response::new(Full::new(body));
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .cloned()
        .unwrap_or(http::HeaderValue::from_static("application/octet-stream"));
    response.headers_mut().insert(CONTENT_TYPE, content_type);
    Ok(response)
}

/// How a [`Hangup`] upstream treats a connection it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HangupKind {
    /// Reads the request head, then closes cleanly (FIN) without answering.
    Close,
    /// Reads the request head, then resets the connection (RST).
    Reset,
}

/// An upstream that accepts connections and never answers.
pub struct Hangup {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Hangup {
    pub async fn start(kind: HangupKind) -> Hangup {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let _ = read_head(&mut stream).await;
                    if kind == HangupKind::Reset {
                        let _ = stream.set_zero_linger();
                    }
                    drop(stream);
                });
            }
        });
        Hangup { addr, task }
    }
}

impl Drop for Hangup {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn read_head(stream: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    Ok(head)
}

/// An address nothing listens on: a port bound, then released.
pub async fn dead_address() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    listener.local_addr().expect("local address")
}

// ---------------------------------------------------------------------------------------------
// Clients.

/// A response, read whole.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub version: http::Version,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub async fn read(response: Response<Incoming>) -> Result<Reply, BoxError> {
        let (parts, body) = response.into_parts();
        let body = tokio::time::timeout(TIMEOUT, body.collect())
            .await
            .map_err(|_| "response body timed out")??
            .to_bytes();
        Ok(Reply {
            status: parts.status.as_u16(),
            version: parts.version,
            headers: parts.headers,
            body,
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// Checks that this is the proxy's deny page, and returns the request id it names.
    pub fn assert_denied(&self, status: u16) -> String {
        assert_eq!(self.status, status, "{}", self.text());
        let id = self
            .header("x-request-id")
            .unwrap_or_else(|| panic!("no x-request-id header: {:?}", self.headers))
            .to_string();
        assert!(!id.is_empty());
        let text = self.text();
        assert!(
            text.contains(&format!("request id: {id}")),
            "the deny page should name request id {id}: {text:?}"
        );
        id
    }
}

/// A request builder with `Host` set, as an HTTP/1.1 client sends it.
pub fn request(method: &str, path: &str) -> http::request::Builder {
    Request::builder()
        .method(method)
        .uri(path)
        .header(HOST, "localhost")
}

pub fn get(path: &str) -> Request<Full<Bytes>> {
    request("GET", path)
        .body(Full::new(Bytes::new()))
        .expect("request")
}

/// A request with a body and its `Content-Type`.
pub fn with_body(
    method: &str,
    path: &str,
    content_type: &str,
    body: impl Into<Bytes>,
) -> Request<Full<Bytes>> {
    request(method, path)
        .header(CONTENT_TYPE, content_type)
        .body(Full::new(body.into()))
        .expect("request")
}

/// One exchange over HTTP/1.1 on a new connection.
pub async fn try_send<B>(addr: SocketAddr, request: Request<B>) -> Result<Reply, BoxError>
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let exchange = async {
        let stream = TcpStream::connect(addr).await?;
        send_on(TokioIo::new(stream), request).await
    };
    tokio::time::timeout(TIMEOUT, exchange)
        .await
        .map_err(|_| "exchange timed out")?
}

/// One exchange over HTTP/1.1 on a new connection; a transport error fails the test.
pub async fn send<B>(addr: SocketAddr, request: Request<B>) -> Reply
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    try_send(addr, request)
        .await
        .unwrap_or_else(|e| panic!("exchange with {addr} failed: {e}"))
}

/// One HTTP/1.1 exchange over an established transport (plain or TLS).
pub async fn send_on<I, B>(io: I, request: Request<B>) -> Result<Reply, BoxError>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io).await?;
    tokio::spawn(connection);
    let response = sender.send_request(request).await?;
    Reply::read(response).await
}

/// A kept-alive HTTP/1.1 connection for several requests in turn.
pub struct Connection {
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
}

impl Connection {
    pub async fn open(addr: SocketAddr) -> Result<Connection, BoxError> {
        let stream = TcpStream::connect(addr).await?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        Ok(Connection { sender })
    }

    pub async fn send(&mut self, request: Request<Full<Bytes>>) -> Result<Reply, BoxError> {
        let exchange = async {
            self.sender.ready().await?;
            let response = self.sender.send_request(request).await?;
            Reply::read(response).await
        };
        tokio::time::timeout(TIMEOUT, exchange)
            .await
            .map_err(|_| "exchange timed out")?
    }
}

/// An HTTP/2 connection (h2c with prior knowledge, or h2 over TLS).
pub struct H2 {
    sender: hyper::client::conn::http2::SendRequest<Full<Bytes>>,
}

impl H2 {
    pub async fn handshake<I>(io: I) -> Result<H2, BoxError>
    where
        I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    {
        let (sender, connection) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), io).await?;
        tokio::spawn(connection);
        Ok(H2 { sender })
    }

    /// `request`'s target must be absolute (HTTP/2 sends `:scheme` and `:authority`).
    pub async fn send(&mut self, request: Request<Full<Bytes>>) -> Result<Reply, BoxError> {
        let exchange = async {
            self.sender.ready().await?;
            let response = self.sender.send_request(request).await?;
            Reply::read(response).await
        };
        tokio::time::timeout(TIMEOUT, exchange)
            .await
            .map_err(|_| "exchange timed out")?
    }
}

/// Writes `bytes` on a new connection and reads until the server closes it. A reset counts as
/// a close; what was read before it is returned.
pub async fn raw_exchange(addr: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream.write_all(bytes).await.expect("write");
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return got,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(TIMEOUT, exchange)
        .await
        .expect("the server neither answered nor closed the connection in time")
}

/// `n` bytes that do not repeat with a short period, so that a reordered or duplicated chunk
/// cannot go unnoticed.
pub fn pattern(n: usize) -> Vec<u8> {
    let mut state: u32 = 0x9e37_79b9;
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state.to_le_bytes()[0]
        })
        .collect()
}

/// A `multipart/form-data` body with one text field and one file; returns (content type, body).
pub fn multipart(field: &str, file_name: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "rampart-itest-boundary-7MA4YWxk";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n{field}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
             filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A body whose frames come from a list.
pub type Streamed = http_body_util::StreamBody<
    futures_util::stream::Iter<std::vec::IntoIter<Result<hyper::body::Frame<Bytes>, Infallible>>>,
>;

/// A body streamed in `chunk`-sized frames (sent chunked: no `Content-Length`).
pub fn streamed(data: Vec<u8>, chunk: usize) -> Streamed {
    let frames: Vec<Result<hyper::body::Frame<Bytes>, Infallible>> = data
        .chunks(chunk)
        .map(|c| Ok(hyper::body::Frame::data(Bytes::copy_from_slice(c))))
        .collect();
    http_body_util::StreamBody::new(futures_util::stream::iter(frames))
}

/// Retries `probe` every 5 ms until it answers `true`, for at most [`TIMEOUT`].
pub async fn eventually<F, Fut>(what: &str, mut probe: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let wait = async {
        while !probe().await {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(TIMEOUT, wait)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting until {what}"));
}
