//! A small regular-expression matcher for the suite's log expectations, in RE2 (Go) syntax.
//!
//! go-ftw checks `match_regex`, `no_match_regex` and `response_contains` with Go's `regexp`.
//! The suite's patterns are simple (`\[id "\d+"\]`, literals with escapes, `.*`, `|`), and only
//! a yes/no answer is needed, so a Thompson-NFA simulation over the text's characters does it
//! in linear time without a dependency. The supported subset: literals and escaped
//! punctuation; `.` (not newline); `[...]` classes with ranges and negation; `\d \D \w \W \s
//! \S`; `\n \t \r \f \v \a \xHH \x{H..}`; groups `(...)`, `(?:...)`, `(?P<n>...)`,
//! `(?<n>...)`; alternation; `* + ?` and `{n} {n,} {n,m}`, greedy or lazy (the same for a
//! yes/no answer); anchors `^ $ \A \z \b \B` (no multi-line mode: go-ftw matches line by line).
//! Anything else (flags, Unicode classes, POSIX classes, `\Q..\E`, octal escapes) is reported
//! as unsupported rather than guessed at.

/// Why a pattern cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RegexError {
    /// Valid RE2, but outside the subset this matcher implements.
    Unsupported(String),
    /// Not a valid pattern.
    Invalid(String),
}

impl std::fmt::Display for RegexError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RegexError::Unsupported(what) => write!(f, "unsupported regular expression: {what}"),
            RegexError::Invalid(what) => write!(f, "invalid regular expression: {what}"),
        }
    }
}

/// The largest repetition count RE2 accepts.
const MAX_REPEAT: u32 = 1000;
/// The largest compiled program accepted.
const MAX_PROGRAM: usize = 100_000;
/// The deepest group nesting accepted (parsing and compiling recurse on it).
const MAX_DEPTH: usize = 200;

/// A compiled pattern.
#[derive(Debug, Clone)]
pub(crate) struct Regex {
    program: Vec<Inst>,
    classes: Vec<Class>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Assertion {
    StartText,
    EndText,
    WordBoundary,
    NotWordBoundary,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ClassItem {
    Range(char, char),
    /// A set given by a negated escape (`\D` inside a class): matches what the ranges don't.
    NotRanges(Vec<(char, char)>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Class {
    negated: bool,
    items: Vec<ClassItem>,
}

impl Class {
    fn matches(&self, c: char) -> bool {
        let in_items = self.items.iter().any(|item| match item {
            ClassItem::Range(lo, hi) => *lo <= c && c <= *hi,
            ClassItem::NotRanges(ranges) => !ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi),
        });
        in_items != self.negated
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Empty,
    Literal(char),
    Class(Class),
    Assert(Assertion),
    Concat(Vec<Node>),
    Alternate(Vec<Node>),
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Inst {
    Char(char),
    Class(usize),
    Assert(Assertion),
    Split(usize, usize),
    Jmp(usize),
    Match,
}

const DIGIT: &[(char, char)] = &[('0', '9')];
const WORD: &[(char, char)] = &[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];
const SPACE: &[(char, char)] = &[('\t', '\n'), ('\x0c', '\r'), (' ', ' ')];

impl Regex {
    /// Compiles `pattern`.
    pub(crate) fn new(pattern: &str) -> Result<Regex, RegexError> {
        let mut parser = Parser {
            chars: pattern.chars().collect(),
            pos: 0,
            depth: 0,
        };
        let node = parser.parse_alternation()?;
        if parser.pos < parser.chars.len() {
            return Err(RegexError::Invalid("unexpected )".to_owned()));
        }
        let mut compiler = Compiler {
            program: Vec::new(),
            classes: Vec::new(),
        };
        compiler.compile(&node)?;
        compiler.push(Inst::Match)?;
        Ok(Regex {
            program: compiler.program,
            classes: compiler.classes,
        })
    }

    /// Whether the pattern matches anywhere in `text`.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        let chars: Vec<char> = text.chars().collect();
        let mut scratch = Scratch {
            marks: vec![0; self.program.len()],
            stack: Vec::new(),
        };
        let mut current: Vec<usize> = Vec::new();
        let mut next: Vec<usize> = Vec::new();
        for pos in 0..=chars.len() {
            // Unanchored search: a new thread starts at every position.
            if self.add_thread(&mut current, &mut scratch, 0, pos, &chars) {
                return true;
            }
            let Some(&c) = chars.get(pos) else {
                break;
            };
            next.clear();
            for &pc in &current {
                let advance = match self.program.get(pc) {
                    Some(Inst::Char(want)) => *want == c,
                    Some(Inst::Class(index)) => self
                        .classes
                        .get(*index)
                        .is_some_and(|class| class.matches(c)),
                    _ => false,
                };
                if advance && self.add_thread(&mut next, &mut scratch, pc + 1, pos + 1, &chars) {
                    return true;
                }
            }
            std::mem::swap(&mut current, &mut next);
        }
        false
    }

    /// Adds the thread at `pc`, about to read position `pos`, and everything reachable from
    /// it without reading; returns true as soon as a match is reachable.
    fn add_thread(
        &self,
        list: &mut Vec<usize>,
        scratch: &mut Scratch,
        pc: usize,
        pos: usize,
        chars: &[char],
    ) -> bool {
        // Threads for one position share a generation, so each pc is added once per position.
        let generation = pos + 1;
        scratch.stack.clear();
        scratch.stack.push(pc);
        while let Some(pc) = scratch.stack.pop() {
            let Some(mark) = scratch.marks.get_mut(pc) else {
                continue;
            };
            if *mark == generation {
                continue;
            }
            *mark = generation;
            match self.program.get(pc) {
                Some(Inst::Match) => return true,
                Some(Inst::Jmp(target)) => scratch.stack.push(*target),
                Some(Inst::Split(a, b)) => {
                    scratch.stack.push(*b);
                    scratch.stack.push(*a);
                }
                Some(Inst::Assert(assertion)) if assertion_holds(*assertion, chars, pos) => {
                    scratch.stack.push(pc + 1);
                }
                Some(Inst::Char(_) | Inst::Class(_)) => list.push(pc),
                Some(Inst::Assert(_)) | None => {}
            }
        }
        false
    }
}

/// Working memory of a search: the generation each pc was last added in, and a stack.
struct Scratch {
    marks: Vec<usize>,
    stack: Vec<usize>,
}

fn assertion_holds(assertion: Assertion, chars: &[char], pos: usize) -> bool {
    let is_word = |c: Option<&char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_');
    let before = pos.checked_sub(1).and_then(|i| chars.get(i));
    let boundary = is_word(before) != is_word(chars.get(pos));
    match assertion {
        Assertion::StartText => pos == 0,
        Assertion::EndText => pos == chars.len(),
        Assertion::WordBoundary => boundary,
        Assertion::NotWordBoundary => !boundary,
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn parse_alternation(&mut self) -> Result<Node, RegexError> {
        let mut branches = vec![self.parse_concat()?];
        while self.eat('|') {
            branches.push(self.parse_concat()?);
        }
        Ok(if branches.len() == 1 {
            branches.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alternate(branches)
        })
    }

    fn parse_concat(&mut self) -> Result<Node, RegexError> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            items.push(self.parse_repeat()?);
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.pop().unwrap_or(Node::Empty),
            _ => Node::Concat(items),
        })
    }

    fn parse_repeat(&mut self) -> Result<Node, RegexError> {
        let atom = self.parse_atom()?;
        let Some((min, max)) = self.parse_quantifier()? else {
            return Ok(atom);
        };
        self.eat('?'); // lazy: the same for a yes/no answer
        if self.parse_quantifier_peek() {
            return Err(RegexError::Invalid(
                "invalid nested repetition operator".to_owned(),
            ));
        }
        Ok(Node::Repeat {
            node: Box::new(atom),
            min,
            max,
        })
    }

    fn parse_quantifier_peek(&mut self) -> bool {
        let save = self.pos;
        let found = matches!(self.parse_quantifier(), Ok(Some(_)));
        self.pos = save;
        found
    }

    fn parse_quantifier(&mut self) -> Result<Option<(u32, Option<u32>)>, RegexError> {
        match self.peek() {
            Some('*') => {
                self.pos += 1;
                Ok(Some((0, None)))
            }
            Some('+') => {
                self.pos += 1;
                Ok(Some((1, None)))
            }
            Some('?') => {
                self.pos += 1;
                Ok(Some((0, Some(1))))
            }
            Some('{') => {
                let save = self.pos;
                self.pos += 1;
                let Some(min) = self.parse_number() else {
                    self.pos = save;
                    return Ok(None);
                };
                let max = if self.eat(',') {
                    if self.peek() == Some('}') {
                        None
                    } else if let Some(max) = self.parse_number() {
                        Some(max)
                    } else {
                        self.pos = save;
                        return Ok(None);
                    }
                } else {
                    Some(min)
                };
                if !self.eat('}') {
                    self.pos = save;
                    return Ok(None);
                }
                if min > MAX_REPEAT || max.is_some_and(|m| m > MAX_REPEAT || m < min) {
                    return Err(RegexError::Invalid("invalid repeat count".to_owned()));
                }
                Ok(Some((min, max)))
            }
            _ => Ok(None),
        }
    }

    fn parse_number(&mut self) -> Option<u32> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.pos == start {
            return None;
        }
        let digits: String = self.chars[start..self.pos].iter().collect();
        // Too many digits: larger than any allowed count.
        Some(digits.parse().unwrap_or(u32::MAX))
    }

    fn parse_atom(&mut self) -> Result<Node, RegexError> {
        let Some(c) = self.next() else {
            return Ok(Node::Empty);
        };
        match c {
            '(' => {
                if self.eat('?') {
                    if self.eat(':') {
                        // non-capturing group
                    } else if self.eat('P') || self.peek() == Some('<') {
                        if !self.eat('<') {
                            return Err(RegexError::Invalid("bad named group".to_owned()));
                        }
                        while let Some(c) = self.next() {
                            if c == '>' {
                                break;
                            }
                        }
                    } else {
                        return Err(RegexError::Unsupported("flags (?...)".to_owned()));
                    }
                }
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(RegexError::Unsupported(
                        "groups nested too deeply".to_owned(),
                    ));
                }
                let inner = self.parse_alternation()?;
                self.depth -= 1;
                if !self.eat(')') {
                    return Err(RegexError::Invalid("missing )".to_owned()));
                }
                Ok(inner)
            }
            '[' => self.parse_class().map(Node::Class),
            '.' => Ok(Node::Class(Class {
                negated: true,
                items: vec![ClassItem::Range('\n', '\n')],
            })),
            '^' => Ok(Node::Assert(Assertion::StartText)),
            '$' => Ok(Node::Assert(Assertion::EndText)),
            '*' | '+' | '?' => Err(RegexError::Invalid(
                "missing argument to repetition operator".to_owned(),
            )),
            '\\' => self.parse_escape(),
            c => Ok(Node::Literal(c)),
        }
    }

    fn parse_escape(&mut self) -> Result<Node, RegexError> {
        let c = self
            .next()
            .ok_or_else(|| RegexError::Invalid("trailing \\".to_owned()))?;
        let set = |ranges: &[(char, char)], negated: bool| {
            Node::Class(Class {
                negated,
                items: ranges
                    .iter()
                    .map(|(a, b)| ClassItem::Range(*a, *b))
                    .collect(),
            })
        };
        Ok(match c {
            'd' => set(DIGIT, false),
            'D' => set(DIGIT, true),
            'w' => set(WORD, false),
            'W' => set(WORD, true),
            's' => set(SPACE, false),
            'S' => set(SPACE, true),
            'b' => Node::Assert(Assertion::WordBoundary),
            'B' => Node::Assert(Assertion::NotWordBoundary),
            'A' => Node::Assert(Assertion::StartText),
            'z' => Node::Assert(Assertion::EndText),
            other => Node::Literal(self.escaped_char(other)?),
        })
    }

    /// The character an escape outside `\d`-style sets stands for.
    fn escaped_char(&mut self, c: char) -> Result<char, RegexError> {
        match c {
            'n' => Ok('\n'),
            't' => Ok('\t'),
            'r' => Ok('\r'),
            'f' => Ok('\x0c'),
            'v' => Ok('\x0b'),
            'a' => Ok('\x07'),
            'x' => self.parse_hex_escape(),
            c if c.is_ascii_punctuation() => Ok(c),
            c if c.is_ascii_alphanumeric() => Err(RegexError::Unsupported(format!("escape \\{c}"))),
            c => Err(RegexError::Invalid(format!("invalid escape \\{c}"))),
        }
    }

    fn parse_hex_escape(&mut self) -> Result<char, RegexError> {
        let digits: String = if self.eat('{') {
            let mut digits = String::new();
            loop {
                match self.next() {
                    Some('}') => break,
                    Some(c) => digits.push(c),
                    None => return Err(RegexError::Invalid("unclosed \\x{".to_owned())),
                }
            }
            digits
        } else {
            (0..2).filter_map(|_| self.next()).collect()
        };
        u32::from_str_radix(&digits, 16)
            .ok()
            .filter(|_| !digits.is_empty())
            .and_then(char::from_u32)
            .ok_or_else(|| RegexError::Invalid(format!("bad \\x escape {digits:?}")))
    }

    fn parse_class(&mut self) -> Result<Class, RegexError> {
        let negated = self.eat('^');
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let c = self
                .next()
                .ok_or_else(|| RegexError::Invalid("missing ]".to_owned()))?;
            if c == ']' && !first {
                break;
            }
            first = false;
            if c == '[' && self.peek() == Some(':') {
                return Err(RegexError::Unsupported("POSIX class [:...:]".to_owned()));
            }
            let low = if c == '\\' {
                let e = self
                    .next()
                    .ok_or_else(|| RegexError::Invalid("trailing \\".to_owned()))?;
                let named = match e {
                    'd' => Some((DIGIT, false)),
                    'D' => Some((DIGIT, true)),
                    'w' => Some((WORD, false)),
                    'W' => Some((WORD, true)),
                    's' => Some((SPACE, false)),
                    'S' => Some((SPACE, true)),
                    _ => None,
                };
                if let Some((ranges, negated)) = named {
                    if negated {
                        items.push(ClassItem::NotRanges(ranges.to_vec()));
                    } else {
                        items.extend(ranges.iter().map(|(a, b)| ClassItem::Range(*a, *b)));
                    }
                    continue;
                }
                self.escaped_char(e)?
            } else {
                c
            };
            let is_range =
                self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|n| *n != ']');
            if is_range {
                self.pos += 1;
                let h = self
                    .next()
                    .ok_or_else(|| RegexError::Invalid("missing ]".to_owned()))?;
                let high = if h == '\\' {
                    let e = self
                        .next()
                        .ok_or_else(|| RegexError::Invalid("trailing \\".to_owned()))?;
                    self.escaped_char(e)?
                } else {
                    h
                };
                if high < low {
                    return Err(RegexError::Invalid(format!(
                        "invalid character class range {low}-{high}"
                    )));
                }
                items.push(ClassItem::Range(low, high));
            } else {
                items.push(ClassItem::Range(low, low));
            }
        }
        Ok(Class { negated, items })
    }
}

struct Compiler {
    program: Vec<Inst>,
    classes: Vec<Class>,
}

impl Compiler {
    fn push(&mut self, inst: Inst) -> Result<usize, RegexError> {
        if self.program.len() >= MAX_PROGRAM {
            return Err(RegexError::Unsupported("pattern too large".to_owned()));
        }
        self.program.push(inst);
        Ok(self.program.len() - 1)
    }

    fn patch(&mut self, at: usize, inst: Inst) {
        if let Some(slot) = self.program.get_mut(at) {
            *slot = inst;
        }
    }

    fn compile(&mut self, node: &Node) -> Result<(), RegexError> {
        match node {
            Node::Empty => {}
            Node::Literal(c) => {
                self.push(Inst::Char(*c))?;
            }
            Node::Class(class) => {
                self.classes.push(class.clone());
                self.push(Inst::Class(self.classes.len() - 1))?;
            }
            Node::Assert(assertion) => {
                self.push(Inst::Assert(*assertion))?;
            }
            Node::Concat(items) => {
                for item in items {
                    self.compile(item)?;
                }
            }
            Node::Alternate(branches) => {
                let mut jumps = Vec::new();
                for (i, branch) in branches.iter().enumerate() {
                    if i + 1 < branches.len() {
                        let split = self.push(Inst::Split(0, 0))?;
                        self.compile(branch)?;
                        jumps.push(self.push(Inst::Jmp(0))?);
                        let next = self.program.len();
                        self.patch(split, Inst::Split(split + 1, next));
                    } else {
                        self.compile(branch)?;
                    }
                }
                let end = self.program.len();
                for jump in jumps {
                    self.patch(jump, Inst::Jmp(end));
                }
            }
            Node::Repeat { node, min, max } => {
                for _ in 0..*min {
                    self.compile(node)?;
                }
                match max {
                    None => {
                        // x*: L: split(body, end); body; jmp L; end:
                        let split = self.push(Inst::Split(0, 0))?;
                        self.compile(node)?;
                        self.push(Inst::Jmp(split))?;
                        let end = self.program.len();
                        self.patch(split, Inst::Split(split + 1, end));
                    }
                    Some(max) => {
                        let mut splits = Vec::new();
                        for _ in *min..*max {
                            splits.push(self.push(Inst::Split(0, 0))?);
                            self.compile(node)?;
                        }
                        let end = self.program.len();
                        for split in splits {
                            self.patch(split, Inst::Split(split + 1, end));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, text: &str) -> bool {
        match Regex::new(pattern) {
            Ok(re) => re.is_match(text),
            Err(e) => panic!("{pattern}: {e}"),
        }
    }

    #[test]
    fn suite_patterns() {
        let line = r#"ModSecurity: Warning. Matched "Operator `Rx'" [file "x.conf"] [line "1"] [id "922130"] [msg "Multipart header contains characters outside of valid range"]"#;
        assert!(matches(r#"\[id "\d+"\]"#, line));
        assert!(!matches(r#"\[id "\d+"\]"#, "[id \"\"]"));
        assert!(matches(
            r#"Multipart parsing error: Multipart: Invalid part header \(contains invalid character\)|\[id "922130"\].*\[msg "Multipart header contains characters outside of valid range"\]"#,
            line
        ));
        assert!(matches(
            r"Matched Data: \$u found within REQUEST_HEADERS:Referer: #x=foo;cat\$u /etc\$u/passwd",
            "x Matched Data: $u found within REQUEST_HEADERS:Referer: #x=foo;cat$u /etc$u/passwd y"
        ));
        assert!(matches(
            r"Inbound Anomaly Score Exceeded \(Total Score: ",
            "Inbound Anomaly Score Exceeded (Total Score: 5)"
        ));
        assert!(matches(
            r"Matched Data:.*MAIL FROM:<Smith@bar.com> found within ARGS:textarea:.*MAIL FROM:<Smith@bar.com>",
            "Matched Data: x MAIL FROM:<Smith@bar.com> found within ARGS:textarea: y MAIL FROM:<Smith@bar.com>"
        ));
    }

    #[test]
    fn syntax_subset() {
        let cases: &[(&str, &str, bool)] = &[
            ("abc", "xxabcxx", true),
            ("^abc", "xabc", false),
            ("^abc$", "abc", true),
            ("a.c", "a\nc", false),
            ("a.c", "aéc", true),
            ("[a-c]+x", "zzbcax", true),
            ("[^a-c]x", "ax", false),
            ("[]a]", "]", true),
            ("[a-]", "-", true),
            (r"[\d.]+", "1.5", true),
            (r"[\D]", "5", false),
            (r"\w+\s\W", "ab !", true),
            ("(?:ab)+c", "ababc", true),
            ("(?P<x>a|b)c", "bc", true),
            ("a{3}", "aa", false),
            ("a{2,}", "aaa", true),
            ("^a{1,2}$", "aaa", false),
            ("x{,2}", "x{,2}", true),
            (r"\bfoo\b", "a foo b", true),
            (r"\bfoo\b", "afoob", false),
            (r"\Bfoo", "afoo", true),
            (r"\x41\x{e9}", "Aé", true),
            ("(a*)*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaac", false),
            ("a|", "zzz", true),
            ("a+?b", "aab", true),
            ("", "", true),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(matches(pattern, text), *expected, "{pattern} on {text:?}");
        }
    }

    #[test]
    fn unsupported_and_invalid() {
        for pattern in ["(?i)abc", r"\pL", "[[:alpha:]]", r"\Qa\E", r"\1"] {
            assert!(
                matches!(Regex::new(pattern), Err(RegexError::Unsupported(_))),
                "{pattern}"
            );
        }
        for pattern in [
            "(abc", "abc)", "*a", "a**", "[z-a]", "[abc", "a{1001}", "\\",
        ] {
            assert!(
                matches!(Regex::new(pattern), Err(RegexError::Invalid(_))),
                "{pattern}"
            );
        }
    }

    #[test]
    fn hostile_patterns_are_refused_not_crashed() {
        let deep = format!("{}a{}", "(".repeat(100_000), ")".repeat(100_000));
        assert!(matches!(Regex::new(&deep), Err(RegexError::Unsupported(_))));
        assert!(matches!(
            Regex::new("((a{1000}){1000}){1000}"),
            Err(RegexError::Unsupported(_))
        ));
        let nested = format!("{}a{}b", "(".repeat(150), ")*".repeat(150));
        assert!(Regex::new(&nested).is_ok_and(|re| re.is_match("aaab") && !re.is_match("ac")));
        let nested = format!("{}a{}", "(".repeat(150), ")".repeat(150));
        assert!(Regex::new(&nested).is_ok_and(|re| re.is_match("xay")));
    }
}
