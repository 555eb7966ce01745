//! ModSecurity v3's evaluation semantics, one behaviour per test, with inline rules.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::sync::Arc;

use rampart_engine::persist::InMemoryStore;
use rampart_engine::{RuleSet, Transaction};

fn rules(text: &str) -> Arc<RuleSet> {
    let config = rampart_seclang::parse_str(text, "inline.conf").unwrap_or_else(|e| panic!("{e}"));
    Arc::new(RuleSet::compile(&config).unwrap_or_else(|e| panic!("{e:?}")))
}

const ENGINE: &str = "SecRuleEngine On\nSecRequestBodyAccess On\n";

fn request(rules: &Arc<RuleSet>, uri: &str) -> Transaction {
    let mut tx = Transaction::new(rules.clone());
    tx.process_connection("192.0.2.1", 1234, "127.0.0.1", 80);
    tx.process_uri(uri.as_bytes(), b"GET", b"1.1");
    tx.add_request_header(b"Host", b"example.com");
    tx.process_request_headers();
    tx.process_request_body();
    tx.process_logging();
    tx
}

fn ids(tx: &Transaction) -> Vec<u64> {
    tx.matched_rules()
        .iter()
        .filter(|r| r.logged)
        .map(|r| r.id)
        .collect()
}

fn tx_var(tx: &Transaction, name: &str) -> String {
    String::from_utf8_lossy(tx.tx(name).unwrap_or_default()).into_owned()
}

#[test]
fn setvar_runs_per_matching_value_even_when_the_chain_fails() {
    let rules = rules(&format!(
        "{ENGINE}SecRule ARGS \"@rx a\" \"id:1,phase:1,pass,setvar:tx.hits=+1,chain\"\n\
         SecRule ARGS \"@rx nothing-matches\" \"t:none\"\n"
    ));
    let tx = request(&rules, "/?x=a&y=aa&z=b");
    assert_eq!(
        tx_var(&tx, "hits"),
        "2",
        "once per matching value, chain or no chain"
    );
    assert!(ids(&tx).is_empty());
}

#[test]
fn chained_rules_log_under_the_starter_with_the_last_matched_variable() {
    let rules = rules(&format!(
        "{ENGINE}SecRule ARGS:a \"@rx ^1$\" \"id:1,phase:1,pass,log,msg:'saw %{{MATCHED_VAR_NAME}}',chain\"\n\
         SecRule ARGS:b \"@rx ^2$\" \"t:none\"\n"
    ));
    let tx = request(&rules, "/?a=1&b=2");
    let rule = &tx.matched_rules()[0];
    assert_eq!(rule.id, 1);
    assert_eq!(rule.msg, "saw ARGS:b");
    assert_eq!(rule.matched_var, b"2");
}

#[test]
fn skip_after_jumps_to_the_marker() {
    let rules = rules(&format!(
        "{ENGINE}SecAction \"id:1,phase:1,pass,nolog,skipAfter:END\"\n\
         SecAction \"id:2,phase:1,pass,log\"\n\
         SecMarker END\n\
         SecAction \"id:3,phase:1,pass,log\"\n"
    ));
    assert_eq!(ids(&request(&rules, "/")), vec![3]);
}

#[test]
fn ctl_removes_later_rules_for_this_transaction_only() {
    let rules = rules(&format!(
        "{ENGINE}SecRule ARGS:off \"@streq 1\" \"id:1,phase:1,pass,nolog,ctl:ruleRemoveById=2\"\n\
         SecAction \"id:2,phase:1,pass,log\"\n"
    ));
    assert_eq!(ids(&request(&rules, "/?off=1")), Vec::<u64>::new());
    assert_eq!(ids(&request(&rules, "/?off=0")), vec![2]);
}

#[test]
fn ctl_remove_target_spares_only_that_argument() {
    let rules = rules(&format!(
        "{ENGINE}SecAction \"id:1,phase:1,pass,nolog,ctl:ruleRemoveTargetById=2;ARGS:pwd\"\n\
         SecRule ARGS \"@rx secret\" \"id:2,phase:1,pass,log\"\n"
    ));
    assert!(ids(&request(&rules, "/?pwd=secret")).is_empty());
    assert_eq!(ids(&request(&rules, "/?user=secret")), vec![2]);
}

/// Removals by tag and by `msg` name every chain that carries the tag (compared exactly) or
/// the message, and no other; a tag that no chain carries removes nothing.
#[test]
fn ctl_removals_by_tag_and_msg_name_exactly_their_chains() {
    let rules = rules(&format!(
        "{ENGINE}SecRule ARGS:mode \"@streq tag\" \"id:1,phase:1,pass,nolog,ctl:ruleRemoveByTag=noisy\"\n\
         SecRule ARGS:mode \"@streq Tag\" \"id:2,phase:1,pass,nolog,ctl:ruleRemoveByTag=NOISY\"\n\
         SecRule ARGS:mode \"@streq msg\" \"id:3,phase:1,pass,nolog,ctl:ruleRemoveByMsg=Loud one\"\n\
         SecRule ARGS:mode \"@streq target\" \"id:4,phase:1,pass,nolog,\
         ctl:ruleRemoveTargetByTag=noisy;ARGS:mode,ctl:ruleRemoveTargetByMsg=Loud one;ARGS:mode\"\n\
         SecRule ARGS:mode \"@rx .\" \"id:10,phase:1,pass,log,tag:other,tag:noisy\"\n\
         SecRule ARGS:mode \"@rx .\" \"id:11,phase:1,pass,log,tag:other\"\n\
         SecRule ARGS:mode \"@rx .\" \"id:12,phase:1,pass,log,msg:'Loud one'\"\n"
    ));
    assert_eq!(ids(&request(&rules, "/?mode=tag")), vec![11, 12]);
    assert_eq!(ids(&request(&rules, "/?mode=Tag")), vec![10, 11, 12]);
    assert_eq!(ids(&request(&rules, "/?mode=msg")), vec![10, 11]);
    assert_eq!(ids(&request(&rules, "/?mode=target")), vec![11]);
    assert_eq!(ids(&request(&rules, "/?mode=none")), vec![10, 11, 12]);
}

/// Removals are honoured whichever way a rule reads its values: in place, through the
/// prefilter's per-source summary, or resolved after a first match. The value logged is the
/// first one left after the removals, and a removed whole target is not read at all.
#[test]
fn ctl_remove_target_holds_on_every_reading_path() {
    let rules = rules(&format!(
        "{ENGINE}SecAction \"id:1,phase:1,pass,nolog,ctl:ruleRemoveTargetById=2;ARGS:a,\
         ctl:ruleRemoveTargetByTag=quiet;REQUEST_FILENAME\"\n\
         SecRule ARGS \"@rx attack\" \"id:2,phase:1,pass,log,t:none,t:lowercase,\
         msg:'%{{MATCHED_VAR_NAME}}'\"\n\
         SecRule REQUEST_FILENAME|ARGS:b \"@rx attack\" \"id:3,phase:1,pass,log,tag:quiet,\
         msg:'%{{MATCHED_VAR_NAME}}'\"\n\
         SecRule ARGS \"@streq x\" \"id:4,phase:1,pass,log,msg:'%{{MATCHED_VAR_NAME}}'\"\n"
    ));
    let msgs = |uri: &str| {
        let tx = request(&rules, uri);
        tx.matched_rules()
            .iter()
            .filter(|r| r.logged)
            .map(|r| format!("{}={}", r.id, r.msg))
            .collect::<Vec<_>>()
    };
    assert_eq!(msgs("/?a=ATTACK"), Vec::<String>::new());
    assert_eq!(msgs("/?a=ATTACK&c=Attack"), vec!["2=ARGS:c"]);
    assert_eq!(msgs("/attack?a=attack&b=no"), Vec::<String>::new());
    assert_eq!(msgs("/?b=attack"), vec!["2=ARGS:b", "3=ARGS:b"]);
    assert_eq!(msgs("/?a=x&b=x"), vec!["4=ARGS:b"], "rule 4 is not named");
}
#[test]
fn default_transformations_apply_unless_the_rule_says_t_none() {
    let rules = rules(&format!(
        "{ENGINE}SecDefaultAction \"phase:1,log,pass,t:lowercase\"\n\
         SecRule ARGS \"@streq abc\" \"id:1,phase:1\"\n\
         SecRule ARGS \"@streq abc\" \"id:2,phase:1,t:none\"\n"
    ));
    assert_eq!(ids(&request(&rules, "/?x=ABC")), vec![1]);
}

/// Whether a match is logged is the last word of the phase's defaults, then of the rule's
/// own actions, link by link from the innermost; `auditlog` says nothing, `noauditlog` says
/// no.
#[test]
fn the_last_log_action_decides() {
    let set = rules(&format!(
        "{ENGINE}SecDefaultAction \"phase:1,nolog,pass\"\n\
         SecDefaultAction \"phase:2,log,pass\"\n\
         SecRule ARGS \"@streq a\" \"id:1,phase:1,log\"\n\
         SecRule ARGS \"@streq a\" \"id:2,phase:1,auditlog\"\n\
         SecRule ARGS \"@streq a\" \"id:3,phase:2\"\n\
         SecRule ARGS \"@streq a\" \"id:4,phase:2,nolog\"\n\
         SecRule ARGS \"@streq a\" \"id:5,phase:2,log,noauditlog\"\n\
         SecRule ARGS \"@streq a\" \"id:6,phase:2,noauditlog,log\"\n\
         SecRule ARGS \"@streq a\" \"id:7,phase:2,nolog,auditlog\"\n\
         SecRule ARGS \"@streq a\" \"id:8,phase:2,nolog,chain\"\n\
             SecRule ARGS \"@streq a\" \"log\"\n\
         SecRule ARGS \"@streq a\" \"id:9,phase:2,log,chain\"\n\
             SecRule ARGS \"@streq a\" \"nolog\"\n"
    ));
    let tx = request(&set, "/?x=a");
    assert_eq!(ids(&tx), vec![1, 3, 6, 9]);
    assert_eq!(tx.match_count(), 9, "every match counts, logged or not");
}

#[test]
fn multi_match_tests_every_intermediate_value() {
    let rules = rules(&format!(
        "{ENGINE}SecRule ARGS \"@streq AB\" \"id:1,phase:1,pass,log,t:lowercase,multiMatch\"\n\
         SecRule ARGS \"@streq AB\" \"id:2,phase:1,pass,log,t:lowercase\"\n"
    ));
    assert_eq!(ids(&request(&rules, "/?x=AB")), vec![1]);
}

#[test]
fn capture_fills_tx_groups() {
    let rules = rules(&format!(
        "{ENGINE}SecRule ARGS:v \"@rx ^(\\w+)-(\\d+)$\" \"id:1,phase:1,pass,nolog,capture,setvar:tx.name=%{{tx.1}},setvar:tx.n=%{{tx.2}}\"\n"
    ));
    let tx = request(&rules, "/?v=abc-42");
    assert_eq!(
        (tx_var(&tx, "name"), tx_var(&tx, "n")),
        ("abc".into(), "42".into())
    );
}

#[test]
fn deny_intervenes_with_its_status_and_stops_the_phase() {
    let rules = rules(&format!(
        "{ENGINE}SecRule ARGS \"@contains attack\" \"id:1,phase:1,deny,status:406,log\"\n\
         SecAction \"id:2,phase:1,pass,log\"\n"
    ));
    let tx = request(&rules, "/?q=attack");
    let intervention = tx.intervention().unwrap();
    assert_eq!((intervention.status, intervention.rule_id), (406, 1));
    assert_eq!(
        intervention.message,
        "Access denied with code 406 (phase 1)"
    );
    assert_eq!(ids(&tx), vec![1]);
}

#[test]
fn detection_only_logs_without_intervening() {
    let rules = rules(
        "SecRuleEngine DetectionOnly\nSecRule ARGS \"@contains attack\" \"id:1,phase:1,deny,log\"\n",
    );
    let tx = request(&rules, "/?q=attack");
    assert!(tx.intervention().is_none());
    assert_eq!(ids(&tx), vec![1]);
}

#[test]
fn block_uses_the_phase_default_disruptive_action() {
    let rules = rules(&format!(
        "{ENGINE}SecDefaultAction \"phase:1,log,deny,status:429\"\n\
         SecRule ARGS \"@contains x\" \"id:1,phase:1,block\"\n"
    ));
    assert_eq!(request(&rules, "/?q=x").intervention().unwrap().status, 429);
}

#[test]
fn persistent_collections_carry_over_between_transactions() {
    let rules = rules(&format!(
        // As in CRS, the collection is opened by its own rule: a rule's setvar runs before its
        // initcol (per-match actions come before after-match ones).
        "{ENGINE}SecAction \"id:1,phase:1,pass,nolog,initcol:ip=%{{REMOTE_ADDR}}\"\n\
         SecAction \"id:4,phase:1,pass,nolog,setvar:ip.seen=+1\"\n\
         SecRule IP:seen \"@ge 3\" \"id:2,phase:1,pass,log\"\n"
    ));
    let store = Arc::new(InMemoryStore::default());
    let mut logged = Vec::new();
    for _ in 0..3 {
        let mut tx = Transaction::with_store(rules.clone(), store.clone());
        tx.process_connection("198.51.100.7", 1, "127.0.0.1", 80);
        tx.process_uri(b"/", b"GET", b"1.1");
        tx.process_request_headers();
        tx.process_logging();
        logged.push(ids(&tx));
    }
    assert_eq!(logged, vec![vec![], vec![], vec![2]]);
}

#[test]
fn counting_and_exclusions() {
    let rules = rules(&format!(
        "{ENGINE}SecRule &ARGS \"@eq 3\" \"id:1,phase:1,pass,log\"\n\
         SecRule ARGS|!ARGS:safe \"@contains bad\" \"id:2,phase:1,pass,log\"\n\
         SecRule &REQUEST_HEADERS:X-Missing \"@eq 0\" \"id:3,phase:1,pass,log\"\n"
    ));
    assert_eq!(ids(&request(&rules, "/?a=1&b=2&safe=bad")), vec![1, 3]);
}

#[test]
fn a_transformation_that_only_drops_trailing_bytes_still_applies() {
    let rules = rules(&format!(
        "{ENGINE}SecRule ARGS \"@rx \\.php$\" \"id:1,phase:1,pass,log,t:none,t:removeWhitespace\"\n\
         SecRule ARGS \"@streq abc\" \"id:2,phase:1,pass,log,t:none,t:trimRight\"\n"
    ));
    assert_eq!(
        ids(&request(&rules, "/?f=photo.php%20%20&g=abc%20")),
        vec![1, 2]
    );
}

/// The literal prefilter and the per-phase value sources must never hide a match: rules that
/// share a source see values added in a later phase, negated rules match where their literals
/// are absent, and a value changed by a transformation is scanned as changed.
#[test]
fn prefiltered_rules_match_exactly_as_their_regexes() {
    let set = rules(&format!(
        "{ENGINE}\
SecRule ARGS \"@rx (?i)union\\s+select\" \"id:1,phase:1,pass,log,t:none\"\n\
SecRule ARGS \"@rx (?i)<script\" \"id:2,phase:1,pass,log,t:none\"\n\
SecRule ARGS \"@rx (?i)union\\s+select\" \"id:3,phase:2,pass,log,t:none\"\n\
SecRule ARGS \"!@rx (?i)union\" \"id:4,phase:2,pass,log,t:none\"\n\
SecRule ARGS \"@rx <script\" \"id:5,phase:2,pass,log,t:none,t:urlDecodeUni,t:lowercase\"\n\
SecRule ARGS_NAMES \"@rx select\" \"id:6,phase:2,pass,log,t:none\"\n"
    ));
    let mut tx = Transaction::new(set.clone());
    tx.process_connection("192.0.2.1", 1234, "127.0.0.1", 80);
    tx.process_uri(b"/?q=hello", b"POST", b"1.1");
    tx.add_request_header(b"Host", b"example.com");
    tx.add_request_header(b"Content-Type", b"application/x-www-form-urlencoded");
    tx.process_request_headers();
    tx.append_request_body(b"a=1+UNION+SELECT+2&b=%253CSCRIPT%253E");
    tx.process_request_body();
    tx.process_logging();
    // Phase 1 sees only `q=hello`; phase 2 also the body's arguments. `b` decodes once as
    // a form value (`%3CSCRIPT%3E`), then t:urlDecodeUni and t:lowercase give `<script>`.
    assert_eq!(ids(&tx), vec![3, 4, 5]);
    let benign = request(&set, "/?q=hello&select=1");
    assert_eq!(ids(&benign), vec![4, 6]);
}

/// A rule whose literals occur in none of a target's values passes that target over, yet
/// counts its values: every later matching value is still seen, each once, in order.
#[test]
fn targets_passed_over_by_the_prefilter_keep_every_later_match() {
    let set = rules(&format!(
        "{ENGINE}\
SecRule REQUEST_HEADERS|ARGS_NAMES|ARGS|REQUEST_FILENAME \"@rx attack\" \
\"id:1,phase:1,pass,log,t:none,setvar:tx.hits=+1,setvar:'tx.seen=%{{tx.seen}} %{{MATCHED_VAR_NAME}}'\"\n\
SecRule REQUEST_HEADERS|ARGS \"@rx attack\" \"id:2,phase:1,pass,log,t:none,t:lowercase,setvar:tx.lower=+1\"\n"
    ));
    let mut tx = Transaction::new(set);
    tx.process_connection("192.0.2.1", 1234, "127.0.0.1", 80);
    tx.process_uri(
        b"/attack?x=1&y=attack&attack=2&z=ATTACK&w=attack",
        b"GET",
        b"1.1",
    );
    tx.add_request_header(b"Host", b"example.com");
    tx.add_request_header(b"Accept", b"*/*");
    tx.add_request_header(b"X-Attack", b"no");
    tx.process_request_headers();
    tx.process_logging();
    assert_eq!(tx_var(&tx, "hits"), "4");
    assert_eq!(
        tx_var(&tx, "seen"),
        " ARGS_NAMES:attack ARGS:y ARGS:w REQUEST_FILENAME"
    );
    assert_eq!(tx_var(&tx, "lower"), "3", "y, z and w once lowercased");
}

/// Chains that read the same target share the summary of its values as stored when they
/// cannot change any of them beyond ASCII case; a chain that can change one (a `%` for
/// t:urlDecodeUni, a `&` for t:htmlEntityDecode) screens each value as it transforms it.
#[test]
fn chains_share_the_stored_summary_only_when_they_change_nothing() {
    let set = rules(&format!(
        "{ENGINE}\
SecRule ARGS \"@rx <script\" \"id:1,phase:1,pass,log,t:none\"\n\
SecRule ARGS \"@rx <script\" \"id:2,phase:1,pass,log,t:none,t:urlDecodeUni\"\n\
SecRule ARGS \"@rx script\" \"id:3,phase:1,pass,log,t:none,t:lowercase\"\n\
SecRule ARGS \"@rx <script\" \"id:4,phase:1,pass,log,t:none,t:htmlEntityDecode\"\n\
SecRule ARGS \"@rx <script\" \"id:5,phase:1,pass,log,t:none,t:lowercase,t:urlDecodeUni,multiMatch\"\n"
    ));
    // The query string is decoded once: `a` is stored as `%3Cscript`.
    assert_eq!(
        ids(&request(&set, "/?a=%253Cscript&b=SCRIPT")),
        vec![2, 3, 5]
    );
    assert_eq!(
        ids(&request(&set, "/?a=%253Cscript&b=SCRIPT&c=%26lt;script")),
        vec![2, 3, 4, 5]
    );
    assert_eq!(ids(&request(&set, "/?b=Script")), vec![3]);
    // Nothing to decode: the `multiMatch` rule takes the stored summary, whose scan ignores
    // case, and its lowercase stage matches.
    assert_eq!(ids(&request(&set, "/?d=%3CSCRIPT")), vec![3, 5]);
}

/// A rule that the phase's summaries rule out is passed over without being entered, and
/// still leaves what a failed rule leaves: no MATCHED_VAR.
#[test]
fn a_rule_ruled_out_by_summaries_still_clears_matched_var() {
    let set = rules(&format!(
        "{ENGINE}\
SecRule ARGS \"@rx needle\" \"id:1,phase:1,pass,nolog,t:none\"\n\
SecRule ARGS \"@streq hello\" \"id:2,phase:1,pass,nolog,t:none\"\n\
SecAction \"id:3,phase:1,pass,log,msg:'[%{{MATCHED_VAR}}]'\"\n\
SecRule ARGS \"@rx needle\" \"id:4,phase:1,pass,nolog,t:none\"\n\
SecAction \"id:5,phase:1,pass,log,msg:'[%{{MATCHED_VAR}}]'\"\n"
    ));
    let msgs = |uri: &str| {
        request(&set, uri)
            .matched_rules()
            .iter()
            .filter(|r| r.logged)
            .map(|r| format!("{}={}", r.id, r.msg))
            .collect::<Vec<_>>()
    };
    assert_eq!(msgs("/?a=hello"), vec!["3=[hello]", "5=[]"]);
    assert_eq!(msgs("/?a=hello&b=needle"), vec!["3=[hello]", "5=[needle]"]);
}

/// A prefiltered `multiMatch` rule screens each stage of its transformations on its own: the
/// literal may appear only part-way (here after the URL decoding, before the base64 decoding
/// garbles it), only at the end, or only in the raw value.
#[test]
fn prefiltered_multi_match_screens_every_stage() {
    let rules = rules(&format!(
        "{ENGINE}SecRule ARGS \"@rx <script\" \"id:1,phase:1,pass,log,t:none,t:urlDecodeUni,t:base64Decode,multiMatch,setvar:tx.hits=+1\"\n\
         SecRule ARGS \"!@rx <script\" \"id:2,phase:1,pass,log,t:none,t:urlDecodeUni,multiMatch,setvar:tx.misses=+1\"\n"
    ));
    // `%3Cscript`, `PHNjcmlwdA==` (base64 of `<script`), and a raw `<script` that the
    // decoders leave alone.
    let tx = request(
        &rules,
        "/?a=%253Cscript&b=PHNjcmlwdA%3D%3D&c=hello&d=%3Cscript",
    );
    assert_eq!(tx_var(&tx, "hits"), "3");
    // `a` fails `<script` raw, `b` and `c` at every stage; `d` never does.
    assert_eq!(tx_var(&tx, "misses"), "3");
    assert_eq!(
        ids(&tx),
        vec![1, 1, 1, 2, 2, 2],
        "logged at each matching value"
    );
}

/// A transaction reuses the emptied storage of the one dropped before it on the same thread;
/// nothing the first one read, set, matched or cached may show in the second.
#[test]
fn a_transaction_sees_nothing_of_the_one_before_it() {
    let rules = rules(&format!(
        "{ENGINE}SecRule ARGS \"@rx ^evil\" \"id:1,phase:1,pass,t:none,t:lowercase,capture,setvar:tx.seen=%{{tx.0}}\"\n\
         SecRule &TX:seen \"@gt 0\" \"id:2,phase:2,pass\"\n\
         SecRule &ARGS \"@gt 0\" \"id:3,phase:2,pass\"\n\
         SecRule MATCHED_VARS \"@rx .\" \"id:4,phase:2,pass\"\n\
         SecRule TX:0 \"@rx .\" \"id:5,phase:2,pass\"\n"
    ));
    let first = request(&rules, "/?q=EvilThing");
    assert_eq!(ids(&first), [1, 2, 3, 4, 5]);
    assert_eq!(tx_var(&first, "seen"), "evil");
    drop(first);
    let second = request(&rules, "/");
    assert!(ids(&second).is_empty(), "{:?}", ids(&second));
    assert!(second.tx("seen").is_none());
    assert!(second.tx("0").is_none());
    let third = request(&rules, "/?q=EVILAGAIN");
    assert_eq!(ids(&third), [1, 2, 3, 4, 5]);
}

#[test]
fn full_request_is_the_headers_a_blank_line_and_the_body_once_the_body_is_read() {
    let rules = rules(&format!(
        "{ENGINE}SecAction \"id:1,phase:1,pass,nolog,\
         setvar:'tx.early=[%{{FULL_REQUEST}}][%{{FULL_REQUEST_LENGTH}}]'\"\n\
         SecAction \"id:2,phase:2,pass,nolog,\
         setvar:'tx.full=%{{FULL_REQUEST}}',setvar:'tx.length=%{{FULL_REQUEST_LENGTH}}'\"\n\
         SecRule FULL_REQUEST \"@rx ^Host: example\\.com\\nContent-Type: text/plain\\n\\n\\nhello$\" \
         \"id:3,phase:2,pass,log\"\n\
         SecRule FULL_REQUEST_LENGTH \"@eq 50\" \"id:4,phase:2,pass,log\"\n"
    ));
    let mut tx = Transaction::new(rules.clone());
    tx.process_connection("192.0.2.1", 1234, "127.0.0.1", 80);
    tx.process_uri(b"/submit", b"POST", b"1.1");
    tx.add_request_header(b"Host", b"example.com");
    tx.add_request_header(b"Content-Type", b"text/plain");
    tx.process_request_headers();
    tx.append_request_body(b"hello");
    tx.process_request_body();
    tx.process_logging();
    assert_eq!(tx_var(&tx, "early"), "[][]");
    assert_eq!(
        tx_var(&tx, "full"),
        "Host: example.com\nContent-Type: text/plain\n\n\nhello"
    );
    assert_eq!(tx_var(&tx, "length"), "50");
    assert_eq!(ids(&tx), [3, 4]);
}

#[test]
fn a_chained_rule_reads_its_parents_matches_by_name_and_value() {
    let rules = rules(&format!(
        "{ENGINE}SecRule ARGS \"@rx ^X\" \"id:1,phase:1,pass,log,t:uppercase,chain\"\n\
         SecRule MATCHED_VARS_NAMES \"@streq ARGS:b\" \"chain,setvar:'tx.names=%{{tx.names}}[%{{MATCHED_VAR}}]'\"\n\
         SecRule MATCHED_VARS:ARGS:b \"@streq XB\" \"setvar:'tx.value=%{{MATCHED_VAR}}|%{{MATCHED_VAR_NAME}}'\"\n\
         SecRule MATCHED_VARS:/^args:c$/ \"@rx .\" \"id:2,phase:1,pass,log\"\n"
    ));
    let tx = request(&rules, "/?a=xa&b=xb&c=yc");
    assert_eq!(tx_var(&tx, "names"), "[ARGS:b]");
    assert_eq!(tx_var(&tx, "value"), "XB|MATCHED_VARS:ARGS:b");
    // A later rule sees the last matches recorded, none of which is named ARGS:c.
    assert_eq!(ids(&tx), [1]);
}

/// A link on one named member (`ARGS:a`, `TX:x`) reads it directly; when the name is
/// repeated, every copy is still looked at, captures land in TX, and an exclusion or a
/// removed target still spares the member.
#[test]
fn single_member_targets_see_every_copy_and_honour_exclusions() {
    let rules = rules(&format!(
        "{ENGINE}SecRule ARGS:a \"@rx ^(b)$\" \"id:1,phase:1,pass,log,capture,setvar:tx.got=%{{tx.1}},msg:'%{{MATCHED_VAR}}'\"\n\
         SecRule TX:got \"@streq b\" \"id:2,phase:1,pass,log,msg:'%{{MATCHED_VAR_NAME}}'\"\n\
         SecRule ARGS:c \"@rx x\" \"id:3,phase:1,pass,log,ctl:ruleRemoveTargetById=4;ARGS:d\"\n\
         SecRule ARGS:d \"@rx x\" \"id:4,phase:1,pass,log\"\n\
         SecRule REQUEST_METHOD \"!@streq GET\" \"id:5,phase:1,pass,log\"\n"
    ));
    let tx = request(&rules, "/?a=z&a=b&c=x&d=x");
    assert_eq!(
        ids(&tx),
        vec![1, 2, 3],
        "the second `a` matches; `d` is removed"
    );
    assert_eq!(tx_var(&tx, "got"), "b");
    assert_eq!(tx.matched_rules()[0].msg, "b");
    assert_eq!(tx.matched_rules()[1].msg, "TX:got");
    let tx = request(&rules, "/?a=b&d=x");
    assert_eq!(ids(&tx), vec![1, 2, 4], "without `c`, `d` is not removed");
}
