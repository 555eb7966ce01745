//! The upstream servers: a pooled HTTP/1.1 client, round-robin over the servers that pass
//! their health checks, and the timeouts that turn a dead or slow upstream into a 502 or 504.
//!
//! A request is retried on the next server only when connecting failed, because only then is
//! it certain that nothing of it reached an application.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response, Uri};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use crate::config::UpstreamConfig;
use crate::exchange::UpstreamError;

/// The body sent upstream: the inspected prefix, then whatever the client still sends.
pub type UpstreamBody = UnsyncBoxBody<Bytes, Box<dyn std::error::Error + Send + Sync>>;

/// `host:port` → (host, port).
pub fn parse_authority(text: &str) -> Option<(String, u16)> {
    let (host, port) = text.rsplit_once(':')?;
    let port = port.parse().ok()?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    (!host.is_empty() && !host.contains(['/', ' '])).then(|| (host.to_string(), port))
}

#[derive(Debug)]
struct Server {
    /// `host:port` as written in URIs.
    authority: String,
    /// The last health check's verdict (always true without health checks).
    healthy: AtomicBool,
    /// After a refused connection, the server is skipped until then (ms since `epoch`).
    refused_until: AtomicU64,
}

/// The upstream pool shared by every request.
#[derive(Debug)]
pub struct Upstreams {
    servers: Vec<Server>,
    next: AtomicUsize,
    client: Client<HttpConnector, UpstreamBody>,
    read_timeout: Duration,
    epoch: Instant,
    /// How long a refused server sits out: one health-check interval.
    sit_out: Duration,
}

impl Upstreams {
    pub fn new(config: &UpstreamConfig) -> Upstreams {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(Duration::from_millis(config.connect_timeout_ms)));
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_millis(config.idle_timeout_ms))
            .pool_max_idle_per_host(config.max_idle_per_server)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .set_host(false)
            .build(connector);
        let servers = config
            .servers
            .iter()
            .filter_map(|s| parse_authority(s))
            .map(|(host, port)| Server {
                authority: if host.contains(':') {
                    format!("[{host}]:{port}")
                } else {
                    format!("{host}:{port}")
                },
                healthy: AtomicBool::new(true),
                refused_until: AtomicU64::new(0),
            })
            .collect();
        Upstreams {
            servers,
            next: AtomicUsize::new(0),
            client,
            read_timeout: Duration::from_millis(config.read_timeout_ms),
            epoch: Instant::now(),
            sit_out: Duration::from_millis(config.health_check_interval_ms),
        }
    }

    /// The order in which this request tries the servers: healthy ones round-robin first; if
    /// none is healthy, all of them (a health check can be wrong; a refusal is not).
    fn order(&self) -> Vec<usize> {
        let n = self.servers.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let rotated = (0..n).map(|i| (start + i) % n);
        let now = self.now_ms();
        let healthy: Vec<usize> = rotated
            .clone()
            .filter(|&i| {
                let server = &self.servers[i];
                server.healthy.load(Ordering::Relaxed)
                    && server.refused_until.load(Ordering::Relaxed) <= now
            })
            .collect();
        if healthy.is_empty() {
            rotated.collect()
        } else {
            healthy
        }
    }

    /// Sends the request; answers with the upstream's response head (the body streams).
    pub async fn send(
        &self,
        parts: http::request::Parts,
        body: UpstreamBody,
    ) -> Result<Response<Incoming>, UpstreamError> {
        let path = parts
            .uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_string();
        let order = self.order();
        let mut body = Some(body);
        let mut last = UpstreamError::Connect;
        for index in &order {
            let server = &self.servers[*index];
            let uri: Uri = match format!("http://{}{}", server.authority, path).parse() {
                Ok(uri) => uri,
                Err(_) => return Err(UpstreamError::Protocol),
            };
            // The body can only be sent once: a retry after a connect failure (which consumed
            // nothing of it in practice, but hyper owns it by then) is possible only for an
            // empty body.
            let this_body = match body.take() {
                Some(b) => b,
                None => Empty::new().map_err(|never| match never {}).boxed_unsync(),
            };
            let mut request = Request::from_parts(parts.clone(), this_body);
            *request.uri_mut() = uri;
            *request.version_mut() = http::Version::HTTP_11;
            let result =
                tokio::time::timeout(self.read_timeout, self.client.request(request)).await;
            match result {
                Ok(Ok(response)) => return Ok(response),
                Ok(Err(error)) if error.is_connect() => {
                    let until = self.now_ms().saturating_add(
                        u64::try_from(self.sit_out.as_millis()).unwrap_or(u64::MAX),
                    );
                    server.refused_until.store(until, Ordering::Relaxed);
                    last = UpstreamError::Connect;
                    // A body went with the first attempt; a bodiless request moves on to
                    // every server in turn.
                    if !is_bodiless(&parts) {
                        break;
                    }
                }
                Ok(Err(_)) => return Err(UpstreamError::Protocol),
                Err(_) => return Err(UpstreamError::Timeout),
            }
        }
        Err(last)
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    pub fn read_timeout(&self) -> Duration {
        self.read_timeout
    }

    pub fn healthy_count(&self) -> usize {
        self.servers
            .iter()
            .filter(|s| s.healthy.load(Ordering::Relaxed))
            .count()
    }

    /// Probes every server every `interval` until the returned task is aborted.
    pub fn spawn_health_checks(
        self: &Arc<Self>,
        path: String,
        interval: Duration,
    ) -> tokio::task::JoinHandle<()> {
        let upstreams = Arc::clone(self);
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            loop {
                ticker.tick().await;
                for server in &upstreams.servers {
                    let healthy = upstreams.probe(&server.authority, &path, interval).await;
                    server.healthy.store(healthy, Ordering::Relaxed);
                }
            }
        })
    }

    async fn probe(&self, authority: &str, path: &str, timeout: Duration) -> bool {
        let Ok(uri) = format!("http://{authority}{path}").parse::<Uri>() else {
            return false;
        };
        let Ok(request) = Request::get(uri)
            .header(http::header::HOST, authority)
            .body(Empty::new().map_err(|never| match never {}).boxed_unsync())
        else {
            return false;
        };
        match tokio::time::timeout(timeout, self.client.request(request)).await {
            Ok(Ok(response)) => {
                let ok = response.status().as_u16() < 500;
                // Drain so that the connection goes back to the pool.
                let _ = response.into_body().collect().await;
                ok
            }
            _ => false,
        }
    }
}

fn is_bodiless(parts: &http::request::Parts) -> bool {
    !parts.headers.contains_key(http::header::CONTENT_LENGTH)
        && !parts.headers.contains_key(http::header::TRANSFER_ENCODING)
        || parts
            .headers
            .get(http::header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() == b"0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorities() {
        assert_eq!(
            parse_authority("127.0.0.1:3000"),
            Some(("127.0.0.1".into(), 3000))
        );
        assert_eq!(parse_authority("[::1]:80"), Some(("::1".into(), 80)));
        assert_eq!(
            parse_authority("api.internal:8080"),
            Some(("api.internal".into(), 8080))
        );
        assert_eq!(parse_authority("no-port"), None);
        assert_eq!(parse_authority(":80"), None);
        assert_eq!(parse_authority("host:99999"), None);
    }
}
