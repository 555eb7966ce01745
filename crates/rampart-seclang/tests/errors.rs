//! Broken configurations: each error names the exact line and column, says what was expected,
//! and a load with any error yields nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::fs;
use std::path::Path;

use rampart_seclang::{parse_str, ErrorKind, Errors, Loader};

fn errors(text: &str) -> Errors {
    parse_str(text, "test.conf").expect_err("configuration should not load")
}

/// The one error of a failed load, as (line, column, kind).
fn single(text: &str) -> (u32, u32, ErrorKind) {
    let errors = errors(text);
    assert_eq!(errors.0.len(), 1, "expected one error, got:\n{errors}");
    let error = errors.0.into_iter().next().unwrap();
    (error.location.line, error.location.column, error.kind)
}

#[test]
fn unterminated_quote() {
    let (line, column, kind) =
        single("SecRule ARGS \"@rx foo\" \\\n    \"id:1,phase:2,\\\n    pass\n");
    assert_eq!((line, column), (2, 5));
    assert!(
        matches!(kind, ErrorKind::UnterminatedQuote { .. }),
        "{kind}"
    );
}

#[test]
fn unterminated_quote_inside_an_action_list() {
    let (line, column, kind) = single("SecAction \"id:1,\\\n  msg:'never closed,\\\n  pass\"\n");
    assert_eq!((line, column), (2, 7));
    assert!(
        matches!(kind, ErrorKind::UnterminatedQuote { .. }),
        "{kind}"
    );
}

#[test]
fn unknown_operator_with_suggestion() {
    let (line, column, kind) = single("\n\nSecRule ARGS \"!@containz x\" \"id:1\"\n");
    assert_eq!((line, column), (3, 16));
    assert_eq!(
        kind.to_string(),
        "unknown operator `@containz` (did you mean `contains`?)"
    );
}

#[test]
fn bad_action_argument() {
    let (line, column, kind) =
        single("SecRule ARGS \"@rx x\" \\\n    \"id:1,\\\n    phase:9,\\\n    pass\"\n");
    assert_eq!((line, column), (3, 11));
    assert!(
        matches!(&kind, ErrorKind::BadArgument { what, .. } if what == "phase"),
        "{kind}"
    );
}

#[test]
fn unknown_names_get_suggestions() {
    let (line, column, kind) = single("SecRul ARGS \"x\" \"id:1\"");
    assert_eq!((line, column), (1, 1));
    assert_eq!(
        kind.to_string(),
        "unknown directive `SecRul` (did you mean `SecRule`?)"
    );
    let (_, column, kind) = single("SecRule ARGZ|REQUEST_HEADRES \"x\" \"id:1\"");
    assert_eq!(column, 9);
    assert!(kind.to_string().contains("did you mean `ARGS`"), "{kind}");
    let (_, column, kind) = single("SecRule ARGS \"x\" \"id:1,t:lowercas\"");
    assert_eq!(column, 26);
    assert!(
        kind.to_string().contains("did you mean `lowercase`"),
        "{kind}"
    );
    let (_, _, kind) = single("SecAction \"id:1,ctl:ruleEngin=Off\"");
    assert!(
        kind.to_string().contains("did you mean `ruleEngine`"),
        "{kind}"
    );
}

#[test]
fn every_error_is_reported_and_nothing_loads() {
    let errors =
        errors("SecRule ARGS \"@rx\" \"id:1,phase:0\"\nSecRuleEngine Maybe\nSecMarker X\n");
    assert_eq!(errors.0.len(), 2, "{errors}");
    assert_eq!(errors.0[0].location.line, 1);
    assert_eq!(errors.0[1].location.line, 2);
    assert!(errors.0[1]
        .to_string()
        .contains("expected On, Off or DetectionOnly"));
}

#[test]
fn missing_include_names_the_path_tried() {
    let dir = tempfile::tempdir().unwrap();
    let main = dir.path().join("main.conf");
    fs::write(&main, "SecRuleEngine On\nInclude rules/missing.conf\n").unwrap();
    let mut loader = Loader::new();
    loader.load_file(&main);
    let errors = loader.finish().unwrap_err();
    assert_eq!(errors.0.len(), 1);
    let error = &errors.0[0];
    assert_eq!((error.location.line, error.location.column), (2, 9));
    let ErrorKind::MissingFile { tried, .. } = &error.kind else {
        panic!("{error}")
    };
    assert_eq!(tried, &dir.path().join("rules/missing.conf"));
}

#[test]
fn includes_resolve_relative_to_the_including_file_with_globs() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("rules")).unwrap();
    fs::write(dir.path().join("rules/b.conf"), "SecMarker B\n").unwrap();
    fs::write(dir.path().join("rules/a.conf"), "SecMarker A\n").unwrap();
    fs::write(
        dir.path().join("rules/words.data"),
        "# comment\n\nfoo\nbar\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("rules/c.conf"),
        "SecRule ARGS \"@pmFromFile words.data\" \"id:3\"\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("main.conf"),
        "Include rules/*.conf\nIncludeOptional nowhere/*.conf\nIncludeOptional none.conf\n",
    )
    .unwrap();
    let mut loader = Loader::new();
    loader.load_file(dir.path().join("main.conf"));
    let config = loader.finish().unwrap();
    let printed: Vec<String> = config.directives.iter().map(ToString::to_string).collect();
    assert_eq!(printed[..2], ["SecMarker \"A\"", "SecMarker \"B\""]);
    let rampart_seclang::DirectiveKind::Rule(rule) = &config.directives[2].kind else {
        panic!("not a rule")
    };
    let rampart_seclang::Argument::Files(files) = &rule.operator.argument else {
        panic!("no files")
    };
    assert_eq!(files[0].file.entries, ["foo", "bar"]);
}

#[test]
fn missing_data_file_names_the_path_tried() {
    let (line, column, kind) = single("SecRule ARGS \"@pmFromFile nope.data\" \"id:1\"");
    assert_eq!((line, column), (1, 27));
    let ErrorKind::MissingFile { tried, .. } = kind else {
        panic!("{kind}")
    };
    assert_eq!(tried, Path::new("nope.data"));
}

#[test]
fn include_cycles_stop() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("self.conf"), "Include self.conf\n").unwrap();
    let mut loader = Loader::new();
    loader.load_file(dir.path().join("self.conf"));
    let errors = loader.finish().unwrap_err();
    assert!(matches!(errors.0[0].kind, ErrorKind::IncludeDepth { .. }));
}

#[test]
fn non_utf8_files_are_rejected_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.conf");
    fs::write(&path, b"SecMarker A\nSecMarker \xe9\n").unwrap();
    let mut loader = Loader::new();
    loader.load_file(&path);
    let errors = loader.finish().unwrap_err();
    assert!(
        matches!(errors.0[0].kind, ErrorKind::NotUtf8 { line: 2, .. }),
        "{errors}"
    );
}
