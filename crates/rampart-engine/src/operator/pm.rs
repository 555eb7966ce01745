//! `@pm` and `@pmFromFile`: many phrases at once, ASCII case-insensitively, in one pass.
//!
//! Nearly every value a CRS rule hands to `@pm` holds none of the phrases, and most values
//! are a few dozen bytes: the search's set-up would cost more than the scan. So the
//! automaton is walked by hand, one transition per byte, to answer yes or no; only a rule
//! that captures asks the automaton's own search where the phrase is. Small lists become a
//! DFA (one table lookup per byte); the long data files of CRS stay a compact NFA, as a DFA
//! of all of them would take some 40 MB.

use std::sync::Arc;

use aho_corasick::automaton::Automaton;
use aho_corasick::{dfa, nfa, Anchored, Input, MatchKind};

use super::Captures;

/// Above this many phrases the list is an NFA. (The automata are behind an `Arc`: operators
/// are copied when the rule set is put together, and a DFA's copy would copy its tables.)
const MAX_DFA_PHRASES: usize = 300;

#[derive(Debug, Clone)]
pub enum PhraseMatcher {
    Dfa(Arc<dfa::DFA>),
    Nfa(Arc<nfa::contiguous::NFA>),
}

impl PhraseMatcher {
    pub fn new(phrases: &[Vec<u8>]) -> Result<Self, aho_corasick::BuildError> {
        Ok(if phrases.len() <= MAX_DFA_PHRASES {
            PhraseMatcher::Dfa(Arc::new(
                dfa::DFA::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .prefilter(false)
                    .build(phrases)?,
            ))
        } else {
            PhraseMatcher::Nfa(Arc::new(
                nfa::contiguous::NFA::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .prefilter(false)
                    .build(phrases)?,
            ))
        })
    }

    pub fn evaluate(&self, input: &[u8], captures: Option<&mut Captures>) -> bool {
        match self {
            PhraseMatcher::Dfa(automaton) => evaluate(&**automaton, input, captures),
            PhraseMatcher::Nfa(automaton) => evaluate(&**automaton, input, captures),
        }
    }
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
        assert!(matches!(pm, PhraseMatcher::Nfa(_)));
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
}
