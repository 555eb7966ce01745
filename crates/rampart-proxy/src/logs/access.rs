//! One access-log line per exchange: nginx's `combined` format, so log tooling parses it
//! unchanged, followed by `key=value` fields that say what the WAF made of the exchange.
//!
//! ```text
//! 127.0.0.1 - - [24/Nov/2026:13:59:01 +0000] "GET /?id=1 HTTP/1.1" 403 123 "referer" "user-agent" rid=1795530046.000017 rules=942100,949110 score=8 oscore=0 action=deny upstream=- engine_us=123 total_us=456
//! ```
//!
//! - `[time]` is when the exchange ended (nginx's `$time_local`), in UTC.
//! - The status is what the client got; `0` when the connection was dropped without an
//!   answer. The byte count is the response body sent (`$body_bytes_sent`).
//! - Referer and User-Agent are `-` when absent. Quoted fields are escaped as nginx escapes
//!   them: `"`, `\` and bytes outside printable ASCII as `\xHH`.
//! - `rid`: the transaction's unique id, the one a blocked client is shown and the error and
//!   audit logs carry, so one grep joins the three logs.
//! - `rules`: ids of the rules that logged, plus the one that interrupted the exchange even
//!   when it is `nolog`, in match order without repeats; `-` when none. Rules that never log
//!   (CRS's setup `SecAction`s) would only be noise here.
//! - `score` / `oscore`: the inbound and outbound anomaly scores.
//! - `action`: `deny`, `drop` or `redirect` when the engine interrupted the exchange,
//!   `error` when the engine failed on it, `pass` otherwise.
//! - `upstream`: `-`, or why the upstream could not answer (`connect`, `timeout`,
//!   `protocol`).
//! - `engine_us` / `total_us`: microseconds in the engine, and from the request's arrival to
//!   the end of the response.

use super::clock::Civil;
use super::error_log::protocol_version;
use crate::exchange::Exchange;

/// nginx's default access-log escaping.
fn escape_into(out: &mut String, text: &str, also_space: bool) {
    for &b in text.as_bytes() {
        if b == b'"' || b == b'\\' || !(0x20..0x7f).contains(&b) || (also_space && b == b' ') {
            out.push_str(&format!("\\x{b:02X}"));
        } else {
            out.push(char::from(b));
        }
    }
}

fn quoted(out: &mut String, text: Option<&str>) {
    out.push('"');
    match text {
        Some(t) if !t.is_empty() => escape_into(out, t, false),
        _ => out.push('-'),
    }
    out.push('"');
}

fn header<'a>(exchange: &'a Exchange, name: &str) -> Option<&'a str> {
    exchange
        .request_headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The rule ids worth showing, in order, each once.
fn rule_ids(exchange: &Exchange) -> Vec<u64> {
    let interrupting = exchange.intervention.as_ref().map(|i| i.rule_id);
    let mut ids: Vec<u64> = Vec::new();
    for rule in &exchange.matched {
        let shown = rule.logged || (rule.disruptive && interrupting == Some(rule.id));
        if shown && !ids.contains(&rule.id) {
            ids.push(rule.id);
        }
    }
    ids
}

fn action(exchange: &Exchange) -> &'static str {
    match &exchange.intervention {
        Some(i) if i.drop => "drop",
        Some(i) if i.url.is_some() => "redirect",
        Some(_) => "deny",
        None if exchange.engine_error.is_some() => "error",
        None => "pass",
    }
}

/// The exchange's access-log line, without the newline.
pub fn line(exchange: &Exchange) -> String {
    let mut out = String::with_capacity(256 + exchange.uri.len());
    out.push_str(&exchange.client_ip.to_string());
    out.push_str(" - - [");
    out.push_str(&Civil::from_system(exchange.started + exchange.duration).access_log());
    out.push_str("] \"");
    escape_into(&mut out, &exchange.method, false);
    out.push(' ');
    escape_into(&mut out, &exchange.uri, false);
    out.push_str(" HTTP/");
    escape_into(&mut out, &protocol_version(&exchange.http_version), false);
    out.push_str(&format!("\" {} {} ", exchange.status, exchange.bytes_sent));
    quoted(&mut out, header(exchange, "referer"));
    out.push(' ');
    quoted(&mut out, header(exchange, "user-agent"));
    out.push_str(" rid=");
    if exchange.unique_id.is_empty() {
        out.push('-');
    } else {
        escape_into(&mut out, &exchange.unique_id, true);
    }
    let ids = rule_ids(exchange);
    out.push_str(" rules=");
    if ids.is_empty() {
        out.push('-');
    } else {
        let ids: Vec<String> = ids.iter().map(u64::to_string).collect();
        out.push_str(&ids.join(","));
    }
    out.push_str(&format!(
        " score={} oscore={} action={} upstream={} engine_us={} total_us={}",
        exchange.inbound_anomaly_score,
        exchange.outbound_anomaly_score,
        action(exchange),
        exchange.upstream_error.map_or("-", |e| e.label()),
        exchange.engine_time.as_micros(),
        exchange.duration.as_micros(),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{exchange, rule};
    use super::*;
    use crate::exchange::UpstreamError;
    use rampart_engine::Intervention;
    use std::time::Duration;

    #[test]
    fn passed_exchange() {
        let mut ex = exchange();
        ex.duration = Duration::from_millis(2_500);
        assert_eq!(
            line(&ex),
            "127.0.0.1 - - [24/Nov/2026:13:59:03 +0000] \"GET /search?id=1%20union%20select HTTP/1.1\" 200 11 \
             \"-\" \"curl/8.5.0\" rid=1795530046.000017 rules=942100 score=5 oscore=0 action=pass upstream=- \
             engine_us=123 total_us=2500000"
        );
    }

    #[test]
    fn denied_exchange_lists_rules_once_and_the_quiet_blocker() {
        let mut ex = exchange();
        ex.matched.push(rule(942100, "again (multiMatch)"));
        let mut quiet = rule(1, "setup");
        quiet.logged = false;
        ex.matched.insert(0, quiet);
        let mut blocker = rule(949110, "blocked");
        blocker.logged = false;
        blocker.disruptive = true;
        ex.matched.push(blocker);
        ex.intervention = Some(Intervention {
            status: 403,
            url: None,
            drop: false,
            rule_id: 949110,
            phase: 2,
            message: "Access denied with code 403 (phase 2)".into(),
        });
        ex.status = 403;
        ex.bytes_sent = 153;
        ex.inbound_anomaly_score = 8;
        ex.request_headers
            .push(("referer".into(), "https://a.example/\"q\"\\é".into()));
        let text = line(&ex);
        assert!(
            text.contains(
                "\" 403 153 \"https://a.example/\\x22q\\x22\\x5C\\xC3\\xA9\" \"curl/8.5.0\" "
            ),
            "{text}"
        );
        assert!(
            text.ends_with(" rules=942100,949110 score=8 oscore=0 action=deny upstream=- engine_us=123 total_us=456"),
            "{text}"
        );
    }

    #[test]
    fn other_actions_and_upstream_failures() {
        let mut ex = exchange();
        ex.matched.clear();
        ex.request_headers.clear();
        ex.upstream_error = Some(UpstreamError::Connect);
        ex.status = 502;
        let text = line(&ex);
        assert!(text.contains("\" 502 11 \"-\" \"-\" rid="), "{text}");
        assert!(
            text.contains(" rules=- score=5 oscore=0 action=pass upstream=connect "),
            "{text}"
        );
        ex.engine_error = Some("boom".into());
        assert!(line(&ex).contains(" action=error "));
        ex.intervention = Some(Intervention {
            status: 302,
            url: Some("https://example.com/".into()),
            drop: false,
            rule_id: 5,
            phase: 1,
            message: String::new(),
        });
        assert!(line(&ex).contains(" action=redirect "));
        ex.intervention = Some(Intervention {
            status: 0,
            url: None,
            drop: true,
            rule_id: 5,
            phase: 1,
            message: String::new(),
        });
        ex.status = 0;
        let text = line(&ex);
        assert!(text.contains("\" 0 11 "), "{text}");
        assert!(text.contains(" action=drop "), "{text}");
    }

    #[test]
    fn request_line_cannot_break_the_line() {
        let mut ex = exchange();
        ex.uri = "/x\r\n\"y z".into();
        ex.http_version = "2".into();
        let text = line(&ex);
        assert!(
            text.contains("\"GET /x\\x0D\\x0A\\x22y z HTTP/2.0\""),
            "{text}"
        );
        assert!(!text.contains('\n') && !text.contains('\r'));
    }
}
