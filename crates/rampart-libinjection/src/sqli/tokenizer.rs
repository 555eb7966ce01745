//! The SQL tokenizer of libinjection 3.9.2.
//!
//! Where the C scans with `strchr` over a set of characters (its `strlenspn` and
//! `strlencspn` helpers and `char_is_white`), `strchr` also finds the set's terminating NUL,
//! so a NUL byte in the input belongs to every such set: it is white space, it ends words and
//! variables, and it is taken as a digit of `0x…`/`0b…` numbers, of `x'…'`/`b'…'` literals
//! and of `$…` money amounts and `$tag$` names. Scans done with `memchr` (strings, comments,
//! brackets) treat NUL as any other byte. The predicates below say which is which; the
//! `libinjectionrs` port does not treat NUL this way, which is where its answers differ.

use super::keywords::lookup;
use super::token::{kind, Token};
use super::SqliFlags;

pub(super) struct Tokenizer<'a> {
    input: &'a [u8],
    flags: u32,
    position: usize,
    /// Tokens produced so far.
    pub tokens_seen: u32,
    /// `--` comments not followed by white space (ANSI only).
    pub dash_comments_without_space: u32,
    /// `#` seen, counted twice in MySQL mode.
    pub hash_comments: u32,
}

/// `char_is_white`.
fn is_white(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0xa0 | 0)
}

/// Bytes that end a bare word.
fn ends_word(byte: u8) -> bool {
    matches!(
        byte,
        b' ' | b'['
            | b']'
            | b'{'
            | b'}'
            | b'<'
            | b'>'
            | b':'
            | b'\\'
            | b'?'
            | b'='
            | b'@'
            | b'!'
            | b'#'
            | b'~'
            | b'+'
            | b'-'
            | b'*'
            | b'/'
            | b'&'
            | b'|'
            | b'^'
            | b'%'
            | b'('
            | b')'
            | b','
            | b'\''
            | b';'
            | b'\t'
            | b'\n'
            | 0x0b
            | 0x0c
            | b'\r'
            | b'"'
            | 0xa0
            | 0
    )
}

/// Bytes that end an `@variable` name.
fn ends_variable(byte: u8) -> bool {
    matches!(
        byte,
        b' ' | b'<'
            | b'>'
            | b':'
            | b'\\'
            | b'?'
            | b'='
            | b'@'
            | b'!'
            | b'#'
            | b'~'
            | b'+'
            | b'-'
            | b'*'
            | b'/'
            | b'&'
            | b'|'
            | b'^'
            | b'%'
            | b'('
            | b')'
            | b','
            | b'\''
            | b';'
            | b'\t'
            | b'\n'
            | 0x0b
            | 0x0c
            | b'\r'
            | b'`'
            | b'"'
            | 0
    )
}

fn is_binary_digit(byte: u8) -> bool {
    matches!(byte, b'0' | b'1' | 0)
}

fn is_hex_digit(byte: u8) -> bool {
    byte.is_ascii_hexdigit() || byte == 0
}

fn is_money_digit(byte: u8) -> bool {
    matches!(byte, b'0'..=b'9' | b'.' | b',' | 0)
}

fn is_money_tag_letter(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == 0
}

/// Length of the run at the start of `bytes` whose bytes satisfy `accept`.
fn span(bytes: &[u8], accept: impl Fn(u8) -> bool) -> usize {
    bytes
        .iter()
        .position(|&b| !accept(b))
        .unwrap_or(bytes.len())
}

/// Offset of the first `first, second` pair in `bytes`.
fn find_pair(bytes: &[u8], first: u8, second: u8) -> Option<usize> {
    bytes.windows(2).position(|w| w == [first, second])
}

fn find_byte(bytes: &[u8], wanted: u8) -> Option<usize> {
    bytes.iter().position(|&b| b == wanted)
}

impl<'a> Tokenizer<'a> {
    pub fn new(input: &'a [u8], flags: u32) -> Self {
        Tokenizer {
            input,
            flags,
            position: 0,
            tokens_seen: 0,
            dash_comments_without_space: 0,
            hash_comments: 0,
        }
    }

    fn at(&self, index: usize) -> Option<u8> {
        self.input.get(index).copied()
    }

    fn is(&self, index: usize, byte: u8) -> bool {
        self.at(index) == Some(byte)
    }

    fn rest_from(&self, start: usize) -> &'a [u8] {
        self.input.get(start..).unwrap_or(&[])
    }

    fn between(&self, start: usize, end: usize) -> &'a [u8] {
        self.input.get(start..end).unwrap_or(&[])
    }

    /// Reads the next token into `token`; false at the end of the input.
    pub fn next_token(&mut self, token: &mut Token) -> bool {
        if self.input.is_empty() {
            return false;
        }
        *token = Token::EMPTY;
        let quote_context = self.flags & (SqliFlags::QUOTE_SINGLE | SqliFlags::QUOTE_DOUBLE);
        if self.position == 0 && quote_context != 0 {
            let delimiter = if self.flags & SqliFlags::QUOTE_SINGLE != 0 {
                b'\''
            } else {
                b'"'
            };
            self.position = self.string(0, delimiter, 0, token);
            self.tokens_seen += 1;
            return true;
        }
        while let Some(byte) = self.at(self.position) {
            self.position = self.dispatch(byte, self.position, token);
            if token.kind != kind::NONE {
                self.tokens_seen += 1;
                return true;
            }
        }
        false
    }

    /// libinjection's `char_parse_map`: the parser for the byte that starts a token.
    fn dispatch(&mut self, byte: u8, at: usize, token: &mut Token) -> usize {
        match byte {
            0..=32 | 127 | 0xa0 => at + 1,
            b'!' | b'&' | b'*' | b':' | b'<' | b'=' | b'>' | b'|' => self.operator2(at, token),
            b'"' | b'\'' => self.string(at, byte, 1, token),
            b'#' => self.hash(at, token),
            b'$' => self.money(at, token),
            b'%' | b'+' | b'^' | b'~' => {
                token.assign_byte(kind::OPERATOR, byte);
                at + 1
            }
            b'(' | b')' | b',' | b';' | b'{' | b'}' => {
                token.assign_byte(byte, byte);
                at + 1
            }
            b'-' => self.dash(at, token),
            b'.' | b'0'..=b'9' => self.number(at, token),
            b'/' => self.slash(at, token),
            b'?' | b']' => {
                token.assign_byte(kind::UNKNOWN, byte);
                at + 1
            }
            b'@' => self.variable(at, token),
            b'B' | b'b' => self.quoted_digits(at, is_binary_digit, token),
            b'E' | b'e' => self.escaped_string(at, token),
            b'N' | b'n' => self.national_string(at, token),
            b'Q' | b'q' => self.oracle_string(at, at, token),
            b'U' | b'u' => self.unicode_string(at, token),
            b'X' | b'x' => self.quoted_digits(at, is_hex_digit, token),
            b'[' => self.bracket_word(at, token),
            b'\\' => self.backslash(at, token),
            b'`' => self.backtick(at, token),
            _ => self.word(at, token),
        }
    }

    fn line_comment(&mut self, at: usize, token: &mut Token) -> usize {
        match find_byte(self.rest_from(at), b'\n') {
            None => {
                token.assign(kind::COMMENT, self.rest_from(at));
                self.input.len()
            }
            Some(offset) => {
                token.assign(kind::COMMENT, self.between(at, at + offset));
                at + offset + 1
            }
        }
    }

    fn hash(&mut self, at: usize, token: &mut Token) -> usize {
        self.hash_comments += 1;
        if self.flags & SqliFlags::SQL_MYSQL != 0 {
            self.hash_comments += 1;
            self.line_comment(at, token)
        } else {
            token.assign_byte(kind::OPERATOR, b'#');
            at + 1
        }
    }

    /// `--` then white space or the end is a comment everywhere; `--x` only in ANSI SQL
    /// (MySQL reads two minus signs).
    fn dash(&mut self, at: usize, token: &mut Token) -> usize {
        let doubled = self.is(at + 1, b'-');
        if doubled && self.at(at + 2).is_none_or(is_white) {
            self.line_comment(at, token)
        } else if doubled && self.flags & SqliFlags::SQL_ANSI != 0 {
            self.dash_comments_without_space += 1;
            self.line_comment(at, token)
        } else {
            token.assign_byte(kind::OPERATOR, b'-');
            at + 1
        }
    }

    fn slash(&mut self, at: usize, token: &mut Token) -> usize {
        if !self.is(at + 1, b'*') {
            token.assign_byte(kind::OPERATOR, b'/');
            return at + 1;
        }
        let body = at + 2;
        let (end, evil) = match find_pair(self.rest_from(body), b'*', b'/') {
            None => (self.input.len(), false),
            // A `/*` before the first `*/` (the pair may end on that `*`) is a nested
            // comment, which the C calls evil. An unterminated comment skips this check.
            Some(offset) => (
                body + offset + 2,
                find_pair(self.between(body, body + offset + 1), b'/', b'*').is_some(),
            ),
        };
        let kind = if evil || self.is(at + 2, b'!') {
            kind::EVIL
        } else {
            kind::COMMENT
        };
        token.assign(kind, self.between(at, end));
        end
    }

    fn backslash(&mut self, at: usize, token: &mut Token) -> usize {
        if self.is(at + 1, b'N') {
            token.assign(kind::NUMBER, self.between(at, at + 2));
            at + 2
        } else {
            token.assign_byte(kind::BACKSLASH, b'\\');
            at + 1
        }
    }

    fn operator2(&mut self, at: usize, token: &mut Token) -> usize {
        let Some(first) = self.at(at) else {
            return at + 1;
        };
        if at + 1 >= self.input.len() {
            token.assign_byte(kind::OPERATOR, first);
            return at + 1;
        }
        if self.between(at, at + 3) == b"<=>" {
            token.assign(kind::OPERATOR, b"<=>");
            return at + 3;
        }
        let pair = self.between(at, at + 2);
        let found = lookup(pair);
        if found != kind::NONE {
            token.assign(found, pair);
            return at + 2;
        }
        if first == b':' {
            token.assign_byte(kind::COLON, b':');
        } else {
            token.assign_byte(kind::OPERATOR, first);
        }
        at + 1
    }

    /// A quoted string whose body starts at `at + offset`; `offset` 0 is the string the
    /// quote context implies at the start of the input.
    fn string(&mut self, at: usize, delimiter: u8, offset: usize, token: &mut Token) -> usize {
        let start = at + offset;
        token.str_open = if offset > 0 { delimiter } else { 0 };
        let mut search = start;
        loop {
            let Some(found) = find_byte(self.rest_from(search), delimiter) else {
                token.assign(kind::STRING, self.rest_from(start));
                token.str_close = 0;
                return self.input.len();
            };
            let quote = search + found;
            let backslashes = self
                .between(start, quote)
                .iter()
                .rev()
                .take_while(|&&b| b == b'\\')
                .count();
            if backslashes % 2 == 1 {
                search = quote + 1;
            } else if self.is(quote + 1, delimiter) {
                search = quote + 2;
            } else {
                token.assign(kind::STRING, self.between(start, quote));
                token.str_close = delimiter;
                return quote + 1;
            }
        }
    }

    /// `E'…'` (PostgreSQL) and, via [`Self::national_string`], `N'…'`.
    fn escaped_string(&mut self, at: usize, token: &mut Token) -> usize {
        if at + 2 >= self.input.len() || !self.is(at + 1, b'\'') {
            return self.word(at, token);
        }
        self.string(at, b'\'', 2, token)
    }

    /// `U&'…'`.
    fn unicode_string(&mut self, at: usize, token: &mut Token) -> usize {
        if at + 2 < self.input.len() && self.is(at + 1, b'&') && self.is(at + 2, b'\'') {
            let end = self.string(at + 2, b'\'', 1, token);
            token.str_open = b'u';
            if token.str_close == b'\'' {
                token.str_close = b'u';
            }
            end
        } else {
            self.word(at, token)
        }
    }

    /// Oracle's `q'<delimiter>…<delimiter>'`, the `q` at `q_at` (`at` or, after an `N`,
    /// `at + 1`); anything else is a word starting at `at`.
    fn oracle_string(&mut self, at: usize, q_at: usize, token: &mut Token) -> usize {
        let len = self.input.len();
        let is_q = matches!(self.at(q_at), Some(b'q' | b'Q'));
        if q_at >= len || !is_q || q_at + 2 >= len || !self.is(q_at + 1, b'\'') {
            return self.word(at, token);
        }
        let Some(open) = self.at(q_at + 2) else {
            return self.word(at, token);
        };
        // The C compares a signed char: bytes from 0x80 are below 33 too.
        if (open as i8) < 33 {
            return self.word(at, token);
        }
        let close = match open {
            b'(' => b')',
            b'[' => b']',
            b'{' => b'}',
            b'<' => b'>',
            other => other,
        };
        let body = q_at + 3;
        token.str_open = b'q';
        match find_pair(self.rest_from(body), close, b'\'') {
            None => {
                token.assign(kind::STRING, self.rest_from(body));
                token.str_close = 0;
                len
            }
            Some(offset) => {
                token.assign(kind::STRING, self.between(body, body + offset));
                token.str_close = b'q';
                body + offset + 2
            }
        }
    }

    /// `N'…'` (MySQL) or Oracle's `nq'…'`.
    fn national_string(&mut self, at: usize, token: &mut Token) -> usize {
        if at + 2 < self.input.len() && self.is(at + 1, b'\'') {
            return self.escaped_string(at, token);
        }
        self.oracle_string(at, at + 1, token)
    }

    /// `b'0101'` and `x'CAFE'`: a number when the digits run to a closing quote.
    fn quoted_digits(&mut self, at: usize, digit: fn(u8) -> bool, token: &mut Token) -> usize {
        let len = self.input.len();
        if at + 2 >= len || !self.is(at + 1, b'\'') {
            return self.word(at, token);
        }
        let digits = span(self.rest_from(at + 2), digit);
        let close = at + 2 + digits;
        if close >= len || !self.is(close, b'\'') {
            return self.word(at, token);
        }
        token.assign(kind::NUMBER, self.between(at, close + 1));
        close + 1
    }

    /// `[name]`, SQL Server's quoted identifier.
    fn bracket_word(&mut self, at: usize, token: &mut Token) -> usize {
        match find_byte(self.rest_from(at), b']') {
            None => {
                token.assign(kind::BAREWORD, self.rest_from(at));
                self.input.len()
            }
            Some(offset) => {
                token.assign(kind::BAREWORD, self.between(at, at + offset + 1));
                at + offset + 1
            }
        }
    }

    fn word(&mut self, at: usize, token: &mut Token) -> usize {
        let word_len = span(self.rest_from(at), |b| !ends_word(b));
        token.assign(kind::BAREWORD, self.between(at, at + word_len));

        // "SELECT.1", "SELECT`a`": a keyword before a dot or backtick is a token of its own.
        let kept = *token;
        for (index, &byte) in kept.value().iter().enumerate() {
            if byte == b'.' || byte == b'`' {
                let prefix = kept.value().get(..index).unwrap_or(&[]);
                let found = lookup(prefix);
                if found != kind::NONE && found != kind::BAREWORD {
                    *token = Token::EMPTY;
                    token.assign(found, prefix);
                    return at + index;
                }
            }
        }

        if word_len <= super::token::VALUE_CAPACITY {
            let found = lookup(token.value());
            token.kind = if found == kind::NONE {
                kind::BAREWORD
            } else {
                found
            };
        }
        at + word_len
    }

    /// MySQL's backtick-quoted name: a function if its text is one, else a bare word.
    fn backtick(&mut self, at: usize, token: &mut Token) -> usize {
        let end = self.string(at, b'`', 1, token);
        token.kind = if lookup(token.value()) == kind::FUNCTION {
            kind::FUNCTION
        } else {
            kind::BAREWORD
        };
        end
    }

    /// `@name`, `@@name`, and the quoted forms `@@'…'`, ``@@`…` ``.
    fn variable(&mut self, at: usize, token: &mut Token) -> usize {
        let mut name = at + 1;
        if self.is(name, b'@') {
            name += 1;
        }
        match self.at(name) {
            Some(b'`') => {
                let end = self.backtick(name, token);
                token.kind = kind::VARIABLE;
                return end;
            }
            Some(quote @ (b'\'' | b'"')) => {
                let end = self.string(name, quote, 1, token);
                token.kind = kind::VARIABLE;
                return end;
            }
            _ => {}
        }
        let name_len = span(self.rest_from(name), |b| !ends_variable(b));
        token.assign(kind::VARIABLE, self.between(name, name + name_len));
        name + name_len
    }

    /// `$1,000.00`, PostgreSQL's `$$…$$` and `$tag$…$tag$` strings, or a lone `$`.
    fn money(&mut self, at: usize, token: &mut Token) -> usize {
        let len = self.input.len();
        if at + 1 == len {
            token.assign_byte(kind::BAREWORD, b'$');
            return len;
        }
        let amount = span(self.rest_from(at + 1), is_money_digit);
        if amount == 1 && self.is(at + 1, b'.') {
            return self.word(at, token);
        }
        if amount > 0 {
            token.assign(kind::NUMBER, self.between(at, at + 1 + amount));
            return at + 1 + amount;
        }
        if self.is(at + 1, b'$') {
            let body = at + 2;
            token.str_open = b'$';
            return match find_pair(self.rest_from(body), b'$', b'$') {
                None => {
                    token.assign(kind::STRING, self.rest_from(body));
                    token.str_close = 0;
                    len
                }
                Some(offset) => {
                    token.assign(kind::STRING, self.between(body, body + offset));
                    token.str_close = b'$';
                    body + offset + 2
                }
            };
        }
        let tag_len = span(self.rest_from(at + 1), is_money_tag_letter);
        let tag_end = at + tag_len + 1;
        if tag_len == 0 || tag_end == len || !self.is(tag_end, b'$') {
            token.assign_byte(kind::BAREWORD, b'$');
            return at + 1;
        }
        let tag = self.between(at, tag_end + 1);
        let body = tag_end + 1;
        // The closing tag is searched for from the body on, as in libmodsecurity's copy; the
        // libinjection 3.9.2 release searched from the wrong offset.
        token.str_open = b'$';
        let closing = self
            .rest_from(body)
            .windows(tag.len())
            .position(|candidate| candidate == tag)
            .map(|offset| body + offset);
        match closing {
            None => {
                token.assign(kind::STRING, self.rest_from(body));
                token.str_close = 0;
                len
            }
            Some(found) => {
                token.assign(kind::STRING, self.between(body, found));
                token.str_close = b'$';
                found + tag.len()
            }
        }
    }

    fn number(&mut self, at: usize, token: &mut Token) -> usize {
        let len = self.input.len();
        if self.is(at, b'0') && at + 1 < len {
            let digit: Option<fn(u8) -> bool> = match self.at(at + 1) {
                Some(b'X' | b'x') => Some(is_hex_digit),
                Some(b'B' | b'b') => Some(is_binary_digit),
                _ => None,
            };
            if let Some(digit) = digit {
                let digits = span(self.rest_from(at + 2), digit);
                let kind = if digits == 0 {
                    kind::BAREWORD
                } else {
                    kind::NUMBER
                };
                token.assign(kind, self.between(at, at + 2 + digits));
                return at + 2 + digits;
            }
        }

        let is_digit = |tokenizer: &Self, index: usize| {
            tokenizer.at(index).is_some_and(|b| b.is_ascii_digit())
        };
        let start = at;
        let mut end = at;
        while is_digit(self, end) {
            end += 1;
        }
        if self.is(end, b'.') {
            end += 1;
            while is_digit(self, end) {
                end += 1;
            }
            if end - start == 1 {
                token.assign_byte(kind::DOT, b'.');
                return end;
            }
        }

        let mut has_e = false;
        let mut has_exponent = false;
        if matches!(self.at(end), Some(b'E' | b'e')) {
            has_e = true;
            end += 1;
            if matches!(self.at(end), Some(b'+' | b'-')) {
                end += 1;
            }
            while is_digit(self, end) {
                has_exponent = true;
                end += 1;
            }
        }

        // Oracle's float/double suffix, taken only where it cannot start a word.
        if matches!(self.at(end), Some(b'd' | b'D' | b'f' | b'F')) {
            let takes_suffix = match self.at(end + 1) {
                None => true,
                Some(next) => is_white(next) || matches!(next, b';' | b'u' | b'U'),
            };
            if takes_suffix {
                end += 1;
            }
        }

        let kind = if has_e && !has_exponent {
            kind::BAREWORD
        } else {
            kind::NUMBER
        };
        token.assign(kind, self.between(start, end));
        end
    }
}
