//! What rampart's front-end does with a request before the WAF sees it.
//!
//! A request that is not HTTP/1.x as RFC 9110/9112 define it never reaches the rules: it is
//! answered 400 (or, for an HTTP/0.9 request line, the connection is closed), as Apache and
//! nginx do. This is deliberately strict — the WAF should not have to reason about requests no
//! upstream would accept — and it is the one policy `rampart serve`, `rampart eval` and
//! `rampart ftw` share, so that what the engine sees offline is what it sees in production.
//!
//! Two normalisations keep what matters visible to the rules: a message with both
//! `Transfer-Encoding` and `Content-Length` loses its `Content-Length` (RFC 9112 §6.3: the
//! transfer coding wins, and a proxy must not forward both), and duplicate headers are kept
//! as they came (rule 920620 looks for duplicate `Content-Type`s).

/// A request head as it came off the wire: bytes, in order, names in their original case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Head {
    pub method: Vec<u8>,
    pub uri: Vec<u8>,
    /// As on the request line, e.g. `HTTP/1.1`; empty for an HTTP/0.9 request line.
    pub version: Vec<u8>,
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
}

/// The front-end's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Admission {
    /// Hand the request to the WAF.
    Accept,
    /// Answer with this status and a reason, without consulting the WAF.
    Reject { status: u16, reason: &'static str },
    /// Close the connection without an answer.
    Drop { reason: &'static str },
}

/// Applies the policy, normalising the request in place when it is accepted.
pub fn admit(request: &mut Head) -> Admission {
    let reject = |reason| Admission::Reject {
        status: 400,
        reason,
    };
    if request.version.is_empty() {
        return Admission::Drop {
            reason: "HTTP/0.9 request line",
        };
    }
    // `HTTP/d.d`; below 1.0 is refused, a later version is the rules' business (920430).
    let version_ok = matches!(
        request.version.as_slice(),
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() && *major >= b'1'
    );
    if !version_ok {
        return reject("unsupported HTTP version");
    }
    let http11 = request.version.as_slice() >= &b"HTTP/1.1"[..];
    if request.method.is_empty() || !request.method.iter().all(|&b| is_tchar(b)) {
        return reject("invalid method");
    }
    let target = &request.uri;
    let origin_form = target.first() == Some(&b'/');
    let absolute_form = target.len() > 8
        && (target[..7].eq_ignore_ascii_case(b"http://")
            || target[..8].eq_ignore_ascii_case(b"https://"));
    let asterisk = target.as_slice() == b"*" && request.method == b"OPTIONS";
    let authority_form =
        request.method == b"CONNECT" && valid_host(target) && target.contains(&b':');
    if !(origin_form || absolute_form || asterisk || authority_form) {
        return reject("invalid request target");
    }
    if target
        .iter()
        .any(|&b| b == b'#' || b == b' ' || b < 0x20 || b == 0x7f)
    {
        return reject("invalid character in the request target");
    }
    let hosts: Vec<&[u8]> = request
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(b"host"))
        .map(|(_, v)| v.as_slice())
        .collect();
    if hosts.len() > 1 {
        return reject("more than one Host header");
    }
    match hosts.first() {
        // An empty Host is allowed to HTTP/1.0 clients only.
        Some(host) if host.is_empty() && !http11 => {}
        Some(host) if !valid_host(host) => return reject("invalid Host header"),
        _ => {}
    }
    let lengths: Vec<&[u8]> = request
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(b"content-length"))
        .map(|(_, v)| v.as_slice())
        .collect();
    if lengths
        .windows(2)
        .any(|w| w[0].trim_ascii() != w[1].trim_ascii())
    {
        return reject("conflicting Content-Length headers");
    }
    let chunked = request
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case(b"transfer-encoding"));
    if chunked {
        request
            .headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case(b"content-length"));
    }
    Admission::Accept
}

/// RFC 9110 token characters.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// `host[:port]`: a DNS name or IPv4 address of unreserved characters, or a bracketed IPv6
/// literal, and an optional numeric port.
fn valid_host(host: &[u8]) -> bool {
    let (name, port) = if host.first() == Some(&b'[') {
        match host.iter().position(|&b| b == b']') {
            Some(end) => (&host[..=end], &host[end + 1..]),
            None => return false,
        }
    } else {
        match host.iter().position(|&b| b == b':') {
            Some(colon) => (&host[..colon], &host[colon..]),
            None => (host, &b""[..]),
        }
    };
    let name_ok = if name.first() == Some(&b'[') {
        name[1..name.len() - 1]
            .iter()
            .all(|&b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
    } else {
        !name.is_empty()
            && name
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
    };
    let port_ok = port.is_empty()
        || (port[0] == b':' && port.len() > 1 && port[1..].iter().all(u8::is_ascii_digit));
    name_ok && port_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(line: (&str, &str, &str), headers: &[(&str, &str)]) -> Head {
        Head {
            method: line.0.into(),
            uri: line.1.into(),
            version: line.2.into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec()))
                .collect(),
        }
    }

    fn status(line: (&str, &str, &str), headers: &[(&str, &str)]) -> Option<u16> {
        match admit(&mut request(line, headers)) {
            Admission::Accept => None,
            Admission::Reject { status, .. } => Some(status),
            Admission::Drop { .. } => Some(0),
        }
    }

    #[test]
    fn accepts_ordinary_requests() {
        assert_eq!(
            status(
                ("GET", "/a?b=c", "HTTP/1.1"),
                &[("Host", "example.com:8080")]
            ),
            None
        );
        assert_eq!(
            status(("POST", "http://example.com/x", "HTTP/1.0"), &[]),
            None
        );
        assert_eq!(
            status(("OPTIONS", "*", "HTTP/1.1"), &[("Host", "[::1]:80")]),
            None
        );
        assert_eq!(
            status(("GET", "/%00%ff", "HTTP/1.1"), &[("Host", "localhost")]),
            None
        );
        assert_eq!(
            status(("GET", "/", "HTTP/4.0"), &[]),
            None,
            "later versions reach 920430"
        );
        assert_eq!(status(("GET", "/", "HTTP/1.0"), &[("Host", "")]), None);
        assert_eq!(status(("CONNECT", "1.2.3.4:80", "HTTP/1.1"), &[]), None);
    }

    #[test]
    fn rejects_what_no_http_server_accepts() {
        assert_eq!(status(("GET", "/", "HTTP/0.9"), &[]), Some(400));
        assert_eq!(status(("GET", "/", "HTTP/1"), &[]), Some(400));
        assert_eq!(status(("GET", "/", "JUNK/1.0"), &[]), Some(400));
        assert_eq!(
            status(("GET", "/", ""), &[]),
            Some(0),
            "HTTP/0.9 request line: dropped"
        );
        assert_eq!(status(("G(T", "/", "HTTP/1.1"), &[]), Some(400));
        assert_eq!(status(("GET", "\\index.html", "HTTP/1.1"), &[]), Some(400));
        assert_eq!(status(("GET", "/#frag", "HTTP/1.1"), &[]), Some(400));
        assert_eq!(status(("CONNECT", "/x y", "HTTP/1.1"), &[]), Some(400));
        assert_eq!(status(("GET", "/", "HTTP/1.1"), &[("Host", "")]), Some(400));
        assert_eq!(
            status(("GET", "/", "HTTP/1.1"), &[("Host", "local%00host")]),
            Some(400)
        );
        assert_eq!(
            status(("GET", "/", "HTTP/1.1"), &[("Host", "a"), ("Host", "b")]),
            Some(400)
        );
        assert_eq!(
            status(
                ("POST", "/", "HTTP/1.1"),
                &[("Content-Length", "1"), ("Content-Length", "2")]
            ),
            Some(400)
        );
    }

    #[test]
    fn transfer_encoding_wins_over_content_length() {
        let mut r = request(
            ("POST", "/", "HTTP/1.1"),
            &[("Content-Length", "3"), ("Transfer-Encoding", "chunked")],
        );
        assert_eq!(admit(&mut r), Admission::Accept);
        assert_eq!(r.headers.len(), 1);
    }
}
