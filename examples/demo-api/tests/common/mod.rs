//! A server started in-process on an ephemeral port, and a raw HTTP/1.1 client.

#![allow(dead_code)]

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use rampart_demo::Config;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long any one exchange with the server may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(20);

/// Starts `POST /api/users` with `Expect: 100-continue` and waits for `100 Continue`, which
/// means the handler is running and waiting for the body.
pub async fn post_awaiting_body(server: &Server, length: usize) -> TcpStream {
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {length}\r\nExpect: 100-continue\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while find(&got, b"\r\n\r\n").is_none() {
        let n = tokio::time::timeout(TIMEOUT, stream.read(&mut buf))
            .await
            .expect("no 100 Continue in time")
            .unwrap();
        assert!(
            n > 0,
            "connection closed: {:?}",
            String::from_utf8_lossy(&got)
        );
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, b"HTTP/1.1 100 Continue\r\n\r\n");
    stream
}

pub struct Server {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl Server {
    pub async fn start() -> Server {
        Server::start_with(Config {
            log_requests: false,
            ..Config::default()
        })
        .await
    }

    pub async fn start_with(config: Config) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(rampart_demo::serve_with(listener, config, async {
            let _ = stopped.await;
        }));
        Server {
            addr,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Sends the shutdown signal without waiting.
    pub fn signal_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).unwrap();
        }
    }

    /// Signals shutdown and waits (bounded) for `serve` to return.
    pub async fn stop(mut self) -> io::Result<()> {
        self.signal_stop();
        let task = self.task.take().unwrap();
        tokio::time::timeout(TIMEOUT, task)
            .await
            .expect("serve did not return after shutdown")
            .unwrap()
    }

    /// A request with `Connection: close`; the reply must carry a `Content-Type`.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        let reply = self.request(method, path, headers, body).await;
        assert!(
            reply.header("content-type").is_some(),
            "{method} {path}: no Content-Type in {reply:?}"
        );
        reply
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call("GET", path, &[], b"").await
    }

    pub async fn send_json(&self, method: &str, path: &str, json: &str) -> Reply {
        self.call(
            method,
            path,
            &[("Content-Type", "application/json")],
            json.as_bytes(),
        )
        .await
    }

    /// A request with `Connection: close`, without checks on the reply.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        let mut raw = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        for (name, value) in headers {
            raw.push_str(&format!("{name}: {value}\r\n"));
        }
        if !body.is_empty() || method == "POST" || method == "PUT" {
            raw.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        raw.push_str("\r\n");
        let mut raw = raw.into_bytes();
        raw.extend_from_slice(body);
        let reply = self.send_raw(&raw).await;
        reply.check_length(method == "HEAD");
        reply
    }

    /// Writes `raw` and reads until the server closes the connection.
    pub async fn send_raw(&self, raw: &[u8]) -> Reply {
        let exchange = async {
            let mut stream = TcpStream::connect(self.addr).await.unwrap();
            stream.write_all(raw).await.unwrap();
            let mut out = Vec::new();
            stream.read_to_end(&mut out).await.unwrap();
            out
        };
        let bytes = tokio::time::timeout(TIMEOUT, exchange)
            .await
            .expect("no reply in time");
        Reply::parse(&bytes)
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Interim (1xx) responses that came before this one.
    pub interim: Vec<u16>,
}

impl Reply {
    /// Parses one final response, after any interim ones.
    pub fn parse(bytes: &[u8]) -> Reply {
        let mut rest = bytes;
        let mut interim = Vec::new();
        loop {
            let end = find(rest, b"\r\n\r\n").unwrap_or_else(|| {
                panic!("no response head in {:?}", String::from_utf8_lossy(bytes))
            });
            let head = std::str::from_utf8(&rest[..end]).unwrap();
            let body = &rest[end + 4..];
            let mut lines = head.split("\r\n");
            let status_line = lines.next().unwrap();
            assert!(status_line.starts_with("HTTP/1.1 "), "{status_line}");
            let status: u16 = status_line[9..12].parse().unwrap();
            if (100..200).contains(&status) {
                interim.push(status);
                rest = body;
                continue;
            }
            let headers = lines
                .map(|line| {
                    let (name, value) = line.split_once(':').unwrap();
                    (name.to_ascii_lowercase(), value.trim().to_owned())
                })
                .collect();
            return Reply {
                status,
                headers,
                body: body.to_vec(),
                interim,
            };
        }
    }

    fn check_length(&self, head: bool) {
        if let Some(length) = self.header("content-length") {
            let expected = if head { 0 } else { length.parse().unwrap() };
            assert_eq!(self.body.len(), expected, "body length of {self:?}");
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "{self:?}"
        );
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }

    /// The `error` text of a JSON error reply.
    pub fn error(&self) -> String {
        self.json()["error"].as_str().unwrap().to_owned()
    }

    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap()
    }
}

pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
