//! A generated corpus of raw HTTP/1.1 requests for differential testing: the same requests go
//! through rampart's native engine and through libmodsecurity, and the verdicts are compared.
//!
//! Everything here is written for this corpus: the payloads, the paths, the header sets. No
//! request is taken from CRS's regression tests, go-ftw or any other project. The output is
//! deterministic: every family draws from its own PRNG (splitmix64, seeded from the family's
//! name), so regenerating gives identical files, and changing one family leaves the others
//! alone.
//!
//! A family is one JSON-lines file, `corpus/diff/<family>.jsonl`, each line
//! `{"id": "<family>-<variant>-<nnnn>", "request_b64": "..."}` as `rampart eval --jsonl` reads
//! it. Requests are framed correctly (a `Content-Length` equal to the body's length, or a valid
//! chunked body) except in the `proto` family, whose ids name the violation each one carries.

mod attacks;
mod benign;
mod clients;
mod evade;
mod payloads;
mod proto;
mod scanner;
mod text;
mod xml_entities;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::Serialize;

/// One request of the corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `<family>-<variant>-<nnnn>`, unique across the corpus.
    pub id: String,
    /// The raw request bytes, as they would be on the wire.
    pub request: Vec<u8>,
}

/// The requests of one family, written to `<name>.jsonl`.
#[derive(Debug, Clone)]
pub struct Family {
    /// The family's name, the file's stem and the first part of every id.
    pub name: &'static str,
    /// Whether the family holds attacks (or protocol violations) rather than benign traffic.
    pub attack: bool,
    /// The requests, in file order.
    pub entries: Vec<Entry>,
}

/// Builds every family of the corpus.
pub fn generate() -> Vec<Family> {
    let mut families = benign::families();
    families.extend(attacks::families());
    families.push(scanner::family());
    families.push(proto::family());
    families.push(xml_entities::family());
    families
}

#[derive(Serialize)]
struct Line<'a> {
    id: &'a str,
    request_b64: String,
}

/// One family as JSON lines, one request a line, each line ending in `\n`.
pub fn to_jsonl(family: &Family) -> String {
    let mut out = String::new();
    for entry in &family.entries {
        let line = Line {
            id: &entry.id,
            request_b64: base64::engine::general_purpose::STANDARD.encode(&entry.request),
        };
        // Serialising a struct of two strings cannot fail.
        if let Ok(text) = serde_json::to_string(&line) {
            out.push_str(&text);
            out.push('\n');
        }
    }
    out
}

/// Writes every family to `dir/<family>.jsonl` (creating `dir`) and returns the paths written.
pub fn write_dir(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for family in generate() {
        let path = dir.join(format!("{}.jsonl", family.name));
        std::fs::write(&path, to_jsonl(&family))?;
        written.push(path);
    }
    Ok(written)
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness.

/// splitmix64, seeded from a name (FNV-1a), so each family has its own stream.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(name: &str) -> Self {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in name.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        Rng(hash)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// True `percent` times in a hundred.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub(crate) fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }

    /// Picks by weight: `items` are `(weight, value)`.
    pub(crate) fn weighted<'a, T>(&mut self, items: &'a [(u32, T)]) -> &'a T {
        let total: u64 = items.iter().map(|(w, _)| u64::from(*w)).sum();
        let mut roll = self.next_u64() % total.max(1);
        for (weight, item) in items {
            if roll < u64::from(*weight) {
                return item;
            }
            roll -= u64::from(*weight);
        }
        &items[items.len() - 1].1
    }

    pub(crate) fn of_alphabet(&mut self, alphabet: &[u8], n: usize) -> String {
        (0..n).map(|_| char::from(*self.pick(alphabet))).collect()
    }

    pub(crate) fn alnum(&mut self, n: usize) -> String {
        self.of_alphabet(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            n,
        )
    }

    pub(crate) fn hex(&mut self, n: usize) -> String {
        self.of_alphabet(b"0123456789abcdef", n)
    }

    pub(crate) fn digits(&mut self, n: usize) -> String {
        self.of_alphabet(b"0123456789", n)
    }

    pub(crate) fn uuid(&mut self) -> String {
        format!(
            "{}-{}-4{}-{}{}-{}",
            self.hex(8),
            self.hex(4),
            self.hex(3),
            self.pick(&["8", "9", "a", "b"]),
            self.hex(3),
            self.hex(12)
        )
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next_u64() & 0xff) as u8).collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Requests.

/// A request under construction. `body` holds the bytes as framed on the wire.
#[derive(Clone)]
pub(crate) struct Req {
    pub method: String,
    pub target: Vec<u8>,
    pub version: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
}

impl Req {
    pub(crate) fn new(method: &str, target: impl Into<Vec<u8>>) -> Self {
        Req {
            method: method.to_string(),
            target: target.into(),
            version: "HTTP/1.1".to_string(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub(crate) fn header(&mut self, name: &str, value: impl Into<Vec<u8>>) -> &mut Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub(crate) fn headers(&mut self, headers: Vec<(String, Vec<u8>)>) -> &mut Self {
        self.headers.extend(headers);
        self
    }

    /// Replaces the value of the first header with this name (any case), or appends it.
    pub(crate) fn set_header(&mut self, name: &str, value: impl Into<Vec<u8>>) -> &mut Self {
        let value = value.into();
        if let Some(slot) = self
            .headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            slot.1 = value;
        } else {
            self.headers.push((name.to_string(), value));
        }
        self
    }

    pub(crate) fn remove_header(&mut self, name: &str) -> &mut Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }

    /// A body framed by `Content-Length`, with its `Content-Type` (if given).
    pub(crate) fn body(
        &mut self,
        content_type: Option<&str>,
        body: impl Into<Vec<u8>>,
    ) -> &mut Self {
        let body = body.into();
        if let Some(ct) = content_type {
            self.set_header("Content-Type", ct);
        }
        self.set_header("Content-Length", body.len().to_string());
        self.body = body;
        self
    }

    /// A body sent chunked, cut into chunks of the given sizes (the rest in one last chunk).
    pub(crate) fn chunked(
        &mut self,
        content_type: Option<&str>,
        body: &[u8],
        sizes: &[usize],
        upper_hex: bool,
    ) -> &mut Self {
        if let Some(ct) = content_type {
            self.set_header("Content-Type", ct);
        }
        self.remove_header("Content-Length");
        self.set_header("Transfer-Encoding", "chunked");
        let mut wire = Vec::new();
        let mut rest = body;
        let mut sizes = sizes.iter();
        while !rest.is_empty() {
            let size = sizes
                .next()
                .copied()
                .unwrap_or(rest.len())
                .clamp(1, rest.len());
            let (chunk, tail) = rest.split_at(size);
            let head = if upper_hex {
                format!("{size:X}\r\n")
            } else {
                format!("{size:x}\r\n")
            };
            wire.extend_from_slice(head.as_bytes());
            wire.extend_from_slice(chunk);
            wire.extend_from_slice(b"\r\n");
            rest = tail;
        }
        wire.extend_from_slice(b"0\r\n\r\n");
        self.body = wire;
        self
    }

    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256 + self.body.len());
        out.extend_from_slice(self.method.as_bytes());
        out.push(b' ');
        out.extend_from_slice(&self.target);
        if !self.version.is_empty() {
            out.push(b' ');
            out.extend_from_slice(self.version.as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
        out
    }
}

/// Collects a family's entries, numbering ids and dropping exact duplicates.
pub(crate) struct Collector {
    family: &'static str,
    attack: bool,
    entries: Vec<Entry>,
    seen: HashSet<Vec<u8>>,
}

impl Collector {
    pub(crate) fn new(family: &'static str, attack: bool) -> Self {
        Collector {
            family,
            attack,
            entries: Vec::new(),
            seen: HashSet::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Adds a request unless the same bytes are already there; says whether it was added.
    pub(crate) fn add(&mut self, variant: &str, request: Vec<u8>) -> bool {
        if !self.seen.insert(request.clone()) {
            return false;
        }
        let id = format!("{}-{}-{:04}", self.family, variant, self.entries.len() + 1);
        self.entries.push(Entry { id, request });
        true
    }

    pub(crate) fn add_req(&mut self, variant: &str, request: &Req) -> bool {
        self.add(variant, request.to_bytes())
    }

    pub(crate) fn finish(self) -> Family {
        Family {
            name: self.family,
            attack: self.attack,
            entries: self.entries,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Encodings used on the wire.

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

pub(crate) fn pct_byte(out: &mut String, byte: u8, lower: bool) {
    let digits = if lower { HEX_LOWER } else { HEX_UPPER };
    out.push('%');
    out.push(char::from(digits[usize::from(byte >> 4)]));
    out.push(char::from(digits[usize::from(byte & 15)]));
}

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

/// Percent-encodes the bytes `keep` does not accept (and always controls, space, `%` and
/// non-ASCII), uppercase hex.
pub(crate) fn pct_except(s: &[u8], keep: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for &byte in s {
        if byte > 0x20 && byte < 0x7f && byte != b'%' && keep(byte) {
            out.push(char::from(byte));
        } else {
            pct_byte(&mut out, byte, false);
        }
    }
    out
}

/// What a hand-typed query value keeps: everything printable but the separators.
pub(crate) fn pct_query_value(s: &[u8]) -> String {
    pct_except(s, |b| !matches!(b, b'&' | b'=' | b'+' | b'#'))
}

/// Form-style: unreserved bytes kept, space as `+`, the rest `%XX` (what browsers send).
pub(crate) fn pct_form(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for &byte in s {
        if is_unreserved(byte) || matches!(byte, b'*') {
            out.push(char::from(byte));
        } else if byte == b' ' {
            out.push('+');
        } else {
            pct_byte(&mut out, byte, false);
        }
    }
    out
}

/// Everything but unreserved bytes as `%XX`.
pub(crate) fn pct_all(s: &[u8]) -> String {
    pct_except(s, is_unreserved)
}

/// A path segment as a browser would send it.
pub(crate) fn pct_path(s: &[u8]) -> String {
    pct_except(s, |b| {
        is_unreserved(b)
            || matches!(
                b,
                b'/' | b'!'
                    | b'$'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b','
                    | b';'
                    | b':'
                    | b'@'
                    | b'='
                    | b'+'
                    | b'&'
            )
    })
}

/// A query string from name/value pairs, form-encoded.
pub(crate) fn query_string(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", pct_form(k.as_bytes()), pct_form(v.as_bytes())))
        .collect::<Vec<_>>()
        .join("&")
}

/// A JSON string literal (serde_json's escaping: quotes, backslash and controls).
pub(crate) fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// A JSON string literal with every character but ASCII letters and digits as `\uXXXX`.
pub(crate) fn json_str_escaped(s: &str) -> String {
    let mut out = String::from("\"");
    for unit in s.encode_utf16() {
        match u8::try_from(unit) {
            Ok(b) if b.is_ascii_alphanumeric() => out.push(char::from(b)),
            _ => out.push_str(&format!("\\u{unit:04x}")),
        }
    }
    out.push('"');
    out
}

/// XML text content: `&`, `<` and `>` escaped.
pub(crate) fn xml_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A multipart/form-data body from parts; returns the body.
pub(crate) struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

impl Part {
    pub(crate) fn field(name: &str, data: impl Into<Vec<u8>>) -> Self {
        Part {
            name: name.to_string(),
            filename: None,
            content_type: None,
            data: data.into(),
        }
    }

    pub(crate) fn file(name: &str, filename: &str, content_type: &str, data: Vec<u8>) -> Self {
        Part {
            name: name.to_string(),
            filename: Some(filename.to_string()),
            content_type: Some(content_type.to_string()),
            data,
        }
    }
}

pub(crate) fn multipart(boundary: &str, parts: &[Part]) -> Vec<u8> {
    let mut body = Vec::new();
    for part in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let mut disposition = format!("Content-Disposition: form-data; name=\"{}\"", part.name);
        if let Some(filename) = &part.filename {
            disposition.push_str(&format!("; filename=\"{filename}\""));
        }
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(b"\r\n");
        if let Some(ct) = &part.content_type {
            body.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(&part.data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}

/// A boundary in the style of one of the common clients.
pub(crate) fn boundary(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => format!("----WebKitFormBoundary{}", rng.alnum(16)),
        1 => format!("---------------------------{}", rng.digits(29)),
        2 => format!("------------------------{}", rng.hex(16)),
        _ => rng.hex(32),
    }
}
