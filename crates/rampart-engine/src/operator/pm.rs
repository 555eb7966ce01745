//! `@pm` and `@pmFromFile`: many phrases at once, ASCII case-insensitively, in one pass.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::Captures;

#[derive(Debug, Clone)]
pub struct PhraseMatcher {
    automaton: AhoCorasick,
}

impl PhraseMatcher {
    pub fn new(phrases: &[Vec<u8>]) -> Result<Self, aho_corasick::BuildError> {
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(phrases)?;
        Ok(PhraseMatcher { automaton })
    }

    pub fn evaluate(&self, input: &[u8], captures: Option<&mut Captures>) -> bool {
        match self.automaton.find(input) {
            Some(found) => {
                if let Some(out) = captures {
                    *out = vec![input[found.start()..found.end()].to_vec()];
                }
                true
            }
            None => false,
        }
    }
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
        assert!(!pm.evaluate(b"hello", None));
    }
}
