//! The string operators: `@streq`, `@beginsWith`, `@endsWith`, `@contains`, `@containsWord`,
//! `@within` (and `@strmatch`, which is a plain substring search).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringOp {
    Streq,
    BeginsWith,
    EndsWith,
    Contains,
    ContainsWord,
    Within,
}

impl StringOp {
    pub fn evaluate(self, input: &[u8], argument: &[u8]) -> bool {
        match self {
            StringOp::Streq => input == argument,
            StringOp::BeginsWith => input.starts_with(argument),
            StringOp::EndsWith => input.ends_with(argument),
            StringOp::Contains => find(input, argument).is_some(),
            StringOp::ContainsWord => contains_word(input, argument),
            // The value must occur in the argument; an empty value always does.
            StringOp::Within => find(argument, input).is_some(),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

/// ModSecurity's word boundary: any byte that is not an ASCII letter (digits and `_` are
/// boundaries too).
fn contains_word(input: &[u8], word: &[u8]) -> bool {
    if word.is_empty() {
        return true;
    }
    let boundary = |i: Option<&u8>| i.is_none_or(|b| !b.is_ascii_alphabetic());
    let mut start = 0;
    while let Some(offset) = find(&input[start..], word) {
        let at = start + offset;
        let before = at.checked_sub(1).and_then(|i| input.get(i));
        if (at == 0 || boundary(before)) && boundary(input.get(at + word.len())) {
            return true;
        }
        start = at + 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_operators() {
        assert!(StringOp::Within.evaluate(b"GET", b"GET HEAD POST"));
        assert!(StringOp::Within.evaluate(b"", b"GET"));
        assert!(!StringOp::Within.evaluate(b"PUT", b"GET HEAD"));
        assert!(StringOp::ContainsWord.evaluate(b"a select b", b"select"));
        assert!(StringOp::ContainsWord.evaluate(b"1select_", b"select"));
        assert!(!StringOp::ContainsWord.evaluate(b"selected", b"select"));
        assert!(StringOp::ContainsWord.evaluate(b"xselect select", b"select"));
        assert!(StringOp::EndsWith.evaluate(b"file.php", b".php"));
        assert!(StringOp::Contains.evaluate(b"abc", b""));
        assert!(StringOp::Contains.evaluate(b"xxabcabd", b"abd"));
        assert!(!StringOp::Contains.evaluate(b"ab", b"abc"));
    }
}
