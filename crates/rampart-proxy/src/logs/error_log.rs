//! ModSecurity's error-log lines, as nginx with the ModSecurity-nginx connector writes them,
//! so that fail2ban filters, SIEM parsers and CRS tuning scripts written for that pairing read
//! ours unchanged.
//!
//! What produces which part of a line (ModSecurity v3 `RuleMessage::log` / `_details`,
//! ModSecurity-nginx `ngx_http_modsecurity_log` and `..._process_intervention`, nginx
//! `ngx_log_error_core` and `ngx_http_log_error_handler`; checked against libmodsecurity
//! 3.0.9's own output):
//!
//! ```text
//! 2026/11/24 13:59:01 [info] 4242#4242: *17 ModSecurity: Warning. Matched "…" [file "…"] … [ref ""], client: 127.0.0.1, server: localhost, request: "GET /?id=1 HTTP/1.1", host: "localhost"
//! └ nginx: time, level, pid#tid, *connection ┘└ ModSecurity ──────────────────────────────┘└ nginx's request context ──────────────────────────────────────────────────────────┘
//! ```
//!
//! - A rule's message reaches nginx through the log callback, which nginx writes at `info`;
//!   the rule that interrupts the transaction is reported instead through the intervention,
//!   which nginx writes at `error`, prefixed `[client <ip>] ` and saying
//!   `Access denied with code 403 (phase 2).` where a warning says `Warning.`. That line is
//!   written even for a `deny,nolog` rule; an intervention no rule made (a body over its
//!   limit) writes its bare message.
//! - ModSecurity cuts `[data]` and `[uri]` at 200 bytes, adding `(N characters omitted)`;
//!   `[uri]` is the percent-decoded path without the query; `[ref]` is left empty because
//!   the engine does not report match offsets.
//! - Every byte outside printable ASCII is written `\xhh` (ModSecurity's `toHexIfNeeded`),
//!   which also keeps one entry on one line. We apply it to nginx's part too, which nginx
//!   does not, for the same reason.
//! - `[hostname]` is [`Exchange::hostname`]; ModSecurity v3 puts the server's IP address
//!   there, and `rampart serve` lets `server.hostname` choose.
//! - nginx cuts a line at 2048 bytes; we do not, a truncated finding is worth less than a long
//!   line.

use std::net::IpAddr;
use std::time::SystemTime;

use rampart_engine::MatchedRule;

use super::clock::Civil;
use crate::exchange::{Exchange, UpstreamError};

/// nginx's severity names for the levels we write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Info,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Info => "info",
        }
    }
}

/// ModSecurity's `toHexIfNeeded`: bytes outside printable ASCII as `\xhh`.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if (0x20..0x7f).contains(&b) {
            out.push(char::from(b));
        } else {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\x");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

/// ModSecurity's `limitTo`: at most `amount` bytes, then how many were left out.
fn push_limited(out: &mut Vec<u8>, amount: usize, bytes: &[u8]) {
    if bytes.len() > amount {
        out.extend_from_slice(&bytes[..amount]);
        out.extend_from_slice(format!(" ({} characters omitted)", bytes.len() - amount).as_bytes());
    } else {
        out.extend_from_slice(bytes);
    }
}

/// The request path as ModSecurity's `[uri]` shows it: percent-decoded (`+` stays), then cut
/// at the first `?` of the decoded text.
pub fn decoded_path(uri: &str) -> Vec<u8> {
    let raw = uri.as_bytes();
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%' {
            if let (Some(hi), Some(lo)) = (
                raw.get(i + 1).and_then(|c| hex_value(*c)),
                raw.get(i + 2).and_then(|c| hex_value(*c)),
            ) {
                out.push(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    if let Some(q) = out.iter().position(|&b| b == b'?') {
        out.truncate(q);
    }
    out
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// ModSecurity's message for a rule, unescaped: `[client …] ModSecurity: <what>. <match>
/// [file "…"] … [ref ""]`. `disruptive` is the intervention's summary (`Access denied with
/// code 403 (phase 2)`) for the rule that interrupted the transaction, which also gets the
/// `[client …]` prefix; other rules say `Warning`.
fn push_rule_message(
    out: &mut Vec<u8>,
    rule: &MatchedRule,
    disruptive: Option<(&str, IpAddr)>,
    hostname: &str,
    uri: &str,
    unique_id: &str,
) {
    match disruptive {
        Some((summary, client)) => {
            out.extend_from_slice(format!("[client {client}] ModSecurity: ").as_bytes());
            out.extend_from_slice(summary.as_bytes());
            out.extend_from_slice(b". ");
        }
        None => out.extend_from_slice(b"ModSecurity: Warning. "),
    }
    out.extend_from_slice(rule.match_message.as_bytes());
    let mut field = |name: &str, value: &[u8]| {
        out.extend_from_slice(b" [");
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b" \"");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\"]");
    };
    field("file", rule.file.as_bytes());
    field("line", rule.line.to_string().as_bytes());
    field("id", rule.id.to_string().as_bytes());
    field("rev", rule.rev.as_deref().unwrap_or("").as_bytes());
    field("msg", rule.msg.as_bytes());
    let mut data = Vec::new();
    push_limited(&mut data, 200, rule.data.as_bytes());
    field("data", &data);
    field(
        "severity",
        rule.severity
            .map_or(0, |s| s.number())
            .to_string()
            .as_bytes(),
    );
    field("ver", rule.ver.as_deref().unwrap_or("").as_bytes());
    field(
        "maturity",
        rule.maturity.unwrap_or(0).to_string().as_bytes(),
    );
    field(
        "accuracy",
        rule.accuracy.unwrap_or(0).to_string().as_bytes(),
    );
    for tag in rule.tags.iter() {
        field("tag", tag.as_bytes());
    }
    field("hostname", hostname.as_bytes());
    let mut path = Vec::new();
    push_limited(&mut path, 200, &decoded_path(uri));
    field("uri", &path);
    field("unique_id", unique_id.as_bytes());
    field("ref", b"");
}

/// The `ModSecurity: Warning. …` text of a matched rule, escaped: what ModSecurity hands the
/// server, without nginx's prefix and request context. `uri` is the request-line URI.
pub fn warning_message(rule: &MatchedRule, hostname: &str, uri: &str, unique_id: &str) -> String {
    let mut out = Vec::with_capacity(512);
    push_rule_message(&mut out, rule, None, hostname, uri, unique_id);
    escape(&out)
}

/// `2026/11/24 13:59:01 [error] 4242#4242: *17 ` — nginx's part before the message.
fn prefix(time: SystemTime, level: Level, pid: u32, tid: u32, connection: Option<u64>) -> String {
    let mut out = format!(
        "{} [{}] {pid}#{tid}: ",
        Civil::from_system(time).error_log(),
        level.name()
    );
    if let Some(n) = connection {
        out.push_str(&format!("*{n} "));
    }
    out
}

/// `1.1` stays, `2` becomes `2.0`: how nginx spells the version on a request line.
pub fn protocol_version(version: &str) -> String {
    if version.contains('.') {
        version.to_string()
    } else {
        format!("{version}.0")
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// nginx's request context after the message: `, client: …, server: …, request: "…",
/// host: "…", referrer: "…"` (host and referrer only when the request sent them; an HTTP/2
/// request's authority counts as its host).
fn push_request_context(out: &mut Vec<u8>, exchange: &Exchange) {
    out.extend_from_slice(
        format!(
            ", client: {}, server: {}, request: \"{} {} HTTP/{}\"",
            exchange.client_ip,
            exchange.hostname,
            exchange.method,
            exchange.uri,
            protocol_version(&exchange.http_version)
        )
        .as_bytes(),
    );
    let host = header(&exchange.request_headers, "host").or_else(|| {
        (exchange.http_version.starts_with('2') && !exchange.hostname.is_empty())
            .then_some(exchange.hostname.as_str())
    });
    if let Some(host) = host {
        out.extend_from_slice(format!(", host: \"{host}\"").as_bytes());
    }
    if let Some(referer) = header(&exchange.request_headers, "referer") {
        out.extend_from_slice(format!(", referrer: \"{referer}\"").as_bytes());
    }
}

/// One exchange's error-log lines, in the order nginx would have written them: a line per
/// logged rule (the interrupting one at `error`), the intervention when no rule carried it,
/// then rampart's own failures on the exchange. `connection` plays nginx's `*N`.
pub fn exchange_lines(exchange: &Exchange, pid: u32, connection: u64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = |level: Level, message: &[u8]| {
        let mut text = prefix(exchange.started, level, pid, pid, Some(connection));
        let mut rest = message.to_vec();
        push_request_context(&mut rest, exchange);
        text.push_str(&escape(&rest));
        lines.push(text);
    };
    let intervention = exchange.intervention.as_ref();
    let mut intervention_written = false;
    for rule in &exchange.matched {
        let interrupting = rule.disruptive
            && !intervention_written
            && intervention.is_some_and(|i| i.rule_id == rule.id);
        if !(rule.logged || interrupting) {
            continue;
        }
        let mut message = Vec::with_capacity(512);
        let (level, disruptive) = match intervention.filter(|_| interrupting) {
            Some(i) => {
                intervention_written = true;
                (Level::Error, Some((i.message.as_str(), exchange.client_ip)))
            }
            None => (Level::Info, None),
        };
        push_rule_message(
            &mut message,
            rule,
            disruptive,
            &exchange.hostname,
            &exchange.uri,
            &exchange.unique_id,
        );
        line(level, &message);
    }
    if let Some(i) = intervention.filter(|_| !intervention_written) {
        line(Level::Error, i.message.as_bytes());
    }
    if let Some(error) = &exchange.engine_error {
        line(
            Level::Error,
            format!("rampart: engine error: {error}").as_bytes(),
        );
    }
    if let Some(error) = exchange.upstream_error {
        let what = match error {
            UpstreamError::Connect => "no upstream server could be connected",
            UpstreamError::Timeout => "upstream timed out",
            UpstreamError::Protocol => "upstream connection broke or its response was malformed",
        };
        line(
            Level::Error,
            format!(
                "rampart: {what} ({}), answered {}",
                error.label(),
                error.status()
            )
            .as_bytes(),
        );
    }
    lines
}

/// A server-level message: `2026/11/24 13:59:01 [error] 4242#0: rampart: <line>`, one log
/// line per line of the message.
pub fn server_error_lines(message: &str, time: SystemTime, pid: u32) -> Vec<String> {
    let head = prefix(time, Level::Error, pid, 0, None);
    let mut lines: Vec<String> = message
        .lines()
        .map(|l| format!("{head}rampart: {}", escape(l.as_bytes())))
        .collect();
    if lines.is_empty() {
        lines.push(format!("{head}rampart: "));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{exchange, rule};
    use super::*;
    use rampart_engine::Intervention;

    const PID: u32 = 4242;

    #[test]
    fn escape_hexes_controls_and_non_ascii_but_not_quotes() {
        assert_eq!(escape(b"a\"b\\c d~"), "a\"b\\c d~");
        assert_eq!(
            escape(b"\x00\x01\n\r\t\x7f"),
            "\\x00\\x01\\x0a\\x0d\\x09\\x7f"
        );
        assert_eq!(escape("é€".as_bytes()), "\\xc3\\xa9\\xe2\\x82\\xac");
    }

    #[test]
    fn decoded_path_matches_modsecurity() {
        assert_eq!(decoded_path("/a%20b?id=1%3F"), b"/a b");
        assert_eq!(decoded_path("/x%3Fy?z"), b"/x");
        assert_eq!(decoded_path("/p+q%zz%4"), b"/p+q%zz%4");
        assert_eq!(decoded_path("/%c3%a9"), "/é".as_bytes());
    }

    #[test]
    fn warning_line_has_nginx_shape() {
        let ex = exchange();
        let lines = exchange_lines(&ex, PID, 17);
        assert_eq!(lines.len(), 1, "{lines:#?}");
        assert_eq!(
            lines[0],
            "2026/11/24 13:59:01 [info] 4242#4242: *17 ModSecurity: Warning. \
             Matched \"Operator `Rx' with parameter `(?i)union' against variable `ARGS:id' (Value: `1 union select' ) \
             [file \"/etc/crs/rules/REQUEST-942-APPLICATION-ATTACK-SQLI.conf\"] [line \"45\"] [id \"942100\"] [rev \"\"] \
             [msg \"SQL Injection Attack Detected via libinjection\"] [data \"Matched Data: 1 union select found within ARGS:id\"] \
             [severity \"2\"] [ver \"OWASP_CRS/4.28.0\"] [maturity \"0\"] [accuracy \"0\"] \
             [tag \"attack-sqli\"] [tag \"paranoia-level/1\"] \
             [hostname \"localhost\"] [uri \"/search\"] [unique_id \"1795530046.000017\"] [ref \"\"], \
             client: 127.0.0.1, server: localhost, request: \"GET /search?id=1%20union%20select HTTP/1.1\", host: \"localhost\""
        );
    }

    #[test]
    fn access_denied_line_replaces_warning_and_goes_to_error() {
        let mut ex = exchange();
        let mut blocking = rule(949110, "Inbound Anomaly Score Exceeded (Total Score: 5)");
        blocking.disruptive = true;
        blocking.match_message =
            "Matched \"Operator `Ge' with parameter `5' against variable `TX:BLOCKING_INBOUND_ANOMALY_SCORE' (Value: `5' )".into();
        blocking.tags = vec!["anomaly-evaluation".into()].into();
        blocking.data = String::new();
        blocking.ver = None;
        ex.matched.push(blocking);
        ex.request_headers
            .push(("Referer".into(), "http://example.com/\"x\"".into()));
        ex.status = 403;
        ex.intervention = Some(Intervention {
            status: 403,
            url: None,
            drop: false,
            rule_id: 949110,
            phase: 2,
            message: "Access denied with code 403 (phase 2)".into(),
        });
        let lines = exchange_lines(&ex, PID, 3);
        assert_eq!(lines.len(), 2, "{lines:#?}");
        assert!(
            lines[0].starts_with("2026/11/24 13:59:01 [info] 4242#4242: *3 ModSecurity: Warning. ")
        );
        assert_eq!(
            lines[1],
            "2026/11/24 13:59:01 [error] 4242#4242: *3 [client 127.0.0.1] ModSecurity: Access denied with code 403 (phase 2). \
             Matched \"Operator `Ge' with parameter `5' against variable `TX:BLOCKING_INBOUND_ANOMALY_SCORE' (Value: `5' ) \
             [file \"/etc/crs/rules/REQUEST-942-APPLICATION-ATTACK-SQLI.conf\"] [line \"45\"] [id \"949110\"] [rev \"\"] \
             [msg \"Inbound Anomaly Score Exceeded (Total Score: 5)\"] [data \"\"] [severity \"2\"] [ver \"\"] \
             [maturity \"0\"] [accuracy \"0\"] [tag \"anomaly-evaluation\"] \
             [hostname \"localhost\"] [uri \"/search\"] [unique_id \"1795530046.000017\"] [ref \"\"], \
             client: 127.0.0.1, server: localhost, request: \"GET /search?id=1%20union%20select HTTP/1.1\", \
             host: \"localhost\", referrer: \"http://example.com/\"x\"\""
        );
    }

    #[test]
    fn unlogged_rules_are_silent_but_a_nolog_deny_still_reports_the_intervention() {
        let mut ex = exchange();
        ex.matched[0].logged = false;
        assert!(exchange_lines(&ex, PID, 1).is_empty());
        let mut deny = rule(1001, "quiet deny");
        deny.logged = false;
        deny.disruptive = true;
        ex.matched.push(deny);
        ex.intervention = Some(Intervention {
            status: 403,
            url: None,
            drop: false,
            rule_id: 1001,
            phase: 1,
            message: "Access denied with code 403 (phase 1)".into(),
        });
        let lines = exchange_lines(&ex, PID, 1);
        assert_eq!(lines.len(), 1, "{lines:#?}");
        assert!(lines[0].contains("[error] 4242#4242: *1 [client 127.0.0.1] ModSecurity: Access denied with code 403 (phase 1). Matched"));
        assert!(lines[0].contains("[id \"1001\"]"));
    }

    #[test]
    fn an_intervention_without_a_rule_writes_its_bare_message() {
        let mut ex = exchange();
        ex.matched.clear();
        ex.intervention = Some(Intervention {
            status: 403,
            url: None,
            drop: false,
            rule_id: 0,
            phase: 2,
            message: "Request body limit is marked to reject the request".into(),
        });
        let lines = exchange_lines(&ex, PID, 9);
        assert_eq!(
            lines,
            vec!["2026/11/24 13:59:01 [error] 4242#4242: *9 Request body limit is marked to reject the request, \
                  client: 127.0.0.1, server: localhost, request: \"GET /search?id=1%20union%20select HTTP/1.1\", host: \"localhost\""
                .to_string()]
        );
    }

    #[test]
    fn hostile_bytes_never_break_the_line() {
        let mut ex = exchange();
        ex.uri = "/a%0d%0ab\u{e9}?x=\u{1}".into();
        ex.matched[0].data = "line1\nline2\r\u{0}é".into();
        ex.matched[0].msg = "tab\there".into();
        ex.matched[0].tags = vec!["new\nline".into()].into();
        ex.request_headers = vec![("Host".into(), "evil\r\nhost".into())];
        let lines = exchange_lines(&ex, PID, 1);
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert!(line.bytes().all(|b| (0x20..0x7f).contains(&b)), "{line}");
        assert!(
            line.contains("[data \"line1\\x0aline2\\x0d\\x00\\xc3\\xa9\"]"),
            "{line}"
        );
        assert!(line.contains("[msg \"tab\\x09here\"]"), "{line}");
        assert!(line.contains("[tag \"new\\x0aline\"]"), "{line}");
        assert!(line.contains("[uri \"/a\\x0d\\x0ab\\xc3\\xa9\"]"), "{line}");
        assert!(
            line.contains("request: \"GET /a%0d%0ab\\xc3\\xa9?x=\\x01 HTTP/1.1\""),
            "{line}"
        );
        assert!(line.ends_with("host: \"evil\\x0d\\x0ahost\""), "{line}");
    }

    #[test]
    fn long_data_and_uri_are_cut_like_modsecurity() {
        let mut ex = exchange();
        ex.matched[0].data = "d".repeat(250);
        ex.uri = format!("/{}", "u".repeat(299));
        let line = &exchange_lines(&ex, PID, 1)[0];
        assert!(line.contains(&format!(
            "[data \"{} (50 characters omitted)\"]",
            "d".repeat(200)
        )));
        assert!(line.contains(&format!(
            "[uri \"/{} (100 characters omitted)\"]",
            "u".repeat(199)
        )));
    }

    #[test]
    fn http2_request_line_and_authority() {
        let mut ex = exchange();
        ex.http_version = "2".into();
        ex.request_headers.clear();
        let line = &exchange_lines(&ex, PID, 1)[0];
        assert!(
            line.ends_with(
                ", request: \"GET /search?id=1%20union%20select HTTP/2.0\", host: \"localhost\""
            ),
            "{line}"
        );
    }

    #[test]
    fn rampart_failures_on_the_exchange() {
        let mut ex = exchange();
        ex.matched.clear();
        ex.engine_error = Some("regex budget exceeded".into());
        ex.upstream_error = Some(UpstreamError::Timeout);
        let lines = exchange_lines(&ex, PID, 5);
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("2026/11/24 13:59:01 [error] 4242#4242: *5 rampart: engine error: regex budget exceeded, client: 127.0.0.1"));
        assert!(
            lines[1].contains("*5 rampart: upstream timed out (timeout), answered 504, client:")
        );
    }

    #[test]
    fn server_error_one_line_per_line() {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_795_530_046);
        assert_eq!(
            server_error_lines("reload failed:\nrules.conf:3: bad \u{1}operator", at, 77),
            vec![
                "2026/11/24 14:20:46 [error] 77#0: rampart: reload failed:".to_string(),
                "2026/11/24 14:20:46 [error] 77#0: rampart: rules.conf:3: bad \\x01operator"
                    .to_string(),
            ]
        );
    }

    #[test]
    fn warning_message_is_the_modsecurity_part_alone() {
        let ex = exchange();
        let text = warning_message(&ex.matched[0], "localhost", "/search?id=1", "abc");
        assert!(text.starts_with("ModSecurity: Warning. Matched \"Operator `Rx'"));
        assert!(text.ends_with(
            "[hostname \"localhost\"] [uri \"/search\"] [unique_id \"abc\"] [ref \"\"]"
        ));
    }
}
