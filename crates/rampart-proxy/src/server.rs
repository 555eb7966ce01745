//! Listeners and the server's life: accept, serve HTTP/1.1 and HTTP/2 (h2c on plain listeners,
//! ALPN on TLS ones), reload the rules without dropping a request, and drain on shutdown.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{watch, Mutex};
use tokio::task::JoinSet;

use crate::config::{Config, ConfigError};
use crate::forwarded::TrustedProxies;
use crate::logs::{LogError, Logs};
use crate::metrics::Metrics;
use crate::rules::{self, RulesError};
use crate::tls::{self, TlsError};
use crate::upstream::Upstreams;
use crate::waf::{self, ConnectionInfo, Generation, Shared};
use crate::wire::{HeadQueue, HeadReader};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("rules rejected:\n{0}")]
    Rules(#[from] RulesError),
    #[error(transparent)]
    Logs(#[from] LogError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: SocketAddr,
        source: std::io::Error,
    },
}

/// What the admin listener and the signal handlers act on.
#[derive(Debug)]
pub struct Control {
    pub shared: Arc<Shared>,
    config: Config,
    config_path: Option<PathBuf>,
    reloading: Mutex<()>,
    generation: AtomicU64,
    draining: AtomicBool,
}

impl Control {
    pub fn is_ready(&self) -> bool {
        !self.draining.load(Ordering::Relaxed)
            && (self.shared.upstreams.healthy_count() > 0
                || self.config.upstream.health_check_path.is_none())
    }

    /// Re-reads the configuration file's rule settings and the rule files, compiles them off
    /// the request path and swaps them in; a broken set is rejected and the old one serves on.
    pub async fn reload(&self) -> Result<u64, String> {
        let _one_at_a_time = self.reloading.lock().await;
        let path = self.config_path.clone();
        let current = self.config.clone();
        let built = tokio::task::spawn_blocking(move || {
            // Listeners and upstreams stay as they are; the rules follow the file.
            let mut config = match &path {
                Some(path) => Config::load(Some(path)).map_err(RulesError::from)?,
                None => current.clone(),
            };
            config.server = current.server;
            config.upstream = current.upstream;
            rules::build_backend(&config)
        })
        .await;
        let result = match built {
            Ok(Ok(backend)) => {
                let number = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
                let rules = backend.rule_count();
                self.shared
                    .rules
                    .store(Arc::new(Generation { backend, number }));
                self.shared.metrics.rule_set_loaded(number, rules);
                self.shared
                    .logs
                    .server_error(&format!("rules reloaded: generation {number}"));
                Ok(number)
            }
            Ok(Err(error)) => Err(error.to_string()),
            Err(join) => Err(format!("rule compilation failed: {join}")),
        };
        if let Err(error) = &result {
            self.shared.metrics.reload_failed();
            self.shared.logs.server_error(&format!(
                "reload rejected, generation {} keeps serving:\n{error}",
                self.generation.load(Ordering::Relaxed)
            ));
        }
        result
    }
}

/// A running server.
#[derive(Debug)]
pub struct ServeHandle {
    pub http: Vec<SocketAddr>,
    pub https: Vec<SocketAddr>,
    pub admin: Option<SocketAddr>,
    pub control: Arc<Control>,
    shutdown: watch::Sender<bool>,
    tasks: JoinSet<()>,
    grace: Duration,
}

impl ServeHandle {
    /// Stops accepting, lets in-flight exchanges finish (up to the grace period), flushes the
    /// logs.
    pub async fn shutdown(mut self) {
        self.control.draining.store(true, Ordering::Relaxed);
        let _ = self.shutdown.send(true);
        let grace = self.grace;
        let all = async { while self.tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(grace + Duration::from_secs(1), all)
            .await
            .is_err()
        {
            self.tasks.abort_all();
        }
        self.control.shared.logs.shutdown();
    }

    pub async fn reload(&self) -> Result<u64, String> {
        self.control.reload().await
    }
}

/// Starts the listeners of `config`. The rules are compiled first; a broken set stops the start.
pub async fn serve(
    config: Config,
    config_path: Option<PathBuf>,
) -> Result<ServeHandle, ServeError> {
    let build_config = config.clone();
    let backend = tokio::task::spawn_blocking(move || rules::build_backend(&build_config))
        .await
        .map_err(|e| {
            ServeError::Rules(RulesError::NoMatch {
                pattern: format!("rule compilation failed: {e}"),
            })
        })??;
    let logs = Arc::new(Logs::open(&config.log)?);
    let metrics = Arc::new(Metrics::new());
    metrics.rule_set_loaded(1, backend.rule_count());
    let upstreams = Arc::new(Upstreams::new(&config.upstream));
    let shared = Arc::new(Shared {
        rules: ArcSwap::from_pointee(Generation { backend, number: 1 }),
        upstreams: Arc::clone(&upstreams),
        logs,
        metrics,
        trusted: TrustedProxies::new(&config.server.trusted_proxies),
        fail_mode: config.server.fail_mode,
        hostname: config.server.hostname.clone(),
    });
    let tls = match (&config.tls.cert, &config.tls.key) {
        (Some(cert), Some(key)) if !config.server.tls_listen.is_empty() => {
            Some(tls::acceptor(&config.resolve(cert), &config.resolve(key))?)
        }
        _ => None,
    };
    let grace = config.shutdown_grace();
    let header_timeout = Duration::from_millis(config.server.header_read_timeout_ms);
    let control = Arc::new(Control {
        shared: Arc::clone(&shared),
        config: config.clone(),
        config_path,
        reloading: Mutex::new(()),
        generation: AtomicU64::new(1),
        draining: AtomicBool::new(false),
    });
    let (shutdown, shutdown_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();

    let bind = |address: SocketAddr| async move {
        TcpListener::bind(address)
            .await
            .map_err(|source| ServeError::Listen { address, source })
    };
    let mut http = Vec::new();
    for address in &config.server.listen {
        let listener = bind(*address).await?;
        http.push(listener.local_addr().unwrap_or(*address));
        tasks.spawn(accept_loop(
            listener,
            None,
            Arc::clone(&shared),
            shutdown_rx.clone(),
            grace,
            header_timeout,
        ));
    }
    let mut https = Vec::new();
    if let Some(acceptor) = &tls {
        for address in &config.server.tls_listen {
            let listener = bind(*address).await?;
            https.push(listener.local_addr().unwrap_or(*address));
            tasks.spawn(accept_loop(
                listener,
                Some(acceptor.clone()),
                Arc::clone(&shared),
                shutdown_rx.clone(),
                grace,
                header_timeout,
            ));
        }
    }
    let mut admin = None;
    if let Some(address) = config.server.admin_listen {
        let listener = bind(address).await?;
        admin = Some(listener.local_addr().unwrap_or(address));
        tasks.spawn(admin_loop(
            listener,
            Arc::clone(&control),
            shutdown_rx.clone(),
        ));
    }
    if let Some(path) = &config.upstream.health_check_path {
        let checks = upstreams.spawn_health_checks(
            path.clone(),
            Duration::from_millis(config.upstream.health_check_interval_ms),
        );
        let mut stop = shutdown_rx.clone();
        tasks.spawn(async move {
            stopped(&mut stop).await;
            checks.abort();
        });
    }
    Ok(ServeHandle {
        http,
        https,
        admin,
        control,
        shutdown,
        tasks,
        grace,
    })
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
    grace: Duration,
    header_timeout: Duration,
) {
    let graceful = GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .keep_alive(true)
        .half_close(true);
    builder.http2().timer(TokioTimer::new());
    let builder = Arc::new(builder);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = stopped(&mut shutdown) => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of descriptors, usually: back off instead of spinning.
                shared.logs.server_error(&format!("accept: {error}"));
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let local = stream.local_addr().unwrap_or(peer);
        let heads = Arc::new(HeadQueue::default());
        let info = ConnectionInfo {
            peer,
            local,
            peer_text: peer.ip().to_string().into(),
            local_text: local.ip().to_string().into(),
            tls: tls.is_some(),
            heads: Some(Arc::clone(&heads)),
        };
        let shared = Arc::clone(&shared);
        let service =
            service_fn(move |request| waf::handle(Arc::clone(&shared), info.clone(), request));
        let builder = Arc::clone(&builder);
        match &tls {
            None => {
                let connection = builder
                    .serve_connection_with_upgrades(
                        TokioIo::new(HeadReader::new(stream, heads)),
                        service,
                    )
                    .into_owned();
                let watched = graceful.watch(connection);
                tokio::spawn(async move {
                    let _ = watched.await;
                });
            }
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                let watcher = graceful.watcher();
                tokio::spawn(async move {
                    let Ok(Ok(stream)) =
                        tokio::time::timeout(header_timeout, acceptor.accept(stream)).await
                    else {
                        return;
                    };
                    let connection = builder
                        .serve_connection_with_upgrades(
                            TokioIo::new(HeadReader::new(stream, heads)),
                            service,
                        )
                        .into_owned();
                    let _ = watcher.watch(connection).await;
                });
            }
        }
    }
    drop(listener);
    let _ = tokio::time::timeout(grace, graceful.shutdown()).await;
}

async fn admin_loop(
    listener: TcpListener,
    control: Arc<Control>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = stopped(&mut shutdown) => break,
        };
        let Ok((stream, _)) = accepted else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let control = Arc::clone(&control);
        tokio::spawn(async move {
            let service =
                service_fn(move |request| crate::admin::handle(Arc::clone(&control), request));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// `rampart reload`: asks a running server's admin listener to reload; returns its answer.
pub fn reload_via_admin(admin: SocketAddr) -> Result<(bool, String), std::io::Error> {
    let mut stream = TcpStream::connect_timeout(&admin, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    stream.write_all(
        format!(
            "POST /reload HTTP/1.1\r\nHost: {admin}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let ok = text.starts_with("HTTP/1.1 200");
    let body = text
        .split_once("\r\n\r\n")
        .map_or(text.as_str(), |(_, body)| body)
        .to_string();
    Ok((ok, body))
}
