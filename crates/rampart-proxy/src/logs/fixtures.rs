//! A typical exchange for the formatting tests: a CRS SQL-injection warning on a GET.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use rampart_engine::MatchedRule;
use rampart_seclang::{AuditEngine, EngineMode, Severity};

use crate::exchange::{AuditSettings, Exchange};

/// 2026/11/24 13:59:01 UTC.
pub const STARTED: u64 = 1_795_528_741;

pub fn rule(id: u64, msg: &str) -> MatchedRule {
    MatchedRule {
        id,
        phase: 2,
        msg: msg.into(),
        data: "Matched Data: 1 union select found within ARGS:id".into(),
        severity: Some(Severity::Critical),
        tags: vec!["attack-sqli".into(), "paranoia-level/1".into()].into(),
        ver: Some("OWASP_CRS/4.28.0".into()),
        rev: None,
        maturity: None,
        accuracy: None,
        file: "/etc/crs/rules/REQUEST-942-APPLICATION-ATTACK-SQLI.conf".into(),
        line: 45,
        matched_var_name: "ARGS:id".into(),
        matched_var: b"1 union select".to_vec(),
        match_message: "Matched \"Operator `Rx' with parameter `(?i)union' against variable `ARGS:id' (Value: `1 union select' )".into(),
        logged: true,
        disruptive: false,
    }
}

pub fn exchange() -> Exchange {
    Exchange {
        unique_id: "1795530046.000017".into(),
        started: UNIX_EPOCH + Duration::from_secs(STARTED),
        client_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
        client_port: 51_000,
        server_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
        server_port: 8080,
        hostname: "localhost".into(),
        method: "GET".into(),
        uri: "/search?id=1%20union%20select".into(),
        http_version: "1.1".into(),
        request_headers: vec![
            ("Host".into(), "localhost".into()),
            ("User-Agent".into(), "curl/8.5.0".into()),
            ("Accept".into(), "*/*".into()),
        ],
        request_body: Bytes::new(),
        status: 200,
        response_headers: vec![("Content-Type".into(), "application/json".into())],
        response_body: Bytes::from_static(b"{\"ok\":true}"),
        bytes_sent: 11,
        matched: vec![rule(
            942100,
            "SQL Injection Attack Detected via libinjection",
        )],
        rule_matches: 1,
        intervention: None,
        engine_mode: EngineMode::On,
        audit: AuditSettings {
            engine: AuditEngine::On,
            parts: "ABIJDEFHZ".into(),
            relevant_status: Some("^(?:5|4(?!04))".into()),
        },
        inbound_anomaly_score: 5,
        outbound_anomaly_score: 0,
        upstream_error: None,
        engine_error: None,
        engine_time: Duration::from_micros(123),
        duration: Duration::from_micros(456),
    }
}
