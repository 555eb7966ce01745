//! The suite's backend, albedo, reproduced: what the upstream answers to a request.
//!
//! Response-phase tests (`RESPONSE-95x`) POST a JSON document to `/reflect` and expect the
//! backend to answer with the status, headers and body it names, so that the WAF's response
//! rules have something to inspect. In-process there is no backend, so this module answers as
//! albedo (`coreruleset/albedo`, `server/server.go`, Go's `net/http`) would:
//!
//! - `POST /reflect` and `POST /reflect/...` (path only; query ignored; percent-escapes in the
//!   path decoded as Go does before routing; method case-sensitive): the body is a JSON object
//!   with `status` (integer), `headers` (object of strings), `body` (string), `encodedBody`
//!   (base64 string) and `logMessage` (string). As with Go's `encoding/json`: keys match
//!   exactly or else ignoring ASCII case, a later key overrides an earlier one, unknown keys are
//!   ignored, `null` leaves a field as it was (but empties `headers`), and the top level may be
//!   `null` (all defaults). Anything else (bad syntax, another JSON type, a float or
//!   out-of-range status, a non-string header value) is **400** with body
//!   `Invalid JSON in request body`. Invalid UTF-8 is replaced by U+FFFD first, as Go does.
//! - `status` absent or 0 means **200**; 1–99 or 600 and above is **400** with body
//!   `Invalid status code: N` (the named headers are still sent); a negative status makes
//!   albedo panic and the connection close with no response, which a proxy in front reports as
//!   **502**, here with an empty body.
//! - The body is `body` if non-empty, else `encodedBody` decoded (standard base64, padding
//!   required, line breaks ignored). An undecodable `encodedBody` keeps the status already
//!   chosen and answers the body `invalid base64 encoding of response body`.
//! - `logMessage`, if non-empty, is what albedo would log; it is returned for the runner.
//! - Every other request: **200** with an empty body.
//!
//! Headers come out as Go writes them: names canonicalised (`content-type` → `Content-Type`),
//! names that are not valid tokens dropped, CR and LF in values turned into spaces and the
//! values trimmed, sorted by name; then, if the handler set no Content-Type and the body is not
//! empty, Go's sniffed `Content-Type` (`http.DetectContentType`: HTML, XML, PDF, PostScript,
//! byte-order marks, common image, audio, font and archive signatures, else `text/plain;
//! charset=utf-8` or `application/octet-stream`); then `Content-Length`. Statuses that carry no
//! body (1xx, 204, 304) get neither body nor length.
//!
//! Not reproduced: the `Date` header (it would make responses differ run to run); Go's
//! chunked encoding of bodies over 2 KiB (a length is given instead; the body is the same);
//! the 301 redirects Go's router sends for paths with `.`/`..` segments or `//` (two
//! suite URIs); `/capabilities`, and the dynamic endpoints of `/configure_reflection` (the
//! suite uses neither, and both answer as "every other request" here); Go's special treatment
//! of informational (1xx) statuses, which albedo calls undefined; and Go's checks of
//! handler-set `Content-Length` / `Transfer-Encoding` headers, passed on as given.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use crate::request::{canonical_key, decode_base64, is_token_byte};

/// A response from the backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Header fields in the order Go would write them (see the module documentation).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// The reflection document's `logMessage`, if it had a non-empty one.
    pub log_message: Option<String>,
}

/// How albedo answers `method target` with `body`. `target` is the request target as sent
/// (origin form, or absolute form).
pub fn respond(method: &[u8], target: &[u8], body: &[u8]) -> Response {
    let Some(path) = request_path(target) else {
        // Go's server refuses a request target it cannot parse before any handler runs.
        return finish(400, Vec::new(), b"400 Bad Request".to_vec(), method, None);
    };
    let is_reflect = method == b"POST" && (path == b"/reflect" || path.starts_with(b"/reflect/"));
    if !is_reflect {
        return finish(200, Vec::new(), Vec::new(), method, None);
    }
    let spec = match Spec::from_json(body) {
        Ok(spec) => spec,
        Err(()) => {
            return finish(
                400,
                Vec::new(),
                b"Invalid JSON in request body".to_vec(),
                method,
                None,
            )
        }
    };
    let log_message = Some(spec.log_message).filter(|m| !m.is_empty());
    let headers = spec.headers;
    if spec.status < 0 {
        return Response {
            status: 502,
            headers: Vec::new(),
            body: Vec::new(),
            log_message,
        };
    }
    let status = match spec.status {
        0 => 200,
        s @ 100..=599 => u16::try_from(s).unwrap_or(200),
        s => {
            let body = format!("Invalid status code: {s}").into_bytes();
            return finish(400, headers, body, method, log_message);
        }
    };
    let body = if !spec.body.is_empty() {
        spec.body.into_bytes()
    } else if !spec.encoded_body.is_empty() {
        decode_base64(&spec.encoded_body)
            .unwrap_or_else(|_| b"invalid base64 encoding of response body".to_vec())
    } else {
        Vec::new()
    };
    finish(status, headers, body, method, log_message)
}

/// Assembles the response as Go's server writes it.
fn finish(
    status: u16,
    handler_headers: Vec<(String, String)>,
    body: Vec<u8>,
    method: &[u8],
    log_message: Option<String>,
) -> Response {
    let mut headers: Vec<(String, String)> = handler_headers
        .into_iter()
        .filter(|(name, _)| !name.is_empty() && name.bytes().all(is_token_byte))
        .map(|(name, value)| {
            let value = value.replace(['\r', '\n'], " ");
            let value = value.trim_matches([' ', '\t', '\r', '\n']).to_owned();
            (name, value)
        })
        .collect();
    headers.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));

    let body_allowed = !(100..200).contains(&status) && status != 204 && status != 304;
    let body = if body_allowed { body } else { Vec::new() };
    let has = |headers: &[(String, String)], name: &str| headers.iter().any(|(n, _)| n == name);
    if body_allowed && !body.is_empty() && !has(&headers, "Content-Type") {
        headers.push((
            "Content-Type".to_owned(),
            detect_content_type(&body).to_owned(),
        ));
    }
    let is_head = method == b"HEAD";
    if body_allowed
        && !has(&headers, "Content-Length")
        && !has(&headers, "Transfer-Encoding")
        && (!is_head || !body.is_empty())
    {
        headers.push(("Content-Length".to_owned(), body.len().to_string()));
    }
    let body = if is_head { Vec::new() } else { body };
    Response {
        status,
        headers,
        body,
        log_message,
    }
}

/// The path Go routes on: the target's path, without the query, percent-decoded. `None` if Go
/// could not parse it (a bad percent-escape in the path).
fn request_path(target: &[u8]) -> Option<Vec<u8>> {
    let mut rest = target;
    for scheme in [&b"http://"[..], b"https://"] {
        if rest.len() >= scheme.len() && rest[..scheme.len()].eq_ignore_ascii_case(scheme) {
            let after = &rest[scheme.len()..];
            rest = after
                .iter()
                .position(|b| *b == b'/')
                .map_or(&b"/"[..], |slash| &after[slash..]);
            break;
        }
    }
    let path = rest.split(|b| *b == b'?').next().unwrap_or(&[]);
    let mut out = Vec::with_capacity(path.len());
    let mut i = 0;
    while i < path.len() {
        if path[i] == b'%' {
            let hex = path.get(i + 1..i + 3)?;
            let text = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(text, 16).ok()?);
            i += 3;
        } else {
            out.push(path[i]);
            i += 1;
        }
    }
    Some(out)
}

/// albedo's `reflectionSpec` after Go's `json.Unmarshal`.
#[derive(Debug, Default)]
struct Spec {
    status: i64,
    /// Canonicalised names, in document order (Go would iterate its map in random order).
    headers: Vec<(String, String)>,
    body: String,
    encoded_body: String,
    log_message: String,
}

impl Spec {
    fn from_json(body: &[u8]) -> Result<Spec, ()> {
        let text = String::from_utf8_lossy(body);
        let top: TopLevel = serde_json::from_str(&text).map_err(|_| ())?;
        let mut spec = Spec::default();
        let mut raw_headers: Option<Vec<(String, String)>> = None;
        let mut type_error = false;
        for (key, value) in top.0 {
            let Some(field) = field_for(&key) else {
                continue;
            };
            if value.is_null() {
                if field == Field::Headers {
                    raw_headers = None;
                }
                continue;
            }
            match field {
                Field::Status => match value.as_i64() {
                    Some(status) => spec.status = status,
                    None => type_error = true,
                },
                Field::Headers => match value {
                    Value::Object(map) => {
                        let headers = raw_headers.get_or_insert_with(Vec::new);
                        for (name, value) in map {
                            let value = match value {
                                Value::String(s) => s,
                                Value::Null => String::new(),
                                _ => {
                                    type_error = true;
                                    continue;
                                }
                            };
                            if let Some(slot) = headers.iter_mut().find(|(n, _)| *n == name) {
                                slot.1 = value;
                            } else {
                                headers.push((name, value));
                            }
                        }
                    }
                    _ => type_error = true,
                },
                Field::Body | Field::EncodedBody | Field::LogMessage => match value {
                    Value::String(s) => match field {
                        Field::Body => spec.body = s,
                        Field::EncodedBody => spec.encoded_body = s,
                        _ => spec.log_message = s,
                    },
                    _ => type_error = true,
                },
            }
        }
        if type_error {
            return Err(());
        }
        spec.headers = raw_headers
            .unwrap_or_default()
            .into_iter()
            .map(|(name, value)| (canonical_key(&name), value))
            .collect();
        Ok(spec)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Status,
    Headers,
    Body,
    EncodedBody,
    LogMessage,
}

/// Go's field matching: the exact JSON name, else the same name ignoring case.
fn field_for(key: &str) -> Option<Field> {
    const FIELDS: [(&str, Field); 5] = [
        ("status", Field::Status),
        ("headers", Field::Headers),
        ("body", Field::Body),
        ("encodedBody", Field::EncodedBody),
        ("logMessage", Field::LogMessage),
    ];
    FIELDS
        .iter()
        .find(|(name, _)| *name == key)
        .or_else(|| {
            FIELDS
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(key))
        })
        .map(|(_, field)| *field)
}

/// The top-level JSON value: an object's entries in document order (duplicates kept), or
/// nothing for `null`. Any other type is an error, as it is for Go decoding into a struct.
struct TopLevel(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for TopLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TopVisitor;

        impl<'de> Visitor<'de> for TopVisitor {
            type Value = TopLevel;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object or null")
            }

            fn visit_unit<E: de::Error>(self) -> Result<TopLevel, E> {
                Ok(TopLevel(Vec::new()))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopLevel, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    entries.push(entry);
                }
                Ok(TopLevel(entries))
            }
        }

        deserializer.deserialize_any(TopVisitor)
    }
}

/// Go's `http.DetectContentType` (the WHATWG MIME sniffing algorithm, as Go implements it),
/// over the first 512 bytes. The MP4 box check is left out (such bodies sniff as binary).
fn detect_content_type(data: &[u8]) -> &'static str {
    let data = &data[..data.len().min(512)];
    let is_ws = |b: &u8| matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ');
    let first_non_ws = data.iter().position(|b| !is_ws(b)).unwrap_or(data.len());
    let trimmed = &data[first_non_ws..];

    const HTML: [&[u8]; 17] = [
        b"<!DOCTYPE HTML",
        b"<HTML",
        b"<HEAD",
        b"<SCRIPT",
        b"<IFRAME",
        b"<H1",
        b"<DIV",
        b"<FONT",
        b"<TABLE",
        b"<A",
        b"<STYLE",
        b"<TITLE",
        b"<B",
        b"<BODY",
        b"<BR",
        b"<P",
        b"<!--",
    ];
    for sig in HTML {
        if html_signature_matches(trimmed, sig) {
            return "text/html; charset=utf-8";
        }
    }
    if trimmed.starts_with(b"<?xml") {
        return "text/xml; charset=utf-8";
    }

    const EXACT: [(&[u8], &str); 14] = [
        (b"%PDF-", "application/pdf"),
        (b"%!PS-Adobe-", "application/postscript"),
        (b"\xFE\xFF", "text/plain; charset=utf-16be"),
        (b"\xFF\xFE", "text/plain; charset=utf-16le"),
        (b"\xEF\xBB\xBF", "text/plain; charset=utf-8"),
        (b"\x00\x00\x01\x00", "image/x-icon"),
        (b"\x00\x00\x02\x00", "image/x-icon"),
        (b"BM", "image/bmp"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"\x89PNG\x0D\x0A\x1A\x0A", "image/png"),
        (b"\xFF\xD8\xFF", "image/jpeg"),
        (b"ID3", "audio/mpeg"),
        (b"OggS\x00", "application/ogg"),
    ];
    for (sig, mime) in EXACT {
        if data.starts_with(sig) {
            return mime;
        }
    }
    let riff = |kind: &[u8]| data.len() >= 12 && data.starts_with(b"RIFF") && &data[8..12] == kind;
    if data.len() >= 14 && riff(b"WEBP") && &data[12..14] == b"VP" {
        return "image/webp";
    }
    if data.len() >= 12 && data.starts_with(b"FORM") && &data[8..12] == b"AIFF" {
        return "audio/aiff";
    }
    const MORE: [(&[u8], &str); 11] = [
        (b"MThd\x00\x00\x00\x06", "audio/midi"),
        (b"\x1A\x45\xDF\xA3", "video/webm"),
        (b"\x00\x01\x00\x00", "font/ttf"),
        (b"OTTO", "font/otf"),
        (b"ttcf", "font/collection"),
        (b"wOFF", "font/woff"),
        (b"wOF2", "font/woff2"),
        (b"\x1F\x8B\x08", "application/x-gzip"),
        (b"PK\x03\x04", "application/zip"),
        (b"Rar!\x1A\x07\x00", "application/x-rar-compressed"),
        (b"Rar!\x1A\x07\x01\x00", "application/x-rar-compressed"),
    ];
    if riff(b"AVI ") {
        return "video/avi";
    }
    if riff(b"WAVE") {
        return "audio/wave";
    }
    for (sig, mime) in MORE {
        if data.starts_with(sig) {
            return mime;
        }
    }
    if data.starts_with(b"\x00\x61\x73\x6D") {
        return "application/wasm";
    }
    let binary = |b: &u8| matches!(b, 0x00..=0x08 | 0x0B | 0x0E..=0x1A | 0x1C..=0x1F);
    if data.iter().any(binary) {
        "application/octet-stream"
    } else {
        "text/plain; charset=utf-8"
    }
}

/// Go's `htmlSig`: the signature, letters compared ignoring case, then a space or `>`.
fn html_signature_matches(data: &[u8], sig: &[u8]) -> bool {
    if data.len() < sig.len() + 1 {
        return false;
    }
    let same = sig.iter().zip(data).all(|(s, d)| {
        if s.is_ascii_uppercase() {
            d.to_ascii_uppercase() == *s
        } else {
            d == s
        }
    });
    same && matches!(data[sig.len()], b' ' | b'>')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reflect(json: &str) -> Response {
        respond(b"POST", b"/reflect", json.as_bytes())
    }

    fn header<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
        response
            .headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn other_paths_answer_200_empty() {
        for (method, target) in [
            (&b"GET"[..], &b"/"[..]),
            (b"GET", b"/reflect"),
            (b"post", b"/reflect"),
            (b"POST", b"/reflection"),
            (b"POST", b"/get?x=/reflect"),
        ] {
            let r = respond(method, target, br#"{"status": 500}"#);
            assert_eq!(r.status, 200);
            assert!(r.body.is_empty());
            assert_eq!(
                r.headers,
                vec![("Content-Length".to_owned(), "0".to_owned())]
            );
        }
        assert!(respond(b"HEAD", b"/", b"").headers.is_empty());
    }

    #[test]
    fn reflects_status_headers_and_body() {
        let r = reflect(
            r#"{"status": 503, "headers": {"x-powered-by": "PHP\r\n/8", "Bad Name": "x"}, "body": "<html><body>Warning: mysql_fetch</body></html>", "logMessage": "t1"}"#,
        );
        assert_eq!(r.status, 503);
        assert_eq!(header(&r, "X-Powered-By"), Some("PHP  /8"));
        assert_eq!(header(&r, "Bad Name"), None);
        assert_eq!(header(&r, "Content-Type"), Some("text/html; charset=utf-8"));
        assert_eq!(header(&r, "Content-Length"), Some("46"));
        assert_eq!(r.body, b"<html><body>Warning: mysql_fetch</body></html>");
        assert_eq!(r.log_message.as_deref(), Some("t1"));
    }

    #[test]
    fn defaults_and_sniffing() {
        let r = reflect(r#"{"body": "ViewStateException: Invalid viewstate"}"#);
        assert_eq!(r.status, 200);
        assert_eq!(
            r.headers,
            vec![
                (
                    "Content-Type".to_owned(),
                    "text/plain; charset=utf-8".to_owned()
                ),
                ("Content-Length".to_owned(), "37".to_owned()),
            ]
        );
        let r = reflect(r#"{"body": "x", "headers": {"content-type": "application/json"}}"#);
        assert_eq!(
            r.headers,
            vec![
                ("Content-Type".to_owned(), "application/json".to_owned()),
                ("Content-Length".to_owned(), "1".to_owned()),
            ]
        );
        let r = reflect("null");
        assert_eq!((r.status, r.body.len()), (200, 0));
        let r = reflect(r#"{"fileuploaderror": 1}"#);
        assert_eq!((r.status, r.body.len()), (200, 0));
    }

    #[test]
    fn encoded_body_and_precedence() {
        let r = reflect(r#"{"encodedBody": "PD9waHAgZWNobyAxOyA/Pg=="}"#);
        assert_eq!(r.body, b"<?php echo 1; ?>");
        let r = reflect(r#"{"body": "plain", "encodedBody": "eA=="}"#);
        assert_eq!(r.body, b"plain");
        let r = reflect(r#"{"status": 201, "encodedBody": "!!"}"#);
        assert_eq!(r.status, 201);
        assert_eq!(r.body, b"invalid base64 encoding of response body");
    }

    #[test]
    fn invalid_json_is_400() {
        for json in [
            "",
            "<%- sidebar.id %>",
            "[1]",
            "\"x\"",
            r#"{"status": "200"}"#,
            r#"{"status": 200.0}"#,
            r#"{"status": 99999999999999999999}"#,
            r#"{"body": 5}"#,
            r#"{"headers": {"a": 1}}"#,
            r#"{"headers": []}"#,
            r#"{"body": "a"} x"#,
        ] {
            let r = reflect(json);
            assert_eq!(r.status, 400, "{json}");
            assert_eq!(r.body, b"Invalid JSON in request body", "{json}");
        }
    }

    #[test]
    fn go_json_field_matching() {
        let r = reflect(r#"{"BODY": "a", "body": "b", "Status": 202, "status": null}"#);
        assert_eq!((r.status, r.body.as_slice()), (202, &b"b"[..]));
        let r = reflect(r#"{"body": "a", "Body": "c"}"#);
        assert_eq!(r.body, b"c");
        let r = reflect(r#"{"headers": {"A": "1"}, "headers": {"B": "2"}, "body": "x"}"#);
        assert_eq!(header(&r, "A"), Some("1"));
        assert_eq!(header(&r, "B"), Some("2"));
        let r = reflect(r#"{"headers": {"A": "1"}, "headers": null, "body": "x"}"#);
        assert_eq!(header(&r, "A"), None);
    }

    #[test]
    fn invalid_and_odd_statuses() {
        let r = reflect(r#"{"status": 42, "headers": {"X-A": "b"}}"#);
        assert_eq!(r.status, 400);
        assert_eq!(r.body, b"Invalid status code: 42");
        assert_eq!(header(&r, "X-A"), Some("b"));
        assert_eq!(reflect(r#"{"status": 600}"#).status, 400);
        let r = reflect(r#"{"status": -1}"#);
        assert_eq!((r.status, r.body.len()), (502, 0));
        let r = reflect(r#"{"status": 204, "body": "dropped"}"#);
        assert_eq!((r.status, r.body.len()), (204, 0));
        assert!(r.headers.is_empty());
    }

    #[test]
    fn routing_details() {
        assert_eq!(
            respond(b"POST", b"/reflect/", b"{\"status\": 201}").status,
            201
        );
        assert_eq!(
            respond(b"POST", b"/reflect/x?y", b"{\"status\": 201}").status,
            201
        );
        assert_eq!(
            respond(b"POST", b"/%72eflect", b"{\"status\": 201}").status,
            201
        );
        assert_eq!(
            respond(b"POST", b"http://localhost/reflect", b"{\"status\": 201}").status,
            201
        );
        assert_eq!(respond(b"POST", b"/reflect%zz", b"{}").status, 400);
        let r = respond(b"POST", b"/reflect", b"{\"body\": \"\xff\"}");
        assert_eq!(r.body, "\u{fffd}".as_bytes());
    }

    #[test]
    fn sniffing_signatures() {
        assert_eq!(
            detect_content_type(b"  <!doctype html><p>"),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            detect_content_type(b"<a href=x>"),
            "text/html; charset=utf-8"
        );
        assert_eq!(detect_content_type(b"<abc>"), "text/plain; charset=utf-8");
        assert_eq!(
            detect_content_type(b"\n<?xml version=1.0?>"),
            "text/xml; charset=utf-8"
        );
        assert_eq!(detect_content_type(b"%PDF-1.4"), "application/pdf");
        assert_eq!(detect_content_type(b"GIF89a..."), "image/gif");
        assert_eq!(
            detect_content_type(b"\x1F\x8B\x08\x00"),
            "application/x-gzip"
        );
        assert_eq!(detect_content_type(b"a\x00b"), "application/octet-stream");
        assert_eq!(
            detect_content_type("ünïcode\ttext\r\n".as_bytes()),
            "text/plain; charset=utf-8"
        );
    }
}
