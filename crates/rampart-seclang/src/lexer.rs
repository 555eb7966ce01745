//! Splitting a file into directives and a directive into words.
//!
//! A directive is one logical line: physical lines ending in `\` continue on the next one (the
//! backslash and line break are removed, nothing else). Comment lines never continue, so a
//! commented-out multi-line rule stays commented out line by line. Every logical line keeps the
//! map back to physical positions, so errors found deep inside an action list still point at
//! the right line and column.

use crate::error::{ErrorKind, Quote};
use crate::span::{FileId, Span};

/// One directive's text with the map back to the file.
pub(crate) struct LogicalLine {
    pub text: String,
    pieces: Vec<Piece>,
}

/// A physical line's share of a logical line.
struct Piece {
    logical_start: usize,
    line: u32,
    file_start: usize,
}

impl LogicalLine {
    /// The span of byte `offset` of [`LogicalLine::text`].
    pub fn span(&self, source: &str, file: FileId, offset: usize) -> Span {
        let index = self
            .pieces
            .partition_point(|piece| piece.logical_start <= offset)
            .saturating_sub(1);
        let Some(piece) = self.pieces.get(index) else {
            return Span {
                file,
                line: 0,
                column: 0,
            };
        };
        let byte = piece.file_start + (offset - piece.logical_start);
        let line_start = source[..byte.min(source.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let column = source
            .get(line_start..byte)
            .map_or(0, |prefix| prefix.chars().count());
        Span {
            file,
            line: piece.line,
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
        }
    }
}

/// The directives of a file, without blank and comment lines.
pub(crate) fn logical_lines(source: &str) -> Vec<LogicalLine> {
    let mut lines = Vec::new();
    let mut current: Option<LogicalLine> = None;
    let mut file_offset = 0;
    for (index, raw) in source.split_inclusive('\n').enumerate() {
        let line_start = file_offset;
        file_offset += raw.len();
        let content = raw.strip_suffix('\n').unwrap_or(raw);
        let content = content.strip_suffix('\r').unwrap_or(content);
        let (body, continues) = match content.strip_suffix('\\') {
            Some(body) => (body, true),
            None => (content, false),
        };
        if current.is_none() {
            let trimmed = content.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
        }
        let logical = current.get_or_insert_with(|| LogicalLine {
            text: String::new(),
            pieces: Vec::new(),
        });
        logical.pieces.push(Piece {
            logical_start: logical.text.len(),
            line: u32::try_from(index + 1).unwrap_or(u32::MAX),
            file_start: line_start,
        });
        logical.text.push_str(body);
        if !continues {
            lines.extend(current.take());
        }
    }
    lines.extend(current);
    lines
}

/// A directive argument: its raw text (between the quotes, escapes not yet processed) and the
/// byte offset of that text in the logical line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Word<'a> {
    pub raw: &'a str,
    pub start: usize,
    pub quote: Option<Quote>,
}

impl Word<'_> {
    /// The argument's value: quotes removed and `\"` (or `\'`) unescaped.
    pub fn value(&self) -> String {
        match self.quote {
            Some(quote) => unescape(self.raw, quote),
            None => self.raw.to_string(),
        }
    }

    /// Offset of the word's first character, the opening quote if any.
    pub fn outer_start(&self) -> usize {
        self.start - usize::from(self.quote.is_some())
    }
}

/// Splits a logical line into white-space separated words; quoted words may contain white
/// space and escaped quotes. Errors carry the offset to report.
pub(crate) fn words(line: &str) -> Result<Vec<Word<'_>>, (usize, ErrorKind)> {
    let bytes = line.as_bytes();
    let mut words = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let quote = match bytes[i] {
            b'"' => Some(Quote::Double),
            b'\'' => Some(Quote::Single),
            _ => None,
        };
        match quote {
            Some(quote) => {
                let open = i;
                let end = closing_quote(bytes, i + 1, quote_byte(quote))
                    .ok_or((open, ErrorKind::UnterminatedQuote { quote }))?;
                words.push(Word {
                    raw: &line[open + 1..end],
                    start: open + 1,
                    quote: Some(quote),
                });
                i = end + 1;
                if let Some(&next) = bytes.get(i) {
                    if !next.is_ascii_whitespace() {
                        let found = line[i..].chars().next().unwrap_or(' ');
                        return Err((i, ErrorKind::JunkAfterQuote { found }));
                    }
                }
            }
            None => {
                let start = i;
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                words.push(Word {
                    raw: &line[start..i],
                    start,
                    quote: None,
                });
            }
        }
    }
    Ok(words)
}

pub(crate) fn quote_byte(quote: Quote) -> u8 {
    match quote {
        Quote::Double => b'"',
        Quote::Single => b'\'',
    }
}

/// Index of the quote that closes a string starting at `from`; a backslash always takes the
/// next byte with it, so `\"` and `\\` never end the string.
pub(crate) fn closing_quote(bytes: &[u8], from: usize, quote: u8) -> Option<usize> {
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Removes the backslash of each escaped `quote`; other backslashes are the value's own (they
/// matter to regular expressions) and stay, as in ModSecurity.
pub(crate) fn unescape(raw: &str, quote: Quote) -> String {
    let quote = quote_byte(quote) as char;
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some(&next) if next == quote => {
                    out.push(next);
                    chars.next();
                }
                Some('\\') => {
                    out.push_str("\\\\");
                    chars.next();
                }
                _ => out.push(c),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The inverse of [`unescape`] for printing.
pub(crate) fn escape(value: &str, quote: Quote) -> String {
    let quote = quote_byte(quote) as char;
    let mut out = String::with_capacity(value.len() + 2);
    for c in value.chars() {
        if c == quote {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_continuations_and_skips_comments() {
        let src = "# c \\\nSecRule A \\\n  \"B\" \\\n  \"id:1\"\n\n  # x\nSecMarker M\n";
        let lines = logical_lines(src);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text, "SecRule A   \"B\"   \"id:1\"");
        assert_eq!(lines[1].text, "SecMarker M");
        let span = lines[0].span(src, FileId(0), lines[0].text.find("id").unwrap());
        assert_eq!((span.line, span.column), (4, 4));
        let span = lines[1].span(src, FileId(0), 0);
        assert_eq!((span.line, span.column), (7, 1));
    }

    #[test]
    fn splits_words_with_escaped_quotes() {
        let w = words(r#"SecRule ARGS "@rx a\"b\\" 'x y'"#).unwrap();
        assert_eq!(w.len(), 4);
        assert_eq!(w[2].raw, r#"@rx a\"b\\"#);
        assert_eq!(w[2].value(), r#"@rx a"b\\"#);
        assert_eq!(w[3].value(), "x y");
    }

    #[test]
    fn reports_unterminated_quote_at_its_start() {
        let (offset, kind) = words(r#"SecRule ARGS "@rx a"#).unwrap_err();
        assert_eq!(offset, 13);
        assert!(matches!(
            kind,
            ErrorKind::UnterminatedQuote {
                quote: Quote::Double
            }
        ));
        let (offset, _) = words(r#"SecRule ARGS "@rx a"x"#).unwrap_err();
        assert_eq!(offset, 20);
    }

    #[test]
    fn escape_round_trips() {
        for value in [r#"a"b"#, r"a\\b", r#"a\\"b"#, "plain"] {
            assert_eq!(
                unescape(&escape(value, Quote::Double), Quote::Double),
                value
            );
        }
    }
}
