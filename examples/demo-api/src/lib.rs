//! The demo Web API that rampart's quickstart puts behind the firewall and its integration
//! tests drive: a small HTTP/1.1 JSON service over in-memory users and orders, a form login, a
//! multipart upload, and `/reflect`, which answers as CRS's test backend (albedo) does.
//!
//! Start it in-process on an ephemeral port:
//!
//! ```no_run
//! # async fn example() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let addr = listener.local_addr()?;
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! let server = tokio::spawn(rampart_demo::serve(listener, async {
//!     let _ = stopped.await;
//! }));
//! // ... talk to http://{addr} ...
//! # let _ = addr;
//! let _ = stop.send(());
//! server.await??;
//! # Ok(())
//! # }
//! ```
//!
//! Endpoints (errors are `{"error": "..."}`; every answer but albedo's carries a
//! `Content-Type`):
//!
//! | method and path | answer |
//! | --- | --- |
//! | `GET /healthz` | 200 `ok` |
//! | `GET /api/users?q=&limit=&offset=` | 200 `{"users":[…],"total","limit","offset"}` |
//! | `POST /api/users` `{"name","email"}` | 201 the user (409 if the email is taken) |
//! | `GET`, `PUT`, `DELETE /api/users/{id}` | 200 the user, 200 the updated user, 204 |
//! | `GET /api/orders?user_id=&status=` | 200 `{"orders":[…],"total"}` |
//! | `POST /api/orders` `{"user_id","items":[{"sku","qty"}]}` | 201 the order |
//! | `GET`, `PUT`, `DELETE /api/orders/{id}` | 200 the order, 200 the updated order, 204 |
//! | `POST /login` (form `username`, `password`) | 200 `{"token","username"}`, 401 otherwise |
//! | `POST /upload` (`multipart/form-data`) | 201 `{"files":[{"field","filename","size"}],…}` |
//! | `… /reflect`, `… /reflect/…` | as albedo ([`rampart_harness::reflect::respond`]) |
//! | anything else | 404 `{"error":"not found"}` (or albedo, see [`Config::albedo_fallback`]) |
//!
//! Malformed JSON is 400, well-formed but unacceptable input 422, a wrong `Content-Type` 415,
//! a known path with another method 405 (with `Allow`), a body over [`MAX_BODY_BYTES`] 413.
//!
//! `/reflect` passes albedo's answer on as it is, with three exceptions forced by HTTP/1.1
//! over a real socket: hyper frames the body itself (a `Content-Length` or
//! `Transfer-Encoding` named in the reflection document is dropped), a 1xx status becomes 200
//! (what Go's server sends after an informational status), and albedo's "connection dropped"
//! for a negative status is the 502 with an empty body that a proxy would report. Like
//! albedo's, its empty answers carry no `Content-Type`.

#![warn(missing_docs)]

mod app;
mod body;
mod form;

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

pub use body::MAX_BODY_BYTES;

/// The address the binary listens on unless told otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8081";

/// How long a connection may take to send a request's head before it is closed.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// How the server behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// Log one line per request (`METHOD PATH STATUS`) to stderr. Default: on.
    pub log_requests: bool,
    /// Answer paths that are not part of the API as albedo does (200 with an empty body)
    /// instead of 404, so that the demo can stand in for CRS's test backend for a whole
    /// regression run. Default: off.
    pub albedo_fallback: bool,
    /// After the shutdown signal, how long in-flight requests get to finish before their
    /// connections are dropped. Default: 30 s.
    pub drain_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            log_requests: true,
            albedo_fallback: false,
            drain_timeout: Duration::from_secs(30),
        }
    }
}

/// Serves the demo API on `listener` with the default [`Config`] until `shutdown` completes.
///
/// See [`serve_with`].
pub async fn serve<F>(listener: TcpListener, shutdown: F) -> io::Result<()>
where
    F: Future<Output = ()>,
{
    serve_with(listener, Config::default(), shutdown).await
}

/// Serves the demo API on `listener` until `shutdown` completes.
///
/// Each server starts from the same seeded state (users `alice`, `bob`, `carol` and three
/// orders); state lives as long as the call. When `shutdown` completes the listener is closed,
/// idle connections are closed, and requests in flight are allowed to finish (for at most
/// [`Config::drain_timeout`]) before this returns `Ok(())`.
///
/// # Errors
///
/// An error from `accept` that is not about one connection (anything but running out of file
/// descriptors or memory, or a connection aborted before it was accepted) stops the server
/// the same way and is returned.
pub async fn serve_with<F>(listener: TcpListener, config: Config, shutdown: F) -> io::Result<()>
where
    F: Future<Output = ()>,
{
    let drain_timeout = config.drain_timeout;
    let log = config.log_requests;
    let app = Arc::new(app::App::new(config));
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    let mut shutdown = pin!(shutdown);
    let mut result = Ok(());

    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    // Only a latency hint; the connection works without it.
                    let _ = stream.set_nodelay(true);
                    let app = Arc::clone(&app);
                    let service = service_fn(move |request| {
                        let app = Arc::clone(&app);
                        async move { Ok::<_, Infallible>(app.handle(request).await) }
                    });
                    let connection = http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(HEADER_READ_TIMEOUT)
                        .serve_connection(TokioIo::new(stream), service);
                    let connection = graceful.watch(connection);
                    connections.spawn(async move {
                        if let Err(err) = connection.await {
                            if log {
                                eprintln!("rampart-demo: connection error: {err}");
                            }
                        }
                    });
                }
                Err(err) if is_per_connection(&err) => {
                    if log {
                        eprintln!("rampart-demo: accept: {err}");
                    }
                    // Out of descriptors or memory: give finishing connections a moment.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(err) => {
                    result = Err(err);
                    break;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }

    drop(listener);
    if tokio::time::timeout(drain_timeout, graceful.shutdown())
        .await
        .is_err()
        && log
    {
        eprintln!("rampart-demo: requests still in flight after {drain_timeout:?}; dropping them");
    }
    connections.shutdown().await;
    result
}

/// Whether an `accept` error concerns one connection or a passing shortage, not the listener.
fn is_per_connection(err: &io::Error) -> bool {
    use io::ErrorKind::{ConnectionAborted, ConnectionReset, Interrupted, OutOfMemory, WouldBlock};
    matches!(
        err.kind(),
        ConnectionAborted | ConnectionReset | Interrupted | WouldBlock | OutOfMemory
    ) || err
        .raw_os_error()
        .is_some_and(|code| TRANSIENT_ERRNOS.contains(&code))
}

/// EPERM (a firewall refused it), ENOMEM, ENFILE, EMFILE, EPROTO, ENOBUFS.
#[cfg(target_os = "linux")]
const TRANSIENT_ERRNOS: &[i32] = &[1, 12, 23, 24, 71, 105];
/// EPERM, ENOMEM, ENFILE, EMFILE.
#[cfg(not(target_os = "linux"))]
const TRANSIENT_ERRNOS: &[i32] = &[1, 12, 23, 24];
