//! The verdict over one token stream: libinjection 3.9.2's black lists and how it compares.
//!
//! Names are compared the way 3.9.2 compares them, which is not plain case-insensitive
//! equality: NUL bytes in the input are skipped, and only `a`-`z` are folded. URL-like
//! values are read through a small decoder of numeric character references whose result is
//! truncated to a byte, so `&#x14A;` reads as `J`. Every `on…` attribute name of five bytes
//! or more is an event handler: 3.9.2 has no list of events.

use super::html5::{Context, TokenKind, Tokenizer};

/// How an attribute is dangerous.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AttrDanger {
    /// Whatever the value.
    Always,
    /// When the value is a URL with a scripting scheme.
    Url,
    /// CSS: always, as 3.9.2 does not read the value.
    Style,
    /// The value names another attribute (SVG `attributeName`).
    NamesAttribute,
}

const BLACK_TAGS: [&[u8]; 20] = [
    b"APPLET",
    b"BASE",
    b"COMMENT",
    b"EMBED",
    b"FRAME",
    b"FRAMESET",
    b"HANDLER",
    b"IFRAME",
    b"IMPORT",
    b"ISINDEX",
    b"LINK",
    b"LISTENER",
    b"META",
    b"NOSCRIPT",
    b"OBJECT",
    b"SCRIPT",
    b"STYLE",
    b"VMLFRAME",
    b"XML",
    b"XSS",
];

const BLACK_ATTRS: [(&[u8], AttrDanger); 20] = [
    (b"ACTION", AttrDanger::Url),
    (b"ATTRIBUTENAME", AttrDanger::NamesAttribute),
    (b"BY", AttrDanger::Url),
    (b"BACKGROUND", AttrDanger::Url),
    (b"DATAFORMATAS", AttrDanger::Always),
    (b"DATASRC", AttrDanger::Always),
    (b"DYNSRC", AttrDanger::Url),
    (b"FILTER", AttrDanger::Style),
    (b"FORMACTION", AttrDanger::Url),
    (b"FOLDER", AttrDanger::Url),
    (b"FROM", AttrDanger::Url),
    (b"HANDLER", AttrDanger::Url),
    (b"HREF", AttrDanger::Url),
    (b"LOWSRC", AttrDanger::Url),
    (b"POSTER", AttrDanger::Url),
    (b"SRC", AttrDanger::Url),
    (b"STYLE", AttrDanger::Style),
    (b"TO", AttrDanger::Url),
    (b"VALUES", AttrDanger::Url),
    (b"XLINK:HREF", AttrDanger::Url),
];

/// URL prefixes that run script or show source; `JAVA` covers `javascript:`.
const BLACK_URL_PREFIXES: [&[u8]; 4] = [b"DATA", b"VIEW-SOURCE", b"JAVA", b"VBSCRIPT"];

/// `libinjection_is_xss` for one context.
pub(super) fn is_xss_in(input: &[u8], context: Context) -> bool {
    let mut pending_attr: Option<AttrDanger> = None;
    for token in Tokenizer::new(input, context) {
        // An attribute name only speaks for a value that follows it immediately.
        let attr = pending_attr.take();
        match token.kind {
            TokenKind::Doctype => return true,
            TokenKind::TagNameOpen if is_black_tag(token.text) => return true,
            TokenKind::AttrName => pending_attr = black_attr(token.text),
            TokenKind::AttrValue => {
                let dangerous = match attr {
                    None => false,
                    Some(AttrDanger::Always | AttrDanger::Style) => true,
                    Some(AttrDanger::Url) => is_black_url(token.text),
                    Some(AttrDanger::NamesAttribute) => black_attr(token.text).is_some(),
                };
                if dangerous {
                    return true;
                }
            }
            TokenKind::TagComment if is_black_comment(token.text) => return true,
            _ => {}
        }
    }
    false
}

/// Whether `text` without its NUL bytes, `a`-`z` upper-cased, is exactly `upper_name`.
fn eq_ignoring_nul(upper_name: &[u8], text: &[u8]) -> bool {
    text.iter()
        .filter(|&&byte| byte != 0)
        .map(u8::to_ascii_uppercase)
        .eq(upper_name.iter().copied())
}

fn starts_with_ignore_case(text: &[u8], lower_prefix: &[u8]) -> bool {
    text.get(..lower_prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(lower_prefix))
}

fn is_black_tag(name: &[u8]) -> bool {
    if name.len() < 3 {
        return false;
    }
    BLACK_TAGS.iter().any(|tag| eq_ignoring_nul(tag, name))
        || starts_with_ignore_case(name, b"svg")
        || starts_with_ignore_case(name, b"xsl")
}

fn black_attr(name: &[u8]) -> Option<AttrDanger> {
    if name.len() < 2 {
        return None;
    }
    if let Some(head) = name.get(..5) {
        if starts_with_ignore_case(name, b"on")
            || eq_ignoring_nul(b"XMLNS", head)
            || eq_ignoring_nul(b"XLINK", head)
        {
            return Some(AttrDanger::Always);
        }
    }
    BLACK_ATTRS
        .iter()
        .find(|(black, _)| eq_ignoring_nul(black, name))
        .map(|&(_, danger)| danger)
}

fn is_black_url(value: &[u8]) -> bool {
    // Leading controls, spaces, DEL and every non-ASCII byte are skipped.
    let start = value
        .iter()
        .position(|byte| (0x21..0x7f).contains(byte))
        .unwrap_or(value.len());
    let value = value.get(start..).unwrap_or_default();
    BLACK_URL_PREFIXES
        .iter()
        .any(|prefix| decoded_starts_with(prefix, value))
}

/// Whether `text`, character references decoded, starts with `upper_prefix`, ignoring case,
/// leading whitespace and controls (decoded or not), and every NUL and line feed.
fn decoded_starts_with(upper_prefix: &[u8], text: &[u8]) -> bool {
    let mut rest = text;
    let mut expected = upper_prefix.iter();
    let mut leading = true;
    loop {
        let Some(&want) = expected.as_slice().first() else {
            return true;
        };
        let Some((decoded, used)) = decode_char(rest) else {
            return false;
        };
        rest = rest.get(used..).unwrap_or_default();
        if leading && decoded <= 0x20 {
            continue;
        }
        leading = false;
        if decoded == 0 || decoded == u32::from(b'\n') {
            continue;
        }
        let folded = if (u32::from(b'a')..=u32::from(b'z')).contains(&decoded) {
            decoded - 0x20
        } else {
            decoded
        };
        // 3.9.2 compares only the low byte of what it decoded.
        if want != folded as u8 {
            return false;
        }
        expected.next();
    }
}

/// The character at the start of `text` and how many bytes it took: a numeric character
/// reference (`&#106;`, `&#x6A`, `;` optional) or one byte. Named references and malformed
/// or too large numbers read as a lone `&`. `None` when `text` is empty.
///
/// The value is always followed in the input by a quote, whitespace, `>` or the end, never
/// by a digit or an `x`, so looking no further than `text` sees what 3.9.2 sees.
fn decode_char(text: &[u8]) -> Option<(u32, usize)> {
    const AMPERSAND: (u32, usize) = (b'&' as u32, 1);
    const MAX: u32 = 0x0010_00FF;
    let first = *text.first()?;
    if first != b'&' || text.len() < 2 {
        return Some((u32::from(first), 1));
    }
    if text.get(1) != Some(&b'#') {
        return Some(AMPERSAND);
    }
    let (radix, digits_from) = match text.get(2) {
        Some(b'x' | b'X') => (16, 3),
        _ => (10, 2),
    };
    let digit = |at: usize| {
        text.get(at)
            .and_then(|&byte| char::from(byte).to_digit(radix))
    };
    let Some(mut value) = digit(digits_from) else {
        return Some(AMPERSAND);
    };
    let mut at = digits_from + 1;
    while let Some(&byte) = text.get(at) {
        if byte == b';' {
            return Some((value, at + 1));
        }
        let Some(next) = digit(at) else {
            return Some((value, at));
        };
        value = value * radix + next;
        if value > MAX {
            return Some(AMPERSAND);
        }
        at += 1;
    }
    Some((value, at))
}

/// Comments that old browsers treat as markup: `` ` `` ends a tag in IE, `[if` is an IE
/// conditional comment, and `xml`, `import` and `ENTITY` declarations.
fn is_black_comment(text: &[u8]) -> bool {
    if memchr::memchr(b'`', text).is_some() {
        return true;
    }
    if text.len() > 3
        && (starts_with_ignore_case(text, b"[if") || starts_with_ignore_case(text, b"xml"))
    {
        return true;
    }
    text.get(..6)
        .is_some_and(|head| eq_ignoring_nul(b"IMPORT", head) || eq_ignoring_nul(b"ENTITY", head))
}

// Expectations from the C libinjection inside libmodsecurity 3.0.9 (`libinjection_is_xss`).
#[cfg(test)]
mod tests {
    use super::is_xss_in;
    use crate::xss::html5::Context;

    fn verdicts(input: &[u8]) -> [bool; 5] {
        Context::ALL.map(|context| is_xss_in(input, context))
    }

    #[test]
    fn each_context_reads_the_input_differently() {
        assert_eq!(
            verdicts(b"<img src=x onerror=alert(1)>"),
            [true, true, false, false, false]
        );
        assert_eq!(
            verdicts(b"' onfocus=alert(1) x='"),
            [false, true, true, false, false]
        );
        assert_eq!(
            verdicts(b"\" onfocus=alert(1) x=\""),
            [false, true, false, true, false]
        );
    }

    #[test]
    fn a_closing_tag_not_ended_by_its_name_hides_the_next_tag_name() {
        // Between tags, `<script>` after `</a >` is read as a closing tag.
        assert_eq!(
            verdicts(b"</a ><script>"),
            [false, true, false, false, false]
        );
    }
}
