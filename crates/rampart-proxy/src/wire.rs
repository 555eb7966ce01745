//! HTTP/1 request heads as the client wrote them.
//!
//! hyper parses HTTP/1 strictly and keeps only what `http` can represent: header names are
//! lowercased, request targets with bytes such as `"`, `{` or invalid UTF-8 are refused with
//! a 400 before any code of ours runs. ModSecurity behind nginx sees the original bytes, and
//! its rules depend on them (`!REQUEST_HEADERS:Cookie` excludes `Cookie`, not `cookie`).
//!
//! So every HTTP/1 connection is read through [`HeadReader`]: it parses each request head
//! itself, applies the front-end policy ([`crate::frontend`]), queues the original for the
//! request handler, and hands hyper a normalised copy of the head it is sure to accept
//! (percent-encoded target, control bytes in values replaced). Bodies pass through untouched;
//! the reader follows their framing only to find where the next head starts. A head the
//! policy refuses becomes a placeholder request whose queued verdict tells the handler to
//! answer 400 (or drop) and close.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::frontend::{self, Admission, Head};

/// Heads longer than this are refused (nginx's `large_client_header_buffers` is 4 × 8 KiB).
const MAX_HEAD: usize = 64 * 1024;

const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n";

/// How much one read from the socket takes at most.
const READ_CHUNK: usize = 16 * 1024;

/// One request head and what the front-end decided about it.
#[derive(Debug, Clone)]
pub struct ReadHead {
    pub head: Head,
    pub admission: Admission,
}

/// The heads of one connection, in order, waiting for their requests to be handled.
#[derive(Debug, Default)]
pub struct HeadQueue(Mutex<VecDeque<ReadHead>>);

impl HeadQueue {
    fn push(&self, head: ReadHead) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(head);
    }

    /// The head of the request hyper is handing over now.
    pub fn pop(&self) -> Option<ReadHead> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).pop_front()
    }
}

#[derive(Debug)]
enum State {
    /// Collecting a head.
    Head,
    /// `n` body bytes to pass.
    Body(u64),
    /// Chunked body: reading a chunk-size line.
    ChunkSize,
    /// Chunk data plus its CRLF.
    ChunkData(u64),
    /// Trailer section after the last chunk.
    Trailers,
    /// Not HTTP/1 (h2c preface) or framing we no longer follow: bytes pass as they are.
    Passthrough,
    /// A head was refused: nothing after it is read into requests.
    Discard,
}

/// An HTTP/1 connection's read side, seen through rampart's head parser.
pub struct HeadReader<S> {
    inner: S,
    queue: Arc<HeadQueue>,
    state: State,
    /// Bytes of the head or line being collected.
    pending: Vec<u8>,
    /// Bytes ready for hyper.
    out: Vec<u8>,
    out_at: usize,
    first: bool,
    eof: bool,
}

impl<S> HeadReader<S> {
    pub fn new(inner: S, queue: Arc<HeadQueue>) -> Self {
        HeadReader {
            inner,
            queue,
            state: State::Head,
            pending: Vec::new(),
            out: Vec::new(),
            out_at: 0,
            first: true,
            eof: false,
        }
    }

    /// Runs `input` through the state machine, appending what hyper should read to `out`.
    fn feed(&mut self, mut input: &[u8]) {
        while !input.is_empty() {
            match self.state {
                State::Passthrough => {
                    self.out.extend_from_slice(input);
                    return;
                }
                State::Discard => return,
                State::Body(n) => {
                    let take = usize::try_from(n).unwrap_or(usize::MAX).min(input.len());
                    self.out.extend_from_slice(&input[..take]);
                    input = &input[take..];
                    let left = n - take as u64;
                    self.state = if left == 0 {
                        State::Head
                    } else {
                        State::Body(left)
                    };
                }
                State::ChunkData(n) => {
                    let take = usize::try_from(n).unwrap_or(usize::MAX).min(input.len());
                    self.out.extend_from_slice(&input[..take]);
                    input = &input[take..];
                    let left = n - take as u64;
                    // The CRLF after the data is read as an (empty) size line.
                    self.state = if left == 0 {
                        State::ChunkSize
                    } else {
                        State::ChunkData(left)
                    };
                }
                State::ChunkSize | State::Trailers => {
                    let Some(newline) = input.iter().position(|&b| b == b'\n') else {
                        self.pending.extend_from_slice(input);
                        self.out.extend_from_slice(input);
                        if self.pending.len() > MAX_HEAD {
                            self.state = State::Passthrough;
                        }
                        return;
                    };
                    self.pending.extend_from_slice(&input[..=newline]);
                    self.out.extend_from_slice(&input[..=newline]);
                    input = &input[newline + 1..];
                    let line = std::mem::take(&mut self.pending);
                    let line = line.strip_suffix(b"\n").unwrap_or(&line);
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    self.state = match self.state {
                        State::Trailers if line.is_empty() => State::Head,
                        State::Trailers => State::Trailers,
                        // The CRLF that ends a chunk's data.
                        _ if line.is_empty() => State::ChunkSize,
                        _ => match chunk_size(line) {
                            Some(0) => State::Trailers,
                            Some(n) => State::ChunkData(n),
                            // hyper will refuse it too and close the connection.
                            None => State::Passthrough,
                        },
                    };
                }
                State::Head => {
                    if self.first {
                        // Prior-knowledge HTTP/2 starts with the preface; wait until there are
                        // enough bytes to tell.
                        let seen = self.pending.len() + input.len();
                        let mut candidate = self.pending.clone();
                        candidate.extend_from_slice(&input[..input.len().min(H2_PREFACE.len())]);
                        let n = candidate.len().min(H2_PREFACE.len());
                        if candidate[..n] == H2_PREFACE[..n] {
                            if seen < H2_PREFACE.len() {
                                self.pending.extend_from_slice(input);
                                return;
                            }
                            self.out.append(&mut self.pending);
                            self.state = State::Passthrough;
                            continue;
                        }
                        self.first = false;
                    }
                    // Empty lines before a request line are allowed (RFC 9112 §2.2).
                    if self.pending.is_empty() {
                        let skip = input
                            .iter()
                            .position(|&b| b != b'\r' && b != b'\n')
                            .unwrap_or(input.len());
                        input = &input[skip..];
                        if input.is_empty() {
                            return;
                        }
                    }
                    let start = self.pending.len().saturating_sub(3);
                    self.pending.extend_from_slice(input);
                    let Some(end) = head_end(&self.pending, start) else {
                        if self.pending.len() > MAX_HEAD {
                            self.refuse(431);
                        }
                        return;
                    };
                    let rest = self.pending.split_off(end);
                    let raw = std::mem::take(&mut self.pending);
                    self.first = false;
                    self.head(&raw);
                    // What followed the head goes through the body state.
                    if matches!(self.state, State::Discard) {
                        return;
                    }
                    self.feed(&rest);
                    return;
                }
            }
        }
    }

    /// A complete head: parse, decide, queue, and emit hyper's copy.
    fn head(&mut self, raw: &[u8]) {
        let Some(mut head) = parse_head(raw) else {
            self.refuse(400);
            return;
        };
        let admission = frontend::admit(&mut head);
        if admission != Admission::Accept {
            self.queue.push(ReadHead { head, admission });
            self.placeholder();
            self.state = State::Discard;
            return;
        }
        let framing = framing(&head.headers);
        let Some(framing) = framing else {
            self.queue.push(ReadHead {
                head,
                admission: Admission::Reject {
                    status: 400,
                    reason: "invalid body framing",
                },
            });
            self.placeholder();
            self.state = State::Discard;
            return;
        };
        let upgrade = head
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(b"upgrade"));
        self.emit(&head);
        self.queue.push(ReadHead { head, admission });
        self.state = match framing {
            _ if upgrade => State::Passthrough,
            Framing::None => State::Head,
            Framing::Length(0) => State::Head,
            Framing::Length(n) => State::Body(n),
            Framing::Chunked => State::ChunkSize,
        };
    }

    fn refuse(&mut self, status: u16) {
        self.queue.push(ReadHead {
            head: Head::default(),
            admission: Admission::Reject {
                status,
                reason: if status == 431 {
                    "request header too large"
                } else {
                    "malformed request head"
                },
            },
        });
        self.pending.clear();
        self.placeholder();
        self.state = State::Discard;
    }

    /// A request hyper accepts, standing for one the handler will refuse.
    fn placeholder(&mut self) {
        self.out
            .extend_from_slice(b"GET / HTTP/1.1\r\nhost: refused\r\ncontent-length: 0\r\n\r\n");
    }

    /// hyper's copy of an accepted head.
    fn emit(&mut self, head: &Head) {
        let out = &mut self.out;
        out.extend_from_slice(&head.method);
        out.push(b' ');
        encode_target(&head.uri, out);
        out.extend_from_slice(if head.version.as_slice() == b"HTTP/1.0" {
            b" HTTP/1.0\r\n"
        } else {
            b" HTTP/1.1\r\n"
        });
        for (name, value) in &head.headers {
            out.extend_from_slice(name);
            out.extend_from_slice(b": ");
            out.extend(value.iter().map(|&b| {
                if (b < 0x20 && b != b'\t') || b == 0x7f {
                    b' '
                } else {
                    b
                }
            }));
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
    }
}

/// Where the head ends (just past its blank line), searching from `from`.
fn head_end(buffer: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < buffer.len() {
        if buffer[i] == b'\n' {
            if buffer.get(i + 1) == Some(&b'\n') {
                return Some(i + 2);
            }
            if buffer.get(i + 1) == Some(&b'\r') && buffer.get(i + 2) == Some(&b'\n') {
                return Some(i + 3);
            }
        }
        i += 1;
    }
    None
}

/// The request line and header fields, leniently as nginx reads them: lines end in LF or
/// CRLF, fields split at the first colon, values trimmed. `None` when it is not a head at all.
pub fn parse_head(raw: &[u8]) -> Option<Head> {
    let mut lines = raw
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line));
    let request_line = lines.next()?;
    // A bare CR or a NUL anywhere, or whitespace before the method, is not HTTP.
    if raw[..raw.len().saturating_sub(4)]
        .iter()
        .enumerate()
        .any(|(i, &b)| b == 0 || (b == b'\r' && raw.get(i + 1) != Some(&b'\n')))
        || request_line
            .first()
            .is_some_and(|&b| b == b' ' || b == b'\t')
    {
        return None;
    }
    let mut parts = request_line.split(|&b| b == b' ').filter(|p| !p.is_empty());
    let method = parts.next()?.to_vec();
    let uri = parts.next()?.to_vec();
    let version = parts.next().map(<[u8]>::to_vec).unwrap_or_default();
    if parts.next().is_some() {
        return None;
    }
    let mut headers = Vec::new();
    for line in lines {
        if line.is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            return None; // obsolete line folding
        }
        let colon = line.iter().position(|&b| b == b':')?;
        let name = &line[..colon];
        if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
            return None;
        }
        let value = line[colon + 1..].trim_ascii();
        headers.push((name.to_vec(), value.to_vec()));
    }
    Some(Head {
        method,
        uri,
        version,
        headers,
    })
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

enum Framing {
    None,
    Length(u64),
    Chunked,
}

/// How the body is delimited, or `None` when it cannot be told (hyper would refuse it).
fn framing(headers: &[(Vec<u8>, Vec<u8>)]) -> Option<Framing> {
    let mut length = None;
    let mut chunked = None;
    for (name, value) in headers {
        if name.eq_ignore_ascii_case(b"transfer-encoding") {
            let last = value.rsplit(|&b| b == b',').next()?.trim_ascii();
            chunked = Some(last.eq_ignore_ascii_case(b"chunked"));
        } else if name.eq_ignore_ascii_case(b"content-length") {
            let text = std::str::from_utf8(value).ok()?;
            length = Some(text.trim().parse::<u64>().ok()?);
        }
    }
    match (chunked, length) {
        (Some(true), _) => Some(Framing::Chunked),
        (Some(false), _) => None,
        (None, Some(n)) => Some(Framing::Length(n)),
        (None, None) => Some(Framing::None),
    }
}

fn chunk_size(line: &[u8]) -> Option<u64> {
    let digits = line.split(|&b| b == b';').next()?.trim_ascii();
    if digits.is_empty() || digits.len() > 15 {
        return None;
    }
    u64::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

/// The target with every byte hyper's URI parser would refuse percent-encoded.
fn encode_target(target: &[u8], out: &mut Vec<u8>) {
    for &b in target {
        let keep = b.is_ascii_alphanumeric() || b"!$&'()*+,-./:;=?@[]_~%".contains(&b);
        if keep {
            out.push(b);
        } else {
            out.extend_from_slice(format!("%{b:02X}").as_bytes());
        }
    }
}

thread_local! {
    /// Where reads from the sockets land, one buffer per thread: what a read brings is parsed
    /// before `poll_read` returns, so no connection keeps bytes here, an idle one holds no
    /// buffer, and the buffer is zeroed once, not at every read (a read that finds nothing is
    /// the common case between two requests).
    static READ_BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

impl<S: AsyncRead + Unpin> HeadReader<S> {
    /// One read from the socket into `chunk`, fed to the parser; `Some` when `poll_read`
    /// must return that now.
    fn read_and_feed(
        &mut self,
        cx: &mut Context<'_>,
        chunk: &mut Vec<u8>,
    ) -> Option<Poll<io::Result<()>>> {
        if chunk.is_empty() {
            chunk.resize(READ_CHUNK, 0);
        }
        let mut read = ReadBuf::new(chunk);
        let polled = Pin::new(&mut self.inner).poll_read(cx, &mut read);
        let filled = read.filled().len();
        match polled {
            Poll::Pending => Some(Poll::Pending),
            Poll::Ready(Err(e)) => Some(Poll::Ready(Err(e))),
            Poll::Ready(Ok(())) if filled == 0 => {
                self.eof = true;
                None
            }
            Poll::Ready(Ok(())) => {
                self.feed(chunk.get(..filled).unwrap_or_default());
                None
            }
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for HeadReader<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            if this.out_at < this.out.len() {
                let n = (this.out.len() - this.out_at).min(buf.remaining());
                buf.put_slice(&this.out[this.out_at..this.out_at + n]);
                this.out_at += n;
                if this.out_at == this.out.len() {
                    this.out.clear();
                    this.out_at = 0;
                }
                return Poll::Ready(Ok(()));
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
            let done = READ_BUFFER.with(|buffer| match buffer.try_borrow_mut() {
                Ok(mut chunk) => this.read_and_feed(cx, &mut chunk),
                // Only if a read ever ran inside another on this thread: a buffer of its own.
                Err(_) => this.read_and_feed(cx, &mut Vec::new()),
            });
            if let Some(done) = done {
                return done;
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for HeadReader<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[&[u8]]) -> (Vec<u8>, Vec<ReadHead>) {
        let queue = Arc::new(HeadQueue::default());
        let mut reader = HeadReader::new((), Arc::clone(&queue));
        for part in input {
            reader.feed(part);
        }
        let mut heads = Vec::new();
        while let Some(h) = queue.pop() {
            heads.push(h);
        }
        (reader.out, heads)
    }

    #[test]
    fn keeps_the_original_and_hands_hyper_a_clean_copy() {
        let (out, heads) =
            run(&[b"GET /a?x=\"{}\" HTTP/1.1\r\nHost: localhost\r\nCookie: a=b\r\n\r\n"]);
        assert_eq!(heads.len(), 1);
        assert_eq!(heads[0].admission, Admission::Accept);
        assert_eq!(heads[0].head.uri, b"/a?x=\"{}\"");
        assert_eq!(heads[0].head.headers[1].0, b"Cookie");
        assert_eq!(
            String::from_utf8_lossy(&out),
            "GET /a?x=%22%7B%7D%22 HTTP/1.1\r\nHost: localhost\r\nCookie: a=b\r\n\r\n"
        );
    }

    #[test]
    fn follows_bodies_to_the_next_head_in_any_split() {
        let stream: &[u8] = b"POST /1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloPOST /2 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\nGET /3 HTTP/1.1\r\nHost: a\r\n\r\n";
        for split in 1..stream.len() {
            let (a, b) = stream.split_at(split);
            let (out, heads) = run(&[a, b]);
            let uris: Vec<&[u8]> = heads.iter().map(|h| h.head.uri.as_slice()).collect();
            assert_eq!(uris, vec![&b"/1"[..], b"/2", b"/3"], "split at {split}");
            assert!(out.windows(5).any(|w| w == b"hello"));
            assert!(out.windows(3).any(|w| w == b"abc"));
        }
    }

    #[test]
    fn refused_heads_become_placeholders_with_a_verdict() {
        let (out, heads) =
            run(&[b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\nGET /next HTTP/1.1\r\n\r\n"]);
        assert_eq!(heads.len(), 1, "nothing after a refused head is read");
        assert!(matches!(
            heads[0].admission,
            Admission::Reject { status: 400, .. }
        ));
        assert!(out.starts_with(b"GET / HTTP/1.1\r\nhost: refused"));
        let (_, heads) = run(&[b"GET /\r\n\r\n"]);
        assert!(matches!(heads[0].admission, Admission::Drop { .. }));
        let (_, heads) = run(&[b"GET / HTTP/1.1\r\n Folded: x\r\n\r\n"]);
        assert!(matches!(
            heads[0].admission,
            Admission::Reject { status: 400, .. }
        ));
    }

    #[test]
    fn h2c_preface_passes_untouched() {
        let preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00";
        let (out, heads) = run(&[preface]);
        assert!(heads.is_empty());
        assert_eq!(out, preface);
    }

    #[test]
    fn oversized_heads_are_refused() {
        let mut big = b"GET / HTTP/1.1\r\nX: ".to_vec();
        big.extend(std::iter::repeat_n(b'a', MAX_HEAD + 1));
        let (_, heads) = run(&[&big]);
        assert!(matches!(
            heads[0].admission,
            Admission::Reject { status: 431, .. }
        ));
    }
}
