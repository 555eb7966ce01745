//! `@pm` and `@pmFromFile`: many phrases at once, ASCII case-insensitively, in one pass.
//!
//! Nearly every value a CRS rule hands to `@pm` holds none of the phrases, and most values
//! are a few dozen bytes: the search's set-up would cost more than the scan. So the
//! automaton is walked by hand, one transition per byte, to answer yes or no; only a rule
//! that captures asks the automaton's own search where the phrase is. Small lists become a
//! DFA (one table lookup per byte); the long data files of CRS stay a compact NFA, as a DFA
//! of all of them would take some 40 MB.
//!
//! Better still is not to run at all: a benign request hands each list to a dozen values.
//! A value that holds a phrase holds the phrase's first few bytes, so those heads join the
//! rule set's [prefilter](super::prefilter) like an `@rx` pattern's required literals, and a
//! source none of whose values holds a head rules the rule out in one bit test. Heads keep
//! the prefilter's automaton small: the 6,200 phrases of CRS's data files have about 2,000.

use std::sync::Arc;

use aho_corasick::automaton::Automaton;
use aho_corasick::{dfa, nfa, Anchored, Input, MatchKind};

use super::Captures;

/// Above this many phrases the list is an NFA. (The automata are behind an `Arc`: operators
/// are copied when the rule set is put together, and a DFA's copy would copy its tables.)
const MAX_DFA_PHRASES: usize = 300;

/// The longest head of a phrase given to the prefilter.
const HEAD: usize = 5;

#[derive(Debug, Clone)]
pub struct PhraseMatcher {
    automaton: Phrases,
    /// The phrases' lowercase heads, minimized; `None` when some head is a lone letter or
    /// digit (or the list is empty), which would admit nearly every value.
    heads: Option<Arc<[Vec<u8>]>>,
}

#[derive(Debug, Clone)]
enum Phrases {
    Dfa(Arc<dfa::DFA>),
    Nfa(Arc<nfa::contiguous::NFA>),
}

impl PhraseMatcher {
    pub fn new(phrases: &[Vec<u8>]) -> Result<Self, aho_corasick::BuildError> {
        let automaton = if phrases.len() <= MAX_DFA_PHRASES {
            Phrases::Dfa(Arc::new(
                dfa::DFA::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .prefilter(false)
                    .build(phrases)?,
            ))
        } else {
            Phrases::Nfa(Arc::new(
                nfa::contiguous::NFA::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .prefilter(false)
                    .build(phrases)?,
            ))
        };
        Ok(PhraseMatcher {
            automaton,
            heads: heads(phrases).map(Arc::from),
        })
    }

    pub fn evaluate(&self, input: &[u8], captures: Option<&mut Captures>) -> bool {
        match &self.automaton {
            Phrases::Dfa(automaton) => evaluate(&**automaton, input, captures),
            Phrases::Nfa(automaton) => evaluate(&**automaton, input, captures),
        }
    }

    /// Strings one of which every value this list matches holds: the phrases' heads.
    pub fn required_literals(&self) -> Option<Vec<Vec<u8>>> {
        self.heads.as_deref().map(<[_]>::to_vec)
    }
}

/// The lowercase first [`HEAD`] bytes of each phrase, without duplicates or heads that
/// hold another head (a value holding the longer holds the shorter).
fn heads(phrases: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    let mut heads: Vec<Vec<u8>> = phrases
        .iter()
        .map(|phrase| phrase[..phrase.len().min(HEAD)].to_ascii_lowercase())
        .collect();
    let admits_all = |head: &Vec<u8>| match head[..] {
        [] => true,
        [byte] => byte.is_ascii_alphanumeric() || byte == b' ',
        _ => false,
    };
    if heads.is_empty() || heads.iter().any(admits_all) {
        return None;
    }
    // Shorter heads first, so that each head's pieces are looked up among those kept.
    heads.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    heads.dedup();
    let mut kept: std::collections::HashSet<Vec<u8>> = Default::default();
    for head in heads {
        let holds_kept = (0..head.len())
            .any(|start| (start + 1..=head.len()).any(|end| kept.contains(&head[start..end])));
        if !holds_kept {
            kept.insert(head);
        }
    }
    let mut kept: Vec<Vec<u8>> = kept.into_iter().collect();
    kept.sort();
    Some(kept)
}

fn evaluate(automaton: &impl Automaton, input: &[u8], captures: Option<&mut Captures>) -> bool {
    let Some(out) = captures else {
        return is_match(automaton, input);
    };
    // Standard semantics: the phrase that ends first, as the search reports it.
    match automaton.try_find(&Input::new(input)) {
        Ok(Some(found)) => {
            *out = vec![input[found.start()..found.end()].to_vec()];
            true
        }
        Ok(None) => false,
        // An unanchored search cannot fail; were it to, the rule runs as if a phrase had
        // been found.
        Err(_) => true,
    }
}

fn is_match(automaton: &impl Automaton, input: &[u8]) -> bool {
    let Ok(mut state) = automaton.start_state(Anchored::No) else {
        return true;
    };
    for &byte in input {
        state = automaton.next_state(Anchored::No, state, byte);
        if automaton.is_special(state) {
            if automaton.is_match(state) {
                return true;
            }
            if automaton.is_dead(state) {
                return false;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_any_phrase_ignoring_ascii_case() {
        let pm = PhraseMatcher::new(&[b"passwd".to_vec(), b"/etc/".to_vec()]).unwrap();
        let mut captured = Vec::new();
        assert!(pm.evaluate(b"cat /ETC/PASSWD", Some(&mut captured)));
        assert_eq!(captured, vec![b"/ETC/".to_vec()]);
        assert!(pm.evaluate(b"cat /ETC/PASSWD", None));
        assert!(!pm.evaluate(b"hello", None));
        assert!(!pm.evaluate(b"", None));
    }

    #[test]
    fn long_lists_answer_alike() {
        let phrases: Vec<Vec<u8>> = (0..=MAX_DFA_PHRASES)
            .map(|i| format!("word{i}/").into_bytes())
            .collect();
        let pm = PhraseMatcher::new(&phrases).unwrap();
        assert!(matches!(pm.automaton, Phrases::Nfa(_)));
        let mut captured = Vec::new();
        assert!(pm.evaluate(b"a WORD42/ b", Some(&mut captured)));
        assert_eq!(captured, vec![b"WORD42/".to_vec()]);
        let last = format!("word{MAX_DFA_PHRASES}/");
        let past = format!("word{}/ word7", MAX_DFA_PHRASES + 1);
        assert!(pm.evaluate(last.as_bytes(), None));
        assert!(!pm.evaluate(past.as_bytes(), None));
    }

    #[test]
    fn a_phrase_inside_another_and_at_the_very_end() {
        let pm = PhraseMatcher::new(&[b"abcd".to_vec(), b"bc".to_vec()]).unwrap();
        let mut captured = Vec::new();
        assert!(pm.evaluate(b"xabcd", Some(&mut captured)));
        assert_eq!(captured, vec![b"bc".to_vec()], "the phrase that ends first");
        assert!(pm.evaluate(b"xxb", None) == pm.evaluate(b"xxb", Some(&mut Vec::new())));
        assert!(pm.evaluate(b"xxBC", None));
        assert!(!pm.evaluate(b"abd", None));
    }

    #[test]
    fn heads_are_short_lowercase_and_minimal() {
        let list = |words: &[&str]| {
            words
                .iter()
                .map(|w| w.as_bytes().to_vec())
                .collect::<Vec<_>>()
        };
        let pm = PhraseMatcher::new(&list(&[
            "/ETC/passwd",
            "/etc/shadow",
            "ab",
            "xabcdef",
            "ls",
        ]))
        .unwrap();
        assert_eq!(
            pm.required_literals(),
            Some(vec![b"/etc/".to_vec(), b"ab".to_vec(), b"ls".to_vec()]),
            "`xabcd` holds `ab`, and both /etc/ phrases share one head"
        );
        let lone_letter = PhraseMatcher::new(&list(&["l", "la", "/bin/"])).unwrap();
        assert_eq!(
            lone_letter.required_literals(),
            None,
            "`l` would admit every value"
        );
        let lone_mark = PhraseMatcher::new(&list(&[";", "/bin/"])).unwrap();
        assert_eq!(
            lone_mark.required_literals(),
            Some(vec![b"/bin/".to_vec(), b";".to_vec()])
        );
        assert_eq!(PhraseMatcher::new(&[]).unwrap().required_literals(), None);
    }

    /// Whatever the list matches holds one of its heads, in any case: the prefilter may
    /// rule a value out only when the list cannot match it.
    #[test]
    fn every_match_holds_a_head() {
        let phrases: Vec<Vec<u8>> = [
            "select",
            "SeLeCt ",
            "union all",
            "/etc/passwd",
            "ab",
            "${IFS}",
            "%00",
        ]
        .iter()
        .map(|p| p.as_bytes().to_vec())
        .collect();
        let pm = PhraseMatcher::new(&phrases).unwrap();
        let heads = pm.required_literals().unwrap();
        let alphabet = b"aAbBeEsStTlLcC /%0${}IFS";
        let mut next = rampart_testkit::xorshift(0x2545_f491_4f6c_dd1d);
        for _ in 0..20_000 {
            let state = next();
            let len = (state % 14) as usize;
            let value: Vec<u8> = (0..len)
                .map(|i| alphabet[((state >> (i * 4)) as usize + i) % alphabet.len()])
                .collect();
            let lower = value.to_ascii_lowercase();
            let holds_head = heads
                .iter()
                .any(|h| lower.windows(h.len()).any(|w| w == &h[..]));
            if pm.evaluate(&value, None) {
                assert!(
                    holds_head,
                    "{:?} matched without a head",
                    String::from_utf8_lossy(&value)
                );
            }
        }
        for phrase in &phrases {
            assert!(pm.evaluate(phrase, None));
            let lower = phrase.to_ascii_lowercase();
            assert!(heads
                .iter()
                .any(|h| lower.windows(h.len()).any(|w| w == &h[..])));
        }
    }
}
