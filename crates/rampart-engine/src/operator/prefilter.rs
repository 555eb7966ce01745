//! Required literals: a cheap test that rules most `@rx` patterns out before they run.
//!
//! A CRS request passes a few hundred regular expressions over every argument, header and
//! cookie, and on benign traffic almost none of them match. Most of those patterns cannot
//! match unless the value contains one of a small set of literal strings (`select`, `<script`,
//! `/etc/`, …). At load, [`required_literals`] works that set out from the pattern's syntax
//! tree; [`Prefilter`] joins the sets of every rule into one Aho-Corasick automaton, so each
//! distinct value a transaction's rules look at (after their transformations) is scanned
//! once for all of them, and each rule then reads one bit instead of running its regex.
//! Most transformation chains leave a benign value as it is, so one scan of the raw value
//! serves nearly every rule that reads it.
//!
//! Other operators bring sets of their own (see `CompiledOperator::required_literals`): the
//! heads of `@pm` phrases, the bytes libinjection needs before it can flag anything, the
//! bytes a validator objects to. Whatever the operator, a rule's bit only says "may match".
//!
//! A member may be a single byte (`[\n\r]`, `;`, `|`): those are not put in the automaton,
//! where they would fire on every other value, but read off the value's [`ByteSet`], which
//! the transaction works out once per value anyway.
//!
//! Soundness is the whole point: a literal set is only kept when every string the pattern can
//! match contains one of its members. Literals are compared ASCII case-insensitively, which
//! can only admit more values, never fewer. A pattern with no useful set (it can match the
//! empty string, or starts with `.*` and ends in a class) simply has no prefilter and always
//! runs.

use regex_syntax::hir::{Class, Hir, HirKind};

use super::literal_dfa::LiteralDfa;
use crate::byte_set::ByteSet;

/// At most this many strings in a set built by multiplying out alternatives and classes.
const MAX_EXACT: usize = 64;
/// At most this many members in a rule's required set; larger sets rarely rule anything out.
const MAX_REQUIRED: usize = 256;
/// A class of at most this many (case-folded) bytes is treated as a set of literals.
const MAX_CLASS: usize = 8;

/// What a sub-pattern tells about the strings it matches.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Facts {
    /// It matches exactly one of these strings (ASCII case aside).
    Exact(Vec<Vec<u8>>),
    /// Whatever it matches contains one of these strings.
    Required(Vec<Vec<u8>>),
    /// Nothing useful is known.
    Any,
}

/// The lowercase literals one of which every match of `pattern` contains, or `None` when
/// the pattern has no useful set. `pattern` is already in the `regex` crate's dialect (see
/// [`super::pcre::translate`]) and is read with the flags `@rx` compiles it with.
pub fn required_literals(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let hir = super::rx::syntax(pattern)?;
    let literals = match facts(&hir) {
        Facts::Exact(set) | Facts::Required(set) => Some(minimize(set)),
        Facts::Any => None,
    };
    literals
        .filter(|set| useful(set) && set.len() <= MAX_REQUIRED && set.iter().all(|s| weight(s) > 0))
        .or_else(|| required_punctuation(&hir))
}

/// The fallback for a pattern without a useful literal set: bytes, none of them a letter or
/// a digit, one of which every match holds. CRS's command-injection patterns spell each
/// command with optional quotes and `$@` between its letters, which leaves no literal, but
/// each command must be followed by a separator (white space, `;`, `|`, `&`, `)`, …), and
/// a value without one is ruled out. Only the bytes themselves are needed, so they are
/// read off the value's byte set, not searched for.
fn required_punctuation(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    let set = required_bytes(hir)?;
    (!set.intersects(&alphanumeric()) && set.len() <= MAX_PUNCTUATION)
        .then(|| set.iter().map(|byte| vec![byte]).collect())
}

/// At most this many bytes in a [`required_punctuation`] set.
const MAX_PUNCTUATION: usize = 24;

/// A set of bytes one of which every string `hir` matches holds (`None`: none is known,
/// as when it can match the empty string). Where there is a choice, a set without letters
/// and digits is preferred, then the smaller one.
fn required_bytes(hir: &Hir) -> Option<ByteSet> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => None,
        HirKind::Literal(literal) => literal
            .0
            .iter()
            .map(|&byte| with_case_variants(ByteSet::of(&[byte])))
            .min_by_key(byte_set_rank),
        HirKind::Class(Class::Bytes(class)) => {
            let mut set = ByteSet::default();
            for range in class.iter() {
                for byte in range.start()..=range.end() {
                    set.insert(byte);
                }
            }
            (!set.is_empty()).then_some(set)
        }
        HirKind::Class(Class::Unicode(_)) => None,
        HirKind::Repetition(repetition) if repetition.min == 0 => None,
        HirKind::Repetition(repetition) => required_bytes(&repetition.sub),
        HirKind::Capture(capture) => required_bytes(&capture.sub),
        HirKind::Concat(children) => children
            .iter()
            .filter_map(required_bytes)
            .min_by_key(byte_set_rank),
        HirKind::Alternation(children) => children
            .iter()
            .try_fold(ByteSet::default(), |union, child| {
                Some(union.union(required_bytes(child)?))
            }),
    }
}

/// Both ASCII cases of every letter in `set`: literals compare case-insensitively under
/// `(?i)`, and a letter is never kept in the end anyway.
fn with_case_variants(set: ByteSet) -> ByteSet {
    ByteSet::from_fn(|byte| {
        set.contains(byte)
            || set.contains(byte.to_ascii_lowercase())
            || set.contains(byte.to_ascii_uppercase())
    })
}

/// Lower is better: sets without letters and digits first, then smaller sets.
fn byte_set_rank(set: &ByteSet) -> (bool, usize) {
    (set.intersects(&alphanumeric()), set.len())
}

fn alphanumeric() -> ByteSet {
    ByteSet::from_fn(|byte| byte.is_ascii_alphanumeric())
}

/// How much a literal narrows things down: nothing for a letter, a digit or a space, which
/// nearly every value holds; a little for the punctuation of ordinary values (paths, lists,
/// query strings); more for any other byte; more again for longer strings.
fn weight(literal: &[u8]) -> usize {
    match literal {
        [byte] if byte.is_ascii_alphanumeric() || *byte == b' ' => 0,
        [byte] if b"\t\r\n/.-_,;=:+&".contains(byte) => 1,
        [_] => 2,
        longer => longer.len().min(4) + 1,
    }
}

fn facts(hir: &Hir) -> Facts {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Facts::Exact(vec![Vec::new()]),
        HirKind::Literal(literal) => Facts::Exact(vec![literal.0.to_ascii_lowercase()]),
        HirKind::Class(Class::Bytes(class)) => {
            let mut members: Vec<Vec<u8>> = Vec::new();
            for range in class.iter() {
                for byte in range.start()..=range.end() {
                    let byte = byte.to_ascii_lowercase();
                    if !members.iter().any(|m| m[0] == byte) {
                        members.push(vec![byte]);
                    }
                    if members.len() > MAX_CLASS {
                        return Facts::Any;
                    }
                }
            }
            Facts::Exact(members)
        }
        HirKind::Class(Class::Unicode(_)) => Facts::Any,
        HirKind::Repetition(repetition) if repetition.min == 0 => Facts::Any,
        HirKind::Repetition(repetition) => match facts(&repetition.sub) {
            exact @ Facts::Exact(_) if repetition.max == Some(1) => exact,
            // `\.{2,3}` requires `..`: the body's strings, `min` times over, when few.
            Facts::Exact(set) => {
                let mut run = vec![Vec::new()];
                for _ in 0..repetition.min.min(4) {
                    if run.len() * set.len() > MAX_EXACT {
                        break;
                    }
                    run = product(&run, &set);
                }
                Facts::Required(if useful(&run) { run } else { set })
            }
            Facts::Required(set) => Facts::Required(set),
            Facts::Any => Facts::Any,
        },
        HirKind::Capture(capture) => facts(&capture.sub),
        HirKind::Concat(children) => concat(children),
        HirKind::Alternation(children) => alternation(children),
    }
}

/// A concatenation requires the best of: each run of exact parts multiplied out, and each
/// other part's own requirement.
fn concat(children: &[Hir]) -> Facts {
    let mut best: Option<Vec<Vec<u8>>> = None;
    let mut consider = |set: Vec<Vec<u8>>| {
        if best.as_ref().is_none_or(|b| better(&set, b)) {
            best = Some(set);
        }
    };
    let mut run: Option<Vec<Vec<u8>>> = Some(vec![Vec::new()]);
    let mut all_exact = true;
    for child in children {
        match facts(child) {
            Facts::Exact(set) => {
                run = match run.take() {
                    Some(prefixes) if prefixes.len() * set.len() <= MAX_EXACT => {
                        Some(product(&prefixes, &set))
                    }
                    Some(prefixes) => {
                        // Too many combinations: close the run and start another here.
                        all_exact = false;
                        consider(prefixes);
                        Some(set)
                    }
                    None => Some(set),
                };
            }
            other => {
                all_exact = false;
                if let Some(prefixes) = run.take() {
                    consider(prefixes);
                }
                run = Some(vec![Vec::new()]);
                if let Facts::Required(set) = other {
                    consider(set);
                }
            }
        }
    }
    if all_exact {
        return Facts::Exact(run.unwrap_or_default());
    }
    if let Some(prefixes) = run {
        consider(prefixes);
    }
    match best {
        Some(set) if useful(&set) => Facts::Required(set),
        _ => Facts::Any,
    }
}

/// Every string of `prefixes` followed by every string of `suffixes`.
fn product(prefixes: &[Vec<u8>], suffixes: &[Vec<u8>]) -> Vec<Vec<u8>> {
    prefixes
        .iter()
        .flat_map(|p| suffixes.iter().map(move |s| [&p[..], &s[..]].concat()))
        .collect()
}

/// An alternation requires one of its branches' strings; it is exact only when every
/// branch is.
fn alternation(children: &[Hir]) -> Facts {
    let mut union = Vec::new();
    let mut all_exact = true;
    for child in children {
        match facts(child) {
            Facts::Exact(set) => union.extend(set),
            Facts::Required(set) => {
                all_exact = false;
                union.extend(set);
            }
            Facts::Any => return Facts::Any,
        }
        if union.len() > MAX_REQUIRED * 4 {
            return Facts::Any;
        }
    }
    if all_exact && union.len() <= MAX_EXACT {
        union.sort();
        union.dedup();
        return Facts::Exact(union);
    }
    let union = minimize(union);
    if useful(&union) && union.len() <= MAX_REQUIRED {
        Facts::Required(union)
    } else {
        Facts::Any
    }
}

/// A set rules something out only if it holds no empty string.
fn useful(set: &[Vec<u8>]) -> bool {
    !set.is_empty() && set.iter().all(|s| !s.is_empty())
}

/// Whether `a` is the better required set: its weakest member [weighs](weight) more, then
/// it has fewer members.
fn better(a: &[Vec<u8>], b: &[Vec<u8>]) -> bool {
    let score = |set: &[Vec<u8>]| {
        if !useful(set) {
            return (0, usize::MAX);
        }
        let weakest = set.iter().map(|s| weight(s)).min().unwrap_or(0);
        (weakest, usize::MAX - set.len())
    };
    score(a) > score(b)
}

/// Drops duplicates and every string that contains another member: whatever contains the
/// longer one contains the shorter.
fn minimize(mut set: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    set.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    set.dedup();
    let mut kept: Vec<Vec<u8>> = Vec::with_capacity(set.len());
    for candidate in set {
        if !kept.iter().any(|k| contains(&candidate, k)) {
            kept.push(candidate);
        }
    }
    kept
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

/// The required literals of every prefiltered rule in one automaton. Each rule owns a bit;
/// scanning a value sets the bits of the rules whose literals occur in it.
#[derive(Debug, Clone)]
pub struct Prefilter {
    /// The literals of two bytes or more, each tagged with the bits of the rules that
    /// have it.
    automaton: LiteralDfa,
    /// For each byte value, the bits of the rules that have it as a one-byte literal, as
    /// (word, bits) pairs for the words that have any: few rules have such literals, so a
    /// byte's row is mostly zeros, and a value holds some forty distinct bytes.
    byte_bits: Vec<(u32, u64)>,
    /// Where each byte's pairs start in `byte_bits` (257 entries, the last the end).
    byte_rows: Vec<u32>,
    bytes: ByteSet,
    words: usize,
}

impl Prefilter {
    /// `rules[i]` is the literal set of the rule given bit `i`. `None` when the automaton
    /// cannot be built (see [`LiteralDfa::new`]).
    pub fn new(rules: &[Vec<Vec<u8>>]) -> Option<Self> {
        let words = rules.len().div_ceil(64);
        let mut tagged: Vec<(&[u8], u32)> = Vec::new();
        let mut dense = vec![0u64; 256 * words];
        let mut bytes = ByteSet::default();
        for (bit, literals) in rules.iter().enumerate() {
            for literal in literals {
                if let [byte] = literal[..] {
                    // Both cases of a letter, as the automaton compares.
                    for byte in [byte.to_ascii_lowercase(), byte.to_ascii_uppercase()] {
                        bytes.insert(byte);
                        if let Some(word) = dense.get_mut(usize::from(byte) * words + bit / 64) {
                            *word |= 1 << (bit % 64);
                        }
                    }
                    continue;
                }
                tagged.push((literal, u32::try_from(bit).unwrap_or(u32::MAX)));
            }
        }
        let automaton = LiteralDfa::new(&tagged)?;
        let (mut byte_bits, mut byte_rows) = (Vec::new(), vec![0]);
        for row in dense.chunks(words.max(1)) {
            byte_bits.extend(
                (0u32..)
                    .zip(row)
                    .filter(|(_, &bits)| bits != 0)
                    .map(|(word, &bits)| (word, bits)),
            );
            byte_rows.push(u32::try_from(byte_bits.len()).unwrap_or(u32::MAX));
        }
        Some(Prefilter {
            automaton,
            byte_bits,
            byte_rows,
            bytes,
            words,
        })
    }

    /// How many `u64` words a scan's result takes.
    pub fn words(&self) -> usize {
        self.words
    }

    /// Sets in `bits` (of [`Self::words`] words, all clear) the bits of the rules whose
    /// literals occur in `value`, the bytes of which are `present`.
    pub fn scan(&self, value: &[u8], present: &ByteSet, bits: &mut [u64]) {
        for byte in present.intersection(&self.bytes).iter() {
            let row = |at: usize| self.byte_rows.get(at).map_or(0, |&end| end as usize);
            let (start, end) = (row(usize::from(byte)), row(usize::from(byte) + 1));
            for &(word, add) in self.byte_bits.get(start..end).unwrap_or_default() {
                if let Some(word) = bits.get_mut(word as usize) {
                    *word |= add;
                }
            }
        }
        self.automaton.for_each_match(value, |bit| {
            if let Some(word) = bits.get_mut(bit as usize / 64) {
                *word |= 1 << (bit % 64);
            }
        });
    }
}

/// Whether `bit` is set in a scan's result.
pub fn admits(bits: &[u64], bit: u32) -> bool {
    bits.get(bit as usize / 64)
        .is_some_and(|word| word & (1 << (bit % 64)) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literals(pattern: &str) -> Option<Vec<String>> {
        required_literals(pattern).map(|set| {
            set.into_iter()
                .map(|s| String::from_utf8_lossy(&s).into_owned())
                .collect()
        })
    }

    #[test]
    fn literal_and_alternation_sets() {
        assert_eq!(literals("select"), Some(vec!["select".into()]));
        assert_eq!(
            literals(r"(?i)\b(?:union|select)\s+from"),
            Some(vec!["from".into()]),
            "the longest certain part wins"
        );
        assert_eq!(
            literals("(?:alert|prompt)[(]"),
            Some(vec!["alert(".into(), "prompt(".into()]),
            "exact parts multiply out"
        );
        assert_eq!(
            literals("(?i)<script"),
            Some(vec!["<script".into()]),
            "case folding lowers the literal"
        );
    }

    #[test]
    fn patterns_without_a_requirement_have_none() {
        assert_eq!(literals(""), None);
        assert_eq!(literals("a?"), None);
        assert_eq!(literals(".*"), None);
        assert_eq!(literals("(?:abc|x*)"), None, "a branch may match nothing");
        assert_eq!(literals(r"^[\w]+$"), None);
        assert_eq!(
            literals(r"\ba[\s]*l[\s]*e"),
            None,
            "single letters are too common"
        );
        assert_eq!(literals("(?:/|<)x"), None, "so is a slash");
    }

    #[test]
    fn command_words_spelled_with_evasions_require_their_separator() {
        let evasion = r#"["'\)\[\x5c]*(?:\$[!#@_a-z]*)?\x5c?"#;
        let pattern =
            format!(r"(?i)(?:c{evasion}a{evasion}t|l{evasion}s){evasion}[\s\x0b&\),<>\|].*");
        let set = literals(&pattern).expect("a separator is required");
        for separator in [" ", "\t", "&", ")", ",", "<", ">", "|"] {
            assert!(
                set.contains(&separator.to_string()),
                "{separator:?} in {set:?}"
            );
        }
        assert!(set
            .iter()
            .all(|s| s.len() == 1 && !s.as_bytes()[0].is_ascii_alphanumeric()));
        assert_eq!(literals(r"(?:cat|l\w)"), None, "letters only");
        assert_eq!(
            literals(r"(?:[a-z]+;|[a-z]+)"),
            None,
            "a branch without punctuation"
        );
        assert_eq!(literals(r"x(?:;|&)?y"), None, "an optional separator");
    }

    #[test]
    fn repetition_keeps_its_body_required() {
        assert_eq!(literals("(?:ab)+c"), Some(vec!["ab".into()]));
        assert_eq!(literals("<{2,}"), Some(vec!["<<".into()]), "min times over");
        assert_eq!(literals(r"(?:^|/)\.{2,3}/"), Some(vec!["..".into()]));
        assert_eq!(literals("[0-9]{4}"), None, "too many strings, and digits");
    }

    #[test]
    fn rare_single_bytes_are_literals() {
        assert_eq!(literals(r"[\n\r]"), Some(vec!["\n".into(), "\r".into()]));
        assert_eq!(
            literals(r"(?:[;`|]|&&)[\s]*cat"),
            Some(vec!["cat".into()]),
            "a longer literal still wins"
        );
        assert_eq!(
            literals(r"[;|`]\s*[a-z]"),
            Some(vec![";".into(), "`".into(), "|".into()])
        );
        assert_eq!(literals(r"x[\s]*y"), None, "letters are everywhere");
        assert_eq!(
            literals(r"[ ;]"),
            Some(vec![" ".into(), ";".into()]),
            "spaces are common, but with nothing better a set holding one still rules out \
             the values without"
        );
    }

    #[test]
    fn supersets_are_minimized() {
        assert_eq!(
            literals("(?:abc|ab|xabcx)"),
            Some(vec!["ab".into()]),
            "abc and xabcx contain ab"
        );
    }

    #[test]
    fn prefilter_sets_each_rules_bit() {
        let filter = Prefilter::new(&[
            vec![b"select".to_vec()],
            vec![b"<script".to_vec(), b"alert(".to_vec()],
            vec![b"select".to_vec(), b"union".to_vec()],
        ])
        .unwrap();
        let scan = |value: &[u8]| {
            let mut bits = vec![0; filter.words()];
            filter.scan(value, &ByteSet::of(value), &mut bits);
            bits
        };
        let bits = scan(b"1 UNION SELECT 2");
        assert!(admits(&bits, 0));
        assert!(!admits(&bits, 1));
        assert!(admits(&bits, 2));
        let bits = scan(b"hello");
        assert!((0..3).all(|bit| !admits(&bits, bit)));
        let bits = scan(b"xunionselect");
        assert!(
            admits(&bits, 0) && admits(&bits, 2),
            "overlapping and adjacent matches"
        );
        let bytes =
            Prefilter::new(&[vec![b"\n".to_vec(), b"|".to_vec()], vec![b"ab".to_vec()]]).unwrap();
        let scan = |value: &[u8]| {
            let mut bits = vec![0; bytes.words()];
            bytes.scan(value, &ByteSet::of(value), &mut bits);
            bits
        };
        assert!(admits(&scan(b"a|b"), 0) && !admits(&scan(b"a|b"), 1));
        assert!(admits(&scan(b"x\nAB"), 0) && admits(&scan(b"x\nAB"), 1));
        assert!(!admits(&scan(b"a b"), 0));
    }
}
