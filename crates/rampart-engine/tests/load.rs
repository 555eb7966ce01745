//! Rule-set compilation: the real rule sets load with the rule counts ModSecurity reports, and
//! every rule-set level mistake is caught with its position.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::fs;

use rampart_engine::{load, CompileErrorKind, LoadError, RuleSet};
use rampart_seclang::parse_str;

#[test]
fn crs4_loads_with_the_expected_counts() {
    let rules = load(rampart_testkit::crs4_load_order()).unwrap_or_else(|e| panic!("{e:?}"));
    let summary = rules.summary();
    assert_eq!(
        summary.rules, 639,
        "7 recommended + 2 test setup + 1 crs-setup + 629 CRS"
    );
    assert_eq!(summary.chained, 73);
    assert_eq!(summary.markers, 30);
    assert_eq!(summary.removed, 0);
    assert_eq!(summary.by_phase.values().sum::<usize>(), 639);
}

#[test]
fn crs4_rules_alone_hold_629_rules() {
    let files = rampart_testkit::conf_files(&rampart_testkit::crs4_rules_dir());
    let rules = load(files).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(rules.summary().rules, 629);
    assert_eq!(rules.summary().chained, 73);
    assert_eq!(rules.summary().markers, 30);
}

#[test]
fn crs3_loads_with_the_expected_counts() {
    let rules = load(rampart_testkit::crs3_load_order()).unwrap_or_else(|e| panic!("{e:?}"));
    let summary = rules.summary();
    assert_eq!(summary.rules, 634);
    assert_eq!(summary.chained, 166);
    assert_eq!(summary.markers, 40);
}

/// Compiles inline text; returns the compile errors as (line, column, kind).
fn compile_errors(text: &str) -> Vec<(u32, u32, CompileErrorKind)> {
    let config = parse_str(text, "test.conf").unwrap_or_else(|e| panic!("{e}"));
    RuleSet::compile(&config)
        .expect_err("rule set should not compile")
        .into_iter()
        .map(|e| (e.location.line, e.location.column, e.kind))
        .collect()
}

#[test]
fn a_rule_without_id() {
    let errors =
        compile_errors("SecRule ARGS \"x\" \"id:1\"\n  SecRule ARGS \"y\" \"phase:2,pass\"\n");
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].0, errors[0].1), (2, 3));
    assert_eq!(errors[0].2, CompileErrorKind::MissingId);
}

#[test]
fn skip_after_to_nowhere() {
    let errors = compile_errors(
        "SecMarker END-CHECKS\nSecRule ARGS \"x\" \\\n    \"id:1,\\\n    skipAfter:END-CHECK\"\n",
    );
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].0, errors[0].1), (4, 5));
    assert_eq!(
        errors[0].2.to_string(),
        "`skipAfter:END-CHECK` names no SecMarker or rule id (did you mean `END-CHECKS`?)"
    );
}

#[test]
fn duplicate_ids_point_at_both_places() {
    let errors = compile_errors("SecAction \"id:7,pass\"\nSecMarker M\nSecAction \"id:7,pass\"\n");
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].0, errors[0].1), (3, 1));
    let CompileErrorKind::DuplicateId { id: 7, first } = &errors[0].2 else {
        panic!("{:?}", errors[0].2)
    };
    assert_eq!(first.line, 1);
}

#[test]
fn a_chain_that_ends_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("a.conf");
    let second = dir.path().join("b.conf");
    fs::write(&first, "SecRule ARGS \"x\" \"id:1,chain\"\n").unwrap();
    fs::write(&second, "SecRule ARGS \"y\" \"t:none\"\n").unwrap();
    let errors = load([&first, &second]).unwrap_err();
    let found: Vec<_> = errors
        .iter()
        .map(|error| match error {
            LoadError::Compile(error) => (
                error.location.file.clone(),
                error.location.line,
                error.kind.clone(),
            ),
            LoadError::Parse(error) => panic!("{error}"),
        })
        .collect();
    assert_eq!(
        found,
        [
            (first, 1, CompileErrorKind::ChainEndsFile),
            (second, 1, CompileErrorKind::MissingId),
        ]
    );
}

#[test]
fn chained_rules_may_not_carry_starter_actions() {
    let errors = compile_errors(
        "SecRule ARGS \"x\" \"id:1,deny,chain\"\nSecRule ARGS \"y\" \"id:2,deny\"\n",
    );
    let kinds: Vec<_> = errors.iter().map(|e| (e.0, e.1, e.2.to_string())).collect();
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    assert_eq!((kinds[0].0, kinds[0].1), (2, 19));
    assert!(kinds[0].2.contains("`id` may only appear"));
    assert_eq!((kinds[1].0, kinds[1].1), (2, 24));
}

#[test]
fn default_actions_need_a_phase_and_are_set_once_per_phase() {
    let errors = compile_errors(
        "SecDefaultAction \"log,pass\"\nSecDefaultAction \"phase:2,pass\"\nSecDefaultAction \"phase:2,deny\"\n",
    );
    let kinds: Vec<_> = errors.iter().map(|e| (e.0, e.2.to_string())).collect();
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    assert_eq!(kinds[0].0, 1);
    assert!(kinds[0].1.contains("must name a phase"));
    assert_eq!(kinds[1].0, 3);
    assert!(kinds[1].1.contains("already set at test.conf:2:1"));
}

#[test]
fn removals_and_updates_apply_whatever_their_position() {
    let config = parse_str(
        "SecRuleRemoveById 2-3\nSecRuleUpdateTargetById 1 \"!ARGS:pwd\"\n\
         SecRule ARGS \"x\" \"id:1\"\nSecAction \"id:2\"\nSecAction \"id:3\"\nSecAction \"id:4\"\n",
        "test.conf",
    )
    .unwrap();
    let rules = RuleSet::compile(&config).unwrap();
    assert_eq!(rules.summary().rules, 2);
    assert_eq!(rules.summary().removed, 2);
    let rampart_engine::Entry::Chain(first) = &rules.entries()[0] else {
        panic!("not a rule")
    };
    assert_eq!(
        rampart_seclang::TargetList(&first.starter().targets).to_string(),
        "ARGS|!ARGS:pwd"
    );
}
