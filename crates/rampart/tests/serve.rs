//! `rampart serve` as an operator runs it: a real process, real sockets, real signals.
//! SIGHUP and `rampart reload` swap the rules (a broken file is refused with its position and
//! the old rules keep serving); SIGTERM drains and exits 0.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A tiny upstream answering 200 "ok" to everything, on its own thread.
fn upstream() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut buffer = [0u8; 4096];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buffer) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buffer[..n]),
                    }
                }
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                );
            });
        }
    });
    address
}

/// The status of `GET path`, or `None` when nothing answers.
fn get(address: SocketAddr, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let line = String::from_utf8_lossy(&answer);
    line.split_whitespace().nth(1)?.parse().ok()
}

fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn sighup_and_reload_swap_rules_and_sigterm_drains() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.conf");
    let deny = |word: &str| {
        format!("SecRule ARGS \"@contains {word}\" \"id:1001,phase:1,deny,status:403,log\"\n")
    };
    std::fs::write(&rules, deny("first")).unwrap();
    let (port, admin) = (free_port(), free_port());
    let config = dir.path().join("rampart.toml");
    let error_log = dir.path().join("error.log");
    std::fs::write(
        &config,
        format!(
            "[server]\nlisten = [\"127.0.0.1:{port}\"]\nadmin_listen = \"127.0.0.1:{admin}\"\n\
             [upstream]\nservers = [\"{}\"]\n[crs]\nenabled = false\n\
             [waf]\nrules = [\"rules.conf\"]\n[log]\nerror_log = \"{}\"\naccess_log = \"off\"\n",
            upstream(),
            error_log.display()
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let proxy: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    wait_until("the proxy", || get(proxy, "/").is_some());
    assert_eq!(get(proxy, "/?q=first"), Some(403));
    assert_eq!(get(proxy, "/?q=second"), Some(200));

    // SIGHUP with a good file: the new rule is in force.
    std::fs::write(&rules, deny("second")).unwrap();
    signal(&child, "HUP");
    wait_until("the reload", || get(proxy, "/?q=second") == Some(403));
    assert_eq!(get(proxy, "/?q=first"), Some(200));

    // A broken file: refused with its position, the old rules keep serving.
    std::fs::write(&rules, "SecRule ARGS \"@contains x\" \"id:1002,denyy\"\n").unwrap();
    let reload = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["reload", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(reload.status.code(), Some(1));
    let answer = String::from_utf8_lossy(&reload.stdout);
    assert!(answer.contains("rules.conf:1:"), "{answer}");
    signal(&child, "HUP");
    wait_until("the refusal in the error log", || {
        std::fs::read_to_string(&error_log)
            .unwrap_or_default()
            .matches("reload rejected")
            .count()
            >= 2
    });
    assert_eq!(get(proxy, "/?q=second"), Some(403));

    // `rampart reload` with a good file.
    std::fs::write(&rules, deny("third")).unwrap();
    let reload = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["reload", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert!(
        reload.status.success(),
        "{}",
        String::from_utf8_lossy(&reload.stdout)
    );
    assert_eq!(get(proxy, "/?q=third"), Some(403));

    signal(&child, "TERM");
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    assert_eq!(get(proxy, "/"), None, "the listener is closed");
}
