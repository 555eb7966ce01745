//! Deciding whether a stage passed: its `output` against what was observed.
//!
//! The verdict follows go-ftw's `checkResult` so that a pass here means what a pass there
//! means:
//!
//! - `expect_error: true` is decided alone: the stage passes if the request failed (no HTTP
//!   response) and fails otherwise; go-ftw checks nothing else then, not even `log`. Without it,
//!   an observed error fails the stage.
//! - `status` (when non-zero) must equal the response status.
//! - `response_contains` is a regular expression over the full raw response.
//! - `log.expect_ids` must all be logged, `log.no_expect_ids` none; `isolated` allows exactly
//!   one distinct logged rule.
//! - `log.match_regex` must match, and `log.no_match_regex` must not match, some line of the
//!   log; the deprecated `log_contains` / `no_log_contains` are the same checks (go-ftw maps
//!   them so).
//!
//! In-process, rule ids come straight from the engine ([`Observed::logged_ids`]) rather than
//! from scraping `[id "…"]` out of an error log. The other observations are optional: a runner
//! that has no status, no response text or no log text to offer leaves them `None`, and the
//! checks needing them come back [`Verdict::Unsupported`] rather than being guessed. Regular
//! expressions use Go's RE2 syntax, which the `regex` crate implements; a pattern it cannot
//! compile (e.g. a backreference) is likewise unsupported, never guessed.
//!
//! Unlike go-ftw, every check is made and every failure reported, not only the first. Two
//! go-ftw quirks are not reproduced: with `isolated`, go-ftw lets the single-rule test
//! override the earlier log checks; and `retry_once` (a workaround for log races of real
//! servers) has nothing to retry in-process and is ignored.

use std::fmt;

use crate::suite::Output;
use regex::Regex;

/// What happened when a stage ran.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Observed<'a> {
    /// Ids of the rules the engine logged for the stage (order and duplicates don't matter).
    pub logged_ids: &'a [u64],
    /// The response status, if the runner has one.
    pub status: Option<u16>,
    /// The WAF's log text for the stage (one entry per line), for the regex checks.
    pub log: Option<&'a str>,
    /// The full raw response (status line, headers, body), for `response_contains`.
    pub response: Option<&'a [u8]>,
    /// Set when the request got no HTTP response at all (what go-ftw sees as an error), with
    /// why.
    pub error: Option<&'a str>,
}

/// The outcome of checking one stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every expectation was met.
    Pass,
    /// At least one expectation was not met. The reasons say which, and also list
    /// expectations that could not be checked.
    Fail(Vec<String>),
    /// Nothing failed, but some expectation could not be checked; the reasons say which.
    Unsupported(Vec<String>),
}

impl Verdict {
    /// Whether the stage passed.
    pub fn is_pass(&self) -> bool {
        matches!(self, Verdict::Pass)
    }

    /// The reasons given (empty for a pass).
    pub fn reasons(&self) -> &[String] {
        match self {
            Verdict::Pass => &[],
            Verdict::Fail(reasons) | Verdict::Unsupported(reasons) => reasons,
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Pass => f.write_str("pass"),
            Verdict::Fail(reasons) => write!(f, "fail: {}", reasons.join("; ")),
            Verdict::Unsupported(reasons) => write!(f, "unsupported: {}", reasons.join("; ")),
        }
    }
}

/// Checks a stage's expectations against what was observed.
pub fn check(output: &Output, observed: &Observed<'_>) -> Verdict {
    let mut failures: Vec<String> = Vec::new();
    let mut unchecked: Vec<String> = Vec::new();

    if output.expect_error == Some(true) {
        return match observed.error {
            Some(_) => Verdict::Pass,
            None => Verdict::Fail(vec![
                "expected the request to fail without a response, but it got one".to_owned(),
            ]),
        };
    }
    if let Some(error) = observed.error {
        failures.push(format!("unexpected error: {error}"));
    }

    if let Some(expected) = output.status.filter(|s| *s != 0) {
        match observed.status {
            Some(actual) if actual == expected => {}
            Some(actual) => failures.push(format!("expected status {expected}, got {actual}")),
            None => unchecked.push(format!(
                "status {expected} expected, but no status was observed"
            )),
        }
    }

    if let Some(pattern) = output
        .response_contains
        .as_deref()
        .filter(|p| !p.is_empty())
    {
        match observed.response {
            None => unchecked.push(format!(
                "response_contains {pattern:?}: no response was observed"
            )),
            Some(response) => {
                let text = String::from_utf8_lossy(response);
                match Regex::new(pattern) {
                    Ok(re) if re.is_match(&text) => {}
                    Ok(_) => failures.push(format!("response does not match {pattern:?}")),
                    Err(e) => unchecked.push(format!("response_contains {pattern:?}: {e}")),
                }
            }
        }
    }

    let log = &output.log;
    let positive = [
        ("match_regex", log.match_regex.as_deref()),
        ("log_contains", output.log_contains.as_deref()),
    ];
    for (field, pattern) in positive {
        if let Some(pattern) = pattern.filter(|p| !p.is_empty()) {
            match log_match(pattern, observed.log) {
                Ok(true) => {}
                Ok(false) => failures.push(format!("{field}: no log line matches {pattern:?}")),
                Err(why) => unchecked.push(format!("{field} {pattern:?}: {why}")),
            }
        }
    }

    let missing: Vec<u64> = log
        .expect_ids
        .iter()
        .copied()
        .filter(|id| !observed.logged_ids.contains(id))
        .collect();
    if !missing.is_empty() {
        failures.push(format!(
            "expected rule(s) {} to be logged; logged: {}",
            list(&missing),
            list(observed.logged_ids)
        ));
    }

    if output.isolated == Some(true) {
        let mut distinct = observed.logged_ids.to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() != 1 {
            failures.push(format!(
                "isolated: expected exactly one logged rule, got {}",
                list(&distinct)
            ));
        }
    }

    let negative = [
        ("no_match_regex", log.no_match_regex.as_deref()),
        ("no_log_contains", output.no_log_contains.as_deref()),
    ];
    for (field, pattern) in negative {
        if let Some(pattern) = pattern.filter(|p| !p.is_empty()) {
            match log_match(pattern, observed.log) {
                Ok(false) => {}
                Ok(true) => failures.push(format!("{field}: a log line matches {pattern:?}")),
                Err(why) => unchecked.push(format!("{field} {pattern:?}: {why}")),
            }
        }
    }

    let unexpected: Vec<u64> = log
        .no_expect_ids
        .iter()
        .copied()
        .filter(|id| observed.logged_ids.contains(id))
        .collect();
    if !unexpected.is_empty() {
        failures.push(format!(
            "expected rule(s) {} not to be logged",
            list(&unexpected)
        ));
    }

    if !failures.is_empty() {
        failures.extend(unchecked.into_iter().map(|u| format!("unchecked: {u}")));
        Verdict::Fail(failures)
    } else if !unchecked.is_empty() {
        Verdict::Unsupported(unchecked)
    } else {
        Verdict::Pass
    }
}

/// Whether some line of the log matches; `Err` says why that cannot be told.
fn log_match(pattern: &str, log: Option<&str>) -> Result<bool, String> {
    let log = log.ok_or_else(|| "no log text was observed".to_owned())?;
    let re = Regex::new(pattern).map_err(|e| e.to_string())?;
    Ok(log.lines().any(|line| re.is_match(line)))
}

fn list(ids: &[u64]) -> String {
    if ids.is_empty() {
        return "none".to_owned();
    }
    ids.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::Log;

    fn output_with_log(log: Log) -> Output {
        Output {
            log,
            ..Output::default()
        }
    }

    fn ids(ids: &[u64]) -> Observed<'_> {
        Observed {
            logged_ids: ids,
            ..Observed::default()
        }
    }

    #[test]
    fn empty_output_passes() {
        assert_eq!(
            check(&Output::default(), &Observed::default()),
            Verdict::Pass
        );
    }

    #[test]
    fn expect_ids_must_all_be_logged() {
        let output = output_with_log(Log {
            expect_ids: vec![920100, 949110],
            ..Log::default()
        });
        assert!(check(&output, &ids(&[949110, 920100, 5])).is_pass());
        let verdict = check(&output, &ids(&[920100]));
        assert_eq!(
            verdict,
            Verdict::Fail(vec![
                "expected rule(s) 949110 to be logged; logged: 920100".to_owned()
            ])
        );
        assert!(verdict.to_string().starts_with("fail: "));
    }

    #[test]
    fn no_expect_ids_must_not_be_logged() {
        let output = output_with_log(Log {
            no_expect_ids: vec![920100],
            ..Log::default()
        });
        assert!(check(&output, &ids(&[949110])).is_pass());
        assert!(check(&output, &ids(&[])).is_pass());
        assert_eq!(
            check(&output, &ids(&[920100])),
            Verdict::Fail(vec!["expected rule(s) 920100 not to be logged".to_owned()])
        );
    }

    #[test]
    fn status_must_match_when_expected() {
        let output = Output {
            status: Some(400),
            ..Output::default()
        };
        let observed = |status| Observed {
            status,
            ..Observed::default()
        };
        assert!(check(&output, &observed(Some(400))).is_pass());
        assert_eq!(
            check(&output, &observed(Some(200))),
            Verdict::Fail(vec!["expected status 400, got 200".to_owned()])
        );
        assert!(matches!(
            check(&output, &observed(None)),
            Verdict::Unsupported(_)
        ));
        let zero = Output {
            status: Some(0),
            ..Output::default()
        };
        assert!(check(&zero, &observed(Some(503))).is_pass());
    }

    #[test]
    fn expect_error_is_decided_alone() {
        let output = Output {
            expect_error: Some(true),
            log: Log {
                expect_ids: vec![920430],
                ..Log::default()
            },
            ..Output::default()
        };
        let errored = Observed {
            error: Some("connection closed"),
            ..Observed::default()
        };
        assert!(check(&output, &errored).is_pass());
        assert!(matches!(check(&output, &ids(&[920430])), Verdict::Fail(_)));
        // Without expect_error, an error fails the stage.
        let verdict = check(&Output::default(), &errored);
        assert_eq!(
            verdict,
            Verdict::Fail(vec!["unexpected error: connection closed".to_owned()])
        );
    }

    #[test]
    fn match_regex_needs_a_matching_line() {
        let output = output_with_log(Log {
            match_regex: Some(r"Inbound Anomaly Score Exceeded \(Total Score: ".to_owned()),
            ..Log::default()
        });
        let log = "first line\n[id \"949110\"] Inbound Anomaly Score Exceeded (Total Score: 5)\n";
        let observed = Observed {
            log: Some(log),
            ..Observed::default()
        };
        assert!(check(&output, &observed).is_pass());
        let observed = Observed {
            log: Some("nothing"),
            ..Observed::default()
        };
        assert!(matches!(check(&output, &observed), Verdict::Fail(_)));
        assert!(matches!(
            check(&output, &Observed::default()),
            Verdict::Unsupported(_)
        ));
    }

    #[test]
    fn no_match_regex_must_match_no_line() {
        let output = output_with_log(Log {
            no_match_regex: Some(r#"\[id "\d+"\]"#.to_owned()),
            ..Log::default()
        });
        let clean = Observed {
            log: Some("ModSecurity: nothing here\n"),
            ..Observed::default()
        };
        assert!(check(&output, &clean).is_pass());
        let empty = Observed {
            log: Some(""),
            ..Observed::default()
        };
        assert!(check(&output, &empty).is_pass());
        let hit = Observed {
            log: Some("a\n[id \"932237\"] [msg \"x\"]\nb"),
            ..Observed::default()
        };
        assert_eq!(
            check(&output, &hit),
            Verdict::Fail(vec![
                r#"no_match_regex: a log line matches "\\[id \"\\d+\"\\]""#.to_owned()
            ])
        );
    }

    #[test]
    fn deprecated_log_contains_are_regexes_too() {
        let output = Output {
            log_contains: Some("id 9201.0".to_owned()),
            no_log_contains: Some("id 949".to_owned()),
            ..Output::default()
        };
        let observed = Observed {
            log: Some("x id 920100 y"),
            ..Observed::default()
        };
        assert!(check(&output, &observed).is_pass());
        let observed = Observed {
            log: Some("x id 920100 y\nid 949110"),
            ..Observed::default()
        };
        assert!(matches!(check(&output, &observed), Verdict::Fail(_)));
    }

    #[test]
    fn unsupported_regex_is_reported_not_guessed() {
        let output = output_with_log(Log {
            match_regex: Some(r"(a)\1".to_owned()),
            ..Log::default()
        });
        let observed = Observed {
            log: Some("aa"),
            ..Observed::default()
        };
        let verdict = check(&output, &observed);
        assert!(matches!(verdict, Verdict::Unsupported(_)), "{verdict}");
    }

    #[test]
    fn response_contains_matches_the_raw_response() {
        let output = Output {
            response_contains: Some("HTTP/1.1 40[03]".to_owned()),
            ..Output::default()
        };
        let observed = |response| Observed {
            response,
            ..Observed::default()
        };
        assert!(check(&output, &observed(Some(b"HTTP/1.1 403 Forbidden\r\n\r\n"))).is_pass());
        assert!(matches!(
            check(&output, &observed(Some(b"HTTP/1.1 200 OK\r\n\r\n"))),
            Verdict::Fail(_)
        ));
        assert!(matches!(
            check(&output, &observed(None)),
            Verdict::Unsupported(_)
        ));
    }

    #[test]
    fn isolated_allows_exactly_one_rule() {
        let output = Output {
            isolated: Some(true),
            log: Log {
                expect_ids: vec![920100],
                ..Log::default()
            },
            ..Output::default()
        };
        assert!(check(&output, &ids(&[920100, 920100])).is_pass());
        assert!(matches!(
            check(&output, &ids(&[920100, 949110])),
            Verdict::Fail(_)
        ));
    }

    #[test]
    fn failures_also_list_unchecked_expectations() {
        let output = Output {
            status: Some(403),
            log: Log {
                expect_ids: vec![1],
                ..Log::default()
            },
            ..Output::default()
        };
        let verdict = check(&output, &ids(&[]));
        assert_eq!(verdict.reasons().len(), 2);
        assert!(verdict.reasons()[1].starts_with("unchecked: status 403"));
    }
}
