//! Reading PCRE patterns (as ModSecurity compiles them: no UTF mode) for the `regex` crate.
//!
//! The two dialects agree on almost everything CRS writes. Where they differ, the translation
//! spells the PCRE meaning out explicitly:
//! - non-ASCII characters are bytes: a literal `’` is its three UTF-8 bytes (inside a class,
//!   three members), and `\x{ff}` is the byte 0xFF;
//! - inside a class, `[` is a literal and `&&`/`~~`/`--` are not set operations;
//! - a `{` that does not start a quantifier is a literal;
//! - escaped punctuation becomes a `\xHH` escape, valid in either dialect;
//! - `\h`, `\e` and PCRE comments `(?#…)` have direct equivalents.
//!
//! Lookaround, backreferences, atomic groups and possessive quantifiers have no linear-time
//! equivalent; [`Translation::needs_backtracking`] reports them so the caller can fall back.

/// A translated pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    pub pattern: String,
    pub needs_backtracking: bool,
}

/// Why a pattern cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TranslateError(pub String);

pub fn translate(pattern: &str) -> Result<Translation, TranslateError> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut backtracking = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                i = escape(&chars, i, &mut out, false, &mut backtracking)?;
                continue;
            }
            '[' => {
                i = class(&chars, i, &mut out)?;
                continue;
            }
            '{' => {
                match quantifier_end(&chars, i) {
                    Some(end) => {
                        out.extend(&chars[i..=end]);
                        i = end + 1;
                        if chars.get(i) == Some(&'+') {
                            backtracking = true;
                        }
                    }
                    None => {
                        out.push_str("\\{");
                        i += 1;
                    }
                }
                continue;
            }
            '}' => out.push_str("\\}"),
            '(' if chars.get(i + 1) == Some(&'?') => {
                match chars.get(i + 2) {
                    Some('#') => {
                        while i < chars.len() && chars[i] != ')' {
                            i += 1;
                        }
                        i += 1;
                        continue;
                    }
                    Some('=' | '!' | '>') => backtracking = true,
                    Some('<') if matches!(chars.get(i + 3), Some('=' | '!')) => backtracking = true,
                    _ => {}
                }
                out.push('(');
            }
            '*' | '+' | '?' if chars.get(i + 1) == Some(&'+') => {
                backtracking = true;
                out.push(c);
            }
            c if c.is_ascii() => out.push(c),
            c => push_bytes(&mut out, c),
        }
        i += 1;
    }
    Ok(Translation {
        pattern: out,
        needs_backtracking: backtracking,
    })
}

/// `{n}`, `{n,}` or `{n,m}` starting at `start`: the index of its `}`.
fn quantifier_end(chars: &[char], start: usize) -> Option<usize> {
    let mut i = start + 1;
    let digits = |i: &mut usize| {
        let from = *i;
        while chars.get(*i).is_some_and(char::is_ascii_digit) {
            *i += 1;
        }
        *i > from
    };
    if !digits(&mut i) {
        return None;
    }
    if chars.get(i) == Some(&',') {
        i += 1;
        digits(&mut i);
    }
    (chars.get(i) == Some(&'}')).then_some(i)
}

/// Translates the escape at `start` (a backslash); returns the index after it.
fn escape(
    chars: &[char],
    start: usize,
    out: &mut String,
    in_class: bool,
    backtracking: &mut bool,
) -> Result<usize, TranslateError> {
    let Some(&next) = chars.get(start + 1) else {
        return Err(TranslateError("pattern ends with a lone backslash".into()));
    };
    let mut i = start + 2;
    match next {
        'x' if chars.get(i) == Some(&'{') => {
            let close = chars[i..]
                .iter()
                .position(|&c| c == '}')
                .map(|p| i + p)
                .ok_or_else(|| TranslateError("unterminated \\x{".into()))?;
            let hex: String = chars[i + 1..close].iter().collect();
            let value = u32::from_str_radix(hex.trim(), 16)
                .map_err(|_| TranslateError(format!("bad escape \\x{{{hex}}}")))?;
            if value > 0xff {
                return Err(TranslateError(format!(
                    "\\x{{{hex}}} is above 0xff, which a byte pattern cannot match"
                )));
            }
            push_byte(out, value as u8);
            i = close + 1;
        }
        'h' => out.push_str(if in_class { " \\t" } else { "[ \\t]" }),
        'H' if !in_class => out.push_str("[^ \\t]"),
        'e' => out.push_str("\\x1B"),
        'b' if in_class => out.push_str("\\x08"),
        'Z' if !in_class => out.push_str("(?-m:$)"),
        '0'..='9' => {
            // PCRE: \1–\9 (and larger numbers that are not octal) are backreferences outside a
            // class; \0 and multi-digit octal numbers are bytes.
            let digits: String = chars[start + 1..]
                .iter()
                .take(3)
                .take_while(|c| c.is_ascii_digit())
                .collect();
            let decimal: u32 = digits.parse().unwrap_or(0);
            let octal: String = digits
                .chars()
                .take_while(|c| ('0'..='7').contains(c))
                .collect();
            if next != '0' && (decimal < 10 || octal.len() < 2) && !in_class {
                *backtracking = true;
                out.push('\\');
                out.push_str(&digits);
                i = start + 1 + digits.len();
            } else {
                let value = u32::from_str_radix(if octal.is_empty() { "0" } else { &octal }, 8)
                    .unwrap_or(0);
                push_byte(out, (value & 0xff) as u8);
                i = start + 1 + octal.len().max(1);
            }
        }
        'k' | 'g' if !in_class => {
            *backtracking = true;
            out.push('\\');
            out.push(next);
        }
        'Q' => {
            let end = (i..chars.len().saturating_sub(1))
                .find(|&j| chars[j] == '\\' && chars[j + 1] == 'E')
                .unwrap_or(chars.len());
            for &c in &chars[i..end] {
                push_literal(out, c);
            }
            i = (end + 2).min(chars.len());
        }
        c if c.is_ascii_alphanumeric() => {
            out.push('\\');
            out.push(c);
        }
        c if c.is_ascii() => push_byte(out, c as u8),
        c => push_bytes(out, c),
    }
    Ok(i)
}

/// Translates the class starting at `start` (`[`); returns the index after its `]`.
fn class(chars: &[char], start: usize, out: &mut String) -> Result<usize, TranslateError> {
    let mut i = start + 1;
    out.push('[');
    if chars.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    if chars.get(i) == Some(&']') {
        out.push_str("\\]");
        i += 1;
    }
    let mut ignored = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ']' => {
                out.push(']');
                return Ok(i + 1);
            }
            '[' if chars.get(i + 1) == Some(&':') => {
                let close = (i + 2..chars.len().saturating_sub(1))
                    .find(|&j| chars[j] == ':' && chars[j + 1] == ']');
                match close {
                    Some(close) => {
                        out.extend(&chars[i..=close + 1]);
                        i = close + 2;
                    }
                    None => {
                        out.push_str("\\[");
                        i += 1;
                    }
                }
                continue;
            }
            '\\' => {
                i = escape(chars, i, out, true, &mut ignored)?;
                continue;
            }
            '[' | '&' | '~' => push_byte(out, c as u8),
            '-' if chars.get(i + 1) == Some(&'-') => push_byte(out, b'-'),
            c if c.is_ascii() => out.push(c),
            c => push_bytes(out, c),
        }
        i += 1;
    }
    Err(TranslateError("unterminated character class".into()))
}

fn push_literal(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() {
        out.push(c);
    } else if c.is_ascii() {
        push_byte(out, c as u8);
    } else {
        push_bytes(out, c);
    }
}

fn push_byte(out: &mut String, byte: u8) {
    out.push_str(&format!("\\x{byte:02X}"));
}

fn push_bytes(out: &mut String, c: char) {
    let mut buffer = [0; 4];
    for byte in c.encode_utf8(&mut buffer).bytes() {
        push_byte(out, byte);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(p: &str) -> String {
        translate(p).unwrap().pattern
    }

    #[test]
    fn classes_read_as_pcre_reads_them() {
        assert_eq!(t(r"[\'a-z]"), r"[\x27a-z]");
        assert_eq!(t("[[a]"), r"[\x5Ba]");
        assert_eq!(t("[]a]"), r"[\]a]");
        assert_eq!(t("[a&&b]"), r"[a\x26\x26b]");
        assert_eq!(t("[[:alpha:]_]"), "[[:alpha:]_]");
        assert_eq!(t(r"[\b]"), r"[\x08]");
    }

    #[test]
    fn braces_that_are_not_quantifiers_are_literals() {
        assert_eq!(t("{{.*?}}"), r"\{\{.*?\}\}");
        assert_eq!(t("a{2,3}b{,2}"), r"a{2,3}b\{,2\}");
    }

    #[test]
    fn escapes_and_bytes() {
        assert_eq!(t(r"\.\/\d\x41\x{ff}"), r"\x2E\x2F\d\x41\xFF");
        assert_eq!(t("’"), r"\xE2\x80\x99");
        assert_eq!(t(r"\Qa.b\E"), r"a\x2Eb");
        assert_eq!(t(r"\101\0\012"), r"\x41\x00\x0A", "octal");
        assert_eq!(t("a(?#note)b"), "ab");
        assert!(translate(r"\x{100}").is_err());
        assert!(translate(r"[abc").is_err());
    }

    #[test]
    fn flags_constructs_that_need_backtracking() {
        assert!(translate("<\\?(?!xml)").unwrap().needs_backtracking);
        assert!(translate(r"(a)\1").unwrap().needs_backtracking);
        assert!(translate("(?>a+)").unwrap().needs_backtracking);
        assert!(translate("a++").unwrap().needs_backtracking);
        assert!(translate("(?<=a)b").unwrap().needs_backtracking);
        assert!(!translate("(?<name>a)(?i:b)").unwrap().needs_backtracking);
    }
}
