//! The HTML5 tokenizer of libinjection 3.9.2.
//!
//! A deliberately rough reading of HTML: just enough of the specification's states to find
//! tag names, attribute names and values, comments and doctypes, plus the non-standard
//! habits of old browsers that libinjection chose to follow (NUL ignored in tag names, back
//! quotes around attribute values, `<% … %>` comments). Its quirks are part of the verdicts,
//! so they are kept: NUL counts as whitespace (3.9.2 tests whitespace with `strchr`, which
//! also finds the terminator), a 0xFF byte where whitespace may be skipped ends the input,
//! `-!>` ends a comment, and a closing tag that is not closed directly by `>` leaves the
//! "closing" flag set for the next tag name.
//!
//! Tokens borrow from the input; the tokenizer never allocates.

use memchr::memchr;

/// Where in an HTML document the input is assumed to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Context {
    /// Text between tags.
    Data,
    /// Inside a tag, after an unquoted attribute value.
    ValueNoQuote,
    /// Inside a `'`-quoted attribute value.
    ValueSingleQuote,
    /// Inside a `"`-quoted attribute value.
    ValueDoubleQuote,
    /// Inside a `` ` ``-quoted attribute value (an Internet Explorer habit).
    ValueBackQuote,
}

impl Context {
    /// The contexts `libinjection_xss` tries, in its order.
    pub(crate) const ALL: [Context; 5] = [
        Context::Data,
        Context::ValueNoQuote,
        Context::ValueSingleQuote,
        Context::ValueDoubleQuote,
        Context::ValueBackQuote,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    DataText,
    /// A tag name, of an opening tag or of a closing tag followed by attributes.
    TagNameOpen,
    /// The `>` that ends an opening tag.
    TagNameClose,
    /// The `/>` that ends a self-closing tag.
    TagNameSelfClose,
    /// The name of a closing tag ended directly by `>`.
    TagClose,
    AttrName,
    AttrValue,
    /// The text of a comment, a bogus comment (`<?…>`, `</ …>`, `<!x…>`) or a `<%…%>` block.
    TagComment,
    /// The text after `<!DOCTYPE`.
    Doctype,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub(crate) kind: TokenKind,
    pub(crate) text: &'a [u8],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Eof,
    Data,
    TagOpen,
    EndTagOpen,
    TagName,
    TagNameClose,
    BeforeAttributeName,
    AttributeName,
    AfterAttributeName,
    BeforeAttributeValue,
    AttributeValueQuoted(u8),
    AttributeValueUnquoted,
    AfterAttributeValueQuoted,
    SelfClosingStartTag,
    BogusComment,
    PercentComment,
    MarkupDeclarationOpen,
    Comment,
    Cdata,
    Doctype,
}

/// Whitespace for every state, NUL included.
fn is_white(byte: u8) -> bool {
    matches!(
        byte,
        b'\0' | b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r'
    )
}

pub(crate) struct Tokenizer<'a> {
    input: &'a [u8],
    pos: usize,
    state: State,
    /// Set by `</`; decides whether a tag name ended by `>` is a closing tag.
    in_closing_tag: bool,
}

impl<'a> Tokenizer<'a> {
    pub(crate) fn new(input: &'a [u8], context: Context) -> Self {
        let state = match context {
            Context::Data => State::Data,
            Context::ValueNoQuote => State::BeforeAttributeName,
            Context::ValueSingleQuote => State::AttributeValueQuoted(b'\''),
            Context::ValueDoubleQuote => State::AttributeValueQuoted(b'"'),
            Context::ValueBackQuote => State::AttributeValueQuoted(b'`'),
        };
        Tokenizer {
            input,
            pos: 0,
            state,
            in_closing_tag: false,
        }
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.input.get(at).copied()
    }

    fn find_byte(&self, needle: u8, from: usize) -> Option<usize> {
        let rest = self.input.get(from..)?;
        memchr(needle, rest).map(|offset| from + offset)
    }

    /// The first position at or after `from` holding a byte that `stop` accepts.
    fn find_by(&self, from: usize, stop: impl Fn(u8) -> bool) -> Option<usize> {
        let rest = self.input.get(from..)?;
        rest.iter()
            .position(|&byte| stop(byte))
            .map(|offset| from + offset)
    }

    /// The first byte that is not whitespace, or `None` at the end. A 0xFF byte also reads
    /// as the end: 3.9.2 returns the byte as a signed `char`, which makes it its EOF value.
    fn skip_white(&mut self) -> Option<u8> {
        while let Some(byte) = self.byte(self.pos) {
            if byte == 0xff {
                return None;
            }
            if !is_white(byte) {
                return Some(byte);
            }
            self.pos += 1;
        }
        None
    }

    fn token(&self, kind: TokenKind, start: usize, end: usize) -> Option<Token<'a>> {
        Some(Token {
            kind,
            text: self.input.get(start..end).unwrap_or_default(),
        })
    }

    /// Ends the stream: every state that finds nothing more to say stops the caller.
    fn stop(&mut self) -> Option<Token<'a>> {
        self.state = State::Eof;
        None
    }
}

impl<'a> Iterator for Tokenizer<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let len = self.input.len();
        // A state either emits a token (and names the next state) or hands over to another
        // state at once, which is the `continue`.
        loop {
            match self.state {
                State::Eof => return None,
                State::Data => {
                    let start = self.pos;
                    match self.find_byte(b'<', start) {
                        None => {
                            self.state = State::Eof;
                            if start >= len {
                                return None;
                            }
                            return self.token(TokenKind::DataText, start, len);
                        }
                        Some(lt) => {
                            self.pos = lt + 1;
                            self.state = State::TagOpen;
                            if lt > start {
                                return self.token(TokenKind::DataText, start, lt);
                            }
                        }
                    }
                }
                State::TagOpen => {
                    let Some(byte) = self.byte(self.pos) else {
                        return self.stop();
                    };
                    match byte {
                        b'!' => {
                            self.pos += 1;
                            self.state = State::MarkupDeclarationOpen;
                        }
                        b'/' => {
                            self.pos += 1;
                            self.in_closing_tag = true;
                            self.state = State::EndTagOpen;
                        }
                        b'?' => {
                            self.pos += 1;
                            self.state = State::BogusComment;
                        }
                        b'%' => {
                            self.pos += 1;
                            self.state = State::PercentComment;
                        }
                        b'\0' => self.state = State::TagName,
                        _ if byte.is_ascii_alphabetic() => self.state = State::TagName,
                        _ => {
                            // Not a tag after all: the `<` is text.
                            self.state = State::Data;
                            if self.pos > 0 {
                                return self.token(TokenKind::DataText, self.pos - 1, self.pos);
                            }
                        }
                    }
                }
                State::EndTagOpen => {
                    let Some(byte) = self.byte(self.pos) else {
                        return self.stop();
                    };
                    if byte == b'>' {
                        self.state = State::Data;
                    } else if byte.is_ascii_alphabetic() {
                        self.state = State::TagName;
                    } else {
                        self.in_closing_tag = false;
                        self.state = State::BogusComment;
                    }
                }
                State::TagNameClose => {
                    self.in_closing_tag = false;
                    let at = self.pos;
                    self.pos += 1;
                    self.state = if self.pos < len {
                        State::Data
                    } else {
                        State::Eof
                    };
                    return self.token(TokenKind::TagNameClose, at, at + 1);
                }
                State::TagName => {
                    let start = self.pos;
                    let end = self.find_by(start, |byte| {
                        byte != b'\0' && (is_white(byte) || byte == b'/' || byte == b'>')
                    });
                    let Some(end) = end else {
                        self.state = State::Eof;
                        return self.token(TokenKind::TagNameOpen, start, len);
                    };
                    match self.byte(end) {
                        Some(b'/') => {
                            self.pos = end + 1;
                            self.state = State::SelfClosingStartTag;
                        }
                        Some(b'>') if self.in_closing_tag => {
                            self.pos = end + 1;
                            self.in_closing_tag = false;
                            self.state = State::Data;
                            return self.token(TokenKind::TagClose, start, end);
                        }
                        Some(b'>') => {
                            self.pos = end;
                            self.state = State::TagNameClose;
                        }
                        _ => {
                            self.pos = end + 1;
                            self.state = State::BeforeAttributeName;
                        }
                    }
                    return self.token(TokenKind::TagNameOpen, start, end);
                }
                State::BeforeAttributeName => match self.skip_white() {
                    None => return self.stop(),
                    Some(b'/') => {
                        self.pos += 1;
                        self.state = State::SelfClosingStartTag;
                    }
                    Some(b'>') => {
                        let at = self.pos;
                        self.pos += 1;
                        self.state = State::Data;
                        return self.token(TokenKind::TagNameClose, at, at + 1);
                    }
                    Some(_) => self.state = State::AttributeName,
                },
                State::AttributeName => {
                    let start = self.pos;
                    // The first byte belongs to the name whatever it is.
                    let end = self.find_by(start + 1, |byte| {
                        is_white(byte) || matches!(byte, b'/' | b'=' | b'>')
                    });
                    let Some(end) = end else {
                        self.pos = len;
                        self.state = State::Eof;
                        return self.token(TokenKind::AttrName, start, len);
                    };
                    match self.byte(end) {
                        Some(b'/') => {
                            self.pos = end + 1;
                            self.state = State::SelfClosingStartTag;
                        }
                        Some(b'=') => {
                            self.pos = end + 1;
                            self.state = State::BeforeAttributeValue;
                        }
                        Some(b'>') => {
                            self.pos = end;
                            self.state = State::TagNameClose;
                        }
                        _ => {
                            self.pos = end + 1;
                            self.state = State::AfterAttributeName;
                        }
                    }
                    return self.token(TokenKind::AttrName, start, end);
                }
                State::AfterAttributeName => match self.skip_white() {
                    None => return self.stop(),
                    Some(b'/') => {
                        self.pos += 1;
                        self.state = State::SelfClosingStartTag;
                    }
                    Some(b'=') => {
                        self.pos += 1;
                        self.state = State::BeforeAttributeValue;
                    }
                    Some(b'>') => self.state = State::TagNameClose,
                    Some(_) => self.state = State::AttributeName,
                },
                State::BeforeAttributeValue => match self.skip_white() {
                    None => return self.stop(),
                    Some(quote @ (b'"' | b'\'' | b'`')) => {
                        self.state = State::AttributeValueQuoted(quote);
                    }
                    Some(_) => self.state = State::AttributeValueUnquoted,
                },
                State::AttributeValueQuoted(quote) => {
                    // At position 0 the input started inside the value: there is no opening
                    // quote to step over.
                    if self.pos > 0 {
                        self.pos += 1;
                    }
                    let start = self.pos;
                    return match self.find_byte(quote, start) {
                        None => {
                            self.state = State::Eof;
                            self.token(TokenKind::AttrValue, start, len)
                        }
                        Some(end) => {
                            self.pos = end + 1;
                            self.state = State::AfterAttributeValueQuoted;
                            self.token(TokenKind::AttrValue, start, end)
                        }
                    };
                }
                State::AttributeValueUnquoted => {
                    let start = self.pos;
                    let end = self.find_by(start, |byte| is_white(byte) || byte == b'>');
                    let Some(end) = end else {
                        self.state = State::Eof;
                        return self.token(TokenKind::AttrValue, start, len);
                    };
                    if self.byte(end) == Some(b'>') {
                        self.pos = end;
                        self.state = State::TagNameClose;
                    } else {
                        self.pos = end + 1;
                        self.state = State::BeforeAttributeName;
                    }
                    return self.token(TokenKind::AttrValue, start, end);
                }
                State::AfterAttributeValueQuoted => match self.byte(self.pos) {
                    None => return self.stop(),
                    Some(byte) if is_white(byte) => {
                        self.pos += 1;
                        self.state = State::BeforeAttributeName;
                    }
                    Some(b'/') => {
                        self.pos += 1;
                        self.state = State::SelfClosingStartTag;
                    }
                    Some(b'>') => {
                        let at = self.pos;
                        self.pos += 1;
                        self.state = State::Data;
                        return self.token(TokenKind::TagNameClose, at, at + 1);
                    }
                    Some(_) => self.state = State::BeforeAttributeName,
                },
                State::SelfClosingStartTag => match self.byte(self.pos) {
                    None => return self.stop(),
                    Some(b'>') => {
                        let at = self.pos;
                        self.pos += 1;
                        self.state = State::Data;
                        return self.token(
                            TokenKind::TagNameSelfClose,
                            at.saturating_sub(1),
                            at + 1,
                        );
                    }
                    Some(_) => self.state = State::BeforeAttributeName,
                },
                State::BogusComment => {
                    let start = self.pos;
                    let end = match self.find_byte(b'>', start) {
                        None => {
                            self.pos = len;
                            self.state = State::Eof;
                            len
                        }
                        Some(gt) => {
                            self.pos = gt + 1;
                            self.state = State::Data;
                            gt
                        }
                    };
                    return self.token(TokenKind::TagComment, start, end);
                }
                State::PercentComment => {
                    let start = self.pos;
                    let mut from = start;
                    loop {
                        let percent = self.find_byte(b'%', from).filter(|&at| at + 1 < len);
                        let Some(percent) = percent else {
                            self.pos = len;
                            self.state = State::Eof;
                            return self.token(TokenKind::TagComment, start, len);
                        };
                        if self.byte(percent + 1) == Some(b'>') {
                            self.pos = percent + 2;
                            self.state = State::Data;
                            return self.token(TokenKind::TagComment, start, percent);
                        }
                        from = percent + 1;
                    }
                }
                State::MarkupDeclarationOpen => {
                    let rest = self.input.get(self.pos..).unwrap_or_default();
                    if rest
                        .get(..7)
                        .is_some_and(|word| word.eq_ignore_ascii_case(b"doctype"))
                    {
                        self.state = State::Doctype;
                    } else if rest.starts_with(b"[CDATA[") {
                        self.pos += 7;
                        self.state = State::Cdata;
                    } else if rest.starts_with(b"--") {
                        self.pos += 2;
                        self.state = State::Comment;
                    } else {
                        self.state = State::BogusComment;
                    }
                }
                State::Comment => {
                    let start = self.pos;
                    let mut from = start;
                    // Ends at `-->` or `-!>` (NULs after the first dash ignored), or at the end.
                    loop {
                        let dash = self.find_byte(b'-', from).filter(|&at| at + 3 <= len);
                        let Some(dash) = dash else {
                            self.state = State::Eof;
                            return self.token(TokenKind::TagComment, start, len);
                        };
                        let mut at = dash + 1;
                        while self.byte(at) == Some(b'\0') {
                            at += 1;
                        }
                        let Some(second) = self.byte(at) else {
                            self.state = State::Eof;
                            return self.token(TokenKind::TagComment, start, len);
                        };
                        if second != b'-' && second != b'!' {
                            from = dash + 1;
                            continue;
                        }
                        at += 1;
                        let Some(third) = self.byte(at) else {
                            self.state = State::Eof;
                            return self.token(TokenKind::TagComment, start, len);
                        };
                        if third != b'>' {
                            from = dash + 1;
                            continue;
                        }
                        self.pos = at + 1;
                        self.state = State::Data;
                        return self.token(TokenKind::TagComment, start, dash);
                    }
                }
                State::Cdata => {
                    let start = self.pos;
                    let mut from = start;
                    loop {
                        let bracket = self.find_byte(b']', from).filter(|&at| at + 3 <= len);
                        let Some(bracket) = bracket else {
                            self.state = State::Eof;
                            return self.token(TokenKind::DataText, start, len);
                        };
                        if self.byte(bracket + 1) == Some(b']')
                            && self.byte(bracket + 2) == Some(b'>')
                        {
                            self.pos = bracket + 3;
                            self.state = State::Data;
                            return self.token(TokenKind::DataText, start, bracket);
                        }
                        from = bracket + 1;
                    }
                }
                State::Doctype => {
                    let start = self.pos;
                    let end = match self.find_byte(b'>', start) {
                        None => {
                            self.state = State::Eof;
                            len
                        }
                        Some(gt) => {
                            self.pos = gt + 1;
                            self.state = State::Data;
                            gt
                        }
                    };
                    return self.token(TokenKind::Doctype, start, end);
                }
            }
        }
    }
}

// Token streams of the C tokenizer inside libmodsecurity 3.0.9 (`libinjection_h5_next`).
#[cfg(test)]
mod tests {
    use super::{Context, TokenKind, Tokenizer};
    use TokenKind::{AttrName, AttrValue, TagClose, TagNameClose, TagNameOpen};

    fn tokens(input: &[u8]) -> Vec<(TokenKind, &[u8])> {
        Tokenizer::new(input, Context::Data)
            .map(|token| (token.kind, token.text))
            .collect()
    }

    #[test]
    fn tag_with_attributes() {
        assert_eq!(
            tokens(b"<img src=x onerror=alert(1)>"),
            [
                (TagNameOpen, &b"img"[..]),
                (AttrName, b"src"),
                (AttrValue, b"x"),
                (AttrName, b"onerror"),
                (AttrValue, b"alert(1)"),
                (TagNameClose, b">"),
            ]
        );
    }

    #[test]
    fn nul_separates_attributes() {
        assert_eq!(
            tokens(b"<a on\x00error=1>"),
            [
                (TagNameOpen, &b"a"[..]),
                (AttrName, b"on"),
                (AttrName, b"error"),
                (AttrValue, b"1"),
                (TagNameClose, b">"),
            ]
        );
    }

    #[test]
    fn closing_flag_outlives_a_closing_tag_with_a_space() {
        assert_eq!(
            tokens(b"</a ><script>"),
            [
                (TagNameOpen, &b"a"[..]),
                (TagNameClose, b">"),
                (TagClose, b"script"),
            ]
        );
    }
}
