//! `htmlEntityDecode`: numeric entities and five named ones, `;` optional.
//!
//! ModSecurity decodes `&#DDD`, `&#xHH`/`&#XHH` and exactly five names, matched without
//! regard to case: `quot`, `amp`, `lt`, `gt` and `nbsp` (to the single byte 0xA0, not
//! UTF-8). A name is the whole run of ASCII letters and digits after `&`, so `&ltx;` is left
//! alone while `&lt` decodes. The terminating `;` is consumed when present but never
//! required. A numeric entity becomes one byte: the low byte of its value, or 0xFF when the
//! digits overflow a C `long` (`strtol` saturates). Anything that does not decode, such as
//! `&#` without digits or an unknown name, is copied through unchanged and scanning resumes
//! right after the part that was examined. One pass only: `&amp;lt;` gives `&lt;`.

use std::borrow::Cow;

use super::ctype::{is_hex, strtol_low_byte};
use super::output::Output;
use super::TransformContext;

/// What an entity decodes to, and how far it reaches, or how many bytes to copy through.
enum Step {
    Decoded { byte: u8, end: usize },
    Copy(usize),
}

pub(super) fn html_entity_decode<'a>(input: &'a [u8], _: &TransformContext<'_>) -> Cow<'a, [u8]> {
    let mut out = Output::new(input);
    let mut i = 0;
    while i < input.len() {
        // The text up to the next `&` is copied as one run.
        if input.get(i) != Some(&b'&') {
            let rest = input.get(i..).unwrap_or_default();
            let end = memchr::memchr(b'&', rest).map_or(input.len(), |at| i + at);
            out.extend(input.get(i..end).unwrap_or_default());
            i = end;
            continue;
        }
        match entity_at(input, i) {
            Step::Decoded { byte, end } => {
                out.push(byte);
                i = if input.get(end) == Some(&b';') {
                    end + 1
                } else {
                    end
                };
            }
            Step::Copy(count) => {
                let end = (i + count).min(input.len());
                out.extend(input.get(i..end).unwrap_or_default());
                i = end;
            }
        }
    }
    out.finish()
}

fn entity_at(input: &[u8], i: usize) -> Step {
    if input.get(i) != Some(&b'&') || i + 1 >= input.len() {
        return Step::Copy(1);
    }
    let run_end = |start: usize, accept: fn(u8) -> bool| {
        start
            + input
                .get(start..)
                .unwrap_or_default()
                .iter()
                .take_while(|&&b| accept(b))
                .count()
    };
    if input.get(i + 1) == Some(&b'#') {
        if i + 2 >= input.len() {
            return Step::Copy(2);
        }
        if matches!(input.get(i + 2), Some(b'x' | b'X')) {
            if i + 3 >= input.len() {
                return Step::Copy(3);
            }
            let start = i + 3;
            let end = run_end(start, is_hex);
            match input.get(start..end) {
                Some(digits) if !digits.is_empty() => Step::Decoded {
                    byte: strtol_low_byte(digits, 16),
                    end,
                },
                _ => Step::Copy(3),
            }
        } else {
            let start = i + 2;
            let end = run_end(start, |b| b.is_ascii_digit());
            match input.get(start..end) {
                Some(digits) if !digits.is_empty() => Step::Decoded {
                    byte: strtol_low_byte(digits, 10),
                    end,
                },
                _ => Step::Copy(2),
            }
        }
    } else {
        let start = i + 1;
        let end = run_end(start, |b| b.is_ascii_alphanumeric());
        let name = input.get(start..end).unwrap_or_default();
        if name.is_empty() {
            return Step::Copy(1);
        }
        let byte = match name.to_ascii_lowercase().as_slice() {
            b"quot" => b'"',
            b"amp" => b'&',
            b"lt" => b'<',
            b"gt" => b'>',
            b"nbsp" => 0xa0,
            _ => return Step::Copy(end - i),
        };
        Step::Decoded { byte, end }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> Vec<u8> {
        html_entity_decode(input, &TransformContext::default()).into_owned()
    }

    #[test]
    fn named_entities_with_and_without_semicolon() {
        assert_eq!(run(b"&quot;&amp;&lt;&gt;&nbsp;"), b"\"&<>\xa0");
        assert_eq!(run(b"&quot&amp&lt&gt&nbsp"), b"\"&<>\xa0");
        assert_eq!(run(b"&LT;&Amp;&NBSP;"), b"<&\xa0");
    }

    #[test]
    fn names_are_whole_alphanumeric_runs() {
        assert_eq!(run(b"&ltx;"), b"&ltx;");
        assert_eq!(run(b"&lt1"), b"&lt1");
        assert_eq!(run(b"&lt-"), b"<-");
        assert_eq!(run(b"&foo;&apos;&copy;"), b"&foo;&apos;&copy;");
    }

    #[test]
    fn numeric_entities() {
        assert_eq!(run(b"&#x0;&#X0;&#x20;&#X20;&#0;&#32;&#100;"), b"\0\0  \0 d");
        assert_eq!(run(b"&#x41&#65&#x4a"), b"AAJ");
        // One byte: the low byte of the value.
        assert_eq!(run(b"&#321;&#x141;"), b"AA");
        // strtol saturates at LONG_MAX, whose low byte is 0xFF.
        assert_eq!(run(b"&#99999999999999999999;"), b"\xff");
        assert_eq!(run(b"&#x10000000000000041;"), b"\xff");
    }

    #[test]
    fn incomplete_entities_are_copied() {
        assert_eq!(
            run(b"&#xg;&#Xg;&#xg0;&#X2g;&#a;&#a2;&#3a&#a00;&#1a0;&#10a;&foo;"),
            b"&#xg;&#Xg;&#xg0;\x02g;&#a;&#a2;\x03a&#a00;\x01a0;\na;&foo;"
        );
        assert_eq!(run(b"&"), b"&");
        assert_eq!(run(b"&#"), b"&#");
        assert_eq!(run(b"&#x"), b"&#x");
        assert_eq!(run(b"& &; &#;"), b"& &; &#;");
        // Scanning resumes after the copied part, so a following entity still decodes.
        assert_eq!(run(b"&#&lt;&#x&gt;"), b"&#<&#x>");
    }

    #[test]
    fn single_pass() {
        assert_eq!(run(b"&amp;lt;"), b"&lt;");
    }

    #[test]
    fn unchanged_input_is_borrowed() {
        assert!(matches!(
            html_entity_decode(b"a & b &c", &TransformContext::default()),
            Cow::Borrowed(_)
        ));
    }
}
