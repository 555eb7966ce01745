//! SQL injection detection by token fingerprint, as libinjection 3.9.2 does it.
//!
//! ModSecurity's `@detectSQLi` is defined by the libinjection it links, so verdicts and
//! fingerprints (which rules log as `TX:0`) must be those of the copy in libmodsecurity 3.0.9
//! exactly, quirks included: libinjection 3.9.2 plus one later fix (`$tag$` strings). The
//! input is tokenized ([`tokenizer`]), folded to at most five tokens ([`fold`]), and the
//! token types are looked up in libinjection's fingerprint list and second-guessed for short
//! fingerprints ([`verdict`]). Everything lives on the stack: this runs on every argument of
//! every request.

mod fold;
mod keywords;
mod token;
mod tokenizer;
mod verdict;

#[cfg(test)]
mod tests;

use token::{kind, TokenSlots};
use tokenizer::Tokenizer;

/// Parsing context flags, with libinjection's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqliFlags(pub u32);

impl SqliFlags {
    pub const QUOTE_NONE: u32 = 1;
    pub const QUOTE_SINGLE: u32 = 2;
    pub const QUOTE_DOUBLE: u32 = 4;
    pub const SQL_ANSI: u32 = 8;
    pub const SQL_MYSQL: u32 = 16;
}

/// A fingerprint: up to five token-type characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fingerprint {
    bytes: [u8; 8],
    len: u8,
}

impl Fingerprint {
    fn push(&mut self, byte: u8) {
        if let Some(slot) = self.bytes.get_mut(usize::from(self.len)) {
            *slot = byte;
            self.len += 1;
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or("")
    }
}

/// See [`crate::prepare`].
pub(crate) fn prepare() {
    keywords::prepare();
}

/// Whether `byte` is one of the bytes (ASCII letters, digits, `_`) a value made only of which
/// is never SQL injection. Such a value reads as one word, one number, or a number and then
/// a word (a word takes in the digits after it); it holds no quote, so only the unquoted
/// reading runs, and no comment, so no MySQL one. The only fingerprints of one or two tokens
/// on the blacklist are `X`, which needs an unparseable comment, and a comment, `UNION` or a
/// variable second, where `1U` with nothing else seen is let through as prose. A rule
/// engine can skip `@detectSQLi` on a value that holds no other byte.
pub fn is_sqli_inert(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// `libinjection_is_sqli`: `Some(fingerprint)` when the input is SQL injection.
///
/// The input is read as is, then as if it followed a `'` (only when it holds one), then a `"`
/// (likewise); the ANSI reading of the first two is repeated as MySQL when it met a `#` or a
/// `--x` comment, on which the two dialects disagree.
pub fn detect_sqli(input: &[u8]) -> Option<Fingerprint> {
    if input.is_empty() {
        return None;
    }
    let ansi_then_mysql = |quote: u32| {
        let ansi = Analysis::new(input, quote | SqliFlags::SQL_ANSI);
        if ansi.is_injection() {
            return Some(ansi.fingerprint);
        }
        if ansi.dialect_matters() {
            let mysql = Analysis::new(input, quote | SqliFlags::SQL_MYSQL);
            if mysql.is_injection() {
                return Some(mysql.fingerprint);
            }
        }
        None
    };
    if let Some(fingerprint) = ansi_then_mysql(SqliFlags::QUOTE_NONE) {
        return Some(fingerprint);
    }
    if input.contains(&b'\'') {
        if let Some(fingerprint) = ansi_then_mysql(SqliFlags::QUOTE_SINGLE) {
            return Some(fingerprint);
        }
    }
    if input.contains(&b'"') {
        let mysql = Analysis::new(input, SqliFlags::QUOTE_DOUBLE | SqliFlags::SQL_MYSQL);
        if mysql.is_injection() {
            return Some(mysql.fingerprint);
        }
    }
    None
}

/// `libinjection_sqli_fingerprint` for one parsing context; flags 0 mean
/// `QUOTE_NONE | SQL_ANSI`, as in libinjection.
pub fn sqli_fingerprint(input: &[u8], flags: SqliFlags) -> Fingerprint {
    Analysis::new(input, flags.0).fingerprint
}

/// One context's reading of the input: what the verdict looks at.
struct Analysis<'a> {
    input: &'a [u8],
    fingerprint: Fingerprint,
    tokens: TokenSlots,
    tokens_seen: u32,
    dash_comments_without_space: u32,
    hash_comments: u32,
}

impl<'a> Analysis<'a> {
    fn new(input: &'a [u8], flags: u32) -> Self {
        let flags = if flags == 0 {
            SqliFlags::QUOTE_NONE | SqliFlags::SQL_ANSI
        } else {
            flags
        };
        let mut tokenizer = Tokenizer::new(input, flags);
        let mut tokens = TokenSlots::new();
        let count = fold::fold(&mut tokenizer, &mut tokens);

        // PHP's unclosed backtick at the end, "`", is a comment to MySQL.
        if count > 2 {
            let last = tokens.get(count - 1);
            if last.kind == kind::BAREWORD
                && last.str_open == b'`'
                && last.len() == 0
                && last.str_close == 0
            {
                tokens.set_kind(count - 1, kind::COMMENT);
            }
        }

        let mut fingerprint = Fingerprint::default();
        // The C fingerprint is a C string: it would end at a token without a type.
        for index in 0..count {
            match tokens.kind(index) {
                kind::NONE => break,
                token_kind => fingerprint.push(token_kind),
            }
        }
        // A token that could not be parsed reliably makes the whole input evil.
        if fingerprint.as_bytes().contains(&kind::EVIL) {
            fingerprint = Fingerprint::default();
            fingerprint.push(kind::EVIL);
            tokens.set_kind(0, kind::EVIL);
            tokens.set_kind(1, kind::NONE);
        }

        Analysis {
            input,
            fingerprint,
            tokens,
            tokens_seen: tokenizer.tokens_seen,
            dash_comments_without_space: tokenizer.dash_comments_without_space,
            hash_comments: tokenizer.hash_comments,
        }
    }

    fn is_injection(&self) -> bool {
        verdict::is_injection(self)
    }

    /// Whether the input held comments that MySQL reads differently.
    fn dialect_matters(&self) -> bool {
        self.dash_comments_without_space > 0 || self.hash_comments > 0
    }
}
