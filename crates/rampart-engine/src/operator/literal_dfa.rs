//! The prefilter's automaton: every multi-byte required literal of the rule set in one
//! Aho-Corasick DFA, walked with one table lookup and one comparison per byte.
//!
//! Built here rather than taken from `aho_corasick`, because the scan loop is the hottest
//! loop of a benign request and its table the largest structure it touches:
//!
//! - the table's columns are the literals' own byte classes (ASCII letters folded, every
//!   byte that no literal holds in one shared class), and a row is exactly that wide, so the
//!   table is smaller than a general DFA's rows rounded up to a power of two;
//! - states are numbered breadth first, so the shallow states a benign value keeps falling
//!   back to sit together at the front of the table, and the matching states all come last,
//!   so "did a literal end here" is one comparison against a constant;
//! - a matching state's row carries one extra column, the index of its outputs, so a match
//!   needs no division or side table to find them.

use std::collections::VecDeque;

/// Marks a trie edge that does not exist yet, while building.
const NONE: u32 = u32::MAX;

/// An ASCII-case-insensitive Aho-Corasick DFA over a set of tagged literals. Reports, at
/// every position of a haystack, the tags of every literal that ends there (overlapping
/// matches included), each tag once per position.
#[derive(Debug, Clone)]
pub struct LiteralDfa {
    /// Each byte's column; letters share their lower case's.
    classes: [u8; 256],
    /// Transitions, row by row; an entry is the next state's row start.
    table: Vec<u32>,
    /// The start state's row start.
    start: u32,
    /// Every state whose row starts here or later matches.
    first_match: u32,
    /// The width of a row: one column per class and, last, the output index.
    width: usize,
    /// Matching state `k` (its output index) reports `outputs[output_ends[k]..output_ends[k + 1]]`.
    output_ends: Vec<u32>,
    outputs: Vec<u32>,
}

impl LiteralDfa {
    /// The automaton of `(literal, tag)` pairs: [`Self::for_each_match`] reports the tag
    /// where the literal occurs. A literal may come with several tags, in several pairs;
    /// literals that differ only in ASCII case are one. `None` when the literals are too
    /// many for the table's 32-bit offsets (billions of bytes).
    pub fn new(literals: &[(&[u8], u32)]) -> Option<Self> {
        let mut classes = [0u8; 256];
        let mut used = [false; 256];
        for &byte in literals.iter().flat_map(|(literal, _)| *literal) {
            used[usize::from(byte.to_ascii_lowercase())] = true;
        }
        // Class 0 is every byte no literal holds; at most 231 folded bytes follow it.
        let mut count = 1u8;
        for byte in 0..=255u8 {
            if used[usize::from(byte)] {
                classes[usize::from(byte)] = count;
                count += 1;
            }
        }
        for byte in b'A'..=b'Z' {
            classes[usize::from(byte)] = classes[usize::from(byte.to_ascii_lowercase())];
        }
        let columns = usize::from(count);
        let most_nodes = literals.iter().map(|(l, _)| l.len()).sum::<usize>() + 1;
        if most_nodes.checked_mul(columns + 1)? > u32::MAX as usize {
            return None;
        }

        // The trie, one row of `columns` edges per node; node 0 is the root.
        let mut trie: Vec<u32> = vec![NONE; columns];
        let mut ends: Vec<Vec<u32>> = vec![Vec::new()];
        for &(literal, tag) in literals {
            let mut node = 0usize;
            for &byte in literal {
                let edge = node * columns + usize::from(classes[usize::from(byte)]);
                node = match trie[edge] {
                    NONE => {
                        let next = ends.len();
                        trie[edge] = next as u32;
                        trie.resize(trie.len() + columns, NONE);
                        ends.push(Vec::new());
                        next
                    }
                    next => next as usize,
                };
            }
            ends[node].push(tag);
        }
        let nodes = ends.len();

        // Breadth first: each node's failure state is shallower, so its row and outputs are
        // complete by the time the node needs them.
        let mut fail = vec![0u32; nodes];
        let mut order = Vec::with_capacity(nodes);
        let mut queue = VecDeque::from([0u32]);
        while let Some(node) = queue.pop_front() {
            let node = node as usize;
            order.push(node);
            let fallback = fail[node] as usize;
            if node != 0 {
                let inherited = ends[fallback].clone();
                ends[node].extend(inherited);
            }
            for column in 0..columns {
                let edge = node * columns + column;
                let via_failure = if node == 0 {
                    0
                } else {
                    trie[fallback * columns + column]
                };
                match trie[edge] {
                    NONE => trie[edge] = via_failure,
                    child => {
                        fail[child as usize] = via_failure;
                        queue.push_back(child);
                    }
                }
            }
        }

        // Place non-matching states first, both groups in breadth-first order, and give each
        // node its row start.
        let matching: Vec<bool> = ends.iter().map(|e| !e.is_empty()).collect();
        let placed: Vec<usize> = (order.iter().filter(|&&n| !matching[n]))
            .chain(order.iter().filter(|&&n| matching[n]))
            .copied()
            .collect();
        let first_match = matching.iter().filter(|&&m| !m).count();
        let width = columns + 1;
        let mut renumbered = vec![0u32; nodes];
        for (state, &node) in placed.iter().enumerate() {
            renumbered[node] = (state * width) as u32;
        }
        let mut table = vec![0u32; nodes * width];
        let (mut output_ends, mut outputs) = (vec![0u32], Vec::new());
        for (row, &node) in table.chunks_exact_mut(width).zip(&placed) {
            for (column, entry) in row.iter_mut().take(columns).enumerate() {
                *entry = renumbered[trie[node * columns + column] as usize];
            }
            if matching[node] {
                let mut found = std::mem::take(&mut ends[node]);
                found.sort_unstable();
                found.dedup();
                row[columns] = (output_ends.len() - 1) as u32;
                outputs.extend(found);
                output_ends.push(outputs.len() as u32);
            }
        }
        Some(LiteralDfa {
            classes,
            start: renumbered[0],
            first_match: (first_match * width) as u32,
            table,
            width,
            output_ends,
            outputs,
        })
    }

    /// Calls `found` with the tags of every literal occurrence in `haystack`, as it ends.
    #[inline]
    pub fn for_each_match(&self, haystack: &[u8], mut found: impl FnMut(u32)) {
        let mut state = self.start;
        if state >= self.first_match {
            self.report(state, &mut found);
        }
        let mut rest = haystack;
        while !rest.is_empty() {
            let read;
            (state, read) = self.advance(state, rest);
            if state >= self.first_match {
                self.report(state, &mut found);
            }
            rest = rest.get(read..).unwrap_or_default();
        }
    }

    /// Walks `haystack` from `state` up to and including the first byte that enters a
    /// matching state: that state and how many bytes were read.
    #[inline(always)]
    fn advance(&self, mut state: u32, haystack: &[u8]) -> (u32, usize) {
        let (table, classes, first_match) = (&self.table[..], &self.classes, self.first_match);
        for (at, &byte) in haystack.iter().enumerate() {
            let column = usize::from(classes[usize::from(byte)]);
            state = table.get(state as usize + column).copied().unwrap_or(0);
            if state >= first_match {
                return (state, at + 1);
            }
        }
        (state, haystack.len())
    }

    /// Calls `found` with the tags of matching state `state`.
    #[cold]
    #[inline(never)]
    fn report(&self, state: u32, found: &mut impl FnMut(u32)) {
        let index = self
            .table
            .get(state as usize + self.width - 1)
            .map_or(0, |&k| k as usize);
        let start = self.output_ends.get(index).map_or(0, |&e| e as usize);
        let end = self.output_ends.get(index + 1).map_or(0, |&e| e as usize);
        for &id in self.outputs.get(start..end).unwrap_or_default() {
            found(id);
        }
    }

    /// How many states it has.
    #[cfg(test)]
    fn states(&self) -> usize {
        self.table.len() / self.width
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each literal tagged with its own index.
    fn own_index(literals: &[Vec<u8>]) -> Vec<(&[u8], u32)> {
        (0..).zip(literals).map(|(i, l)| (&l[..], i)).collect()
    }

    /// Every (id, end) a plain search finds, in the order the automaton reports them.
    fn naive(literals: &[Vec<u8>], haystack: &[u8]) -> Vec<(u32, usize)> {
        let mut found = Vec::new();
        for end in 1..=haystack.len() {
            let mut here: Vec<u32> = literals
                .iter()
                .enumerate()
                .filter(|(_, l)| {
                    l.len() <= end && haystack[end - l.len()..end].eq_ignore_ascii_case(l)
                })
                .map(|(id, _)| id as u32)
                .collect();
            here.sort_unstable();
            found.extend(here.into_iter().map(|id| (id, end)));
        }
        found
    }

    /// The same, from the automaton: the literals ending at `end` are those reported for
    /// `haystack[..end]` beyond what `haystack[..end - 1]` reports.
    fn matches(dfa: &LiteralDfa, haystack: &[u8]) -> Vec<(u32, usize)> {
        let reported = |len: usize| {
            let mut ids = Vec::new();
            dfa.for_each_match(&haystack[..len], |id| ids.push(id));
            ids
        };
        let mut found = Vec::new();
        for end in 1..=haystack.len() {
            let (all, before) = (reported(end), reported(end - 1).len());
            let mut here = all[before..].to_vec();
            here.sort_unstable();
            found.extend(here.into_iter().map(|id| (id, end)));
        }
        found
    }

    #[test]
    fn finds_overlapping_and_nested_literals_in_any_case() {
        let literals: Vec<Vec<u8>> = [
            &b"he"[..],
            b"she",
            b"his",
            b"hers",
            b"SELECT",
            b"elec",
            b"\x00\xff",
        ]
        .iter()
        .map(|l| l.to_vec())
        .collect();
        let dfa = LiteralDfa::new(&own_index(&literals)).unwrap();
        let haystack = b"ushers; SeLeCt his \x00\xff she";
        assert_eq!(matches(&dfa, haystack), naive(&literals, haystack));
        assert!(!matches(&dfa, haystack).is_empty());
        let mut none = Vec::new();
        dfa.for_each_match(b"plain words only", |id| none.push(id));
        assert!(none.is_empty());
    }

    #[test]
    fn agrees_with_a_plain_search_on_random_text() {
        let alphabet = b"abAB<>( \x80";
        let literals: Vec<Vec<u8>> =
            rampart_testkit::random_texts(0x51ed_2701_a3c5_9e4b, alphabet, 5, 40)
                .filter(|l| l.len() >= 2)
                .collect();
        let dfa = LiteralDfa::new(&own_index(&literals)).unwrap();
        for haystack in rampart_testkit::random_texts(0x0bad_c0de_1234_5678, alphabet, 24, 2_000) {
            assert_eq!(matches(&dfa, &haystack), naive(&literals, &haystack));
        }
    }

    #[test]
    fn an_empty_set_matches_nothing() {
        let dfa = LiteralDfa::new(&[]).unwrap();
        let mut found = Vec::new();
        dfa.for_each_match(b"anything", |id| found.push(id));
        assert!(found.is_empty());
        assert_eq!(dfa.states(), 1);
    }
}
