use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use rampart_engine::{Intervention, MatchedRule};
use rampart_seclang::{AuditEngine, EngineMode};

use super::text::{escape_label_value, write_scaled};
use super::Metrics;
use crate::exchange::{AuditSettings, Exchange, UpstreamError};

// ---------------------------------------------------------------- exchanges

fn exchange(status: u16) -> Exchange {
    Exchange {
        unique_id: "test".into(),
        started: SystemTime::UNIX_EPOCH,
        client_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
        client_port: 40000,
        server_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
        server_port: 8080,
        hostname: "localhost".into(),
        method: "GET".into(),
        uri: "/".into(),
        http_version: "1.1".into(),
        request_headers: Vec::new(),
        request_body: Bytes::new(),
        status,
        response_headers: Vec::new(),
        response_body: Bytes::new(),
        bytes_sent: 0,
        matched: Vec::new(),
        rule_matches: 0,
        intervention: None,
        engine_mode: EngineMode::On,
        audit: AuditSettings {
            engine: AuditEngine::Off,
            parts: "ABIJDEFHZ".into(),
            relevant_status: None,
        },
        inbound_anomaly_score: 0,
        outbound_anomaly_score: 0,
        upstream_error: None,
        engine_error: None,
        engine_time: Duration::ZERO,
        duration: Duration::ZERO,
    }
}

fn matched(id: u64, phase: u8) -> MatchedRule {
    MatchedRule {
        id,
        phase,
        msg: String::new(),
        data: String::new(),
        severity: None,
        tags: std::sync::Arc::new([]),
        ver: None,
        rev: None,
        maturity: None,
        accuracy: None,
        file: "".into(),
        line: 0,
        matched_var_name: String::new(),
        matched_var: Vec::new(),
        match_message: String::new(),
        logged: true,
        disruptive: false,
    }
}

fn intervention(status: u16, rule_id: u64, phase: u8, drop: bool) -> Intervention {
    Intervention {
        status,
        url: None,
        drop,
        rule_id,
        phase,
        message: String::new(),
    }
}

/// An exchange blocked by CRS's inbound evaluation rule after `matches` rule matches.
fn blocked(status: u16, rule_id: u64, phase: u8, score: i64, matches: usize) -> Exchange {
    let mut exchange = exchange(status);
    exchange.matched = (0..matches)
        .map(|i| matched(942100 + i as u64, 2))
        .collect();
    exchange.matched.push(matched(rule_id, phase));
    exchange.rule_matches = exchange.matched.len() as u64;
    exchange.intervention = Some(intervention(status, rule_id, phase, false));
    exchange.inbound_anomaly_score = score;
    exchange
}

// ---------------------------------------------------------------- a tiny exposition parser

#[derive(Debug, Clone)]
struct Sample {
    name: String,
    labels: Vec<(String, String)>,
    raw: String,
    value: f64,
}

#[derive(Debug, Default)]
struct Exposition {
    help: HashMap<String, String>,
    kinds: HashMap<String, String>,
    samples: Vec<Sample>,
}

impl Exposition {
    /// Parses the text, checking the ordering rules on the way: HELP then TYPE once per family,
    /// both before its samples, and a family's samples contiguous.
    fn parse(text: &str) -> Exposition {
        assert!(text.ends_with('\n'), "the exposition ends with a line feed");
        let mut parsed = Exposition::default();
        let mut current: Option<String> = None;
        let mut finished: HashSet<String> = HashSet::new();
        for line in text.lines() {
            assert!(!line.is_empty(), "no empty lines");
            if let Some(rest) = line.strip_prefix("# HELP ") {
                let (name, help) = rest.split_once(' ').expect("HELP has text");
                assert!(
                    parsed
                        .help
                        .insert(name.into(), unescape_help(help))
                        .is_none(),
                    "{name}: one HELP"
                );
                if let Some(previous) = current.replace(name.into()) {
                    finished.insert(previous);
                }
                assert!(!finished.contains(name), "{name}: family not contiguous");
            } else if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').expect("TYPE has a kind");
                assert_eq!(current.as_deref(), Some(name), "TYPE right after its HELP");
                assert!(parsed
                    .samples
                    .iter()
                    .all(|s| family_of(&s.name, kind) != name));
                assert!(["counter", "gauge", "histogram"].contains(&kind), "{kind}");
                assert!(
                    parsed.kinds.insert(name.into(), kind.into()).is_none(),
                    "{name}: one TYPE"
                );
            } else {
                assert!(!line.starts_with('#'), "unexpected comment {line:?}");
                let sample = parse_sample(line);
                let family = current.as_deref().expect("a sample after a HELP");
                let kind = parsed.kinds.get(family).expect("TYPE before samples");
                assert_eq!(family_of(&sample.name, kind), family, "{line}");
                if kind == "counter" {
                    assert!(sample.name.ends_with("_total"), "{line}");
                }
                parsed.samples.push(sample);
            }
        }
        parsed
    }

    /// The one sample with exactly these labels.
    fn sample(&self, name: &str, labels: &[(&str, &str)]) -> &Sample {
        let found: Vec<_> = self
            .samples
            .iter()
            .filter(|s| s.name == name && same_labels(&s.labels, labels))
            .collect();
        assert_eq!(found.len(), 1, "{name} {labels:?}: {found:?}");
        found[0]
    }

    fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.sample(name, labels).value
    }

    fn all(&self, name: &str) -> Vec<&Sample> {
        self.samples.iter().filter(|s| s.name == name).collect()
    }

    /// Checks a histogram's shape and returns its cumulative buckets `(le, count)`, its raw
    /// `_sum` and its `_count`.
    fn histogram(&self, name: &str) -> (Vec<(String, u64)>, String, u64) {
        assert_eq!(self.kinds.get(name).map(String::as_str), Some("histogram"));
        let buckets: Vec<(String, u64)> = self
            .all(&format!("{name}_bucket"))
            .into_iter()
            .map(|s| {
                assert_eq!(s.labels.len(), 1);
                assert_eq!(s.labels[0].0, "le");
                (s.labels[0].1.clone(), s.value as u64)
            })
            .collect();
        assert!(!buckets.is_empty());
        let bounds: Vec<f64> = buckets
            .iter()
            .map(|(le, _)| le.parse::<f64>().expect("le"))
            .collect();
        assert!(
            bounds.windows(2).all(|w| w[0] < w[1]),
            "{name}: le ascending: {bounds:?}"
        );
        assert!(
            buckets.windows(2).all(|w| w[0].1 <= w[1].1),
            "{name}: cumulative: {buckets:?}"
        );
        assert_eq!(buckets.last().map(|b| b.0.as_str()), Some("+Inf"));
        let sum = self.sample(&format!("{name}_sum"), &[]).raw.clone();
        let count = self.value(&format!("{name}_count"), &[]) as u64;
        assert_eq!(
            buckets.last().map(|b| b.1),
            Some(count),
            "{name}: +Inf == _count"
        );
        (buckets, sum, count)
    }
}

fn family_of<'a>(sample: &'a str, kind: &str) -> &'a str {
    if kind == "histogram" {
        for suffix in ["_bucket", "_sum", "_count"] {
            if let Some(base) = sample.strip_suffix(suffix) {
                return base;
            }
        }
    }
    sample
}

fn same_labels(have: &[(String, String)], want: &[(&str, &str)]) -> bool {
    have.len() == want.len()
        && want
            .iter()
            .all(|(k, v)| have.iter().any(|(hk, hv)| hk == k && hv == v))
}

fn parse_sample(line: &str) -> Sample {
    let name_end = line.find(['{', ' ']).expect("a value");
    let name = &line[..name_end];
    assert!(
        name.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
        "metric name {name:?}"
    );
    let mut rest = &line[name_end..];
    let mut labels = Vec::new();
    if let Some(after) = rest.strip_prefix('{') {
        let mut chars = after.char_indices();
        loop {
            let mut key = String::new();
            for (_, c) in chars.by_ref() {
                if c == '=' {
                    break;
                }
                key.push(c);
            }
            assert!(
                !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "{line}"
            );
            assert_eq!(chars.next().map(|(_, c)| c), Some('"'), "{line}");
            let mut value = String::new();
            loop {
                match chars.next().expect("unterminated label value").1 {
                    '\\' => match chars.next().expect("escape").1 {
                        '\\' => value.push('\\'),
                        '"' => value.push('"'),
                        'n' => value.push('\n'),
                        other => panic!("bad escape \\{other} in {line}"),
                    },
                    '"' => break,
                    '\n' => panic!("raw line feed in {line}"),
                    c => value.push(c),
                }
            }
            labels.push((key, value));
            match chars.next().expect("label list continues") {
                (_, ',') => continue,
                (i, '}') => {
                    rest = &after[i + 1..];
                    break;
                }
                (_, c) => panic!("unexpected {c:?} in {line}"),
            }
        }
    }
    let raw = rest.strip_prefix(' ').expect("one space before the value");
    assert!(!raw.contains(' '), "no timestamp: {line}");
    let value = raw.parse::<f64>().expect("a float value");
    Sample {
        name: name.into(),
        labels,
        raw: raw.into(),
        value,
    }
}

fn unescape_help(text: &str) -> String {
    text.replace("\\n", "\n").replace("\\\\", "\\")
}

// ---------------------------------------------------------------- tests

#[test]
fn empty_metrics_render_every_family() {
    let parsed = Exposition::parse(&Metrics::new().render());
    for family in [
        "rampart_build_info",
        "rampart_requests_total",
        "rampart_requests_blocked_total",
        "rampart_rule_matches_total",
        "rampart_inbound_anomaly_score",
        "rampart_outbound_anomaly_score",
        "rampart_upstream_errors_total",
        "rampart_engine_errors_total",
        "rampart_engine_duration_seconds",
        "rampart_request_duration_seconds",
        "rampart_rule_set_generation",
        "rampart_rule_set_rules",
        "rampart_rule_set_reloads_total",
        "rampart_in_flight_requests",
    ] {
        assert!(parsed.help.contains_key(family), "{family}: HELP");
        assert!(parsed.kinds.contains_key(family), "{family}: TYPE");
    }
    assert_eq!(parsed.help.len(), 14);
    assert_eq!(
        parsed.value(
            "rampart_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        1.0
    );
    for class in ["1xx", "2xx", "3xx", "4xx", "5xx", "dropped", "other"] {
        assert_eq!(
            parsed.value("rampart_requests_total", &[("status_class", class)]),
            0.0
        );
    }
    assert!(parsed.all("rampart_requests_blocked_total").is_empty());
    for kind in ["connect", "timeout", "protocol"] {
        assert_eq!(
            parsed.value("rampart_upstream_errors_total", &[("kind", kind)]),
            0.0
        );
    }
    let (buckets, sum, count) = parsed.histogram("rampart_inbound_anomaly_score");
    let les: Vec<&str> = buckets.iter().map(|(le, _)| le.as_str()).collect();
    assert_eq!(
        les,
        ["0", "1", "2", "3", "5", "8", "10", "15", "20", "30", "50", "+Inf"]
    );
    assert_eq!((sum.as_str(), count), ("0", 0));
    let (buckets, _, _) = parsed.histogram("rampart_engine_duration_seconds");
    assert_eq!(buckets.first().map(|b| b.0.as_str()), Some("0.00001"));
    assert_eq!(buckets[buckets.len() - 2].0, "1");
    let (buckets, _, _) = parsed.histogram("rampart_request_duration_seconds");
    assert_eq!(buckets.first().map(|b| b.0.as_str()), Some("0.001"));
    assert_eq!(buckets[buckets.len() - 2].0, "60");
    assert_eq!(parsed.value("rampart_in_flight_requests", &[]), 0.0);
}

#[test]
fn observed_exchanges_render_exact_values() {
    let metrics = Metrics::new();

    let mut ok = exchange(200);
    ok.engine_time = Duration::from_micros(40);
    ok.duration = Duration::from_micros(3_000);
    metrics.observe(&ok);

    let mut redirect = exchange(302);
    redirect.matched = vec![matched(920350, 1)];
    redirect.rule_matches = 1;
    redirect.inbound_anomaly_score = 2;
    redirect.engine_time = Duration::from_micros(10); // exactly on a bound: le is inclusive
    redirect.duration = Duration::from_millis(1);
    metrics.observe(&redirect);

    let mut denied = blocked(403, 949110, 2, 15, 3);
    denied.engine_time = Duration::from_micros(1_200);
    denied.duration = Duration::from_micros(1_500);
    metrics.observe(&denied);
    metrics.observe(&blocked(403, 949110, 2, 23, 4));

    let mut outbound = blocked(403, 959100, 4, 0, 0);
    outbound.outbound_anomaly_score = 4;
    metrics.observe(&outbound);

    // `drop`: the client got no status at all.
    let mut dropped = exchange(0);
    dropped.intervention = Some(intervention(403, 920100, 1, true));
    dropped.matched = vec![matched(920100, 1)];
    dropped.rule_matches = 1;
    metrics.observe(&dropped);

    let mut upstream = exchange(502);
    upstream.upstream_error = Some(UpstreamError::Connect);
    upstream.duration = Duration::from_secs(90); // past the last bound
    metrics.observe(&upstream);
    metrics.upstream_error(UpstreamError::Connect);
    metrics.upstream_error(UpstreamError::Timeout);
    metrics.upstream_error(UpstreamError::Timeout);

    let mut failed = exchange(500);
    failed.engine_error = Some("boom".into());
    failed.inbound_anomaly_score = -3; // below every bound: falls in le="0"
    metrics.observe(&failed);

    metrics.observe(&exchange(101));
    metrics.observe(&exchange(999));

    metrics.rule_set_loaded(1, 700);
    metrics.reload_failed();
    metrics.rule_set_loaded(3, 812);

    let text = metrics.render();
    let parsed = Exposition::parse(&text);

    let requests = |class| parsed.value("rampart_requests_total", &[("status_class", class)]);
    assert_eq!(requests("1xx"), 1.0);
    assert_eq!(requests("2xx"), 1.0);
    assert_eq!(requests("3xx"), 1.0);
    assert_eq!(requests("4xx"), 3.0);
    assert_eq!(requests("5xx"), 2.0);
    assert_eq!(requests("dropped"), 1.0);
    assert_eq!(requests("other"), 1.0);

    let blocked_samples = parsed.all("rampart_requests_blocked_total");
    assert_eq!(blocked_samples.len(), 3, "{text}");
    let blocked = |rule, phase| {
        parsed.value(
            "rampart_requests_blocked_total",
            &[("rule_id", rule), ("phase", phase)],
        )
    };
    assert_eq!(blocked("949110", "2"), 2.0);
    assert_eq!(blocked("959100", "4"), 1.0);
    assert_eq!(blocked("920100", "1"), 1.0);
    // Sorted by rule id, labels in a fixed order.
    assert!(text.contains(
        "rampart_requests_blocked_total{rule_id=\"920100\",phase=\"1\"} 1\n\
         rampart_requests_blocked_total{rule_id=\"949110\",phase=\"2\"} 2\n"
    ));

    // 1 + (3+1) + (4+1) + (0+1) + 1
    assert_eq!(parsed.value("rampart_rule_matches_total", &[]), 12.0);

    let (buckets, sum, count) = parsed.histogram("rampart_inbound_anomaly_score");
    let cumulative: Vec<u64> = buckets.iter().map(|b| b.1).collect();
    // scores: 0,2,15,23,0,0,0,-3,0,0 → le 0:7, 2:8, 15:9, 30:10
    assert_eq!(cumulative, [7, 7, 8, 8, 8, 8, 8, 9, 9, 10, 10, 10]);
    assert_eq!((sum.as_str(), count), ("37", 10));

    let (buckets, sum, count) = parsed.histogram("rampart_outbound_anomaly_score");
    assert_eq!(buckets[0].1, 9);
    assert_eq!(buckets[4], ("5".to_string(), 10));
    assert_eq!((sum.as_str(), count), ("4", 10));

    let upstream = |kind| parsed.value("rampart_upstream_errors_total", &[("kind", kind)]);
    // Counted through `upstream_error` only, not again from the exchange.
    assert_eq!(upstream("connect"), 1.0);
    assert_eq!(upstream("timeout"), 2.0);
    assert_eq!(upstream("protocol"), 0.0);
    assert_eq!(parsed.value("rampart_engine_errors_total", &[]), 1.0);

    let (buckets, sum, count) = parsed.histogram("rampart_engine_duration_seconds");
    let bucket = |le: &str| buckets.iter().find(|b| b.0 == le).map(|b| b.1);
    assert_eq!(bucket("0.00001"), Some(8)); // seven zeros and the one exactly on 10 µs
    assert_eq!(bucket("0.000025"), Some(8));
    assert_eq!(bucket("0.00005"), Some(9));
    assert_eq!(bucket("0.001"), Some(9));
    assert_eq!(bucket("0.0025"), Some(10));
    assert_eq!((sum.as_str(), count), ("0.00125", 10));

    let (buckets, sum, count) = parsed.histogram("rampart_request_duration_seconds");
    let bucket = |le: &str| buckets.iter().find(|b| b.0 == le).map(|b| b.1);
    assert_eq!(bucket("0.001"), Some(7)); // six zeros and 1 ms
    assert_eq!(bucket("0.0025"), Some(8));
    assert_eq!(bucket("0.005"), Some(9));
    assert_eq!(bucket("60"), Some(9));
    assert_eq!(bucket("+Inf"), Some(10));
    assert_eq!((sum.as_str(), count), ("90.0055", 10));

    assert_eq!(parsed.value("rampart_rule_set_generation", &[]), 3.0);
    assert_eq!(parsed.value("rampart_rule_set_rules", &[]), 812.0);
    assert_eq!(
        parsed.value("rampart_rule_set_reloads_total", &[("result", "ok")]),
        2.0
    );
    assert_eq!(
        parsed.value("rampart_rule_set_reloads_total", &[("result", "failed")]),
        1.0
    );
}

#[test]
fn an_intervention_without_status_or_drop_is_not_a_block() {
    let metrics = Metrics::new();
    let mut exchange = exchange(200);
    exchange.intervention = Some(intervention(0, 1, 1, false));
    metrics.observe(&exchange);
    let parsed = Exposition::parse(&metrics.render());
    assert!(parsed.all("rampart_requests_blocked_total").is_empty());
}

#[test]
fn help_and_type_precede_samples_in_order() {
    let metrics = Metrics::new();
    metrics.observe(&blocked(403, 949110, 2, 5, 1));
    let text = metrics.render();
    let lines: Vec<&str> = text.lines().collect();
    let help = lines
        .iter()
        .position(|l| l.starts_with("# HELP rampart_requests_blocked_total "));
    let kind = lines
        .iter()
        .position(|l| *l == "# TYPE rampart_requests_blocked_total counter");
    let sample = lines
        .iter()
        .position(|l| l.starts_with("rampart_requests_blocked_total{"));
    assert!(
        matches!((help, kind, sample), (Some(h), Some(t), Some(s)) if h + 1 == t && t + 1 == s),
        "{text}"
    );
    assert!(text.contains("# TYPE rampart_inbound_anomaly_score histogram\nrampart_inbound_anomaly_score_bucket{le=\"0\"} 0\n"));
    assert!(text.contains("rampart_inbound_anomaly_score_bucket{le=\"+Inf\"} 1\nrampart_inbound_anomaly_score_sum 5\nrampart_inbound_anomaly_score_count 1\n"));
}

#[test]
fn in_flight_follows_guards() {
    let metrics = Arc::new(Metrics::new());
    let in_flight =
        |m: &Metrics| Exposition::parse(&m.render()).value("rampart_in_flight_requests", &[]);
    let first = metrics.in_flight();
    let second = metrics.in_flight();
    assert_eq!(in_flight(&metrics), 2.0);
    drop(first);
    assert_eq!(in_flight(&metrics), 1.0);
    let moved = std::thread::spawn(move || drop(second));
    moved.join().expect("thread");
    assert_eq!(in_flight(&metrics), 0.0);
}

#[test]
fn label_values_are_escaped() {
    let mut out = String::new();
    escape_label_value(&mut out, "a\\b\"c\nd");
    assert_eq!(out, "a\\\\b\\\"c\\nd");
    // and the parser gets the original back
    let sample = parse_sample(&format!("x{{v=\"{out}\"}} 1"));
    assert_eq!(sample.labels, [("v".to_string(), "a\\b\"c\nd".to_string())]);
}

#[test]
fn scaled_values_are_exact_decimals() {
    let cases: &[(i64, u64, &str)] = &[
        (0, 1_000_000, "0"),
        (10, 1_000_000, "0.00001"),
        (25, 1_000_000, "0.000025"),
        (1_000_000, 1_000_000, "1"),
        (2_500_000, 1_000_000, "2.5"),
        (60_000_000, 1_000_000, "60"),
        (90_005_500, 1_000_000, "90.0055"),
        (-1_500_000, 1_000_000, "-1.5"),
        (-7, 1, "-7"),
        (i64::MIN, 1, "-9223372036854775808"),
        (i64::MAX, 1_000_000, "9223372036854.775807"),
    ];
    for &(value, scale, want) in cases {
        let mut out = String::new();
        write_scaled(&mut out, value, scale);
        assert_eq!(out, want, "{value}/{scale}");
    }
}

#[test]
fn concurrent_observations_add_up_exactly() {
    const THREADS: u64 = 8;
    const PER_THREAD: u64 = 10_000;

    let metrics = Arc::new(Metrics::new());
    // Four kinds of exchange, observed in rotation.
    let mut ok = exchange(200);
    ok.engine_time = Duration::from_micros(30);
    ok.duration = Duration::from_micros(2_000);
    ok.matched = vec![matched(920350, 1)];
    ok.rule_matches = 1;
    ok.inbound_anomaly_score = 3;
    let mut denied = blocked(403, 949110, 2, 10, 2);
    denied.engine_time = Duration::from_micros(700);
    denied.duration = Duration::from_micros(800);
    let mut dropped = exchange(0);
    dropped.intervention = Some(intervention(403, 920100, 1, true));
    dropped.duration = Duration::from_millis(40);
    let mut failed = exchange(502);
    failed.engine_error = Some("x".into());
    failed.outbound_anomaly_score = 7;
    failed.duration = Duration::from_secs(2);
    let kinds = Arc::new([ok, denied, dropped, failed]);

    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let metrics = Arc::clone(&metrics);
            let kinds = Arc::clone(&kinds);
            std::thread::spawn(move || {
                for i in 0..PER_THREAD {
                    let _guard = metrics.in_flight();
                    metrics.observe(&kinds[((t + i) % 4) as usize]);
                    if i % 100 == 0 {
                        metrics.upstream_error(UpstreamError::Protocol);
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("observer thread");
    }

    let each = (THREADS * PER_THREAD / 4) as f64; // 20,000 of each kind
    let total = (THREADS * PER_THREAD) as f64;
    let parsed = Exposition::parse(&metrics.render());
    let requests = |class| parsed.value("rampart_requests_total", &[("status_class", class)]);
    assert_eq!(requests("2xx"), each);
    assert_eq!(requests("4xx"), each);
    assert_eq!(requests("dropped"), each);
    assert_eq!(requests("5xx"), each);
    let blocked = |rule, phase| {
        parsed.value(
            "rampart_requests_blocked_total",
            &[("rule_id", rule), ("phase", phase)],
        )
    };
    assert_eq!(blocked("949110", "2"), each);
    assert_eq!(blocked("920100", "1"), each);
    assert_eq!(parsed.all("rampart_requests_blocked_total").len(), 2);
    assert_eq!(parsed.value("rampart_rule_matches_total", &[]), each * 4.0);
    assert_eq!(parsed.value("rampart_engine_errors_total", &[]), each);
    assert_eq!(
        parsed.value("rampart_upstream_errors_total", &[("kind", "protocol")]),
        (THREADS * PER_THREAD / 100) as f64
    );
    assert_eq!(parsed.value("rampart_in_flight_requests", &[]), 0.0);

    let (buckets, sum, count) = parsed.histogram("rampart_inbound_anomaly_score");
    assert_eq!(count as f64, total);
    assert_eq!(sum.parse::<f64>().ok(), Some(each * 13.0));
    let bucket = |le: &str| buckets.iter().find(|b| b.0 == le).map(|b| b.1 as f64);
    assert_eq!(bucket("0"), Some(each * 2.0));
    assert_eq!(bucket("3"), Some(each * 3.0));
    assert_eq!(bucket("10"), Some(total));

    let (_, sum, count) = parsed.histogram("rampart_outbound_anomaly_score");
    assert_eq!(
        (sum.parse::<f64>().ok(), count as f64),
        (Some(each * 7.0), total)
    );

    // 20,000 × 730 µs = 14.6 s, exactly.
    let (buckets, sum, count) = parsed.histogram("rampart_engine_duration_seconds");
    assert_eq!((sum.as_str(), count as f64), ("14.6", total));
    let bucket = |le: &str| buckets.iter().find(|b| b.0 == le).map(|b| b.1 as f64);
    assert_eq!(bucket("0.00001"), Some(each * 2.0));
    assert_eq!(bucket("0.00005"), Some(each * 3.0));
    assert_eq!(bucket("0.001"), Some(total));

    // 20,000 × (2 ms + 0.8 ms + 40 ms + 2 s) = 40,856 s.
    let (buckets, sum, count) = parsed.histogram("rampart_request_duration_seconds");
    assert_eq!((sum.as_str(), count as f64), ("40856", total));
    let bucket = |le: &str| buckets.iter().find(|b| b.0 == le).map(|b| b.1 as f64);
    assert_eq!(bucket("0.001"), Some(each));
    assert_eq!(bucket("0.0025"), Some(each * 2.0));
    assert_eq!(bucket("0.05"), Some(each * 3.0));
    assert_eq!(bucket("2.5"), Some(total));
}
