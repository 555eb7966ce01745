//! Request and response bodies through the transaction: streaming, limits, processors.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::sync::Arc;

use rampart_engine::{BodyStatus, RuleSet, Transaction};

fn rules(text: &str) -> Arc<RuleSet> {
    let config = rampart_seclang::parse_str(text, "inline.conf").unwrap_or_else(|e| panic!("{e}"));
    Arc::new(RuleSet::compile(&config).unwrap_or_else(|e| panic!("{e:?}")))
}

fn ids(tx: &Transaction) -> Vec<u64> {
    tx.matched_rules()
        .iter()
        .filter(|r| r.logged)
        .map(|r| r.id)
        .collect()
}

fn post(
    rules: &Arc<RuleSet>,
    content_type: &str,
    chunks: impl IntoIterator<Item = Vec<u8>>,
) -> (Transaction, Vec<BodyStatus>) {
    let mut tx = Transaction::new(rules.clone());
    tx.process_connection("192.0.2.1", 1234, "127.0.0.1", 80);
    tx.process_uri(b"/upload", b"POST", b"1.1");
    tx.add_request_header(b"Host", b"example.com");
    tx.add_request_header(b"Content-Type", content_type.as_bytes());
    tx.process_request_headers();
    let statuses = chunks
        .into_iter()
        .map(|c| tx.append_request_body(&c))
        .collect();
    tx.process_request_body();
    tx.process_logging();
    (tx, statuses)
}

#[test]
fn a_100_mb_upload_streams_through_the_multipart_parser() {
    let rules = rules(
        "SecRuleEngine On\nSecRequestBodyAccess On\nSecRequestBodyLimit 209715200\n\
         SecRequestBodyInMemoryLimit 131072\n\
         SecRule FILES_SIZES \"@eq 104857600\" \"id:1,phase:2,pass,log\"\n\
         SecRule FILES:upload \"@streq big.bin\" \"id:2,phase:2,pass,log\"\n\
         SecRule REQUEST_BODY \"@le 131072\" \"id:3,phase:2,pass,log,t:length\"\n\
         SecRule REQUEST_BODY_LENGTH \"@gt 104857600\" \"id:4,phase:2,pass,log\"\n\
         SecRule ARGS_POST:note \"@streq hi\" \"id:5,phase:2,pass,log\"\n\
         SecRule REQBODY_ERROR \"@eq 0\" \"id:6,phase:2,pass,log\"\n",
    );
    let head = b"--b\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n\
                 --b\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"big.bin\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
        .to_vec();
    let chunk = vec![b'x'; 64 * 1024];
    let chunks = std::iter::once(head)
        .chain(std::iter::repeat_n(chunk, 1600))
        .chain(std::iter::once(b"\r\n--b--\r\n".to_vec()));
    let (tx, statuses) = post(&rules, "multipart/form-data; boundary=b", chunks);
    assert!(statuses.iter().all(|s| *s == BodyStatus::Accepted));
    assert_eq!(
        ids(&tx),
        vec![1, 2, 3, 4, 5, 6],
        "{:#?}",
        tx.matched_rules()
    );
}

#[test]
fn the_no_files_limit_applies_to_bodies_without_files() {
    let config = "SecRuleEngine On\nSecRequestBodyAccess On\nSecRequestBodyLimit 1000000\n\
                  SecRequestBodyNoFilesLimit 100\nSecRequestBodyLimitAction Reject\n";
    let (tx, statuses) = post(
        &rules(config),
        "application/json",
        [vec![b' '; 60], vec![b' '; 60]],
    );
    assert_eq!(statuses, vec![BodyStatus::Accepted, BodyStatus::Rejected]);
    let intervention = tx.intervention().unwrap();
    assert_eq!(intervention.status, 403);
    assert!(intervention
        .message
        .contains("no files data length is larger than the configured limit (100)"));

    let partial = format!(
        "{}SecRequestBodyLimitAction ProcessPartial\n\
         SecRule INBOUND_DATA_ERROR \"@eq 1\" \"id:1,phase:2,pass,log\"\n\
         SecRule ARGS_POST:a \"@streq 123\" \"id:2,phase:2,pass,log\"\n",
        config.replace("SecRequestBodyLimitAction Reject\n", "")
    );
    let body = format!("a=12345&b={}", "x".repeat(200)).into_bytes();
    let (tx, statuses) = post(
        &rules(&partial),
        "application/x-www-form-urlencoded",
        [body[..3].to_vec(), body[3..].to_vec()],
    );
    assert_eq!(statuses, vec![BodyStatus::Accepted, BodyStatus::Truncated]);
    assert!(tx.intervention().is_none());
    assert_eq!(
        ids(&tx),
        vec![1],
        "the cut-off body still reaches phase 2, but a=12345 is cut to 100 bytes"
    );
}

#[test]
fn json_and_xml_bodies_become_arguments_and_xpath_values() {
    let config = "SecRuleEngine On\nSecRequestBodyAccess On\n\
                  SecRule REQUEST_HEADERS:Content-Type \"@rx ^application/json\" \"id:10,phase:1,pass,nolog,ctl:requestBodyProcessor=JSON\"\n\
                  SecRule REQUEST_HEADERS:Content-Type \"@rx ^application/xml\" \"id:11,phase:1,pass,nolog,ctl:requestBodyProcessor=XML\"\n\
                  SecRule ARGS:json.user.roles.array_1 \"@streq admin\" \"id:1,phase:2,pass,log\"\n\
                  SecRule XML:/* \"@contains secret\" \"id:2,phase:2,pass,log\"\n\
                  SecRule XML://@* \"@streq v\" \"id:3,phase:2,pass,log\"\n\
                  SecRule REQBODY_ERROR \"@eq 1\" \"id:4,phase:2,pass,log,msg:'%{REQBODY_ERROR_MSG}'\"\n";
    let rules = rules(config);
    let (tx, _) = post(
        &rules,
        "application/json",
        [br#"{"user":{"roles":["user","admin"]}}"#.to_vec()],
    );
    assert_eq!(ids(&tx), vec![1]);
    let (tx, _) = post(
        &rules,
        "application/xml",
        [br#"<a k="v"><b>top secret</b></a>"#.to_vec()],
    );
    assert_eq!(ids(&tx), vec![2, 3]);
    let (tx, _) = post(&rules, "application/json", [b"{\"a\":".to_vec()]);
    assert_eq!(ids(&tx), vec![4]);
    let error = tx.matched_rules().iter().find(|r| r.id == 4).unwrap();
    assert!(
        error.msg.starts_with("JSON parsing error: "),
        "{}",
        error.msg
    );
}

#[test]
fn xml_external_entities_are_never_expanded() {
    let rules = rules(
        "SecRuleEngine On\nSecRequestBodyAccess On\n\
         SecRule REQUEST_HEADERS:Content-Type \"@rx xml\" \"id:10,phase:1,pass,nolog,ctl:requestBodyProcessor=XML\"\n\
         SecRule XML:/* \"@contains root:\" \"id:1,phase:2,pass,log\"\n",
    );
    let xxe =
        br#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#;
    let (tx, _) = post(&rules, "application/xml", [xxe.to_vec()]);
    assert_eq!(
        ids(&tx),
        Vec::<u64>::new(),
        "/etc/passwd must not have been read"
    );
}

#[test]
fn response_bodies_are_inspected_only_for_listed_types_and_within_the_limit() {
    let rules = rules(
        "SecRuleEngine On\nSecResponseBodyAccess On\nSecResponseBodyMimeType text/html\n\
         SecResponseBodyLimit 10\nSecResponseBodyLimitAction Reject\n\
         SecRule RESPONSE_BODY \"@contains leak\" \"id:1,phase:4,deny,status:502,log\"\n",
    );
    let respond = |content_type: &str, body: &[u8]| {
        let mut tx = Transaction::new(rules.clone());
        tx.process_uri(b"/", b"GET", b"1.1");
        tx.process_request_headers();
        tx.process_request_body();
        tx.add_response_header(b"Content-Type", content_type.as_bytes());
        tx.process_response_headers(200, b"HTTP/1.1");
        let status = tx.append_response_body(body);
        tx.process_response_body();
        (status, tx.intervention().map(|i| (i.status, i.phase)))
    };
    assert_eq!(
        respond("text/html; charset=utf-8", b"a leak"),
        (BodyStatus::Accepted, Some((502, 4)))
    );
    assert_eq!(
        respond("application/json", b"a leak"),
        (BodyStatus::Accepted, None),
        "not inspected"
    );
    assert_eq!(
        respond("text/html", b"way too long a body"),
        (BodyStatus::Rejected, Some((403, 4)))
    );
}

#[test]
fn files_tmp_content_is_kept_only_when_asked() {
    let rule = "SecRule FILES_TMP_CONTENT \"@contains <?php\" \"id:1,phase:2,pass,log\"\n";
    let body = b"--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\r\n<?php x\r\n--b--\r\n".to_vec();
    let base = "SecRuleEngine On\nSecRequestBodyAccess On\n";
    let (tx, _) = post(
        &rules(&format!("{base}{rule}")),
        "multipart/form-data; boundary=b",
        [body.clone()],
    );
    assert!(ids(&tx).is_empty());
    let (tx, _) = post(
        &rules(&format!("{base}SecTmpSaveUploadedFiles On\n{rule}")),
        "multipart/form-data; boundary=b",
        [body],
    );
    assert_eq!(ids(&tx), vec![1]);
}
