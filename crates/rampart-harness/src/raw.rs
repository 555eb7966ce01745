//! A lenient parser of raw HTTP/1.x request bytes, standing in for the front-end server.
//!
//! Over the network, the suite's requests are parsed by nginx (or Apache) before ModSecurity
//! sees them; in-process, this module does that step. Many tests send deliberately broken
//! requests, so the parser keeps everything as bytes (no UTF-8 assumed), keeps header order,
//! case and duplicates, and only refuses what a front-end could not pass on either. Its choices:
//!
//! - **Lines** end in CRLF or a bare LF (nginx and RFC 9112 §2.2 accept both). A bare CR
//!   anywhere else in the request line or a header line is an error ([`ParseError::BareCr`]):
//!   nginx answers 400 (test 921140-1 expects exactly that). A NUL byte there is an error too
//!   (nginx: 400).
//! - **Empty lines before the request line** are skipped (RFC 9112 §2.2, nginx).
//! - **Request line**: trailing spaces are dropped; the method is everything up to the first
//!   space, the version everything after the last space, the target everything in between
//!   (runs of spaces around it dropped, spaces inside kept, as nginx before 1.21.1 allowed).
//!   Whitespace before the method, or a line with no space at all, is an error. A line with
//!   only method and target (`"GET / "` included) is an HTTP/0.9-style line with an empty
//!   version; its header lines are still parsed. No character set is checked: `|GET`, `\`, `HTTP\1.0` and
//!   `REALLYLONGUNREALMETHOD` all parse, and which of them a server would refuse (with 400,
//!   501 or 505) is a front-end policy left to the caller.
//! - **Header lines**: the name is the bytes before the first `:`, kept verbatim; the value is
//!   the rest with surrounding spaces and tabs trimmed. A name that is empty or holds
//!   whitespace or control bytes is an error (nginx: 400). A line with no colon is a header
//!   with an empty value, as nginx takes it. A line starting with whitespace (obsolete line
//!   folding) is an error: nginx does not unfold. Names nginx would silently drop (with `_` or
//!   other non-token bytes) are kept: dropping them is policy, not parsing.
//! - **End of headers**: an empty line. Input that stops before one is accepted as it is, with
//!   an empty body (the "bounded by what is there" rule below).
//! - **Body**, in RFC 9112 §6.3's order:
//!   1. `Transfer-Encoding` whose last coding is `chunked` (any case): decoded; chunk
//!      extensions and trailer fields are dropped; Content-Length is then ignored (as Apache
//!      does; nginx would refuse both together with 400). A bad chunk size or chunk data not
//!      followed by a line end is an error; a body that simply stops early is kept as far as
//!      it goes. Any other Transfer-Encoding is an error (nginx: 501).
//!   2. `Content-Length`: must be decimal digits, and given once (nginx refuses duplicates);
//!      the body is that many bytes, or fewer if fewer are there. Bytes after it are ignored
//!      (they would be a pipelined next request).
//!   3. Neither: the body is everything after the headers. A real server would take no body
//!      and read those bytes as a next request; [`BodyFraming::UntilEnd`] tells the caller
//!      which case it has, so it can choose.

use std::fmt;

/// A request as the front-end received it. Every field is raw bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct RawRequest {
    /// The method, as sent.
    pub method: Vec<u8>,
    /// The request target, as sent (not decoded, not normalised).
    pub uri: Vec<u8>,
    /// The protocol version, as sent; empty for an HTTP/0.9-style request line.
    pub version: Vec<u8>,
    /// Header fields in order, names in their original case, duplicates kept.
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    /// The body, de-chunked if it was chunked.
    pub body: Vec<u8>,
    /// How the body was delimited.
    pub framing: BodyFraming,
}

/// How a request's body was delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFraming {
    /// No Content-Length, no Transfer-Encoding, and nothing after the headers.
    None,
    /// By `Content-Length`.
    ContentLength {
        /// The declared length.
        declared: u64,
        /// Whether fewer bytes than declared were there.
        truncated: bool,
    },
    /// By `Transfer-Encoding: chunked`.
    Chunked {
        /// Whether the last chunk (size 0) was seen.
        complete: bool,
    },
    /// Neither header, yet bytes followed the headers: they were taken as the body.
    UntilEnd,
}

impl RawRequest {
    /// The value of the first header with this name, compared ignoring ASCII case.
    pub fn header(&self, name: &[u8]) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }
}

impl fmt::Debug for RawRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        f.debug_struct("RawRequest")
            .field("method", &text(&self.method))
            .field("uri", &text(&self.uri))
            .field("version", &text(&self.version))
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(n, v)| (text(n), text(v)))
                    .collect::<Vec<_>>(),
            )
            .field("body", &text(&self.body))
            .field("framing", &self.framing)
            .finish()
    }
}

/// Why bytes could not be read as a request. Lines are numbered from 1, counting the request
/// line (and any empty lines before it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Nothing but empty lines.
    #[error("no request line: the input is empty")]
    Empty,
    /// The request line starts with a space or tab.
    #[error("request line starts with whitespace")]
    LeadingWhitespace,
    /// The request line has no space, so no request target.
    #[error("request line has no request target")]
    MissingTarget,
    /// A CR not followed by LF inside the request line or a header line.
    #[error("bare CR in line {line}")]
    BareCr {
        /// The line.
        line: usize,
    },
    /// A NUL byte in the request line or a header line.
    #[error("NUL byte in line {line}")]
    Nul {
        /// The line.
        line: usize,
    },
    /// A header line starting with whitespace (obsolete line folding).
    #[error("header line {line} is folded (starts with whitespace)")]
    ObsFold {
        /// The line.
        line: usize,
    },
    /// A header name that is empty or contains whitespace or control bytes.
    #[error("header line {line} has an invalid name")]
    InvalidHeaderName {
        /// The line.
        line: usize,
    },
    /// A Content-Length that is not a decimal number.
    #[error("invalid Content-Length {value:?}")]
    InvalidContentLength {
        /// The value, lossily decoded.
        value: String,
    },
    /// More than one Content-Length header.
    #[error("more than one Content-Length header")]
    DuplicateContentLength,
    /// A Transfer-Encoding whose last coding is not `chunked`.
    #[error("unsupported Transfer-Encoding {value:?}")]
    UnsupportedTransferEncoding {
        /// The combined value, lossily decoded.
        value: String,
    },
    /// A chunk-size line that is not a hexadecimal number (or is too large).
    #[error("bad chunk size at byte {offset} of the body")]
    BadChunkSize {
        /// Offset of the chunk-size line from the start of the (chunked) body.
        offset: usize,
    },
    /// Chunk data not followed by CRLF or LF.
    #[error("chunk data not followed by a line end at byte {offset} of the body")]
    BadChunkEnd {
        /// Offset from the start of the (chunked) body.
        offset: usize,
    },
}

/// Parses raw request bytes; see the module documentation for what is accepted.
pub fn parse(input: &[u8]) -> Result<RawRequest, ParseError> {
    let mut lines = Lines {
        data: input,
        pos: 0,
        number: 0,
    };

    let request_line = loop {
        match lines.next_line() {
            None => return Err(ParseError::Empty),
            Some([]) => continue,
            Some(line) => break line,
        }
    };
    check_line_bytes(request_line, lines.number)?;
    let (method, uri, version) = split_request_line(request_line)?;

    let mut headers = Vec::new();
    while let Some(line) = lines.next_line() {
        if line.is_empty() {
            break;
        }
        check_line_bytes(line, lines.number)?;
        headers.push(parse_header_line(line, lines.number)?);
    }
    let rest = &input[lines.pos..];

    let (body, framing) = read_body(&headers, rest)?;
    Ok(RawRequest {
        method: method.to_vec(),
        uri: uri.to_vec(),
        version: version.to_vec(),
        headers,
        body,
        framing,
    })
}

/// Splits input into lines ending in LF (a CR before it dropped); the last line may be
/// unterminated.
struct Lines<'a> {
    data: &'a [u8],
    pos: usize,
    number: usize,
}

impl<'a> Lines<'a> {
    fn next_line(&mut self) -> Option<&'a [u8]> {
        let rest = self.data.get(self.pos..).filter(|r| !r.is_empty())?;
        self.number += 1;
        let line = match rest.iter().position(|b| *b == b'\n') {
            Some(lf) => {
                self.pos += lf + 1;
                &rest[..lf]
            }
            None => {
                self.pos = self.data.len();
                rest
            }
        };
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    }
}

fn check_line_bytes(line: &[u8], number: usize) -> Result<(), ParseError> {
    if line.contains(&b'\r') {
        return Err(ParseError::BareCr { line: number });
    }
    if line.contains(&0) {
        return Err(ParseError::Nul { line: number });
    }
    Ok(())
}

/// Method, target and version of a request line.
type RequestLineParts<'a> = (&'a [u8], &'a [u8], &'a [u8]);

fn split_request_line(line: &[u8]) -> Result<RequestLineParts<'_>, ParseError> {
    if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
        return Err(ParseError::LeadingWhitespace);
    }
    let line = trim_end_spaces(line);
    let first = line
        .iter()
        .position(|b| *b == b' ')
        .ok_or(ParseError::MissingTarget)?;
    let method = &line[..first];
    let after = &line[first..];
    let after = &after[after.iter().take_while(|b| **b == b' ').count()..];
    match after.iter().rposition(|b| *b == b' ') {
        Some(last) => Ok((method, trim_end_spaces(&after[..last]), &after[last + 1..])),
        None => Ok((method, after, &[])),
    }
}

fn trim_end_spaces(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().rposition(|b| *b != b' ').map_or(0, |i| i + 1);
    &bytes[..end]
}

fn parse_header_line(line: &[u8], number: usize) -> Result<(Vec<u8>, Vec<u8>), ParseError> {
    if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
        return Err(ParseError::ObsFold { line: number });
    }
    let (name, value) = match line.iter().position(|b| *b == b':') {
        Some(colon) => (&line[..colon], &line[colon + 1..]),
        None => (line, &[][..]),
    };
    if name.is_empty() || name.iter().any(|b| *b <= b' ' || *b == 0x7f) {
        return Err(ParseError::InvalidHeaderName { line: number });
    }
    Ok((name.to_vec(), trim_ows(value).to_vec()))
}

fn trim_ows(value: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !is_ows(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    &value[start..end]
}

fn read_body(
    headers: &[(Vec<u8>, Vec<u8>)],
    rest: &[u8],
) -> Result<(Vec<u8>, BodyFraming), ParseError> {
    let values_of = |name: &[u8]| -> Vec<&[u8]> {
        headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
            .collect()
    };

    let transfer_encodings = values_of(b"transfer-encoding");
    if !transfer_encodings.is_empty() {
        let codings: Vec<&[u8]> = transfer_encodings
            .iter()
            .flat_map(|v| v.split(|b| *b == b','))
            .map(trim_ows)
            .filter(|c| !c.is_empty())
            .collect();
        if codings
            .last()
            .is_some_and(|c| c.eq_ignore_ascii_case(b"chunked"))
        {
            let (body, complete) = decode_chunked(rest)?;
            return Ok((body, BodyFraming::Chunked { complete }));
        }
        let joined = transfer_encodings.join(&b", "[..]);
        return Err(ParseError::UnsupportedTransferEncoding {
            value: String::from_utf8_lossy(&joined).into_owned(),
        });
    }

    let lengths = values_of(b"content-length");
    match lengths.as_slice() {
        [] if rest.is_empty() => Ok((Vec::new(), BodyFraming::None)),
        [] => Ok((rest.to_vec(), BodyFraming::UntilEnd)),
        [value] => {
            let declared =
                parse_decimal(value).ok_or_else(|| ParseError::InvalidContentLength {
                    value: String::from_utf8_lossy(value).into_owned(),
                })?;
            let take = usize::try_from(declared).map_or(rest.len(), |d| d.min(rest.len()));
            let truncated = u64::try_from(take).map_or(true, |t| t < declared);
            Ok((
                rest[..take].to_vec(),
                BodyFraming::ContentLength {
                    declared,
                    truncated,
                },
            ))
        }
        _ => Err(ParseError::DuplicateContentLength),
    }
}

fn parse_decimal(value: &[u8]) -> Option<u64> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    value.iter().try_fold(0u64, |acc, d| {
        acc.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    })
}

/// Decodes a chunked body; returns the data and whether the last chunk was seen.
fn decode_chunked(data: &[u8]) -> Result<(Vec<u8>, bool), ParseError> {
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        if pos >= data.len() {
            return Ok((out, false));
        }
        let line_start = pos;
        let (line, next) = match data[pos..].iter().position(|b| *b == b'\n') {
            Some(lf) => (&data[pos..pos + lf], pos + lf + 1),
            None => (&data[pos..], data.len()),
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let size_field = trim_ows(line.split(|b| *b == b';').next().unwrap_or(&[]));
        let size = parse_hex(size_field).ok_or(ParseError::BadChunkSize { offset: line_start })?;
        pos = next;

        if size == 0 {
            // Trailer fields, up to an empty line, are read and dropped.
            let mut trailers = Lines {
                data,
                pos,
                number: 0,
            };
            while let Some(trailer) = trailers.next_line() {
                if trailer.is_empty() {
                    break;
                }
            }
            return Ok((out, true));
        }

        let available = data.len() - pos;
        let take = usize::try_from(size).map_or(available, |s| s.min(available));
        out.extend_from_slice(&data[pos..pos + take]);
        pos += take;
        if u64::try_from(take).map_or(true, |t| t < size) {
            return Ok((out, false));
        }
        let after = &data[pos..];
        if after.is_empty() {
            return Ok((out, false));
        } else if after.starts_with(b"\r\n") {
            pos += 2;
        } else if after.starts_with(b"\n") {
            pos += 1;
        } else if after == b"\r" {
            return Ok((out, false));
        } else {
            return Err(ParseError::BadChunkEnd { offset: pos });
        }
    }
}

fn parse_hex(field: &[u8]) -> Option<u64> {
    if field.is_empty() {
        return None;
    }
    field.iter().try_fold(0u64, |acc, b| {
        let digit = char::from(*b).to_digit(16)?;
        acc.checked_mul(16)?.checked_add(u64::from(digit))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &[u8]) -> RawRequest {
        match parse(input) {
            Ok(request) => request,
            Err(e) => panic!("{:?}: {e}", String::from_utf8_lossy(input)),
        }
    }

    fn header_pairs(request: &RawRequest) -> Vec<(&[u8], &[u8])> {
        request
            .headers
            .iter()
            .map(|(n, v)| (n.as_slice(), v.as_slice()))
            .collect()
    }

    #[test]
    fn parses_crlf_request() {
        let r = ok(b"GET /a?b=c HTTP/1.1\r\nHost: localhost\r\nX-A:  v w \t\r\n\r\n");
        assert_eq!(r.method, b"GET");
        assert_eq!(r.uri, b"/a?b=c");
        assert_eq!(r.version, b"HTTP/1.1");
        assert_eq!(
            header_pairs(&r),
            vec![(&b"Host"[..], &b"localhost"[..]), (b"X-A", b"v w")]
        );
        assert!(r.body.is_empty());
        assert_eq!(r.framing, BodyFraming::None);
    }

    #[test]
    fn accepts_bare_lf_and_leading_empty_lines() {
        let r = ok(b"\r\n\nPOST / HTTP/1.0\nContent-Length: 2\n\nhi");
        assert_eq!(r.method, b"POST");
        assert_eq!(r.body, b"hi");
    }

    #[test]
    fn keeps_case_order_and_duplicates() {
        let r = ok(b"GET / HTTP/1.1\r\ncontent-type: a\r\nHOST: h\r\nContent-Type: b\r\n\r\n");
        assert_eq!(
            header_pairs(&r),
            vec![
                (&b"content-type"[..], &b"a"[..]),
                (b"HOST", b"h"),
                (b"Content-Type", b"b")
            ]
        );
        assert_eq!(r.header(b"Content-Type"), Some(&b"a"[..]));
    }

    #[test]
    fn keeps_invalid_utf8_and_odd_names() {
        let r = ok(b"GET /\xff HTTP/1.1\r\nX_Filename: \xc3\x28\r\nEmpty:\r\nNoColon\r\n\r\n");
        assert_eq!(r.uri, b"/\xff");
        assert_eq!(
            header_pairs(&r),
            vec![
                (&b"X_Filename"[..], &b"\xc3\x28"[..]),
                (b"Empty", b""),
                (b"NoColon", b"")
            ]
        );
    }

    #[test]
    fn request_line_variants() {
        let r = ok(b"GET / \r\nHost: x\r\n\r\n");
        assert_eq!(
            (r.uri.as_slice(), r.version.as_slice()),
            (&b"/"[..], &b""[..])
        );
        let r = ok(b"GET /index.html\r\n\r\n");
        assert_eq!(
            (r.uri.as_slice(), r.version.as_slice()),
            (&b"/index.html"[..], &b""[..])
        );
        let r = ok(b"GET /a b HTTP/1.1\r\n\r\n");
        assert_eq!(r.uri, b"/a b");
        let r = ok(b"|GET \\ HTTP\\1.0\r\n\r\n");
        assert_eq!(
            (r.method.as_slice(), r.uri.as_slice()),
            (&b"|GET"[..], &b"\\"[..])
        );
        assert_eq!(r.version, b"HTTP\\1.0");
        let r = ok(b"OPTIONS * HTTP/1.1");
        assert_eq!(r.uri, b"*");
        let r = ok(b"GET  /x   HTTP/1.1  \r\n\r\n");
        assert_eq!(
            (r.uri.as_slice(), r.version.as_slice()),
            (&b"/x"[..], &b"HTTP/1.1"[..])
        );
    }

    #[test]
    fn request_line_errors() {
        assert_eq!(parse(b""), Err(ParseError::Empty));
        assert_eq!(parse(b"\r\n\r\n"), Err(ParseError::Empty));
        assert_eq!(
            parse(b"     GET / HTTP/1.1\r\n\r\n"),
            Err(ParseError::LeadingWhitespace)
        );
        assert_eq!(
            parse(b"\tGET / HTTP/1.1\r\n\r\n"),
            Err(ParseError::LeadingWhitespace)
        );
        assert_eq!(parse(b"GET\r\n\r\n"), Err(ParseError::MissingTarget));
        assert_eq!(parse(b"GET  \r\n\r\n"), Err(ParseError::MissingTarget));
        assert_eq!(
            parse(b"GET /\rx HTTP/1.1\r\n\r\n"),
            Err(ParseError::BareCr { line: 1 })
        );
    }

    #[test]
    fn header_errors() {
        assert_eq!(
            parse(b"GET / HTTP/1.1\r\nSomeHeader: data\rInjected: x\r\n\r\n"),
            Err(ParseError::BareCr { line: 2 })
        );
        assert_eq!(
            parse(b"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n"),
            Err(ParseError::ObsFold { line: 3 })
        );
        assert_eq!(
            parse(b"GET / HTTP/1.1\r\nHost : x\r\n\r\n"),
            Err(ParseError::InvalidHeaderName { line: 2 })
        );
        assert_eq!(
            parse(b"GET / HTTP/1.1\r\n: x\r\n\r\n"),
            Err(ParseError::InvalidHeaderName { line: 2 })
        );
        assert_eq!(
            parse(b"GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n"),
            Err(ParseError::Nul { line: 2 })
        );
    }

    #[test]
    fn unterminated_head_is_accepted() {
        let r = ok(b"GET / HTTP/1.1\r\nHost: x");
        assert_eq!(header_pairs(&r), vec![(&b"Host"[..], &b"x"[..])]);
        assert_eq!(r.framing, BodyFraming::None);
    }

    #[test]
    fn content_length_body_is_bounded() {
        let r = ok(b"POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcdef");
        assert_eq!(r.body, b"abc");
        assert_eq!(
            r.framing,
            BodyFraming::ContentLength {
                declared: 3,
                truncated: false
            }
        );
        let r = ok(b"POST / HTTP/1.1\r\nContent-Length: 64200\r\n\r\nabc");
        assert_eq!(r.body, b"abc");
        assert_eq!(
            r.framing,
            BodyFraming::ContentLength {
                declared: 64200,
                truncated: true
            }
        );
        let r = ok(b"POST / HTTP/1.1\r\ncontent-length: 0\r\n\r\n");
        assert!(r.body.is_empty());
    }

    #[test]
    fn content_length_errors() {
        for value in ["abc", "-1", "1 2", "0x10", "99999999999999999999999"] {
            let input = format!("POST / HTTP/1.1\r\nContent-Length: {value}\r\n\r\n");
            assert!(
                matches!(
                    parse(input.as_bytes()),
                    Err(ParseError::InvalidContentLength { .. })
                ),
                "{value}"
            );
        }
        assert_eq!(
            parse(b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx"),
            Err(ParseError::DuplicateContentLength)
        );
    }

    #[test]
    fn body_to_end_without_framing_headers() {
        let r = ok(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nhi=test\r\n");
        assert_eq!(r.body, b"hi=test\r\n");
        assert_eq!(r.framing, BodyFraming::UntilEnd);
    }

    #[test]
    fn chunked_body_is_decoded() {
        let r = ok(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nHi \r\n3;ext=1\r\nCRS\r\n0\r\nTrailer: x\r\n\r\n");
        assert_eq!(r.body, b"Hi CRS");
        assert_eq!(r.framing, BodyFraming::Chunked { complete: true });
        // Chunked wins over Content-Length; codings are case-insensitive; LF alone is fine.
        let r = ok(b"POST / HTTP/1.1\r\nContent-Length: 7\r\nTransfer-Encoding: gzip, CHUNKED\r\n\r\n7\nfoo=bar\n0\n\n");
        assert_eq!(r.body, b"foo=bar");
        assert_eq!(r.framing, BodyFraming::Chunked { complete: true });
        let r = ok(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n");
        assert_eq!(r.body, b"0123456789");
        assert_eq!(r.framing, BodyFraming::Chunked { complete: false });
    }

    #[test]
    fn truncated_chunk_keeps_what_is_there() {
        let r = ok(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc");
        assert_eq!(r.body, b"abc");
        assert_eq!(r.framing, BodyFraming::Chunked { complete: false });
    }

    #[test]
    fn chunked_errors() {
        assert_eq!(
            parse(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"),
            Err(ParseError::BadChunkSize { offset: 0 })
        );
        assert_eq!(
            parse(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n"),
            Err(ParseError::BadChunkEnd { offset: 6 })
        );
        assert_eq!(
            parse(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n"),
            Err(ParseError::BadChunkSize { offset: 0 })
        );
        assert!(matches!(
            parse(b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nxx"),
            Err(ParseError::UnsupportedTransferEncoding { .. })
        ));
    }

    #[test]
    fn never_panics_on_prefixes_of_odd_input() {
        let samples: [&[u8]; 3] = [
            b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5;x\r\nabcde\r\n0\r\nT: 1\r\n\r\nextra",
            b"\n\nGET  /  HTTP/1.1 \n A\n:\n\r\r\n\0",
            b"PUT / HTTP/1.1\r\nContent-Length: 10\r\n\r\n\xff\xfe",
        ];
        for sample in samples {
            for end in 0..=sample.len() {
                let _ = parse(&sample[..end]);
            }
        }
    }
}
