//! One exchange through the WAF, phase by phase, in the order ModSecurity's connectors use:
//! phase 1 once the request head is in; phase 2 once the body has been read (within the body
//! limits) and before any byte goes upstream; phase 3 on the upstream's response head; phase 4
//! on the response body when its type is inspected (buffered within the limit, streamed
//! otherwise); phase 5 once the client has the whole response, from the response body's end.
//!
//! The engine is synchronous and bounded: each phase runs inline on the request's task. A
//! panic inside it is caught and turned into the configured fail-closed (503) or fail-open
//! behaviour, so one bad exchange never takes a worker down.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime};

use arc_swap::ArcSwap;
use bytes::Bytes;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Request, Response, StatusCode, Version};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use rampart_engine::{BodyStatus, Intervention};

use crate::backend::{Backend, Inspection};

use crate::config::FailMode;
use crate::exchange::{Exchange, UpstreamError};
use crate::forwarded::TrustedProxies;
use crate::frontend::{Admission, Head};
use crate::logs::Logs;
use crate::metrics::{InFlight, Metrics};
use crate::upstream::{UpstreamBody, Upstreams};
use crate::wire::HeadQueue;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
/// What the client receives.
pub type ProxyBody = UnsyncBoxBody<Bytes, BoxError>;

/// A compiled rule set and its reload generation.
#[derive(Debug)]
pub struct Generation {
    pub backend: Arc<dyn Backend>,
    pub number: u64,
}

/// Everything a request handler shares with the others.
#[derive(Debug)]
pub struct Shared {
    pub rules: ArcSwap<Generation>,
    pub upstreams: Arc<Upstreams>,
    pub logs: Arc<Logs>,
    pub metrics: Arc<Metrics>,
    pub trusted: TrustedProxies,
    pub fail_mode: FailMode,
    pub hostname: Option<String>,
}

/// The connection a request came on.
#[derive(Debug, Clone)]
pub struct ConnectionInfo {
    pub peer: SocketAddr,
    pub local: SocketAddr,
    /// The addresses as text, spelled out once per connection rather than per request.
    pub peer_text: Arc<str>,
    pub local_text: Arc<str>,
    pub tls: bool,
    /// HTTP/1 heads as the client wrote them (see [`crate::wire`]).
    pub heads: Option<Arc<HeadQueue>>,
}

/// The engine's decision to drop the connection: the server closes it without answering.
#[derive(Debug)]
pub struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by rule")
    }
}

impl std::error::Error for Dropped {}

const HOP_BY_HOP: [HeaderName; 6] = [
    header::CONNECTION,
    header::TE,
    header::TRAILER,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
    header::PROXY_AUTHENTICATE,
];

/// The transaction with its bookkeeping.
struct Flow {
    shared: Arc<Shared>,
    tx: Box<dyn Inspection>,
    started: Instant,
    started_at: SystemTime,
    engine_time: Duration,
    /// Set once the engine failed: it is not called again for this exchange.
    engine_error: Option<String>,
    client: SocketAddr,
    local: SocketAddr,
    hostname: String,
    method: String,
    uri: String,
    http_version: &'static str,
    request_headers: Vec<(String, String)>,
    upstream_error: Option<UpstreamError>,
    response_headers: Vec<(String, String)>,
    /// Counts the exchange in `rampart_in_flight_requests` until it is logged.
    _in_flight: InFlight,
}

impl Flow {
    /// Runs one engine step, timing it and catching a panic.
    fn engine<T>(&mut self, step: impl FnOnce(&mut dyn Inspection) -> T) -> Option<T> {
        if self.engine_error.is_some() {
            return None;
        }
        let start = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| step(&mut *self.tx)));
        self.engine_time += start.elapsed();
        match result {
            Ok(value) => Some(value),
            Err(panic) => {
                let reason = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "panic".into());
                self.engine_error = Some(reason);
                None
            }
        }
    }

    /// The intervention to carry out now, if any. `None` when the engine failed open.
    fn intervention(&self) -> Option<Intervention> {
        if self.engine_error.is_some() {
            return (self.shared.fail_mode == FailMode::Closed).then(|| Intervention {
                status: 503,
                url: None,
                drop: false,
                rule_id: 0,
                phase: 0,
                message: "engine failure".into(),
            });
        }
        self.tx.intervention().cloned()
    }

    /// Phase 5 and the logs; `status` is what the client got (0: dropped).
    fn finish(mut self, status: u16, bytes_sent: u64) {
        self.engine(|tx| tx.process_logging());
        let score = |tx: &dyn Inspection, names: &[&str]| -> i64 {
            names
                .iter()
                .find_map(|name| tx.tx(name))
                .and_then(|v| std::str::from_utf8(v).ok()?.trim().parse().ok())
                .unwrap_or(0)
        };
        let audit = self.tx.audit();
        // Only an audit record reads the bodies: no copy per request otherwise.
        let keep_bodies = self.shared.logs.writes_audit(audit.engine);
        let exchange = Exchange {
            unique_id: self.tx.id().to_string(),
            started: self.started_at,
            client_ip: self.client.ip(),
            client_port: self.client.port(),
            server_ip: self.local.ip(),
            server_port: self.local.port(),
            hostname: self.hostname,
            method: self.method,
            uri: self.uri,
            http_version: self.http_version.into(),
            request_headers: self.request_headers,
            request_body: if keep_bodies {
                Bytes::copy_from_slice(self.tx.request_body())
            } else {
                Bytes::new()
            },
            status,
            response_headers: self.response_headers,
            response_body: if keep_bodies {
                Bytes::copy_from_slice(self.tx.response_body())
            } else {
                Bytes::new()
            },
            bytes_sent,
            matched: self
                .tx
                .matched_rules()
                .iter()
                .filter(|rule| rule.logged || rule.disruptive)
                .cloned()
                .collect(),
            rule_matches: self.tx.match_count(),
            intervention: self.tx.intervention().cloned(),
            engine_mode: self.tx.engine_mode(),
            audit,
            inbound_anomaly_score: score(
                &*self.tx,
                &["blocking_inbound_anomaly_score", "anomaly_score"],
            ),
            outbound_anomaly_score: score(
                &*self.tx,
                &["blocking_outbound_anomaly_score", "outbound_anomaly_score"],
            ),
            upstream_error: self.upstream_error,
            engine_error: self.engine_error,
            engine_time: self.engine_time,
            duration: self.started.elapsed(),
        };
        self.shared.metrics.observe(&exchange);
        self.shared.logs.record(exchange);
    }
}

fn version_text(version: Version) -> &'static str {
    match version {
        Version::HTTP_09 => "0.9",
        Version::HTTP_10 => "1.0",
        Version::HTTP_2 => "2.0",
        Version::HTTP_3 => "3.0",
        _ => "1.1",
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Handles one request end to end.
pub async fn handle(
    shared: Arc<Shared>,
    connection: ConnectionInfo,
    request: Request<Incoming>,
) -> Result<Response<ProxyBody>, Dropped> {
    let started = Instant::now();
    let generation = shared.rules.load_full();
    let (mut parts, body) = request.into_parts();
    // HTTP/1: the head as written, and the front-end's verdict on it.
    let original: Option<Head> = match (parts.version, &connection.heads) {
        (Version::HTTP_2, _) | (_, None) => None,
        (_, Some(queue)) => match queue.pop() {
            None => None,
            Some(read) => match read.admission {
                Admission::Accept => Some(read.head),
                Admission::Reject { status, reason } => return Ok(refused(status, reason)),
                Admission::Drop { .. } => return Err(Dropped),
            },
        },
    };

    // HTTP/2 carries the host in `:authority`; the rules (and the upstream) expect `Host`.
    if !parts.headers.contains_key(header::HOST) {
        if let Some(authority) = parts.uri.authority() {
            if let Ok(value) = HeaderValue::from_str(authority.as_str()) {
                parts.headers.insert(header::HOST, value);
            }
        }
    }
    let forwarded: Vec<&[u8]> = parts
        .headers
        .get_all(header::FORWARDED)
        .iter()
        .map(HeaderValue::as_bytes)
        .collect();
    let x_forwarded_for: Vec<&[u8]> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .map(HeaderValue::as_bytes)
        .collect();
    let client_ip =
        shared
            .trusted
            .client_address(connection.peer.ip(), &forwarded, &x_forwarded_for);
    let client = SocketAddr::new(client_ip, connection.peer.port());

    // What the engine sees: the head as the client wrote it (HTTP/1), or as HTTP/2 carries
    // it (lowercase names, `:path`), as nginx hands it to ModSecurity.
    let head = original.unwrap_or_else(|| Head {
        method: parts.method.as_str().as_bytes().to_vec(),
        uri: if parts.version == Version::HTTP_2 || parts.uri.scheme().is_none() {
            parts
                .uri
                .path_and_query()
                .map_or(b"/".to_vec(), |p| p.as_str().as_bytes().to_vec())
        } else {
            parts.uri.to_string().into_bytes()
        },
        version: format!("HTTP/{}", version_text(parts.version)).into_bytes(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().as_bytes().to_vec(), v.as_bytes().to_vec()))
            .collect(),
    });
    let uri = lossy(&head.uri);
    let hostname = shared.hostname.clone().unwrap_or_else(|| {
        head.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(b"host"))
            .map(|(_, v)| lossy(v))
            .unwrap_or_else(|| connection.local_text.to_string())
    });
    let kept_for_logs = shared.logs.records_exchanges();
    let request_headers: Vec<(String, String)> = if kept_for_logs {
        head.headers
            .iter()
            .map(|(name, value)| (lossy(name), lossy(value)))
            .collect()
    } else {
        Vec::new()
    };
    let version_number: &'static str = match head.version.as_slice() {
        b"HTTP/1.0" => "1.0",
        b"HTTP/1.1" => "1.1",
        b"HTTP/2" | b"HTTP/2.0" => "2.0",
        _ => "",
    };

    let mut flow = Flow {
        tx: generation.backend.inspect(),
        shared: Arc::clone(&shared),
        started,
        started_at: SystemTime::now(),
        engine_time: Duration::ZERO,
        engine_error: None,
        client,
        local: connection.local,
        hostname,
        method: lossy(&head.method),
        uri,
        http_version: if version_number.is_empty() {
            version_text(parts.version)
        } else {
            version_number
        },
        request_headers,
        upstream_error: None,
        response_headers: Vec::new(),
        _in_flight: shared.metrics.in_flight(),
    };

    // Phase 1.
    let client_text: Cow<'_, str> = if client_ip == connection.peer.ip() {
        Cow::Borrowed(&connection.peer_text)
    } else {
        Cow::Owned(client_ip.to_string())
    };
    let version = head.version.strip_prefix(b"HTTP/").unwrap_or(&head.version);
    flow.engine(|tx| {
        tx.process_connection(
            &client_text,
            client.port(),
            &connection.local_text,
            connection.local.port(),
        );
        tx.process_uri(&head.uri, &head.method, version);
        for (name, value) in &head.headers {
            tx.add_request_header(name, value);
        }
        tx.process_request_headers();
    });
    if let Some(intervention) = flow.intervention() {
        return intervene(flow, &intervention);
    }

    // The body, then phase 2, before anything goes upstream.
    let mut body = body;
    let mut held: VecDeque<Bytes> = VecDeque::new();
    let reads_body = flow.engine(|tx| tx.request_body_access()).unwrap_or(false);
    let mut rest_streams = !reads_body;
    if reads_body && !body.is_end_stream() {
        loop {
            let frame = match body.frame().await {
                None => break,
                Some(Ok(frame)) => frame,
                Some(Err(_)) => {
                    // The client went away or broke framing mid-body: nothing to answer.
                    flow.finish(0, 0);
                    return Err(Dropped);
                }
            };
            let Ok(data) = frame.into_data() else {
                continue; // trailers
            };
            let status = flow
                .engine(|tx| tx.append_request_body(&data))
                .unwrap_or(BodyStatus::Accepted);
            held.push_back(data);
            match status {
                BodyStatus::Accepted => {}
                BodyStatus::Truncated => {
                    rest_streams = true;
                    break;
                }
                // With an intervention (engine On) the request is answered and the rest is
                // never read; without one (DetectionOnly) the rest must still go upstream.
                BodyStatus::Rejected => {
                    rest_streams = true;
                    break;
                }
            }
            if flow.engine_error.is_some() {
                rest_streams = true;
                break;
            }
        }
    }
    flow.engine(|tx| {
        tx.process_request_body();
    });
    if let Some(intervention) = flow.intervention() {
        return intervene(flow, &intervention);
    }

    // Upstream.
    strip_hop_by_hop(&mut parts.headers);
    append_forwarded_for(&mut parts.headers, &connection.peer_text, connection.tls);
    let upstream_body = upstream_body(held, rest_streams.then_some(body));
    let response = match shared.upstreams.send(parts, upstream_body).await {
        Ok(response) => response,
        Err(error) => {
            flow.upstream_error = Some(error);
            shared.metrics.upstream_error(error);
            return Ok(answer_upstream_error(flow, error));
        }
    };

    // Phase 3.
    let (mut head, response_body) = response.into_parts();
    strip_hop_by_hop(&mut head.headers);
    if kept_for_logs {
        flow.response_headers = head
            .headers
            .iter()
            .map(|(name, value)| (name.as_str().to_string(), lossy(value.as_bytes())))
            .collect();
    }
    let status = head.status.as_u16();
    let response_headers = &head.headers;
    flow.engine(|tx| {
        for (name, value) in response_headers {
            tx.add_response_header(name.as_str().as_bytes(), value.as_bytes());
        }
        tx.process_response_headers(status, b"HTTP/1.1");
    });
    if let Some(intervention) = flow.intervention() {
        return intervene(flow, &intervention);
    }

    // Phase 4: buffered when inspected, within the limit; the rest streams.
    let inspects = flow
        .engine(|tx| tx.inspects_response_body())
        .unwrap_or(false);
    let mut response_body = TimedBody::new(response_body, shared.upstreams.read_timeout());
    let mut held: VecDeque<Bytes> = VecDeque::new();
    let mut rest_streams = true;
    if inspects {
        rest_streams = false;
        loop {
            let frame = match response_body.frame().await {
                None => break,
                Some(Ok(frame)) => frame,
                Some(Err(error)) => {
                    let kind = if error.is::<ReadTimeout>() {
                        UpstreamError::Timeout
                    } else {
                        UpstreamError::Protocol
                    };
                    flow.upstream_error = Some(kind);
                    shared.metrics.upstream_error(kind);
                    return Ok(answer_upstream_error(flow, kind));
                }
            };
            let Ok(data) = frame.into_data() else {
                continue;
            };
            let status = flow
                .engine(|tx| tx.append_response_body(&data))
                .unwrap_or(BodyStatus::Accepted);
            held.push_back(data);
            if status != BodyStatus::Accepted || flow.engine_error.is_some() {
                rest_streams = true;
                break;
            }
        }
    }
    flow.engine(|tx| {
        tx.process_response_body();
    });
    if let Some(intervention) = flow.intervention() {
        return intervene(flow, &intervention);
    }

    let mut response = Response::from_parts(head, ());
    // HEAD answers, 1xx, 204 and 304 have no body: a Content-Length on them describes the
    // representation (RFC 9110 §8.6), not the empty body read here, and stays as it is.
    let bodiless = flow.method == "HEAD" || matches!(status, 100..=199 | 204 | 304);
    if !rest_streams && !bodiless {
        // The whole body was read: its length is known now.
        let length: usize = held.iter().map(Bytes::len).sum();
        response.headers_mut().remove(header::CONTENT_LENGTH);
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    let body = Chained {
        held,
        rest: rest_streams.then_some(response_body),
    };
    let code = response.status().as_u16();
    Ok(response.map(|()| Finishing::wrap(body, flow, code)))
}

/// Answers with the intervention: deny (status + a small body naming the request id),
/// redirect, or drop.
fn intervene(flow: Flow, intervention: &Intervention) -> Result<Response<ProxyBody>, Dropped> {
    if intervention.drop {
        flow.finish(0, 0);
        return Err(Dropped);
    }
    let id = flow.tx.id().to_string();
    if let Some(url) = &intervention.url {
        let status = match intervention.status {
            301 | 302 | 303 | 307 | 308 => intervention.status,
            _ => 302,
        };
        let mut response = own_response(status, &id, String::new());
        if let Ok(location) = HeaderValue::from_str(url) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        flow.finish(status, 0);
        return Ok(response);
    }
    let status = if (100..=599).contains(&intervention.status) && intervention.status >= 200 {
        intervention.status
    } else {
        403
    };
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Request Denied");
    let text = format!("{status} {reason}\nrequest id: {id}\n");
    flow.finish(status, text.len() as u64);
    Ok(own_response(status, &id, text))
}

fn answer_upstream_error(mut flow: Flow, error: UpstreamError) -> Response<ProxyBody> {
    let status = error.status();
    // The rules see the error response as they would nginx's own error page.
    flow.engine(|tx| {
        tx.process_response_headers(status, b"HTTP/1.1");
        tx.process_response_body();
    });
    let id = flow.tx.id().to_string();
    let reason = match error {
        UpstreamError::Timeout => "Gateway Timeout",
        _ => "Bad Gateway",
    };
    let text = format!("{status} {reason}\nrequest id: {id}\n");
    flow.finish(status, text.len() as u64);
    own_response(status, &id, text)
}

/// The front-end's answer to a head it refused; the connection closes after it.
fn refused(status: u16, reason: &str) -> Response<ProxyBody> {
    let mut response = own_response(status, "-", format!("{status} {reason}\n"));
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A short text answer of the proxy's own (deny, redirect, upstream error, refusal), with the
/// request id. A status or id that cannot go on the wire falls back to a bare answer.
fn own_response(status: u16, id: &str, body: String) -> Response<ProxyBody> {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN);
    let mut response = Response::new(
        Full::new(Bytes::from(body))
            .map_err(|never| match never {})
            .boxed_unsync(),
    );
    *response.status_mut() = code;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(id) = HeaderValue::from_str(id) {
        headers.insert("x-request-id", id);
    }
    response
}

fn strip_hop_by_hop(headers: &mut HeaderMap) {
    // Headers named by `Connection` are hop-by-hop too.
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in named.iter().chain(HOP_BY_HOP.iter()) {
        headers.remove(name);
    }
    headers.remove("keep-alive");
    headers.remove("proxy-connection");
}

fn append_forwarded_for(headers: &mut HeaderMap, peer: &str, tls: bool) {
    let value = match headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
        Some(existing) => HeaderValue::from_str(&format!("{existing}, {peer}")),
        None => HeaderValue::from_str(peer),
    };
    if let Ok(value) = value {
        headers.insert("x-forwarded-for", value);
    }
    headers.insert(
        "x-forwarded-proto",
        HeaderValue::from_static(if tls { "https" } else { "http" }),
    );
}

fn upstream_body(held: VecDeque<Bytes>, rest: Option<Incoming>) -> UpstreamBody {
    Chained {
        held,
        rest: rest.map(|body| body.map_err(|e| -> BoxError { Box::new(e) })),
    }
    .boxed_unsync()
}

/// Bytes already read, then the rest of the stream.
struct Chained<B> {
    held: VecDeque<Bytes>,
    rest: Option<B>,
}

impl<B> Body for Chained<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        if let Some(chunk) = self.held.pop_front() {
            return Poll::Ready(Some(Ok(Frame::data(chunk))));
        }
        match self.rest.as_mut() {
            None => Poll::Ready(None),
            Some(rest) => Pin::new(rest)
                .poll_frame(cx)
                .map(|frame| frame.map(|f| f.map_err(Into::into))),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.held.is_empty() && self.rest.as_ref().is_none_or(|r| r.is_end_stream())
    }

    fn size_hint(&self) -> SizeHint {
        let held: u64 = self.held.iter().map(|b| b.len() as u64).sum();
        match &self.rest {
            None => SizeHint::with_exact(held),
            Some(rest) => {
                let hint = rest.size_hint();
                let mut sum = SizeHint::new();
                sum.set_lower(hint.lower() + held);
                if let Some(upper) = hint.upper() {
                    sum.set_upper(upper + held);
                }
                sum
            }
        }
    }
}

/// The upstream did not send the next part of its body in time.
#[derive(Debug)]
pub struct ReadTimeout;

impl std::fmt::Display for ReadTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("upstream read timed out")
    }
}

impl std::error::Error for ReadTimeout {}

/// An upstream body whose every frame must arrive within the read timeout.
struct TimedBody {
    inner: Incoming,
    timeout: Duration,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl TimedBody {
    fn new(inner: Incoming, timeout: Duration) -> Self {
        TimedBody {
            inner,
            timeout,
            sleep: None,
        }
    }
}

impl Body for TimedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                this.sleep = None;
                Poll::Ready(frame.map(|f| f.map_err(|e| -> BoxError { Box::new(e) })))
            }
            Poll::Pending => {
                let timeout = this.timeout;
                let sleep = this
                    .sleep
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(ReadTimeout)))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

use std::future::Future;

/// The client's body; when it ends (or the client goes away), phase 5 runs and the exchange
/// is logged.
struct Finishing<B> {
    inner: B,
    flow: Option<Flow>,
    status: u16,
    sent: u64,
}

impl<B> Finishing<B>
where
    B: Body<Data = Bytes, Error = BoxError> + Send + Unpin + 'static,
{
    /// hyper may never poll a body that is empty from the start; `Drop` finishes those.
    fn wrap(inner: B, flow: Flow, status: u16) -> ProxyBody {
        UnsyncBoxBody::new(Finishing {
            inner,
            flow: Some(flow),
            status,
            sent: 0,
        })
    }
}

impl<B> Body for Finishing<B>
where
    B: Body<Data = Bytes, Error = BoxError> + Unpin,
{
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    self.sent += data.len() as u64;
                }
            }
            Poll::Ready(None) => {
                if let Some(flow) = self.flow.take() {
                    flow.finish(self.status, self.sent);
                }
            }
            Poll::Ready(Some(Err(_))) | Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl<B> Drop for Finishing<B> {
    fn drop(&mut self) {
        if let Some(flow) = self.flow.take() {
            flow.finish(self.status, self.sent);
        }
    }
}
