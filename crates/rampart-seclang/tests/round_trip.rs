//! Printing a directive and parsing the print gives the same directive back, for every
//! directive of every rule set we ship against. This is what shows that the typed tree keeps
//! the whole meaning of what was written: nothing a rule says is lost or invented.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::path::Path;

use rampart_seclang::{parse_str, Loader};

fn assert_round_trips(files: &[std::path::PathBuf]) -> usize {
    let mut loader = Loader::new();
    for file in files {
        loader.load_file(file);
    }
    let config = loader
        .finish()
        .unwrap_or_else(|errors| panic!("load failed:\n{errors}"));
    let mut checked = 0;
    for directive in &config.directives {
        let printed = directive.to_string();
        let origin = config.sources.path(directive.span.file);
        let reparsed = parse_str(&printed, origin).unwrap_or_else(|errors| {
            panic!("printed directive does not parse:\n{printed}\n{errors}")
        });
        assert_eq!(reparsed.directives.len(), 1, "{printed}");
        assert_eq!(
            reparsed.directives[0],
            *directive,
            "round trip changed the directive written at {}:{}:\n{printed}",
            origin.display(),
            directive.span.line
        );
        assert_eq!(reparsed.directives[0].to_string(), printed);
        checked += 1;
    }
    checked
}

#[test]
fn crs4_round_trips() {
    let checked = assert_round_trips(&rampart_testkit::crs4_load_order());
    assert!(checked > 800, "only {checked} directives checked");
}

#[test]
fn crs3_round_trips() {
    let checked = assert_round_trips(&rampart_testkit::crs3_load_order());
    assert!(checked > 800, "only {checked} directives checked");
}

#[test]
fn language_corners_round_trip() {
    let text = r#"
SecRule REQUEST_HEADERS:User-Agent|!REQUEST_COOKIES:/^__utm/|&ARGS:x "!@rx a\"b\\c" \
    "id:10,phase:request,deny,status:403,msg:'it\'s, \"quoted\"',logdata:'%{MATCHED_VAR}',\
    setvar:'tx.x=+%{tx.y}',setvar:!tx.z,setvar:tx.one,ctl:ruleRemoveTargetById=942100;ARGS:pwd,\
    t:none,t:normalisePath,severity:2,tag:'a b',chain"
    SecRule ARGS "@validateByteRange 1-255" "t:urlDecodeUni"
SecAction "id:11,pass,nolog,initcol:ip=%{REMOTE_ADDR}_%{tx.ua_hash},expirevar:ip.k=60"
SecRuleRemoveById 1 2 5-10
SecRuleUpdateTargetById 942100-942200 "!ARGS:foo|!ARGS:/bar/"
SecRuleUpdateActionById 10 "pass,nolog"
SecRuleEngine DetectionOnly
SecResponseBodyMimeType text/plain text/html
SecAuditLogRelevantStatus "^(?:5|4(?!04))"
SecArgumentSeparator &
SecDefaultAction "phase:2,log,auditlog,pass"
SecMarker "END-HOST-CHECK"
"#;
    let config = parse_str(text, Path::new("inline.conf")).unwrap();
    assert_eq!(config.directives.len(), 12);
    for directive in &config.directives {
        let printed = directive.to_string();
        let reparsed = parse_str(&printed, "inline.conf").unwrap();
        assert_eq!(reparsed.directives[0], *directive, "{printed}");
    }
}
