//! ModSecurity v3's JSON audit log (`SecAuditLogFormat JSON`), so that the dashboards and
//! shippers built for libmodsecurity's audit log take ours as is.
//!
//! The shape is `Transaction::toJSON` as libmodsecurity 3.0.9 writes it (checked against its
//! output), which differs from ModSecurity 2's part-per-section layout:
//!
//! - Part A is not optional: `client_ip`, `time_stamp` (`Tue Nov 24 13:59:01 2026`),
//!   `server_id` (40 hex digits), `client_port` and `host_port` (numbers), `host_ip`,
//!   `unique_id`, `request.method`, `request.http_version` (a JSON *number*: `1.1`, `2.0`),
//!   `request.uri` (as on the request line) and `response.http_code` (a number) are always
//!   there, so even `ABZ` has a `response` object, holding only `http_code`.
//! - B adds `request.headers`, C `request.body`, E `response.body` (before `http_code`),
//!   F `response.headers`, H `producer` and `messages`. D, G, I, J and K add nothing to the
//!   JSON form in v3; Z is implied.
//! - Headers are an object in arrival order; a repeated header is a repeated key, as v3
//!   writes it.
//! - `messages` holds the rules that would log (`log`, not `nolog`/`noauditlog`), each
//!   `{"message","details":{"match","reference","ruleId","file","lineNumber","data",
//!   "severity","ver","rev","tags","maturity","accuracy"}}` where every detail is a string,
//!   numbers included; `reference` is empty (no match offsets from the engine).
//! - `RelevantOnly` keeps an exchange whose status the `SecAuditLogRelevantStatus` regex
//!   finds (a search, not a full match) or which has a message; a rule with `nolog` or
//!   `noauditlog` does not make it relevant. With `SecRuleEngine Off`, v3 skips logging
//!   altogether, audit log included.
//! - Strings are escaped as yajl does (`\"`, `\\`, `\b\f\n\r\t`, other controls `\u00XX`,
//!   the rest as is); bodies that are not UTF-8 are written with U+FFFD where yajl would
//!   write the raw bytes and make the line invalid JSON.
//!
//! `SecAuditLogRelevantStatus` is a PCRE in ModSecurity, and the recommended one,
//! `^(?:5|4(?!04))`, needs a look-ahead, hence `fancy-regex` rather than `regex`.

use std::collections::HashMap;

use rampart_seclang::{AuditEngine, EngineMode};

use super::clock::Civil;
use super::error_log::protocol_version;
use crate::exchange::Exchange;

/// Which optional parts `SecAuditLogParts` asked for (letters in either case, as v3 reads
/// them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Parts {
    pub request_headers: bool,
    pub request_body: bool,
    pub response_body: bool,
    pub response_headers: bool,
    pub messages: bool,
}

impl Parts {
    pub fn parse(letters: &str) -> Parts {
        let has = |c: char| letters.chars().any(|l| l.eq_ignore_ascii_case(&c));
        Parts {
            request_headers: has('B'),
            request_body: has('C'),
            response_body: has('E'),
            response_headers: has('F'),
            messages: has('H'),
        }
    }
}

/// Compiled `SecAuditLogRelevantStatus` patterns, one per distinct text: the rule set's
/// pattern rarely changes, so each is compiled once for the writer's life.
#[derive(Debug, Default)]
pub struct Relevance {
    compiled: HashMap<String, Option<fancy_regex::Regex>>,
    /// Patterns that did not compile, to report once each.
    pub invalid: Vec<String>,
}

impl Relevance {
    /// Whether `pattern` finds `status` (as decimal text). An invalid pattern finds nothing.
    pub fn status_matches(&mut self, pattern: &str, status: u16) -> bool {
        if !self.compiled.contains_key(pattern) {
            let compiled = match fancy_regex::Regex::new(pattern) {
                Ok(re) => Some(re),
                Err(e) => {
                    self.invalid.push(format!(
                        "SecAuditLogRelevantStatus \"{pattern}\" is not a usable regex ({e}); \
                         only matched rules make an exchange relevant"
                    ));
                    None
                }
            };
            self.compiled.insert(pattern.to_string(), compiled);
        }
        match self.compiled.get(pattern) {
            Some(Some(re)) => re.is_match(&status.to_string()).unwrap_or(false),
            _ => false,
        }
    }
}

/// Whether the exchange goes to the audit log, following `SecAuditEngine`.
pub fn wanted(exchange: &Exchange, relevance: &mut Relevance) -> bool {
    if exchange.engine_mode == EngineMode::Off {
        return false;
    }
    match exchange.audit.engine {
        AuditEngine::Off => false,
        AuditEngine::On => true,
        AuditEngine::RelevantOnly => {
            exchange.matched.iter().any(|r| r.logged)
                || exchange
                    .audit
                    .relevant_status
                    .as_deref()
                    .is_some_and(|p| relevance.status_matches(p, exchange.status))
        }
    }
}

/// `secrules_engine` as v3 names the modes.
fn engine_name(mode: EngineMode) -> &'static str {
    match mode {
        EngineMode::On => "Enabled",
        EngineMode::DetectionOnly => "DetectionOnly",
        EngineMode::Off => "Disabled",
    }
}

/// `producer.modsecurity`, shaped like v3's `ModSecurity v3.0.9 (Linux)`.
fn producer() -> String {
    let platform = match std::env::consts::OS {
        "linux" => "Linux",
        "macos" => "MacOSX",
        "windows" => "Windows",
        "freebsd" => "FreeBSD",
        other => other,
    };
    format!("rampart v{} ({platform})", env!("CARGO_PKG_VERSION"))
}

/// Appends `text` as a JSON string the way yajl escapes it.
fn push_str(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends `"key":"value"` after a comma unless it opens the object.
fn push_field(out: &mut String, key: &str, value: &str) {
    push_key(out, key);
    push_str(out, value);
}

fn push_key(out: &mut String, key: &str) {
    if !(out.ends_with('{') || out.ends_with('[')) {
        out.push(',');
    }
    push_str(out, key);
    out.push(':');
}

fn push_headers(out: &mut String, headers: &[(String, String)]) {
    push_key(out, "headers");
    out.push('{');
    for (name, value) in headers {
        push_field(out, name, value);
    }
    out.push('}');
}

/// `1.1` and `2.0` as JSON numbers; a version that is not one is written `0`.
fn http_version_number(version: &str) -> String {
    let v = protocol_version(version);
    let well_formed = v.split_once('.').is_some_and(|(major, minor)| {
        !major.is_empty()
            && !minor.is_empty()
            && major.bytes().all(|b| b.is_ascii_digit())
            && minor.bytes().all(|b| b.is_ascii_digit())
    });
    if well_formed {
        v
    } else {
        "0".into()
    }
}

/// The exchange's audit record: one JSON object, no trailing newline.
pub fn entry(exchange: &Exchange, server_id: &str) -> String {
    let parts = Parts::parse(&exchange.audit.parts);
    let mut out =
        String::with_capacity(1024 + exchange.request_body.len() + exchange.response_body.len());
    out.push_str("{\"transaction\":{");
    push_field(&mut out, "client_ip", &exchange.client_ip.to_string());
    push_field(
        &mut out,
        "time_stamp",
        &Civil::from_system(exchange.started).audit(),
    );
    push_field(&mut out, "server_id", server_id);
    push_key(&mut out, "client_port");
    out.push_str(&exchange.client_port.to_string());
    push_field(&mut out, "host_ip", &exchange.server_ip.to_string());
    push_key(&mut out, "host_port");
    out.push_str(&exchange.server_port.to_string());
    push_field(&mut out, "unique_id", &exchange.unique_id);

    push_key(&mut out, "request");
    out.push('{');
    push_field(
        &mut out,
        "method",
        if exchange.method.is_empty() {
            "-"
        } else {
            &exchange.method
        },
    );
    push_key(&mut out, "http_version");
    out.push_str(&http_version_number(&exchange.http_version));
    push_field(&mut out, "uri", &exchange.uri);
    if parts.request_body {
        push_field(
            &mut out,
            "body",
            &String::from_utf8_lossy(&exchange.request_body),
        );
    }
    if parts.request_headers {
        push_headers(&mut out, &exchange.request_headers);
    }
    out.push('}');

    push_key(&mut out, "response");
    out.push('{');
    if parts.response_body {
        push_field(
            &mut out,
            "body",
            &String::from_utf8_lossy(&exchange.response_body),
        );
    }
    push_key(&mut out, "http_code");
    out.push_str(&exchange.status.to_string());
    if parts.response_headers {
        push_headers(&mut out, &exchange.response_headers);
    }
    out.push('}');

    if parts.messages {
        push_key(&mut out, "producer");
        out.push('{');
        push_field(&mut out, "modsecurity", &producer());
        push_field(&mut out, "connector", "rampart");
        push_field(
            &mut out,
            "secrules_engine",
            engine_name(exchange.engine_mode),
        );
        push_key(&mut out, "components");
        out.push_str("[]}");

        push_key(&mut out, "messages");
        out.push('[');
        for rule in exchange.matched.iter().filter(|r| r.logged) {
            if !out.ends_with('[') {
                out.push(',');
            }
            out.push('{');
            push_field(&mut out, "message", &rule.msg);
            push_key(&mut out, "details");
            out.push('{');
            push_field(&mut out, "match", &rule.match_message);
            push_field(&mut out, "reference", "");
            push_field(&mut out, "ruleId", &rule.id.to_string());
            push_field(&mut out, "file", &rule.file);
            push_field(&mut out, "lineNumber", &rule.line.to_string());
            push_field(&mut out, "data", &rule.data);
            push_field(
                &mut out,
                "severity",
                &rule.severity.map_or(0, |s| s.number()).to_string(),
            );
            push_field(&mut out, "ver", rule.ver.as_deref().unwrap_or(""));
            push_field(&mut out, "rev", rule.rev.as_deref().unwrap_or(""));
            push_key(&mut out, "tags");
            out.push('[');
            for (i, tag) in rule.tags.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_str(&mut out, tag);
            }
            out.push(']');
            push_field(
                &mut out,
                "maturity",
                &rule.maturity.unwrap_or(0).to_string(),
            );
            push_field(
                &mut out,
                "accuracy",
                &rule.accuracy.unwrap_or(0).to_string(),
            );
            out.push_str("}}");
        }
        out.push(']');
    }
    out.push_str("}}");
    out
}

/// A stable per-host `server_id` shaped like v3's (40 hex digits). v3 hashes the host name
/// and a MAC address with SHA-1; nothing reads it as more than an opaque host id, so a
/// non-cryptographic hash of the host name does.
pub fn server_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default();
    let host = host.trim();
    let mut id = String::with_capacity(40);
    for round in 0u32..5 {
        // FNV-1a, 32 bits, seeded per round.
        let mut hash: u32 = 0x811c_9dc5 ^ round.wrapping_mul(0x9e37_79b9);
        for b in b"rampart:".iter().chain(host.as_bytes()) {
            hash ^= u32::from(*b);
            hash = hash.wrapping_mul(0x0100_0193);
        }
        id.push_str(&format!("{hash:08x}"));
    }
    id
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{exchange, rule};
    use super::*;
    use serde_json::Value;

    fn parse(line: &str) -> Value {
        serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))
    }

    #[test]
    fn full_record_has_v3_keys_types_and_order() {
        let mut ex = exchange();
        ex.request_body = bytes::Bytes::from_static(b"a=\"b\"\n\x01\xc3\xa9");
        ex.audit.parts = "ABCEFHZ".into();
        let line = entry(&ex, "0123456789abcdef0123456789abcdef01234567");
        assert!(!line.contains('\n'));
        assert_eq!(
            line,
            concat!(
                r#"{"transaction":{"client_ip":"127.0.0.1","time_stamp":"Tue Nov 24 13:59:01 2026","#,
                r#""server_id":"0123456789abcdef0123456789abcdef01234567","client_port":51000,"host_ip":"127.0.0.1","#,
                r#""host_port":8080,"unique_id":"1795530046.000017","request":{"method":"GET","http_version":1.1,"#,
                r#""uri":"/search?id=1%20union%20select","body":"a=\"b\"\n\u0001é","headers":{"Host":"localhost","#,
                r#""User-Agent":"curl/8.5.0","Accept":"*/*"}},"response":{"body":"{\"ok\":true}","http_code":200,"#,
                r#""headers":{"Content-Type":"application/json"}},"producer":{"modsecurity":""#,
            )
            .to_string()
                + &producer()
                + concat!(
                    r#"","connector":"rampart","secrules_engine":"Enabled","components":[]},"messages":[{"#,
                    r#""message":"SQL Injection Attack Detected via libinjection","details":{"match":"Matched \"Operator "#,
                    r#"`Rx' with parameter `(?i)union' against variable `ARGS:id' (Value: `1 union select' )","reference":"","#,
                    r#""ruleId":"942100","file":"/etc/crs/rules/REQUEST-942-APPLICATION-ATTACK-SQLI.conf","lineNumber":"45","#,
                    r#""data":"Matched Data: 1 union select found within ARGS:id","severity":"2","ver":"OWASP_CRS/4.28.0","#,
                    r#""rev":"","tags":["attack-sqli","paranoia-level/1"],"maturity":"0","accuracy":"0"}}]}}"#
                )
        );
        let v = parse(&line);
        assert_eq!(v["transaction"]["request"]["body"], "a=\"b\"\n\u{1}é");
        assert!(v["transaction"]["client_port"].is_u64());
        assert!(v["transaction"]["request"]["http_version"].is_f64());
    }

    #[test]
    fn parts_choose_sections() {
        let mut ex = exchange();
        ex.audit.parts = "ABZ".into();
        let v = parse(&entry(&ex, "x"));
        let t = &v["transaction"];
        assert_eq!(t["request"]["headers"]["Host"], "localhost");
        assert!(t["request"].get("body").is_none());
        // v3 keeps the response object for http_code, and nothing else, under ABZ.
        assert_eq!(t["response"], serde_json::json!({"http_code": 200}));
        assert!(t.get("producer").is_none() && t.get("messages").is_none());

        ex.audit.parts = "aefz".into();
        let v = parse(&entry(&ex, "x"));
        let t = &v["transaction"];
        assert!(t["request"].get("headers").is_none());
        assert_eq!(t["response"]["body"], "{\"ok\":true}");
        assert_eq!(t["response"]["headers"]["Content-Type"], "application/json");

        // I, J, K, D, G add nothing in v3's JSON.
        ex.audit.parts = "AIJKDGZ".into();
        let v = parse(&entry(&ex, "x"));
        assert_eq!(
            v["transaction"]["response"],
            serde_json::json!({"http_code": 200})
        );
        assert_eq!(
            v["transaction"]["request"]
                .as_object()
                .map(|o| o.keys().cloned().collect::<Vec<_>>()),
            // serde_json sorts keys; the order written is checked in the full-record test.
            Some(vec![
                "http_version".to_string(),
                "method".into(),
                "uri".into()
            ])
        );
    }

    #[test]
    fn messages_hold_only_logging_rules_and_producer_names_the_mode() {
        let mut ex = exchange();
        ex.audit.parts = "AHZ".into();
        let mut quiet = rule(1, "quiet");
        quiet.logged = false;
        ex.matched.push(quiet);
        let mut scored = rule(949110, "Inbound Anomaly Score Exceeded");
        scored.tags = std::sync::Arc::new([]);
        scored.rev = Some("3".into());
        scored.maturity = Some(4);
        scored.accuracy = Some(5);
        ex.matched.push(scored);
        ex.engine_mode = EngineMode::DetectionOnly;
        let v = parse(&entry(&ex, "x"));
        let t = &v["transaction"];
        assert_eq!(t["producer"]["secrules_engine"], "DetectionOnly");
        assert_eq!(t["producer"]["connector"], "rampart");
        assert_eq!(t["producer"]["components"], serde_json::json!([]));
        let messages = t["messages"].as_array().cloned().unwrap_or_default();
        let ids: Vec<&str> = messages
            .iter()
            .filter_map(|m| m["details"]["ruleId"].as_str())
            .collect();
        assert_eq!(ids, ["942100", "949110"]);
        assert_eq!(messages[1]["details"]["tags"], serde_json::json!([]));
        assert_eq!(messages[1]["details"]["rev"], "3");
        assert_eq!(messages[1]["details"]["maturity"], "4");
        assert_eq!(messages[1]["details"]["accuracy"], "5");
    }

    #[test]
    fn repeated_headers_stay_repeated_keys_and_controls_are_escaped() {
        let mut ex = exchange();
        ex.audit.parts = "ABZ".into();
        ex.request_headers = vec![
            ("Cookie".into(), "a=1".into()),
            ("Cookie".into(), "b=\u{1f}\u{7f}\t\\/".into()),
        ];
        let line = entry(&ex, "x");
        assert!(
            line.contains(r#""headers":{"Cookie":"a=1","Cookie":"b=\u001F"#.to_owned().as_str()),
            "{line}"
        );
        assert!(line.contains("\u{7f}\\t\\\\/\"}"), "{line}");
        parse(&line);
    }

    #[test]
    fn http_versions_are_numbers() {
        let mut ex = exchange();
        for (given, written) in [("1.0", "1.0"), ("1.1", "1.1"), ("2", "2.0"), ("junk", "0")] {
            ex.http_version = given.into();
            assert!(entry(&ex, "x").contains(&format!("\"http_version\":{written},")));
        }
    }

    #[test]
    fn audit_engine_on_off_and_relevant_only() {
        let mut relevance = Relevance::default();
        let mut ex = exchange();
        ex.audit.engine = AuditEngine::On;
        ex.matched.clear();
        assert!(wanted(&ex, &mut relevance));
        ex.audit.engine = AuditEngine::Off;
        ex.matched = vec![rule(1, "x")];
        assert!(!wanted(&ex, &mut relevance));

        // RelevantOnly with ModSecurity's recommended pattern.
        ex.audit.engine = AuditEngine::RelevantOnly;
        ex.matched.clear();
        for (status, expected) in [
            (200, false),
            (404, false),
            (403, true),
            (500, true),
            (502, true),
            (301, false),
        ] {
            ex.status = status;
            assert_eq!(wanted(&ex, &mut relevance), expected, "status {status}");
        }
        // A logged rule makes any status relevant; a nolog/noauditlog one does not.
        ex.status = 200;
        let mut quiet = rule(2, "quiet");
        quiet.logged = false;
        ex.matched = vec![quiet];
        assert!(!wanted(&ex, &mut relevance));
        ex.matched.push(rule(3, "loud"));
        assert!(wanted(&ex, &mut relevance));
        // No pattern: only rules count.
        ex.matched.clear();
        ex.audit.relevant_status = None;
        ex.status = 500;
        assert!(!wanted(&ex, &mut relevance));
        // The engine Off logs nothing, as v3's processLogging returns early.
        ex.audit.engine = AuditEngine::On;
        ex.engine_mode = EngineMode::Off;
        assert!(!wanted(&ex, &mut relevance));
    }

    #[test]
    fn relevant_status_is_a_search_compiled_once() {
        let mut relevance = Relevance::default();
        assert!(relevance.status_matches("0", 503));
        assert!(!relevance.status_matches("^0", 503));
        assert!(relevance.status_matches("^(?:5|4(?!04))", 418));
        assert_eq!(relevance.compiled.len(), 3);
        assert!(relevance.status_matches("0", 200));
        assert_eq!(relevance.compiled.len(), 3);
        assert!(!relevance.status_matches("(", 500));
        assert!(!relevance.status_matches("(", 500));
        assert_eq!(relevance.invalid.len(), 1, "{:?}", relevance.invalid);
    }

    #[test]
    fn producer_looks_like_whoami() {
        let p = producer();
        assert!(
            p.starts_with(&format!("rampart v{} (", env!("CARGO_PKG_VERSION"))),
            "{p}"
        );
        #[cfg(target_os = "linux")]
        assert!(p.ends_with(" (Linux)"), "{p}");
    }

    #[test]
    fn server_id_is_forty_hex_digits_and_stable() {
        let id = server_id();
        assert_eq!(id.len(), 40);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(id, server_id());
    }
}
