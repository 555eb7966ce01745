//! `rampart ftw --http`: the CRS regression suite over real sockets, the way go-ftw runs it
//! against a deployed WAF. `rampart serve` and the test backend (the demo API answering as
//! albedo) listen on loopback; each stage's bytes go over TCP exactly as built; the rule ids
//! come from rampart's error log, read between two `X-CRS-Test` marker requests.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rampart_harness::expect::{self, Observed, Verdict};
use rampart_harness::request;
use rampart_harness::suite::Stage;
use regex::Regex;

/// A running `rampart serve` + backend pair and the error log being read.
pub struct Target {
    runtime: tokio::runtime::Runtime,
    handle: Option<rampart_proxy::ServeHandle>,
    stop_backend: Option<tokio::sync::oneshot::Sender<()>>,
    address: SocketAddr,
    log_path: PathBuf,
    /// How much of the log has been read.
    offset: u64,
    pending: String,
    marker_count: u64,
    id_pattern: Regex,
    _dir: tempfile::TempDir,
}

impl Target {
    /// Starts the backend and `rampart serve` with `rule_files` (in order) and nothing else.
    pub fn start(rule_files: &[PathBuf], modsecurity: bool) -> Result<Target> {
        let dir = tempfile::tempdir().context("creating a temporary directory")?;
        let log_path = dir.path().join("error.log");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let (stop_backend, stopped) = tokio::sync::oneshot::channel::<()>();
        let backend = runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let address = listener.local_addr()?;
            let config = rampart_demo::Config {
                log_requests: false,
                albedo_fallback: true,
                drain_timeout: Duration::from_secs(1),
            };
            tokio::spawn(rampart_demo::serve_with(listener, config, async {
                let _ = stopped.await;
            }));
            Ok::<_, std::io::Error>(address)
        })?;
        let rules: Vec<String> = rule_files
            .iter()
            .map(|p| toml_string(&p.display().to_string()))
            .collect();
        let text = format!(
            "[server]\nlisten = [\"127.0.0.1:0\"]\n\n\
             [upstream]\nservers = [\"{backend}\"]\nread_timeout_ms = 10000\n\n\
             [waf]\nbase_config = false\nrules = [{}]\n\n\
             [crs]\nenabled = false\n\n\
             [log]\nerror_log = {}\naccess_log = \"off\"\naudit_log = \"off\"\n",
            rules.join(", "),
            toml_string(&log_path.display().to_string()),
        );
        // The suite's own settings only: no overrides from this process's environment.
        let config = rampart_proxy::Config::from_parts(
            &text,
            Path::new("<ftw --http>"),
            std::iter::empty(),
        )?;
        let mut config = config;
        config.server.admin_listen = None;
        if modsecurity {
            config.waf.engine = rampart_proxy::config::EngineKind::Modsecurity;
        }
        let handle = runtime
            .block_on(rampart_proxy::serve(config, None))
            .context("starting rampart serve")?;
        let address = *handle.http.first().context("no HTTP listener")?;
        Ok(Target {
            runtime,
            handle: Some(handle),
            stop_backend: Some(stop_backend),
            address,
            log_path,
            offset: 0,
            pending: String::new(),
            marker_count: 0,
            id_pattern: Regex::new(r#"\[id "(\d+)"\]"#)?,
            _dir: dir,
        })
    }

    /// Runs one stage: sends it between two markers and checks what came back and what was
    /// logged.
    pub fn run_stage(&mut self, stage: &Stage) -> (Verdict, Vec<u64>) {
        let bytes = match request::build(&stage.input) {
            Ok(bytes) => bytes,
            Err(error) => {
                return (
                    Verdict::Fail(vec![format!("request not built: {error}")]),
                    Vec::new(),
                )
            }
        };
        let start = match self.marker() {
            Ok(marker) => marker,
            Err(error) => {
                return (
                    Verdict::Fail(vec![format!("marker: {error:#}")]),
                    Vec::new(),
                )
            }
        };
        let exchange = send(self.address, &bytes);
        let end = match self.marker() {
            Ok(marker) => marker,
            Err(error) => {
                return (
                    Verdict::Fail(vec![format!("marker: {error:#}")]),
                    Vec::new(),
                )
            }
        };
        let log = match self.log_between(&start, &end) {
            Ok(log) => log,
            Err(error) => return (Verdict::Fail(vec![format!("log: {error:#}")]), Vec::new()),
        };
        let ids: Vec<u64> = log
            .lines()
            .flat_map(|line| self.id_pattern.captures_iter(line))
            .filter_map(|c| c.get(1)?.as_str().parse().ok())
            .collect();
        let (status, response, error) = match &exchange {
            Ok(Some(response)) => (status_of(response), Some(response.as_slice()), None),
            Ok(None) => (None, None, Some("connection closed without a response")),
            Err(_) => (None, None, Some("connection failed")),
        };
        let observed = Observed {
            logged_ids: &ids,
            status,
            log: Some(&log),
            response,
            error,
        };
        (expect::check(&stage.output, &observed), ids)
    }

    /// Sends a marker request and returns its value.
    fn marker(&mut self) -> Result<String> {
        self.marker_count += 1;
        let value = format!("rampart-ftw-{}-{}", std::process::id(), self.marker_count);
        let request = format!(
            "GET / HTTP/1.1\r\nHost: localhost\r\nUser-Agent: rampart-ftw\r\nAccept: */*\r\nX-CRS-Test: {value}\r\nConnection: close\r\n\r\n"
        );
        match send(self.address, request.as_bytes())? {
            Some(_) => Ok(value),
            None => anyhow::bail!("no response to the marker request"),
        }
    }

    /// The log text between the lines carrying the two markers; waits for the second one.
    fn log_between(&mut self, start: &str, end: &str) -> Result<String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            self.read_log()?;
            if let Some(end_at) = self.pending.find(end) {
                let before_end = &self.pending[..end_at];
                let body_start = before_end
                    .find(start)
                    .and_then(|at| before_end[at..].find('\n').map(|nl| at + nl + 1))
                    .unwrap_or(0);
                let body_end = before_end.rfind('\n').map_or(0, |nl| nl + 1);
                let text = if body_end > body_start {
                    before_end[body_start..body_end].to_string()
                } else {
                    String::new()
                };
                // Keep the end marker's line onward for the next stage's start.
                let keep_from = before_end.rfind('\n').map_or(0, |nl| nl + 1);
                self.pending.drain(..keep_from);
                return Ok(text);
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "marker {end} never reached the error log"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    fn read_log(&mut self) -> Result<()> {
        let mut file = match std::fs::File::open(&self.log_path) {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(error.into()),
        };
        use std::io::Seek;
        file.seek(std::io::SeekFrom::Start(self.offset))?;
        let mut chunk = Vec::new();
        file.read_to_end(&mut chunk)?;
        // Only whole lines: a line being written is read next time.
        let whole = chunk.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        self.offset += whole as u64;
        self.pending
            .push_str(&String::from_utf8_lossy(&chunk[..whole]));
        Ok(())
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            self.runtime.block_on(handle.shutdown());
        }
        if let Some(stop) = self.stop_backend.take() {
            let _ = stop.send(());
        }
    }
}

fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn status_of(response: &[u8]) -> Option<u16> {
    let line = response.split(|&b| b == b'\n').next()?;
    let text = std::str::from_utf8(line).ok()?;
    text.split_whitespace().nth(1)?.parse().ok()
}

/// Writes `bytes` on a fresh connection and reads one response (its head, and its body as
/// framed). `None` when the server closed the connection without answering.
fn send(address: SocketAddr, bytes: &[u8]) -> std::io::Result<Option<Vec<u8>>> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_nodelay(true)?;
    // A server may answer (and close) before it has read everything; that is not an error.
    let _ = stream.write_all(bytes);
    let mut response = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                response.extend_from_slice(&buffer[..n]);
                if complete(&response, bytes.starts_with(b"HEAD ")) {
                    break;
                }
            }
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe
                ) =>
            {
                break
            }
            Err(error) => return Err(error),
        }
    }
    Ok((!response.is_empty()).then_some(response))
}

/// Whether `response` holds a whole response as its headers frame it.
fn complete(response: &[u8], to_head: bool) -> bool {
    let Some(head_end) = response.windows(4).position(|w| w == b"\r\n\r\n") else {
        return false;
    };
    if to_head {
        return true;
    }
    let head = String::from_utf8_lossy(&response[..head_end]).to_ascii_lowercase();
    let body = &response[head_end + 4..];
    if head.starts_with("http/1.1 1") {
        return false;
    }
    for line in head.lines() {
        if let Some(length) = line.strip_prefix("content-length:") {
            return length
                .trim()
                .parse::<usize>()
                .is_ok_and(|n| body.len() >= n);
        }
        if line.starts_with("transfer-encoding:") && line.contains("chunked") {
            return body.ends_with(b"0\r\n\r\n");
        }
    }
    false
}
