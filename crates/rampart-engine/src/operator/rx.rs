//! `@rx`: regular expressions with PCRE's meaning as ModSecurity compiles them.
//!
//! ModSecurity compiles patterns with `DOTALL | MULTILINE` and without UTF mode: `.` matches
//! any byte, `^`/`$` match at line boundaries, and classes such as `\w` are ASCII-only. The
//! `regex` crate in byte mode with Unicode off and `(?sm)` has exactly that meaning and runs in
//! linear time, so no input can make a rule backtrack. An empty pattern is `.*`, as in
//! ModSecurity. Captures (with the `capture` action) fill TX:0–TX:9 from the first match.

use regex::bytes::{Regex, RegexBuilder};

use super::pcre::translate;

/// Backtracking steps a fallback pattern may take on one value before it gives up (and does
/// not match), bounding the cost of any input.
pub const BACKTRACK_LIMIT: usize = 1_000_000;

/// A compiled `@rx` pattern.
#[derive(Debug, Clone)]
pub enum RxMatcher {
    /// Linear time in the input, whatever the input. The translated pattern is kept for
    /// the prefilter's literal extraction.
    Linear(Regex, Box<str>),
    /// Lookaround or backreferences: a backtracking engine with a step budget. Bytes are
    /// mapped one-to-one to the characters U+0000–U+00FF.
    Backtracking(Box<fancy_regex::Regex>),
    /// A pattern whose first match is always the whole value (`^.*$`, which CRS 920450
    /// captures every header name with): no engine needs to run.
    Whole,
}

/// Why a pattern does not compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RxError(pub String);

impl RxMatcher {
    pub fn new(pattern: &str) -> Result<Self, RxError> {
        let pattern = if pattern.is_empty() { ".*" } else { pattern };
        let translation = translate(pattern).map_err(|e| RxError(e.to_string()))?;
        if translation.needs_backtracking {
            let regex = fancy_regex::RegexBuilder::new(&format!("(?sm){}", translation.pattern))
                .backtrack_limit(BACKTRACK_LIMIT)
                .build()
                .map_err(|error| RxError(error.to_string()))?;
            return Ok(RxMatcher::Backtracking(Box::new(regex)));
        }
        if matches_whole_value(&translation.pattern) {
            return Ok(RxMatcher::Whole);
        }
        let regex = RegexBuilder::new(&translation.pattern)
            .unicode(false)
            .dot_matches_new_line(true)
            .multi_line(true)
            .octal(true)
            .size_limit(256 << 20)
            .dfa_size_limit(64 << 20)
            .build()
            .map_err(|error| RxError(error.to_string()))?;
        Ok(RxMatcher::Linear(regex, translation.pattern.into()))
    }

    /// Whether the pattern needed the backtracking fallback.
    pub fn is_backtracking(&self) -> bool {
        matches!(self, RxMatcher::Backtracking(_))
    }

    /// See [`super::prefilter::required_literals`]; the backtracking fallback has none.
    pub fn required_literals(&self) -> Option<Vec<Vec<u8>>> {
        match self {
            RxMatcher::Linear(_, pattern) => super::prefilter::required_literals(pattern),
            RxMatcher::Backtracking(_) | RxMatcher::Whole => None,
        }
    }

    pub fn is_match(&self, input: &[u8]) -> bool {
        match self {
            RxMatcher::Linear(regex, _) => regex.is_match(input),
            RxMatcher::Backtracking(regex) => regex.is_match(&latin1(input)).unwrap_or(false),
            RxMatcher::Whole => true,
        }
    }

    /// The groups of the first match (group 0 first), or `false` when nothing matches.
    pub fn captures(&self, input: &[u8], out: &mut Vec<Vec<u8>>) -> bool {
        out.clear();
        match self {
            RxMatcher::Whole => out.push(input.to_vec()),
            RxMatcher::Linear(regex, _) if regex.captures_len() == 1 => {
                // Only the whole match is wanted: the DFAs find it, no capture engine needed
                // (CRS 920450 captures every header name with `^.*$`).
                let Some(found) = regex.find(input) else {
                    return false;
                };
                out.push(found.as_bytes().to_vec());
            }
            RxMatcher::Linear(regex, _) => {
                // Most values do not match: the lazy DFA answers that without the capture
                // engines or their slot allocation.
                if !regex.is_match(input) {
                    return false;
                }
                let Some(captures) = regex.captures(input) else {
                    return false;
                };
                for group in captures.iter().take(10) {
                    out.push(group.map(|m| m.as_bytes().to_vec()).unwrap_or_default());
                }
            }
            RxMatcher::Backtracking(regex) => {
                let text = latin1(input);
                let Ok(Some(captures)) = regex.captures(&text) else {
                    return false;
                };
                for group in captures.iter().take(10) {
                    out.push(
                        group
                            .map(|m| m.as_str().chars().map(|c| c as u8).collect())
                            .unwrap_or_default(),
                    );
                }
            }
        }
        true
    }
}

/// Whether `pattern` (translated, read with `@rx`'s flags) matches any value from its first
/// byte to its last and has no group: an optional `^`, `.*` taken greedily (under DOTALL it
/// takes every byte), an optional `$`. The leftmost match then starts at 0 and runs to the end.
fn matches_whole_value(pattern: &str) -> bool {
    use regex_syntax::hir::{Class, HirKind, Look};
    let Some(hir) = syntax(pattern) else {
        return false;
    };
    let every_byte = |kind: &HirKind| match kind {
        HirKind::Repetition(repetition) => {
            repetition.min == 0
                && repetition.max.is_none()
                && repetition.greedy
                && matches!(repetition.sub.kind(), HirKind::Class(Class::Bytes(class))
                    if class.ranges().len() == 1
                        && class.ranges()[0].start() == 0
                        && class.ranges()[0].end() == u8::MAX)
        }
        _ => false,
    };
    let parts: &[regex_syntax::hir::Hir] = match hir.kind() {
        HirKind::Concat(parts) => parts,
        _ => std::slice::from_ref(&hir),
    };
    let parts = match parts {
        [first, rest @ ..]
            if matches!(first.kind(), HirKind::Look(Look::Start | Look::StartLF)) =>
        {
            rest
        }
        all => all,
    };
    let parts = match parts {
        [rest @ .., last] if matches!(last.kind(), HirKind::Look(Look::End | Look::EndLF)) => rest,
        all => all,
    };
    matches!(parts, [only] if every_byte(only.kind()))
}

/// The syntax tree of a translated pattern, read with the flags `@rx` compiles it with (see
/// the module doc); `None` when it does not parse.
pub(super) fn syntax(pattern: &str) -> Option<regex_syntax::hir::Hir> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .dot_matches_new_line(true)
        .multi_line(true)
        .octal(true)
        .build()
        .parse(pattern)
        .ok()
}

fn latin1(input: &[u8]) -> String {
    input.iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pcre_flags_and_byte_semantics() {
        let rx = RxMatcher::new("^b$").unwrap();
        assert!(rx.is_match(b"a\nb\nc"), "MULTILINE: ^ and $ at line ends");
        assert!(RxMatcher::new("a.c").unwrap().is_match(b"a\nc"), "DOTALL");
        assert!(
            RxMatcher::new("a.c").unwrap().is_match(b"a\xffc"),
            "any byte"
        );
        assert!(
            !RxMatcher::new(r"^\w+$").unwrap().is_match("é".as_bytes()),
            "ASCII \\w"
        );
        assert!(RxMatcher::new("(?i)select").unwrap().is_match(b"SeLeCt"));
        assert!(
            RxMatcher::new("").unwrap().is_match(b""),
            "empty pattern is .*"
        );
        assert!(
            RxMatcher::new(r"\x41\101").unwrap().is_match(b"AA"),
            "hex and octal escapes"
        );
    }

    #[test]
    fn non_ascii_is_bytes_as_in_pcre_without_utf() {
        let rx = RxMatcher::new("[a’]").unwrap();
        assert!(
            rx.is_match(b"\x99"),
            "each UTF-8 byte of ’ is a class member"
        );
        assert!(RxMatcher::new(r"[\x7f-\x{ff}]").unwrap().is_match(b"\xfe"));
        assert!(RxMatcher::new("’").unwrap().is_match("x’y".as_bytes()));
        assert!(RxMatcher::new(r"\x{100}").is_err());
    }

    #[test]
    fn lookaround_falls_back_to_bounded_backtracking() {
        let rx = RxMatcher::new(r"<\?(?!xml)").unwrap();
        assert!(rx.is_backtracking());
        assert!(rx.is_match(b"<?php"));
        assert!(!rx.is_match(b"<?xml"));
        let mut out = Vec::new();
        let rx = RxMatcher::new(r"(\w)\1").unwrap();
        assert!(rx.captures(b"a\xffbb", &mut out));
        assert_eq!(out[0], b"bb".to_vec());
    }

    #[test]
    fn a_capture_without_groups_is_the_whole_leftmost_first_match() {
        let mut out = Vec::new();
        let matcher = RxMatcher::new("^.*$").unwrap();
        assert!(matcher.captures(b"user-agent", &mut out));
        assert_eq!(out, vec![b"user-agent".to_vec()]);
        // ModSecurity compiles with DOTALL and MULTILINE.
        assert!(matcher.captures(b"two\nlines", &mut out));
        assert_eq!(out, vec![b"two\nlines".to_vec()]);
        assert!(RxMatcher::new("a|ab").unwrap().captures(b"xab", &mut out));
        assert_eq!(out, vec![b"a".to_vec()]);
        assert!(!RxMatcher::new("q").unwrap().captures(b"xab", &mut out));
        assert!(out.is_empty());
    }

    /// The patterns read as "the whole value" answer as the regex would, on values with and
    /// without newlines; near misses still compile to a regex.
    #[test]
    fn whole_value_patterns_need_no_engine() {
        for pattern in ["^.*$", ".*", "^.*", ".*$", "\\A.*\\z", ""] {
            let matcher = RxMatcher::new(pattern).unwrap();
            assert!(matches!(matcher, RxMatcher::Whole), "{pattern}");
            for value in [&b""[..], b"host", b"two\nlines\n", b"\xff\x00"] {
                let mut out = Vec::new();
                assert!(matcher.is_match(value));
                assert!(matcher.captures(value, &mut out));
                assert_eq!(out, vec![value.to_vec()], "{pattern} on {value:?}");
            }
        }
        for pattern in ["^(.*)$", "^.*?$", "^.+$", "^.*x$", "^[^\\n]*$", "(?-s)^.*$"] {
            assert!(
                !matches!(RxMatcher::new(pattern).unwrap(), RxMatcher::Whole),
                "{pattern}"
            );
        }
    }

    #[test]
    fn captures_fill_groups_in_order() {
        let mut out = Vec::new();
        assert!(RxMatcher::new("(a)(x)?(b)")
            .unwrap()
            .captures(b"zab", &mut out));
        assert_eq!(
            out,
            vec![b"ab".to_vec(), b"a".to_vec(), Vec::new(), b"b".to_vec()]
        );
    }
}
