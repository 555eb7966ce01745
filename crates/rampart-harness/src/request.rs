//! The exact bytes go-ftw puts on the wire for a stage's `input`.
//!
//! CRS's tests are written against go-ftw's request builder, not against an abstract request:
//! several tests (920100, 920170, 920180, 920430, ...) depend on precisely which headers go-ftw
//! adds, in which order, and how it rewrites the body. Reproducing that builder is what makes an
//! in-process result comparable with a result over the network. The rules, as go-ftw
//! (`runner/run.go`, `ftwhttp/request.go`, `ftwhttp/header.go`, `test/data.go`) applies them:
//!
//! - `encoded_request` set: its base64 is decoded (CR and LF in it are ignored, padding
//!   required, as Go's `StdEncoding`) and sent byte for byte; nothing else of the input is used.
//!   Setting `data` as well is an error.
//! - Otherwise the request line is `"{method} {uri} {version}\r\n"`, verbatim (defaults `GET`,
//!   `/`, `HTTP/1.1`; an empty version leaves `"GET / \r\n"`).
//! - Headers: `ordered_headers` in their order if given, else `headers` sorted by name
//!   (byte order: go-ftw builds them from a Go map and sorts for determinism). Each is written
//!   `"{name}: {value}\r\n"` exactly as given, even with a CR inside. go-ftw never adds `Host`.
//! - The body is `data` evaluated as a Go template (the suite uses `{{ "1" | repeat 64200 }}`),
//!   else `encoded_data` decoded from base64.
//! - With autocompletion (`autocomplete_headers`, default true) and a non-empty body:
//!   `Content-Type: application/x-www-form-urlencoded` is appended if no Content-Type is given;
//!   then, if a Content-Type equals that (ignoring case) and the body has neither `%` nor `+`
//!   (go-ftw's "not yet escaped" test), each `&`-separated `key=value` is query-escaped
//!   (`url.QueryEscape`: space as `+`, all but `A-Za-z0-9-_.~` as `%XX`) and a trailing `&` is
//!   lost.
//! - Whatever the autocompletion, if a Content-Type contains `multipart/form-data;` (ignoring
//!   case), every LF of the body becomes CRLF (an existing CRLF becomes CR CR LF, as in go-ftw).
//! - With autocompletion: `Connection: close` is appended unless a Connection header is given;
//!   then `Content-Length: {len}` is appended unless one is given, if the body is non-empty or
//!   the method matches go-ftw's `^POST|PUT|PATCH|DELETE$` (which, by Go's precedence, means
//!   starts with POST, contains PUT or PATCH, or ends with DELETE).
//! - Header names are compared as Go's `textproto.CanonicalMIMEHeaderKey` would: ignoring ASCII
//!   case when the name is a valid token, exactly otherwise.
//! - Then the blank line, then the body.
//!
//! Where go-ftw silently sends an empty body (a `data` template it cannot evaluate, invalid
//! `encoded_data`), this module returns an error instead: a harness should say a test is broken
//! rather than run something else. Templates are evaluated only as far as the suite needs:
//! text, string and integer literals, pipelines, comments, trim markers, and sprig's `repeat`.

use base64::Engine as _;

use crate::suite::Input;

/// Why a stage's input could not be turned into request bytes.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// go-ftw refuses a stage with both a body and a whole encoded request.
    #[error("`data` and `encoded_request` must not be set together")]
    DataAndEncodedRequest,
    /// `encoded_request` is not valid base64.
    #[error("`encoded_request` is not valid base64: {0}")]
    EncodedRequest(base64::DecodeError),
    /// `encoded_data` is not valid base64.
    #[error("`encoded_data` is not valid base64: {0}")]
    EncodedData(base64::DecodeError),
    /// `data` is a Go template this module cannot evaluate (or go-ftw could not either).
    #[error("`data` template: {0}")]
    Template(String),
}

/// The largest body a `data` template may expand to (the suite's largest is 64 KiB).
const MAX_TEMPLATE_OUTPUT: usize = 64 * 1024 * 1024;

const CONTENT_TYPE: &str = "Content-Type";
const CONTENT_LENGTH: &str = "Content-Length";
const CONNECTION: &str = "Connection";
const FORM_URLENCODED: &str = "application/x-www-form-urlencoded";

/// Builds the raw request go-ftw would send for `input`.
pub fn build(input: &Input) -> Result<Vec<u8>, BuildError> {
    let data = input.data.as_deref().filter(|d| !d.is_empty());
    let encoded_request = input.encoded_request.as_deref().filter(|e| !e.is_empty());
    if data.is_some() && encoded_request.is_some() {
        return Err(BuildError::DataAndEncodedRequest);
    }
    if let Some(encoded) = encoded_request {
        return decode_base64(encoded).map_err(BuildError::EncodedRequest);
    }

    let mut headers = stage_headers(input);
    let mut body = body_bytes(input)?;
    let autocomplete = input.autocomplete();

    if !body.is_empty() && autocomplete {
        if !has_any(&headers, CONTENT_TYPE) {
            headers.push((CONTENT_TYPE.to_owned(), FORM_URLENCODED.to_owned()));
        }
        let is_form = headers.iter().any(|(name, value)| {
            same_name(name, CONTENT_TYPE) && value.eq_ignore_ascii_case(FORM_URLENCODED)
        });
        if is_form {
            body = encode_form(body);
        }
    }

    let is_multipart = headers.iter().any(|(name, value)| {
        same_name(name, CONTENT_TYPE) && value.to_ascii_lowercase().contains("multipart/form-data;")
    });
    if is_multipart {
        body = lf_to_crlf(&body);
    }

    if autocomplete {
        if !has_any(&headers, CONNECTION) {
            headers.push((CONNECTION.to_owned(), "close".to_owned()));
        }
        if !has_any(&headers, CONTENT_LENGTH)
            && (!body.is_empty() || method_permits_body(input.method()))
        {
            headers.push((CONTENT_LENGTH.to_owned(), body.len().to_string()));
        }
    }

    let mut out = Vec::with_capacity(256 + body.len());
    out.extend_from_slice(input.method().as_bytes());
    out.push(b' ');
    out.extend_from_slice(input.uri().as_bytes());
    out.push(b' ');
    out.extend_from_slice(input.version().as_bytes());
    out.extend_from_slice(b"\r\n");
    for (name, value) in &headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&body);
    Ok(out)
}

/// The stage's headers in wire order, before autocompletion.
fn stage_headers(input: &Input) -> Vec<(String, String)> {
    if let Some(ordered) = input.ordered_headers.as_ref().filter(|o| !o.is_empty()) {
        return ordered
            .iter()
            .map(|t| (t.name.clone(), t.value.clone()))
            .collect();
    }
    let mut headers = input
        .headers
        .as_ref()
        .map(|h| h.0.clone())
        .unwrap_or_default();
    headers.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    headers
}

fn body_bytes(input: &Input) -> Result<Vec<u8>, BuildError> {
    if let Some(data) = &input.data {
        return render_template(data).map_err(BuildError::Template);
    }
    if let Some(encoded) = &input.encoded_data {
        return decode_base64(encoded).map_err(BuildError::EncodedData);
    }
    Ok(Vec::new())
}

/// Go's `^POST|PUT|PATCH|DELETE$`, which parses as `(^POST)|(PUT)|(PATCH)|(DELETE$)`.
fn method_permits_body(method: &str) -> bool {
    method.starts_with("POST")
        || method.contains("PUT")
        || method.contains("PATCH")
        || method.ends_with("DELETE")
}

fn has_any(headers: &[(String, String)], name: &str) -> bool {
    headers.iter().any(|(n, _)| same_name(n, name))
}

fn same_name(a: &str, b: &str) -> bool {
    canonical_key(a) == canonical_key(b)
}

/// Go's `textproto.CanonicalMIMEHeaderKey`: a name made only of token characters gets an upper
/// case letter first and after each `-`, lower case elsewhere; any other name is unchanged.
pub(crate) fn canonical_key(name: &str) -> String {
    if !name.bytes().all(is_token_byte) {
        return name.to_owned();
    }
    let mut upper = true;
    name.bytes()
        .map(|b| {
            let c = if upper {
                b.to_ascii_uppercase()
            } else {
                b.to_ascii_lowercase()
            };
            upper = b == b'-';
            char::from(c)
        })
        .collect()
}

/// RFC 9110 `tchar`.
pub(crate) fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// go-ftw's `encodeDataParameters` for a form body: escape keys and values unless the body
/// looks escaped already (Go's `QueryUnescape` would change it or fail: it has `%` or `+`).
fn encode_form(body: Vec<u8>) -> Vec<u8> {
    if body.contains(&b'%') || body.contains(&b'+') {
        return body;
    }
    let mut out = Vec::with_capacity(body.len() + body.len() / 2);
    for token in body.split(|b| *b == b'&') {
        match token.iter().position(|b| *b == b'=') {
            Some(eq) => {
                query_escape(&token[..eq], &mut out);
                out.push(b'=');
                query_escape(&token[eq + 1..], &mut out);
            }
            None => query_escape(token, &mut out),
        }
        out.push(b'&');
    }
    // go-ftw strips one trailing '&' after the loop; its loop never sees the empty token after
    // a final '&', so "a=1&" loses that '&' too. `split` does yield that empty token: drop it.
    if body.last() == Some(&b'&') {
        out.pop();
    }
    out.pop();
    out
}

/// Go's `url.QueryEscape`.
fn query_escape(input: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in input {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b);
        } else if b == b' ' {
            out.push(b'+');
        } else {
            out.push(b'%');
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0x0f)]);
        }
    }
}

fn lf_to_crlf(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / 16);
    for &b in body {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

/// Go's `base64.StdEncoding.DecodeString`: standard alphabet, padding required, CR and LF
/// skipped, non-zero trailing bits tolerated.
pub(crate) fn decode_base64(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    let config = base64::engine::GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireCanonical);
    let engine = base64::engine::GeneralPurpose::new(&base64::alphabet::STANDARD, config);
    let cleaned: Vec<u8> = text
        .bytes()
        .filter(|b| *b != b'\r' && *b != b'\n')
        .collect();
    engine.decode(cleaned)
}

/// Evaluates `data` as go-ftw does (Go `text/template` with sprig functions, no data), as far
/// as the suite needs.
fn render_template(source: &str) -> Result<Vec<u8>, String> {
    let mut out: Vec<u8> = Vec::with_capacity(source.len());
    let mut rest = source;
    let mut trim_next_text = false;
    while let Some(open) = rest.find("{{") {
        let mut text = &rest[..open];
        if trim_next_text {
            text = text.trim_start_matches(is_template_space);
        }
        let after_open = &rest[open + 2..];
        let (trim_left, action_start) =
            if after_open.starts_with('-') && after_open[1..].starts_with(is_template_space) {
                (true, &after_open[1..])
            } else {
                (false, after_open)
            };
        if trim_left {
            text = text.trim_end_matches(is_template_space);
        }
        out.extend_from_slice(text.as_bytes());

        let close = find_action_end(action_start)?;
        let mut action = &action_start[..close];
        trim_next_text = false;
        if let Some(stripped) = action.strip_suffix('-') {
            if stripped.ends_with(is_template_space) {
                action = stripped;
                trim_next_text = true;
            }
        }
        rest = &action_start[close + 2..];

        let trimmed = action.trim_matches(is_template_space);
        if trimmed.starts_with("/*") {
            if !trimmed.ends_with("*/") {
                return Err("unclosed comment".to_owned());
            }
            continue;
        }
        let value = eval_pipeline(action)?;
        out.extend_from_slice(&value.into_bytes());
        if out.len() > MAX_TEMPLATE_OUTPUT {
            return Err(format!("expands to more than {MAX_TEMPLATE_OUTPUT} bytes"));
        }
    }
    let text = if trim_next_text {
        rest.trim_start_matches(is_template_space)
    } else {
        rest
    };
    out.extend_from_slice(text.as_bytes());
    Ok(out)
}

fn is_template_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// The offset of the `}}` closing an action, skipping string literals and comments.
fn find_action_end(action: &str) -> Result<usize, String> {
    let bytes = action.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'}' if bytes.get(i + 1) == Some(&b'}') => return Ok(i),
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'`' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'`' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = action[i + 2..]
                    .find("*/")
                    .ok_or_else(|| "unclosed comment".to_owned())?;
                i += 2 + end + 1;
            }
            _ => {}
        }
        i += 1;
    }
    Err("unclosed action: no `}}`".to_owned())
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Str(Vec<u8>),
    Int(i64),
    Ident(String),
    Pipe,
}

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Str(Vec<u8>),
    Int(i64),
}

impl Value {
    fn into_bytes(self) -> Vec<u8> {
        match self {
            Value::Str(s) => s,
            Value::Int(i) => i.to_string().into_bytes(),
        }
    }
}

fn eval_pipeline(action: &str) -> Result<Value, String> {
    let tokens = tokenize(action)?;
    let mut piped: Option<Value> = None;
    for command in tokens.split(|t| *t == Token::Pipe) {
        let (head, args) = command
            .split_first()
            .ok_or_else(|| "missing value for command".to_owned())?;
        let value = match head {
            Token::Ident(name) => {
                let mut values: Vec<Value> = args.iter().map(literal).collect::<Result<_, _>>()?;
                values.extend(piped.take());
                call(name, values)?
            }
            Token::Str(_) | Token::Int(_) if args.is_empty() && piped.is_none() => literal(head)?,
            _ => return Err("can't give an argument to a non-function".to_owned()),
        };
        piped = Some(value);
    }
    piped.ok_or_else(|| "empty action".to_owned())
}

fn literal(token: &Token) -> Result<Value, String> {
    match token {
        Token::Str(s) => Ok(Value::Str(s.clone())),
        Token::Int(i) => Ok(Value::Int(*i)),
        Token::Ident(name) => Err(format!("unsupported nested call of {name:?}")),
        Token::Pipe => Err("unexpected `|`".to_owned()),
    }
}

fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
    match (name, args.as_slice()) {
        ("repeat", [Value::Int(count), Value::Str(s)]) => {
            let count =
                usize::try_from(*count).map_err(|_| format!("repeat: negative count {count}"))?;
            if s.len().saturating_mul(count) > MAX_TEMPLATE_OUTPUT {
                return Err(format!(
                    "repeat: expands to more than {MAX_TEMPLATE_OUTPUT} bytes"
                ));
            }
            Ok(Value::Str(s.repeat(count)))
        }
        ("repeat", _) => Err("repeat takes a count and a string".to_owned()),
        _ => Err(format!("unsupported function {name:?}")),
    }
}

fn tokenize(action: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = action.char_indices().peekable();
    while let Some(&(start, c)) = chars.peek() {
        if is_template_space(c) {
            chars.next();
        } else if c == '|' {
            chars.next();
            tokens.push(Token::Pipe);
        } else if c == '"' {
            chars.next();
            let mut raw = String::new();
            let mut closed = false;
            while let Some((_, c)) = chars.next() {
                match c {
                    '"' => {
                        closed = true;
                        break;
                    }
                    '\\' => {
                        raw.push('\\');
                        let (_, escaped) = chars
                            .next()
                            .ok_or_else(|| "unterminated string".to_owned())?;
                        raw.push(escaped);
                    }
                    _ => raw.push(c),
                }
            }
            if !closed {
                return Err("unterminated string".to_owned());
            }
            tokens.push(Token::Str(unquote(&raw)?));
        } else if c == '`' {
            chars.next();
            let mut raw = String::new();
            let mut closed = false;
            for (_, c) in chars.by_ref() {
                if c == '`' {
                    closed = true;
                    break;
                }
                raw.push(c);
            }
            if !closed {
                return Err("unterminated raw string".to_owned());
            }
            tokens.push(Token::Str(raw.into_bytes()));
        } else if c.is_ascii_digit() || c == '-' || c == '+' {
            let mut end = start;
            while let Some(&(i, c)) = chars.peek() {
                if c.is_ascii_alphanumeric() || (i == start && (c == '-' || c == '+')) {
                    end = i + c.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let text = &action[start..end];
            let number = text
                .parse::<i64>()
                .map_err(|_| format!("unsupported number {text:?}"))?;
            tokens.push(Token::Int(number));
        } else if c.is_alphabetic() || c == '_' {
            let mut end = start;
            while let Some(&(i, c)) = chars.peek() {
                if c.is_alphanumeric() || c == '_' {
                    end = i + c.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            tokens.push(Token::Ident(action[start..end].to_owned()));
        } else {
            return Err(format!("unsupported template syntax at {c:?}"));
        }
    }
    Ok(tokens)
}

/// Go's interpreted string literal escapes (`strconv.Unquote` for `"..."`).
fn unquote(raw: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let escaped = chars
            .next()
            .ok_or_else(|| "dangling backslash".to_owned())?;
        let simple = match escaped {
            'a' => Some(0x07),
            'b' => Some(0x08),
            'f' => Some(0x0c),
            'n' => Some(b'\n'),
            'r' => Some(b'\r'),
            't' => Some(b'\t'),
            'v' => Some(0x0b),
            '\\' => Some(b'\\'),
            '"' => Some(b'"'),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            continue;
        }
        let digits = |n: usize, radix: u32, chars: &mut std::str::Chars<'_>| {
            let text: String = chars.by_ref().take(n).collect();
            if text.len() != n {
                return Err(format!("short escape \\{escaped}{text}"));
            }
            u32::from_str_radix(&text, radix).map_err(|_| format!("bad escape \\{escaped}{text}"))
        };
        match escaped {
            'x' => {
                let v = digits(2, 16, &mut chars)?;
                out.push(u8::try_from(v).map_err(|_| "bad \\x escape".to_owned())?);
            }
            '0'..='7' => {
                let rest = digits(2, 8, &mut chars)?;
                let v = escaped.to_digit(8).unwrap_or(0) * 64 + rest;
                out.push(u8::try_from(v).map_err(|_| "octal escape out of range".to_owned())?);
            }
            'u' | 'U' => {
                let n = if escaped == 'u' { 4 } else { 8 };
                let v = digits(n, 16, &mut chars)?;
                let c = char::from_u32(v).ok_or_else(|| format!("bad code point {v:#x}"))?;
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            other => return Err(format!("unknown escape \\{other}")),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::{HeaderTuple, Headers};

    fn headers(pairs: &[(&str, &str)]) -> Option<Headers> {
        Some(Headers(
            pairs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        ))
    }

    fn built(input: &Input) -> String {
        match build(input) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => panic!("build failed: {e}"),
        }
    }

    #[test]
    fn defaults_give_get_slash_http11_with_connection_close() {
        let input = Input::default();
        assert_eq!(built(&input), "GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
    }

    #[test]
    fn request_line_is_verbatim() {
        let input = Input {
            method: Some("\tGET".to_owned()),
            uri: Some("/a b".to_owned()),
            version: Some(String::new()),
            autocomplete_headers: Some(false),
            ..Input::default()
        };
        assert_eq!(built(&input), "\tGET /a b \r\n\r\n");
    }

    #[test]
    fn header_map_is_sorted_by_name() {
        let input = Input {
            headers: headers(&[
                ("User-Agent", "ua"),
                ("Host", "localhost"),
                ("Accept", "*/*"),
                ("X_Filename", "x"),
                ("accept-language", "en"),
            ]),
            ..Input::default()
        };
        assert_eq!(
            built(&input),
            "GET / HTTP/1.1\r\nAccept: */*\r\nHost: localhost\r\nUser-Agent: ua\r\n\
             X_Filename: x\r\naccept-language: en\r\nConnection: close\r\n\r\n"
        );
    }

    #[test]
    fn ordered_headers_keep_order_and_duplicates() {
        let tuple = |n: &str, v: &str| HeaderTuple {
            name: n.to_owned(),
            value: v.to_owned(),
        };
        let input = Input {
            ordered_headers: Some(vec![
                tuple("Host", "localhost"),
                tuple("Content-Type", "a"),
                tuple("Content-Type", "b"),
            ]),
            headers: headers(&[("Ignored", "yes")]),
            autocomplete_headers: Some(false),
            ..Input::default()
        };
        assert_eq!(
            built(&input),
            "GET / HTTP/1.1\r\nHost: localhost\r\nContent-Type: a\r\nContent-Type: b\r\n\r\n"
        );
    }

    #[test]
    fn header_values_are_sent_as_given() {
        let input = Input {
            headers: headers(&[("SomeHeader", "Headerdata\rInjected: x")]),
            autocomplete_headers: Some(false),
            ..Input::default()
        };
        assert_eq!(
            built(&input),
            "GET / HTTP/1.1\r\nSomeHeader: Headerdata\rInjected: x\r\n\r\n"
        );
    }

    #[test]
    fn autocomplete_adds_content_type_connection_and_length_and_encodes_form() {
        let input = Input {
            method: Some("POST".to_owned()),
            headers: headers(&[("Host", "localhost")]),
            data: Some("a=b c&d=<x>&flag".to_owned()),
            ..Input::default()
        };
        let body = "a=b+c&d=%3Cx%3E&flag";
        assert_eq!(
            built(&input),
            format!(
                "POST / HTTP/1.1\r\nHost: localhost\r\n\
                 Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\
                 Content-Length: {}\r\n\r\n{body}",
                body.len()
            )
        );
    }

    #[test]
    fn form_body_already_escaped_is_left_alone() {
        for data in ["a=%3Cx%3E", "a=b+c", "var=%0d%0aContent-Length: 0", "100%"] {
            let input = Input {
                method: Some("POST".to_owned()),
                data: Some(data.to_owned()),
                ..Input::default()
            };
            assert!(
                built(&input).ends_with(&format!("\r\n\r\n{data}")),
                "{data}"
            );
        }
    }

    #[test]
    fn form_encoding_loses_a_trailing_ampersand_like_go_ftw() {
        assert_eq!(encode_form(b"a=1&".to_vec()), b"a=1");
        assert_eq!(encode_form(b"a=1&&b".to_vec()), b"a=1&&b");
        assert_eq!(encode_form(b"k=v=w".to_vec()), b"k=v%3Dw");
        assert_eq!(encode_form(b"&".to_vec()), b"");
    }

    #[test]
    fn other_content_type_body_is_not_encoded() {
        let input = Input {
            method: Some("POST".to_owned()),
            headers: headers(&[("content-type", "application/json")]),
            data: Some(r#"{"a": "b c"}"#.to_owned()),
            ..Input::default()
        };
        assert_eq!(
            built(&input),
            "POST / HTTP/1.1\r\ncontent-type: application/json\r\nConnection: close\r\n\
             Content-Length: 12\r\n\r\n{\"a\": \"b c\"}"
        );
    }

    #[test]
    fn given_headers_are_not_duplicated_whatever_their_case() {
        let input = Input {
            method: Some("POST".to_owned()),
            headers: headers(&[
                ("connection", "keep-alive"),
                ("content-length", "99"),
                ("CONTENT-TYPE", "text/plain"),
            ]),
            data: Some("x".to_owned()),
            ..Input::default()
        };
        assert_eq!(
            built(&input),
            "POST / HTTP/1.1\r\nCONTENT-TYPE: text/plain\r\nconnection: keep-alive\r\n\
             content-length: 99\r\n\r\nx"
        );
    }

    #[test]
    fn autocomplete_off_sends_exactly_the_given_headers() {
        let input = Input {
            method: Some("POST".to_owned()),
            headers: headers(&[("Host", "localhost")]),
            data: Some("hi=test".to_owned()),
            autocomplete_headers: Some(false),
            ..Input::default()
        };
        assert_eq!(
            built(&input),
            "POST / HTTP/1.1\r\nHost: localhost\r\n\r\nhi=test"
        );
    }

    #[test]
    fn content_length_zero_for_body_methods_without_data() {
        for (method, expect_length) in [
            ("POST", true),
            ("PUT", true),
            ("PATCH", true),
            ("DELETE", true),
            ("POSTX", true),
            ("XPUTX", true),
            ("XDELETE", true),
            ("DELETEX", false),
            ("GET", false),
            ("OPTIONS", false),
            ("xpost", false),
        ] {
            let input = Input {
                method: Some(method.to_owned()),
                ..Input::default()
            };
            assert_eq!(
                built(&input).contains("\r\nContent-Length: 0\r\n"),
                expect_length,
                "{method}"
            );
        }
    }

    #[test]
    fn get_with_data_gets_content_length() {
        let input = Input {
            data: Some("x=1".to_owned()),
            ..Input::default()
        };
        assert!(built(&input).ends_with("Content-Length: 3\r\n\r\nx=1"));
    }

    #[test]
    fn multipart_body_gets_crlf_even_without_autocomplete() {
        let input = Input {
            method: Some("POST".to_owned()),
            headers: headers(&[("Content-Type", "Multipart/Form-Data; boundary=b")]),
            data: Some("--b\nX: y\r\n\n--b--\n".to_owned()),
            autocomplete_headers: Some(false),
            ..Input::default()
        };
        assert!(built(&input).ends_with("\r\n\r\n--b\r\nX: y\r\r\n\r\n--b--\r\n"));
    }

    #[test]
    fn data_templates_are_evaluated() {
        let cases: &[(&str, &str)] = &[
            ("a{{ \"1\" | repeat 3 }}b", "a111b"),
            ("{{ repeat 2 \"xy\" }}", "xyxy"),
            ("{{ `raw\\n` }}{{ 7 }}", "raw\\n7"),
            ("a \n {{- \"x\" -}} \n b", "axb"),
            ("{{/* comment */}}z", "z"),
            ("{{ \"\\x41\\u00e9\\n\" }}", "Aé\n"),
            ("no actions } here }}", "no actions } here }}"),
            ("{{\"}}\"}}", "}}"),
        ];
        for (source, expected) in cases {
            match render_template(source) {
                Ok(out) => assert_eq!(String::from_utf8_lossy(&out), *expected, "{source}"),
                Err(e) => panic!("{source}: {e}"),
            }
        }
    }

    #[test]
    fn unsupported_templates_are_errors() {
        for source in [
            "{{ .Foo }}",
            "{{ upper \"a\" }}",
            "{{ \"a\" ",
            "{{}}",
            "{{ repeat -1 \"a\" }}",
            "{{ \"a\" \"b\" }}",
            "{{ repeat 99999999999 \"abc\" }}",
        ] {
            let input = Input {
                data: Some(source.to_owned()),
                ..Input::default()
            };
            assert!(
                matches!(build(&input), Err(BuildError::Template(_))),
                "{source}"
            );
        }
    }

    #[test]
    fn encoded_request_is_sent_byte_for_byte() {
        // "GET / HTTP/1.0\r\nHost:\r\n\r\n", split over lines as YAML may give it.
        let input = Input {
            encoded_request: Some("R0VUIC8gSFRUUC8xLjANCkhv\nc3Q6DQoNCg==".to_owned()),
            method: Some("POST".to_owned()),
            headers: headers(&[("Ignored", "yes")]),
            ..Input::default()
        };
        assert_eq!(
            build(&input).ok(),
            Some(b"GET / HTTP/1.0\r\nHost:\r\n\r\n".to_vec())
        );
        let binary = Input {
            encoded_request: Some("dGVzdD2s7QAF".to_owned()),
            ..Input::default()
        };
        assert_eq!(build(&binary).ok(), Some(b"test=\xac\xed\x00\x05".to_vec()));
    }

    #[test]
    fn encoded_request_errors() {
        let bad = Input {
            encoded_request: Some("not base64!".to_owned()),
            ..Input::default()
        };
        assert!(matches!(build(&bad), Err(BuildError::EncodedRequest(_))));
        let unpadded = Input {
            encoded_request: Some("YQ".to_owned()),
            ..Input::default()
        };
        assert!(matches!(
            build(&unpadded),
            Err(BuildError::EncodedRequest(_))
        ));
        let both = Input {
            encoded_request: Some("YQ==".to_owned()),
            data: Some("x".to_owned()),
            ..Input::default()
        };
        assert!(matches!(
            build(&both),
            Err(BuildError::DataAndEncodedRequest)
        ));
    }

    #[test]
    fn encoded_data_is_the_body_when_data_is_absent() {
        let input = Input {
            method: Some("POST".to_owned()),
            headers: headers(&[("Content-Type", "application/octet-stream")]),
            encoded_data: Some("AAEC".to_owned()),
            ..Input::default()
        };
        let bytes = build(&input).unwrap_or_default();
        assert!(bytes.ends_with(b"Content-Length: 3\r\n\r\n\x00\x01\x02"));
        let bad = Input {
            encoded_data: Some("%%".to_owned()),
            ..Input::default()
        };
        assert!(matches!(build(&bad), Err(BuildError::EncodedData(_))));
    }

    #[test]
    fn canonical_keys_follow_go() {
        assert_eq!(canonical_key("content-type"), "Content-Type");
        assert_eq!(canonical_key("X_FILENAME"), "X_filename");
        assert_eq!(canonical_key("bad name"), "bad name");
        assert_eq!(canonical_key(""), "");
    }
}
