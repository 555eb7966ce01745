//! Body limits, graceful shutdown, and the binary.

#[cfg(test)]
mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{post_awaiting_body, Reply, Server, TIMEOUT};
use rampart_demo::MAX_BODY_BYTES;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test]
async fn refuses_a_declared_oversized_body_without_reading_it() {
    let server = Server::start().await;
    let head = format!(
        "POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        MAX_BODY_BYTES + 1
    );
    // Only the head is sent: the answer must come without the body.
    let reply = server.send_raw(head.as_bytes()).await;
    assert_eq!(reply.status, 413);
    assert!(reply.interim.is_empty(), "sent 100 Continue: {reply:?}");
    assert_eq!(reply.header("connection"), Some("close"));
    assert_eq!(
        reply.error(),
        format!("request body larger than {MAX_BODY_BYTES} bytes")
    );

    // Exactly the limit is fine as far as size goes (the JSON is then checked).
    let mut body = vec![b' '; MAX_BODY_BYTES - 2];
    body.extend_from_slice(b"{}");
    let reply = server
        .send_json("POST", "/api/users", std::str::from_utf8(&body).unwrap())
        .await;
    assert_eq!(reply.status, 422);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn refuses_a_streamed_oversized_body_and_the_client_sees_it() {
    let server = Server::start().await;
    let stream = TcpStream::connect(server.addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let writer = tokio::spawn(async move {
        write
            .write_all(b"POST /reflect HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            .await?;
        let chunk = vec![b'a'; 1024 * 1024];
        for _ in 0..11 {
            write
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            write.write_all(&chunk).await?;
            write.write_all(b"\r\n").await?;
        }
        write.write_all(b"0\r\n\r\n").await?;
        Ok::<_, std::io::Error>(write)
    });
    let mut out = Vec::new();
    tokio::time::timeout(TIMEOUT, read.read_to_end(&mut out))
        .await
        .expect("no reply in time")
        .unwrap();
    let reply = Reply::parse(&out);
    assert_eq!(reply.status, 413);
    assert!(reply.error().contains("larger than"), "{reply:?}");
    // The whole body was taken in, so writing it never failed.
    writer.await.unwrap().unwrap();
    server.stop().await.unwrap();
}

#[tokio::test]
async fn shutdown_lets_an_in_flight_request_finish() {
    let mut server = Server::start().await;
    let body = br#"{"name":"Late Larry","email":"larry@example.com"}"#;
    let mut stream = post_awaiting_body(&server, body.len()).await;
    server.signal_stop();
    // Shutdown has begun once the listener is closed: poll for that, bounded.
    let deadline = Instant::now() + TIMEOUT;
    while TcpStream::connect(server.addr).await.is_ok() {
        assert!(
            Instant::now() < deadline,
            "listener still open after shutdown"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    stream.write_all(body).await.unwrap();
    let mut out = Vec::new();
    tokio::time::timeout(TIMEOUT, stream.read_to_end(&mut out))
        .await
        .expect("no reply in time")
        .unwrap();
    let reply = Reply::parse(&out);
    assert_eq!(reply.status, 201, "{reply:?}");
    assert_eq!(reply.json()["name"], "Late Larry");
    // Keep-alive was asked for, but a server that is stopping closes after the answer.
    assert_eq!(reply.header("connection"), Some("close"));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn shutdown_closes_idle_connections() {
    let mut server = Server::start().await;
    let mut idle = TcpStream::connect(server.addr).await.unwrap();
    // A finished request on it makes sure the server has taken the connection in.
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 256];
    while !got.ends_with(b"ok") {
        let n = tokio::time::timeout(TIMEOUT, idle.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0);
        got.extend_from_slice(&buf[..n]);
    }
    server.signal_stop();
    let mut rest = Vec::new();
    tokio::time::timeout(TIMEOUT, idle.read_to_end(&mut rest))
        .await
        .expect("idle connection not closed")
        .unwrap();
    assert!(rest.is_empty());
    server.stop().await.unwrap();
}

/// The binary: `--listen`, a log line per request, and a clean exit on SIGTERM.
#[cfg(unix)]
#[test]
fn binary_serves_logs_and_stops_on_sigterm() {
    let mut child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_rampart-demo"))
            .args(["--listen", "127.0.0.1:0"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut stderr = BufReader::new(child.0.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("rampart-demo: listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();

    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    stream.set_read_timeout(Some(TIMEOUT)).unwrap();
    stream
        .write_all(b"GET /api/users/3?secret=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).unwrap();
    assert_eq!(Reply::parse(&out).status, 200);

    line.clear();
    stderr.read_line(&mut line).unwrap();
    assert_eq!(line, "GET /api/users/3 200\n");

    // The shell's own `kill`, so that no procps is needed.
    let status = Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", child.0.id())])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + TIMEOUT;
    let exit = loop {
        if let Some(exit) = child.0.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "still running after SIGTERM");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(exit.success(), "{exit:?}");
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "rampart-demo: shutting down\nrampart-demo: stopped\n");
}

#[tokio::test]
async fn shutdown_drops_a_request_that_outlives_the_drain_timeout() {
    let mut server = Server::start_with(rampart_demo::Config {
        log_requests: false,
        drain_timeout: Duration::from_millis(100),
        ..rampart_demo::Config::default()
    })
    .await;
    // A body that never comes.
    let mut stream = post_awaiting_body(&server, 10).await;
    server.signal_stop();
    let started = Instant::now();
    server.stop().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(100));
    let mut out = Vec::new();
    // Dropped without an answer.
    let read = tokio::time::timeout(TIMEOUT, stream.read_to_end(&mut out))
        .await
        .expect("connection left open");
    assert!(
        read.is_err() || out.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&out)
    );
}

/// Kills the child if the test fails before it exits (`Child::kill` does nothing once the
/// child has been waited for), so that a failure leaves no server running.
#[cfg(unix)]
struct KillOnDrop(std::process::Child);

#[cfg(unix)]
impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
