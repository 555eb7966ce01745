//! The JSON request body processor (`ctl:requestBodyProcessor=JSON`).
//!
//! libmodsecurity 3.0.9 parses JSON with yajl 2 and turns every scalar into an `ARGS_POST`
//! argument. This module reproduces both halves without recursion:
//!
//! * **The grammar and the errors of yajl 2** (no comments, UTF-8 validated inside strings,
//!   whitespace is space, tab, LF, VT, FF and CR, numbers kept as their text, anything after
//!   the top-level value is "trailing garbage"). An error is yajl's message as ModSecurity
//!   stores it: `"<lexical|parse> error: <text>\n"` (yajl ends it with a newline), e.g.
//!   `"lexical error: invalid char in json text.\n"` or `"parse error: premature EOF\n"`.
//! * **ModSecurity's argument naming.** Containers form a stack; a container is named by the
//!   key it was opened under (`json` at the top level, the empty string inside an array,
//!   `empty-key` for `""` inside an object). A value's name is, for each open container, its
//!   name followed by `.` (object) or `.array_N` (array, N its element counter), then the
//!   member key (nothing inside an array). An array's counter advances after each scalar added
//!   directly to it and after each object or array that closes inside it, so
//!   `{"a":[1,{"b":2}]}` gives `json.a.array_0=1` and `json.a.array_1.b=2`. A top-level scalar
//!   is named `json`. `true`/`false` stay as words, `null` becomes the empty string.
//!
//! Limits: a container opened deeper than [`BodyLimits::json_depth`] stops the parse with
//! `"parse error: client cancelled parse via callback return value\n. Parsing depth limit
//! exceeded"`; an argument refused by the sink (`SecArgumentsLimit`) stops it with the same
//! message without the suffix. Arguments added before an error stay added, as in ModSecurity.
//! An empty body is not an error (ModSecurity ignores yajl's complaint when the body is empty);
//! a body of only whitespace is ("premature EOF").
//!
//! Memory: the parse stack holds at most one entry per open container, and the current
//! argument name is kept incrementally, so work and memory are linear in the body plus the
//! size of what is handed to the sink.

use super::{BodyLimits, BodySink};

/// Appended by ModSecurity to yajl's message when the depth limit stopped the parse.
const DEPTH_EXCEEDED: &str = ". Parsing depth limit exceeded";
/// yajl's message when a callback asks it to stop.
const CANCELLED: &str = "client cancelled parse via callback return value";

const LEX_INVALID_UTF8: &str = "invalid bytes in UTF8 string.";
const LEX_INVALID_ESCAPE: &str =
    "inside a string, '\\' occurs before a character which it may not.";
const LEX_INVALID_JSON_CHAR: &str = "invalid character inside string.";
const LEX_INVALID_HEX: &str = "invalid (non-hex) character occurs after '\\u' inside string.";
const LEX_INVALID_CHAR: &str = "invalid char in json text.";
const LEX_INVALID_STRING: &str = "invalid string in json text.";
const LEX_COMMENT: &str = "probable comment found in input text, comments are not enabled.";
const LEX_NO_DECIMAL_DIGIT: &str = "malformed number, a digit is required after the decimal point.";
const LEX_NO_EXPONENT_DIGIT: &str = "malformed number, a digit is required after the exponent.";
const LEX_NO_MINUS_DIGIT: &str = "malformed number, a digit is required after the minus sign.";

/// Parses a JSON request body, reporting every scalar to `sink` as an argument.
///
/// Returns the text ModSecurity puts after `"JSON parsing error: "` in `REQBODY_ERROR_MSG`.
pub fn process(body: &[u8], limits: &BodyLimits, sink: &mut dyn BodySink) -> Result<(), String> {
    if body.is_empty() {
        return Ok(());
    }
    let mut parser = Parser {
        lexer: Lexer {
            input: body,
            pos: 0,
        },
        states: vec![State::Start],
        names: Names::default(),
        depth: 0,
        max_depth: limits.json_depth,
        sink,
        scratch: Vec::new(),
    };
    parser.run().map_err(|error| error.render())
}

/// Why the parse stopped.
enum Failure {
    Lexical(&'static str),
    Parse(&'static str),
    /// The depth limit (true) or the sink (false) cancelled the parse.
    Cancelled {
        depth: bool,
    },
}

impl Failure {
    fn render(&self) -> String {
        match self {
            Failure::Lexical(text) => format!("lexical error: {text}\n"),
            Failure::Parse(text) => format!("parse error: {text}\n"),
            Failure::Cancelled { depth: true } => {
                format!("parse error: {CANCELLED}\n{DEPTH_EXCEEDED}")
            }
            Failure::Cancelled { depth: false } => format!("parse error: {CANCELLED}\n"),
        }
    }
}

/// yajl's parser states (one per open container, plus the top level).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    ParseComplete,
    MapStart,
    MapNeedKey,
    MapSep,
    MapNeedVal,
    MapGotVal,
    ArrayStart,
    ArrayNeedVal,
    ArrayGotVal,
}

/// A token; strings and numbers are byte ranges of the body.
#[derive(Debug, Clone, Copy)]
enum Token {
    /// The input ran out inside or before a token.
    Eof,
    Error(&'static str),
    String {
        start: usize,
        end: usize,
        escaped: bool,
    },
    Number {
        start: usize,
        end: usize,
    },
    Bool(bool),
    Null,
    /// `{`
    LeftBrace,
    /// `}`
    RightBrace,
    /// `[`
    LeftBracket,
    /// `]`
    RightBracket,
    Colon,
    Comma,
}

/// yajl's lexer over the body followed by the single space `yajl_complete_parse` feeds it.
struct Lexer<'a> {
    input: &'a [u8],
    pos: usize,
}

impl Lexer<'_> {
    /// The byte at `index` of the body plus its final space.
    fn at(&self, index: usize) -> Option<u8> {
        match index.cmp(&self.input.len()) {
            std::cmp::Ordering::Less => self.input.get(index).copied(),
            std::cmp::Ordering::Equal => Some(b' '),
            std::cmp::Ordering::Greater => None,
        }
    }

    fn read(&mut self) -> Option<u8> {
        let byte = self.at(self.pos)?;
        self.pos += 1;
        Some(byte)
    }

    fn next(&mut self) -> Token {
        loop {
            let Some(byte) = self.read() else {
                return Token::Eof;
            };
            return match byte {
                b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r' => continue,
                b'{' => Token::LeftBrace,
                b'}' => Token::RightBrace,
                b'[' => Token::LeftBracket,
                b']' => Token::RightBracket,
                b':' => Token::Colon,
                b',' => Token::Comma,
                b'"' => self.string(),
                b't' => self.keyword(b"rue", Token::Bool(true)),
                b'f' => self.keyword(b"alse", Token::Bool(false)),
                b'n' => self.keyword(b"ull", Token::Null),
                b'-' | b'0'..=b'9' => self.number(self.pos - 1),
                b'/' => {
                    self.pos -= 1;
                    Token::Error(LEX_COMMENT)
                }
                _ => Token::Error(LEX_INVALID_CHAR),
            };
        }
    }

    fn keyword(&mut self, rest: &[u8], token: Token) -> Token {
        for &want in rest {
            match self.read() {
                None => return Token::Eof,
                Some(byte) if byte == want => {}
                Some(_) => {
                    self.pos -= 1;
                    return Token::Error(LEX_INVALID_STRING);
                }
            }
        }
        token
    }

    fn string(&mut self) -> Token {
        let start = self.pos;
        let mut escaped = false;
        loop {
            let Some(byte) = self.read() else {
                return Token::Eof;
            };
            match byte {
                b'"' => {
                    return Token::String {
                        start,
                        end: self.pos - 1,
                        escaped,
                    }
                }
                b'\\' => {
                    escaped = true;
                    let Some(next) = self.read() else {
                        return Token::Eof;
                    };
                    if next == b'u' {
                        for _ in 0..4 {
                            let Some(hex) = self.read() else {
                                return Token::Eof;
                            };
                            if !hex.is_ascii_hexdigit() {
                                self.pos -= 1;
                                return Token::Error(LEX_INVALID_HEX);
                            }
                        }
                    } else if !matches!(
                        next,
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't'
                    ) {
                        self.pos -= 1;
                        return Token::Error(LEX_INVALID_ESCAPE);
                    }
                }
                0x00..=0x1f => {
                    self.pos -= 1;
                    return Token::Error(LEX_INVALID_JSON_CHAR);
                }
                0x80..=0xff => {
                    // yajl's check: a lead byte and the right number of continuation bytes
                    // (it does not reject overlong forms or surrogates).
                    let continuations = if byte >> 5 == 0x6 {
                        1
                    } else if byte >> 4 == 0xe {
                        2
                    } else if byte >> 3 == 0x1e {
                        3
                    } else {
                        return Token::Error(LEX_INVALID_UTF8);
                    };
                    for _ in 0..continuations {
                        match self.read() {
                            None => return Token::Eof,
                            Some(next) if next >> 6 == 0x2 => {}
                            Some(_) => return Token::Error(LEX_INVALID_UTF8),
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn number(&mut self, start: usize) -> Token {
        let mut byte = self.at(start);
        self.pos = start + 1;
        if byte == Some(b'-') {
            let Some(next) = self.read() else {
                return Token::Eof;
            };
            byte = Some(next);
        }
        match byte {
            Some(b'0') => {
                let Some(next) = self.read() else {
                    return Token::Eof;
                };
                byte = Some(next);
            }
            Some(b'1'..=b'9') => loop {
                let Some(next) = self.read() else {
                    return Token::Eof;
                };
                byte = Some(next);
                if !next.is_ascii_digit() {
                    break;
                }
            },
            _ => {
                self.pos -= 1;
                return Token::Error(LEX_NO_MINUS_DIGIT);
            }
        }
        if byte == Some(b'.') {
            let mut digits = 0;
            loop {
                let Some(next) = self.read() else {
                    return Token::Eof;
                };
                byte = Some(next);
                if !next.is_ascii_digit() {
                    break;
                }
                digits += 1;
            }
            if digits == 0 {
                self.pos -= 1;
                return Token::Error(LEX_NO_DECIMAL_DIGIT);
            }
        }
        if matches!(byte, Some(b'e' | b'E')) {
            let Some(mut next) = self.read() else {
                return Token::Eof;
            };
            if next == b'+' || next == b'-' {
                let Some(after) = self.read() else {
                    return Token::Eof;
                };
                next = after;
            }
            if !next.is_ascii_digit() {
                self.pos -= 1;
                return Token::Error(LEX_NO_EXPONENT_DIGIT);
            }
            loop {
                let Some(after) = self.read() else {
                    return Token::Eof;
                };
                if !after.is_ascii_digit() {
                    break;
                }
            }
        }
        // yajl always reads one byte too far.
        self.pos -= 1;
        Token::Number {
            start,
            end: self.pos,
        }
    }
}

/// ModSecurity's container stack, kept as the argument-name prefix it produces.
#[derive(Default)]
struct Names {
    /// For each open container: where its segment starts in `prefix`, the length of its name,
    /// and its element counter if it is an array.
    containers: Vec<(usize, usize, Option<u64>)>,
    /// The concatenated segments: `name.` or `name.array_N` per container.
    prefix: Vec<u8>,
    /// The last object key seen and not yet used.
    key: Vec<u8>,
}

impl Names {
    fn top_is_array(&self) -> bool {
        matches!(self.containers.last(), Some((_, _, Some(_))))
    }

    /// ModSecurity's `getCurrentKey`: the pending key, consumed.
    fn take_key(&mut self) -> Vec<u8> {
        if self.containers.is_empty() {
            return b"json".to_vec();
        }
        if self.key.is_empty() {
            if self.top_is_array() {
                return Vec::new();
            }
            return b"empty-key".to_vec();
        }
        std::mem::take(&mut self.key)
    }

    fn open(&mut self, array: bool) {
        let name = self.take_key();
        let start = self.prefix.len();
        self.prefix.extend_from_slice(&name);
        let counter = if array {
            self.prefix.extend_from_slice(b".array_0");
            Some(0)
        } else {
            self.prefix.push(b'.');
            None
        };
        self.containers.push((start, name.len(), counter));
    }

    fn close(&mut self) {
        if let Some((start, _, _)) = self.containers.pop() {
            self.prefix.truncate(start);
        }
        self.advance();
    }

    /// Advances the innermost container's counter if it is an array.
    fn advance(&mut self) {
        if let Some((start, name_len, Some(counter))) = self.containers.last_mut() {
            *counter += 1;
            let next = *counter;
            self.prefix.truncate(*start + *name_len);
            self.prefix
                .extend_from_slice(format!(".array_{next}").as_bytes());
        }
    }
}

struct Parser<'a, 's> {
    lexer: Lexer<'a>,
    states: Vec<State>,
    names: Names,
    depth: u64,
    max_depth: u64,
    sink: &'s mut dyn BodySink,
    scratch: Vec<u8>,
}

impl Parser<'_, '_> {
    fn set(&mut self, state: State) {
        if let Some(top) = self.states.last_mut() {
            *top = state;
        }
    }

    fn run(&mut self) -> Result<(), Failure> {
        loop {
            let Some(&state) = self.states.last() else {
                return Ok(());
            };
            match state {
                State::ParseComplete => {
                    return match self.lexer.next() {
                        Token::Eof => Ok(()),
                        _ => Err(Failure::Parse("trailing garbage")),
                    };
                }
                State::Start | State::MapNeedVal | State::ArrayNeedVal | State::ArrayStart => {
                    let token = self.lexer.next();
                    let push = match token {
                        Token::Eof => return Err(Failure::Parse("premature EOF")),
                        Token::Error(text) => return Err(Failure::Lexical(text)),
                        Token::String {
                            start,
                            end,
                            escaped,
                        } => {
                            let value = self.decoded(start, end, escaped);
                            self.scalar(&value)?;
                            None
                        }
                        Token::Number { start, end } => {
                            let value = self
                                .lexer
                                .input
                                .get(start..end)
                                .unwrap_or_default()
                                .to_vec();
                            self.scalar(&value)?;
                            None
                        }
                        Token::Bool(true) => {
                            self.scalar(b"true")?;
                            None
                        }
                        Token::Bool(false) => {
                            self.scalar(b"false")?;
                            None
                        }
                        Token::Null => {
                            self.scalar(b"")?;
                            None
                        }
                        Token::LeftBrace => {
                            self.open(false)?;
                            Some(State::MapStart)
                        }
                        Token::LeftBracket => {
                            self.open(true)?;
                            Some(State::ArrayStart)
                        }
                        Token::RightBracket if state == State::ArrayStart => {
                            self.names.close();
                            self.depth = self.depth.saturating_sub(1);
                            self.states.pop();
                            continue;
                        }
                        Token::RightBracket | Token::RightBrace | Token::Colon | Token::Comma => {
                            return Err(Failure::Parse(
                                "unallowed token at this point in JSON text",
                            ))
                        }
                    };
                    let next = match state {
                        State::Start => State::ParseComplete,
                        State::MapNeedVal => State::MapGotVal,
                        _ => State::ArrayGotVal,
                    };
                    self.set(next);
                    if let Some(pushed) = push {
                        self.states.push(pushed);
                    }
                }
                State::MapStart | State::MapNeedKey => match self.lexer.next() {
                    Token::Eof => return Err(Failure::Parse("premature EOF")),
                    Token::Error(text) => return Err(Failure::Lexical(text)),
                    Token::String {
                        start,
                        end,
                        escaped,
                    } => {
                        self.names.key = self.decoded(start, end, escaped);
                        self.set(State::MapSep);
                    }
                    Token::RightBrace if state == State::MapStart => {
                        self.names.close();
                        self.depth = self.depth.saturating_sub(1);
                        self.states.pop();
                    }
                    _ => return Err(Failure::Parse("invalid object key (must be a string)")),
                },
                State::MapSep => match self.lexer.next() {
                    Token::Colon => self.set(State::MapNeedVal),
                    Token::Eof => return Err(Failure::Parse("premature EOF")),
                    Token::Error(text) => return Err(Failure::Lexical(text)),
                    _ => {
                        return Err(Failure::Parse(
                            "object key and value must be separated by a colon (':')",
                        ))
                    }
                },
                State::MapGotVal => match self.lexer.next() {
                    Token::RightBrace => {
                        self.names.close();
                        self.depth = self.depth.saturating_sub(1);
                        self.states.pop();
                    }
                    Token::Comma => self.set(State::MapNeedKey),
                    Token::Eof => return Err(Failure::Parse("premature EOF")),
                    Token::Error(text) => return Err(Failure::Lexical(text)),
                    _ => {
                        return Err(Failure::Parse(
                            "after key and value, inside map, I expect ',' or '}'",
                        ))
                    }
                },
                State::ArrayGotVal => match self.lexer.next() {
                    Token::RightBracket => {
                        self.names.close();
                        self.depth = self.depth.saturating_sub(1);
                        self.states.pop();
                    }
                    Token::Comma => self.set(State::ArrayNeedVal),
                    Token::Eof => return Err(Failure::Parse("premature EOF")),
                    Token::Error(text) => return Err(Failure::Lexical(text)),
                    _ => return Err(Failure::Parse("after array element, I expect ',' or ']'")),
                },
            }
        }
    }

    /// ModSecurity's `yajl_start_map`/`yajl_start_array`: name the container, then check depth.
    fn open(&mut self, array: bool) -> Result<(), Failure> {
        self.names.open(array);
        self.depth += 1;
        if self.depth > self.max_depth {
            return Err(Failure::Cancelled { depth: true });
        }
        Ok(())
    }

    /// ModSecurity's `addArgument`.
    fn scalar(&mut self, value: &[u8]) -> Result<(), Failure> {
        self.scratch.clear();
        self.scratch.extend_from_slice(&self.names.prefix);
        if self.names.top_is_array() {
            self.names.advance();
        } else {
            let key = self.names.take_key();
            self.scratch.extend_from_slice(&key);
        }
        if self.sink.add_argument(&self.scratch, value) {
            Ok(())
        } else {
            Err(Failure::Cancelled { depth: false })
        }
    }

    fn decoded(&self, start: usize, end: usize, escaped: bool) -> Vec<u8> {
        let raw = self.lexer.input.get(start..end).unwrap_or_default();
        if escaped {
            decode_string(raw)
        } else {
            raw.to_vec()
        }
    }
}

fn hex_value(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |acc, &digit| {
        let value = match digit {
            b'0'..=b'9' => digit - b'0',
            b'a'..=b'f' => digit - b'a' + 10,
            b'A'..=b'F' => digit - b'A' + 10,
            _ => 0,
        };
        (acc << 4) | u32::from(value)
    })
}

/// yajl's `Utf32toUtf8`: plain shifts, no validity checks; out of range becomes `?`.
fn push_utf8(out: &mut Vec<u8>, codepoint: u32) {
    // Each `as u8` keeps the low bits on purpose, exactly as yajl's `(char)` casts.
    if codepoint < 0x80 {
        out.push(codepoint as u8);
    } else if codepoint < 0x800 {
        out.push(((codepoint >> 6) | 0xc0) as u8);
        out.push(((codepoint & 0x3f) | 0x80) as u8);
    } else if codepoint < 0x10000 {
        out.push(((codepoint >> 12) | 0xe0) as u8);
        out.push((((codepoint >> 6) & 0x3f) | 0x80) as u8);
        out.push(((codepoint & 0x3f) | 0x80) as u8);
    } else if codepoint < 0x20_0000 {
        out.push(((codepoint >> 18) | 0xf0) as u8);
        out.push((((codepoint >> 12) & 0x3f) | 0x80) as u8);
        out.push((((codepoint >> 6) & 0x3f) | 0x80) as u8);
        out.push(((codepoint & 0x3f) | 0x80) as u8);
    } else {
        out.push(b'?');
    }
}

/// yajl's `yajl_string_decode`, quirks included: a high surrogate not followed by `\u` becomes
/// `?` and swallows the character after it; a high surrogate followed by any `\uXXXX` is
/// combined without checking that the second one is a low surrogate.
fn decode_string(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let byte = raw.get(i).copied().unwrap_or_default();
        if byte != b'\\' {
            out.push(byte);
            i += 1;
            continue;
        }
        i += 1;
        let escape = raw.get(i).copied().unwrap_or_default();
        match escape {
            b'r' => out.push(b'\r'),
            b'n' => out.push(b'\n'),
            b'\\' => out.push(b'\\'),
            b'/' => out.push(b'/'),
            b'"' => out.push(b'"'),
            b'f' => out.push(0x0c),
            b'b' => out.push(0x08),
            b't' => out.push(b'\t'),
            b'u' => {
                let mut codepoint = hex_value(raw.get(i + 1..i + 5).unwrap_or_default());
                i += 4;
                if codepoint & 0xfc00 == 0xd800 {
                    i += 1;
                    if raw.get(i) == Some(&b'\\') && raw.get(i + 1) == Some(&b'u') {
                        let low = hex_value(raw.get(i + 2..i + 6).unwrap_or_default());
                        codepoint = ((codepoint & 0x3f) << 10)
                            | ((((codepoint >> 6) & 0xf) + 1) << 16)
                            | (low & 0x3ff);
                        i += 5;
                    } else {
                        out.push(b'?');
                        i += 1;
                        continue;
                    }
                }
                push_utf8(&mut out, codepoint);
            }
            // The lexer only lets the escapes above through.
            _ => out.push(b'?'),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::test_sink::TestSink;

    fn run(body: &str) -> (Vec<(String, String)>, Result<(), String>) {
        run_with(body.as_bytes(), &BodyLimits::default(), usize::MAX)
    }

    fn run_with(
        body: &[u8],
        limits: &BodyLimits,
        max_args: usize,
    ) -> (Vec<(String, String)>, Result<(), String>) {
        let mut sink = TestSink::with_argument_limit(max_args);
        let result = process(body, limits, &mut sink);
        (sink.argument_strings(), result)
    }

    fn args(body: &str) -> Vec<(String, String)> {
        let (args, result) = run(body);
        assert_eq!(result, Ok(()), "body {body:?}");
        args
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn object_members_are_named_by_path() {
        assert_eq!(args(r#"{"a":{"b":"c"}}"#), pairs(&[("json.a.b", "c")]));
        assert_eq!(
            args(r#"{"foo":"bar","mod":"sec"}"#),
            pairs(&[("json.foo", "bar"), ("json.mod", "sec")])
        );
    }

    #[test]
    fn arrays_count_their_elements() {
        assert_eq!(
            args(r#"{"a":[1,2]}"#),
            pairs(&[("json.a.array_0", "1"), ("json.a.array_1", "2")])
        );
        assert_eq!(args("[1]"), pairs(&[("json.array_0", "1")]));
        assert_eq!(
            args("[[1,2],[3]]"),
            pairs(&[
                ("json.array_0.array_0", "1"),
                ("json.array_0.array_1", "2"),
                ("json.array_1.array_0", "3")
            ])
        );
    }

    #[test]
    fn a_container_closing_inside_an_array_advances_its_counter() {
        // yajl_end_map and yajl_end_array increment the enclosing array's counter.
        assert_eq!(
            args(r#"[{"a":1},{"a":2}]"#),
            pairs(&[("json.array_0.a", "1"), ("json.array_1.a", "2")])
        );
        assert_eq!(
            args(r#"{"a":[1,{"b":2},3]}"#),
            pairs(&[
                ("json.a.array_0", "1"),
                ("json.a.array_1.b", "2"),
                ("json.a.array_2", "3")
            ])
        );
        assert_eq!(args(r#"[{},[],5]"#), pairs(&[("json.array_2", "5")]));
    }

    #[test]
    fn scalars_keep_their_text() {
        assert_eq!(
            args(r#"{"t":true,"f":false,"n":null,"i":-12,"d":1.50e+3,"z":0}"#),
            pairs(&[
                ("json.t", "true"),
                ("json.f", "false"),
                ("json.n", ""),
                ("json.i", "-12"),
                ("json.d", "1.50e+3"),
                ("json.z", "0"),
            ])
        );
    }

    #[test]
    fn top_level_scalars_are_named_json() {
        assert_eq!(args("\"x\""), pairs(&[("json", "x")]));
        assert_eq!(args(" 42 "), pairs(&[("json", "42")]));
        assert_eq!(args("null"), pairs(&[("json", "")]));
    }

    #[test]
    fn empty_keys() {
        assert_eq!(args(r#"{"":1}"#), pairs(&[("json.empty-key", "1")]));
        assert_eq!(
            args(r#"{"":{"":2}}"#),
            pairs(&[("json.empty-key.empty-key", "2")])
        );
        assert_eq!(
            args(r#"{"":[3]}"#),
            pairs(&[("json.empty-key.array_0", "3")])
        );
    }

    #[test]
    fn escapes_are_decoded() {
        assert_eq!(
            args(r#"{"k\n":"a\"b\\c\/d\u0041\u00e9\t"}"#),
            pairs(&[("json.k\n", "a\"b\\c/dAé\t")])
        );
        let (got, _) = run(r#"["\ud83d\ude00"]"#);
        assert_eq!(got, pairs(&[("json.array_0", "😀")]));
        // yajl's quirk: a lone high surrogate becomes '?' and eats the next character.
        let (got, _) = run(r#"["\ud800abc"]"#);
        assert_eq!(got, pairs(&[("json.array_0", "?bc")]));
        let mut sink = TestSink::default();
        assert_eq!(
            process(br#"["a\u0000b"]"#, &BodyLimits::default(), &mut sink),
            Ok(())
        );
        assert_eq!(
            sink.arguments,
            vec![(b"json.array_0".to_vec(), b"a\0b".to_vec())]
        );
    }

    #[test]
    fn empty_body_is_not_an_error_but_whitespace_is() {
        assert_eq!(run(""), (vec![], Ok(())));
        assert_eq!(
            run(" \n").1,
            Err("parse error: premature EOF\n".to_string())
        );
    }

    #[test]
    fn yajl_error_messages() {
        let cases: &[(&str, &str)] = &[
            ("{", "parse error: premature EOF\n"),
            (r#"{"a":"#, "parse error: premature EOF\n"),
            (r#"{"a"#, "parse error: premature EOF\n"),
            ("{} x", "parse error: trailing garbage\n"),
            ("{} {}", "parse error: trailing garbage\n"),
            ("1 2", "parse error: trailing garbage\n"),
            ("[1,]", "parse error: unallowed token at this point in JSON text\n"),
            ("}", "parse error: unallowed token at this point in JSON text\n"),
            ("{1:2}", "parse error: invalid object key (must be a string)\n"),
            (r#"{"a",1}"#, "parse error: object key and value must be separated by a colon (':')\n"),
            (r#"{"a":1 "b":2}"#, "parse error: after key and value, inside map, I expect ',' or '}'\n"),
            ("[1 2]", "parse error: after array element, I expect ',' or ']'\n"),
            ("[01]", "parse error: after array element, I expect ',' or ']'\n"),
            ("x", "lexical error: invalid char in json text.\n"),
            ("[tru]", "lexical error: invalid string in json text.\n"),
            ("nul", "lexical error: invalid string in json text.\n"),
            ("// c", "lexical error: probable comment found in input text, comments are not enabled.\n"),
            ("[1.]", "lexical error: malformed number, a digit is required after the decimal point.\n"),
            ("[1e]", "lexical error: malformed number, a digit is required after the exponent.\n"),
            ("-", "lexical error: malformed number, a digit is required after the minus sign.\n"),
            ("[-a]", "lexical error: malformed number, a digit is required after the minus sign.\n"),
            ("[\"\\x\"]", "lexical error: inside a string, '\\' occurs before a character which it may not.\n"),
            ("[\"\\u12g4\"]", "lexical error: invalid (non-hex) character occurs after '\\u' inside string.\n"),
            ("[\"a\tb\"]", "lexical error: invalid character inside string.\n"),
        ];
        for (body, message) in cases {
            assert_eq!(run(body).1, Err(message.to_string()), "body {body:?}");
        }
        let (_, result) = run_with(b"[\"\xff\"]", &BodyLimits::default(), usize::MAX);
        assert_eq!(
            result,
            Err("lexical error: invalid bytes in UTF8 string.\n".to_string())
        );
        let (_, result) = run_with(b"[\"\xc3\"]", &BodyLimits::default(), usize::MAX);
        assert_eq!(
            result,
            Err("lexical error: invalid bytes in UTF8 string.\n".to_string())
        );
        let (_, result) = run_with(b"[\"\xc3", &BodyLimits::default(), usize::MAX);
        assert_eq!(
            result,
            Err("lexical error: invalid bytes in UTF8 string.\n".to_string())
        );
    }

    #[test]
    fn arguments_before_an_error_are_kept() {
        let (got, result) = run(r#"{"a":1,"b":2,"c":}"#);
        assert_eq!(got, pairs(&[("json.a", "1"), ("json.b", "2")]));
        assert!(result.is_err());
    }

    #[test]
    fn depth_limit() {
        let limits = BodyLimits {
            json_depth: 2,
            ..BodyLimits::default()
        };
        let (got, result) = run_with(br#"{"a":{"b":1}}"#, &limits, usize::MAX);
        assert_eq!(result, Ok(()));
        assert_eq!(got, pairs(&[("json.a.b", "1")]));
        let (got, result) = run_with(br#"{"z":0,"a":{"b":[1]}}"#, &limits, usize::MAX);
        assert_eq!(got, pairs(&[("json.z", "0")]));
        assert_eq!(
            result,
            Err("parse error: client cancelled parse via callback return value\n. Parsing depth limit exceeded".to_string())
        );
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let depth = 200_000;
        let body = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        let limits = BodyLimits {
            json_depth: u64::MAX,
            ..BodyLimits::default()
        };
        let mut sink = TestSink::default();
        assert_eq!(process(body.as_bytes(), &limits, &mut sink), Ok(()));
        assert_eq!(sink.arguments.len(), 1);
        let (_, result) = run(&"[".repeat(depth));
        assert!(result
            .unwrap_err()
            .ends_with("Parsing depth limit exceeded"));
    }

    #[test]
    fn argument_limit_cancels_the_parse() {
        let (got, result) = run_with(br#"{"a":1,"b":2,"c":3}"#, &BodyLimits::default(), 2);
        assert_eq!(got, pairs(&[("json.a", "1"), ("json.b", "2")]));
        assert_eq!(
            result,
            Err("parse error: client cancelled parse via callback return value\n".to_string())
        );
    }
}
