//! libmodsecurity through the safe wrappers: interventions, logged matches, rule errors,
//! many transactions, and one rule set shared by threads.
#![cfg(feature = "modsecurity")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Barrier};

use rampart_modsecurity::{Error, Intervention, ModSecurity, Rules, Transaction};

const RULES: &str = r#"
SecRuleEngine On
SecRequestBodyAccess On
SecRule ARGS:q "@contains evil" "id:1001,phase:1,deny,status:403,msg:'evil in q',logdata:'q=%{MATCHED_VAR}',severity:'CRITICAL',tag:'attack-test',tag:'two words'"
SecRule ARGS:w "@rx ^warn" "id:1002,phase:1,pass,log,msg:'warning for %{MATCHED_VAR_NAME}',logdata:'%{MATCHED_VAR}',severity:'WARNING',tag:'t1',tag:'t2',rev:'7',ver:'test/1'"
SecRule ARGS:r "@streq go" "id:1003,phase:1,redirect:'https://example.com/login',msg:'redirected'"
SecRule REQUEST_HEADERS:X-Bin "@rx ^a\x00\xffb$" "id:1004,phase:1,deny,status:406,msg:'binary header'"
SecRule REQUEST_BODY "@contains bodyattack" "id:1005,phase:2,deny,status:418,msg:'body'"
"#;

fn rules() -> Arc<Rules> {
    let mut rules = Rules::new().unwrap();
    assert_eq!(rules.add(RULES).unwrap(), 5);
    Arc::new(rules)
}

/// Runs a GET through phase 1 and returns the intervention, if any.
fn get(
    engine: &Arc<ModSecurity>,
    rules: &Arc<Rules>,
    uri: &str,
) -> (Transaction, Option<Intervention>) {
    let mut tx = Transaction::new(engine, rules).unwrap();
    tx.process_connection("192.0.2.7", 40000, "198.51.100.1", 8080)
        .unwrap();
    tx.process_uri(uri, "GET", "1.1").unwrap();
    tx.add_request_header("Host", "example.test").unwrap();
    tx.process_request_headers().unwrap();
    let it = tx.intervention();
    (tx, it)
}

#[test]
fn deny_gives_status_and_rule() {
    let engine = ModSecurity::instance().unwrap();
    assert!(
        engine.who_am_i().starts_with("ModSecurity v3."),
        "{}",
        engine.who_am_i()
    );
    let rules = rules();
    let (tx, it) = get(&engine, &rules, "/search?q=very+evil+thing");
    let it = it.expect("a deny intervention");
    assert!(it.disruptive);
    assert_eq!(it.status, 403);
    assert_eq!(it.url, None);
    let log = it.log.as_deref().unwrap();
    assert!(log.contains("[id \"1001\"]"), "{log}");
    let rule = it.rule.as_ref().unwrap();
    assert_eq!(rule.id, Some(1001));
    assert!(rule.disruptive);
    assert_eq!(rule.status, Some(403));
    assert_eq!(rule.phase, Some(1));
    assert_eq!(rule.msg, "evil in q");
    assert_eq!(rule.data, "q=very evil thing");
    assert_eq!(rule.severity, Some(2));
    assert_eq!(rule.tags, vec!["attack-test", "two words"]);
    // The intervention is reported once, and its rule is among the matched rules.
    let mut tx = tx;
    assert_eq!(tx.intervention(), None);
    let matched = tx.matched_rules();
    assert_eq!(matched.len(), 1);
    assert_eq!(matched[0].id, Some(1001));
}

#[test]
fn pass_logs_a_parsed_match() {
    let engine = ModSecurity::instance().unwrap();
    let rules = rules();
    let (mut tx, it) = get(&engine, &rules, "/p?w=warning-text");
    assert_eq!(it, None);
    tx.process_request_body().unwrap();
    tx.process_response_headers(200, "HTTP 1.1").unwrap();
    tx.process_response_body().unwrap();
    tx.process_logging().unwrap();
    let matched = tx.take_matched_rules();
    assert_eq!(matched.len(), 1, "{matched:#?}");
    let r = &matched[0];
    assert_eq!(r.id, Some(1002));
    assert_eq!(r.phase, Some(1));
    assert!(!r.disruptive);
    assert_eq!(r.status, None);
    assert_eq!(r.msg, "warning for ARGS:w");
    assert_eq!(r.data, "warning-text");
    assert_eq!(r.severity, Some(4));
    assert_eq!(r.tags, vec!["t1", "t2"]);
    assert_eq!(r.rev, "7");
    assert_eq!(r.ver, "test/1");
    assert_eq!(r.file, "<<reference missing or not informed>>");
    assert_eq!(r.line, Some(5));
    assert_eq!(r.hostname, "198.51.100.1");
    assert_eq!(r.uri, "/p");
    assert_eq!(r.unique_id, tx.id());
    assert!(
        r.match_message.starts_with(
            "Matched \"Operator `Rx' with parameter `^warn' against variable `ARGS:w'"
        ),
        "{}",
        r.match_message
    );
    assert!(r.raw.starts_with("ModSecurity: Warning. "), "{}", r.raw);
    assert!(tx.matched_rules().is_empty());
}

#[test]
fn redirect_gives_the_url() {
    let engine = ModSecurity::instance().unwrap();
    let rules = rules();
    let (_tx, it) = get(&engine, &rules, "/?r=go");
    let it = it.expect("a redirect intervention");
    assert_eq!(it.status, 302);
    assert_eq!(it.url.as_deref(), Some("https://example.com/login"));
    assert_eq!(it.rule.and_then(|r| r.id), Some(1003));
}

#[test]
fn request_body_is_inspected() {
    let engine = ModSecurity::instance().unwrap();
    let rules = rules();
    let mut tx = Transaction::with_id(&engine, &rules, "body-1").unwrap();
    assert_eq!(tx.id(), "body-1");
    tx.process_connection("192.0.2.7", 40000, "198.51.100.1", 8080)
        .unwrap();
    tx.process_uri("/upload", "POST", "1.1").unwrap();
    tx.add_request_header("Content-Type", "text/plain").unwrap();
    tx.process_request_headers().unwrap();
    assert_eq!(tx.intervention(), None);
    tx.append_request_body(b"first part, body").unwrap();
    tx.append_request_body(b"attack in two pieces").unwrap();
    tx.process_request_body().unwrap();
    let it = tx.intervention().expect("phase 2 deny");
    assert_eq!(it.status, 418);
    let rule = it.rule.unwrap();
    assert_eq!((rule.id, rule.phase), (Some(1005), Some(2)));
    assert_eq!(rule.unique_id, "body-1");
}

#[test]
fn header_bytes_pass_intact() {
    // NUL and 0xff inside a header value reach the rule (the `_n` call), where a C-string
    // call would have cut the value at the NUL.
    let engine = ModSecurity::instance().unwrap();
    let rules = rules();
    let mut tx = Transaction::new(&engine, &rules).unwrap();
    tx.process_connection("192.0.2.7", 1, "198.51.100.1", 2)
        .unwrap();
    tx.process_uri("/", "GET", "1.1").unwrap();
    tx.add_request_header(&b"X-Bin"[..], &b"a\x00\xffb"[..])
        .unwrap();
    tx.process_request_headers().unwrap();
    let it = tx.intervention().expect("the binary header rule");
    assert_eq!(it.status, 406);
    // A NUL where the C API takes a C string is refused, not truncated.
    let err = tx.process_uri("/a\0b", "GET", "1.1").unwrap_err();
    assert!(matches!(err, Error::Nul { what: "uri" }), "{err}");
}

#[test]
fn syntax_errors_carry_libmodsecurity_message() {
    let mut rules = Rules::new().unwrap();
    let err = rules
        .add("SecRule ARGS \"@rx a\" \"id:1,phase:1,deny,notanaction\"")
        .unwrap_err();
    let Error::Rules { origin, message } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(origin, "inline rules");
    assert!(message.contains("Expecting an action"), "{message}");
    assert!(message.contains("notanaction"), "{message}");
    // A second error reports itself, not the first one again.
    let err = rules.add("SecRuleEngine Sometimes").unwrap_err();
    let message = err.to_string();
    assert!(!message.contains("notanaction"), "{message}");
    assert!(message.contains("Line: 1"), "{message}");
    // The set still loads valid rules afterwards.
    assert_eq!(
        rules
            .add("SecRule ARGS \"@rx a\" \"id:2,phase:1,pass\"")
            .unwrap(),
        1
    );
    // A missing file.
    let err = rules.add_file("/nonexistent/rules.conf").unwrap_err();
    assert!(
        matches!(&err, Error::Rules { origin, .. } if origin == "/nonexistent/rules.conf"),
        "{err:?}"
    );
    assert!(!err.to_string().trim_end().ends_with(':'), "{err}");
}

#[test]
fn rules_from_a_file() {
    let dir = std::env::temp_dir().join(format!("rampart-msc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("rules.conf");
    std::fs::write(
        &file,
        "SecRuleEngine On\nSecRule ARGS \"@pmFromFile words.data\" \"id:3001,phase:1,deny,status:403\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("words.data"), "forbidden\n").unwrap();
    let mut rules = Rules::new().unwrap();
    assert_eq!(rules.add_file(&file).unwrap(), 1);
    let rules = Arc::new(rules);
    let engine = ModSecurity::instance().unwrap();
    let (tx, it) = get(&engine, &rules, "/?a=forbidden");
    let rule = it.unwrap().rule.unwrap();
    assert_eq!(rule.id, Some(3001));
    assert_eq!(rule.file, file.display().to_string());
    assert_eq!(rule.line, Some(2));
    drop(tx);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_thousand_transactions_come_and_go() {
    let engine = ModSecurity::instance().unwrap();
    let rules = rules();
    for i in 0..1000 {
        let uri = match i % 4 {
            0 => "/?q=evil",
            1 => "/?w=warn",
            2 => "/?r=go",
            _ => "/?x=1",
        };
        let (mut tx, it) = get(&engine, &rules, uri);
        assert_eq!(it.is_some(), i % 4 == 0 || i % 4 == 2, "{uri}");
        if i % 8 == 0 {
            tx.append_request_body(&[b'x'; 4096]).unwrap();
            tx.process_request_body().unwrap();
            tx.process_logging().unwrap();
        }
        // Half are dropped with a pending intervention never fetched.
    }
}

#[test]
fn eight_threads_share_one_rule_set() {
    const THREADS: usize = 8;
    const PER_THREAD: usize = 250;
    let engine = ModSecurity::instance().unwrap();
    let rules = rules();
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let (engine, rules, barrier) = (engine.clone(), rules.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                let mut seen = [0usize; 3];
                for i in 0..PER_THREAD {
                    let kind = (i + t) % 3;
                    let uri = match kind {
                        0 => format!("/t{t}?q=evil{i}"),
                        1 => format!("/t{t}?w=warn{i}"),
                        _ => format!("/t{t}?ok={i}"),
                    };
                    let (tx, it) = get(&engine, &rules, &uri);
                    let matched = tx.matched_rules();
                    match kind {
                        0 => {
                            assert_eq!(it.map(|it| it.status), Some(403));
                            assert_eq!(matched.len(), 1);
                            assert_eq!(matched[0].data, format!("q=evil{i}"));
                        }
                        1 => {
                            assert_eq!(it, None);
                            assert_eq!(matched.len(), 1);
                            // The line reached this transaction, not a neighbour's.
                            assert_eq!(matched[0].uri, format!("/t{t}"));
                            assert_eq!(matched[0].data, format!("warn{i}"));
                        }
                        _ => {
                            assert_eq!(it, None);
                            assert!(matched.is_empty());
                        }
                    }
                    seen[kind] += 1;
                }
                seen
            })
        })
        .collect();
    let mut total = 0;
    for h in handles {
        total += h.join().unwrap().iter().sum::<usize>();
    }
    assert_eq!(total, THREADS * PER_THREAD);
}

#[test]
fn engine_is_shared_and_recreated() {
    let a = ModSecurity::instance().unwrap();
    let b = ModSecurity::instance().unwrap();
    assert!(Arc::ptr_eq(&a, &b));
    fn assert_send_sync<T: Send + Sync>() {}
    fn assert_send<T: Send>() {}
    assert_send_sync::<ModSecurity>();
    assert_send_sync::<Rules>();
    assert_send::<Transaction>();
}
