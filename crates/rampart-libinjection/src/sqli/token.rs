//! Tokens as the folder sees them: a type character and a short copy of the text.
//!
//! The value is a copy, not a slice of the input, because folding merges words ("UNION" and
//! "ALL" become one token "UNION ALL") and later rules look at the merged text. It holds at
//! most 31 bytes, as libinjection's `char val[32]` does, and the rules that look at a
//! token's length see that truncated length, as in the C.

/// Token type characters; a fingerprint is the sequence of them.
pub(super) mod kind {
    pub const NONE: u8 = 0;
    pub const KEYWORD: u8 = b'k';
    pub const UNION: u8 = b'U';
    pub const GROUP: u8 = b'B';
    pub const EXPRESSION: u8 = b'E';
    pub const SQL_TYPE: u8 = b't';
    pub const FUNCTION: u8 = b'f';
    pub const BAREWORD: u8 = b'n';
    pub const NUMBER: u8 = b'1';
    pub const VARIABLE: u8 = b'v';
    pub const STRING: u8 = b's';
    pub const OPERATOR: u8 = b'o';
    pub const LOGIC_OPERATOR: u8 = b'&';
    pub const COMMENT: u8 = b'c';
    pub const COLLATE: u8 = b'A';
    pub const LEFT_PARENS: u8 = b'(';
    pub const RIGHT_PARENS: u8 = b')';
    pub const LEFT_BRACE: u8 = b'{';
    pub const RIGHT_BRACE: u8 = b'}';
    pub const DOT: u8 = b'.';
    pub const COMMA: u8 = b',';
    pub const COLON: u8 = b':';
    pub const SEMICOLON: u8 = b';';
    pub const TSQL: u8 = b'T';
    pub const UNKNOWN: u8 = b'?';
    pub const EVIL: u8 = b'X';
    pub const FINGERPRINT: u8 = b'F';
    pub const BACKSLASH: u8 = b'\\';
}

/// Bytes of token text kept.
pub(super) const VALUE_CAPACITY: usize = 31;

#[derive(Debug, Clone, Copy)]
pub(super) struct Token {
    pub kind: u8,
    /// The opening quote of a string-like token, 0 when the quote was implied by the context.
    pub str_open: u8,
    /// The closing quote, 0 when the input ended first.
    pub str_close: u8,
    len: u8,
    value: [u8; VALUE_CAPACITY],
}

impl Token {
    pub const EMPTY: Token = Token {
        kind: kind::NONE,
        str_open: 0,
        str_close: 0,
        len: 0,
        value: [0; VALUE_CAPACITY],
    };

    /// Sets type and text, leaving the quote marks as they are.
    pub fn assign(&mut self, kind: u8, text: &[u8]) {
        let len = text.len().min(VALUE_CAPACITY);
        self.kind = kind;
        self.len = len as u8;
        if let (Some(dst), Some(src)) = (self.value.get_mut(..len), text.get(..len)) {
            dst.copy_from_slice(src);
        }
    }

    pub fn assign_byte(&mut self, kind: u8, byte: u8) {
        self.assign(kind, &[byte]);
    }

    pub fn value(&self) -> &[u8] {
        self.value.get(..usize::from(self.len)).unwrap_or(&[])
    }

    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// The first byte of the text, 0 when empty (the C reads its terminating NUL).
    pub fn first_byte(&self) -> u8 {
        self.value().first().copied().unwrap_or(0)
    }

    /// Whether the text equals `upper` ignoring ASCII case; `upper` is upper case.
    pub fn value_is(&self, upper: &[u8]) -> bool {
        self.value().len() == upper.len()
            && self
                .value()
                .iter()
                .zip(upper)
                .all(|(&byte, &expected)| byte.to_ascii_uppercase() == expected)
    }

    pub fn is_unary_operator(&self) -> bool {
        if self.kind != kind::OPERATOR {
            return false;
        }
        match self.value() {
            [b'+' | b'-' | b'!' | b'~'] | [b'!', b'!'] => true,
            _ => self.value_is(b"NOT"),
        }
    }

    pub fn is_arithmetic_operator(&self) -> bool {
        self.kind == kind::OPERATOR && matches!(self.value(), [b'*' | b'/' | b'-' | b'+' | b'%'])
    }
}

/// Maximum tokens in a fingerprint.
pub(super) const MAX_TOKENS: usize = 5;

/// The folder's token slots: five for the fingerprint plus the look-ahead it reads past them.
/// Reads and writes out of range are harmless no-ops, so no input can make it panic.
#[derive(Debug, Clone)]
pub(super) struct TokenSlots([Token; MAX_TOKENS + 3]);

impl TokenSlots {
    pub fn new() -> Self {
        TokenSlots([Token::EMPTY; MAX_TOKENS + 3])
    }

    pub fn get(&self, index: usize) -> &Token {
        self.0.get(index).unwrap_or(&Token::EMPTY)
    }

    /// The slot at `index`; the last slot stands in for any index past the end.
    pub fn slot(&mut self, index: usize) -> &mut Token {
        let last = self.0.len() - 1;
        let index = index.min(last);
        &mut self.0[index]
    }

    pub fn kind(&self, index: usize) -> u8 {
        self.get(index).kind
    }

    pub fn set_kind(&mut self, index: usize, kind: u8) {
        self.slot(index).kind = kind;
    }

    pub fn copy(&mut self, to: usize, from: usize) {
        let token = *self.get(from);
        *self.slot(to) = token;
    }
}
