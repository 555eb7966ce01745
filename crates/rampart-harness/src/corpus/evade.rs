//! Evasions applied to a payload before it is placed in a request: case changes, comments,
//! whitespace, escapes, concatenation, traversal spellings. Each returns `None` when it does
//! not apply to the payload (nothing to change).

use super::Rng;

/// A payload ready to be placed.
pub(crate) struct Payload {
    pub text: String,
    /// The text already holds percent-escapes meant to reach the server as they are.
    pub pre_encoded: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tf {
    None,
    /// Random case of the family's keywords (every word for Windows commands).
    Case,
    /// SQL: spaces as comments.
    SqlComment,
    /// SQL: keywords in MySQL version comments.
    SqlVersioned,
    /// SQL: `--` comment spelled `#`.
    SqlHash,
    /// SQL: string literals split and concatenated.
    SqlConcat,
    /// Spaces as tabs.
    Tab,
    /// Spaces as newlines.
    Newline,
    /// Spaces as vertical tabs.
    VTab,
    /// Spaces as form feeds.
    FormFeed,
    /// HTML: the space after a tag name as `/`.
    SlashSep,
    /// HTML: the script part as character references.
    HtmlEntity,
    /// JS: the call inside `eval('\xNN...')`.
    JsHex,
    /// JS: the callee's first letter as `\uNNNN`.
    JsUnicode,
    /// JS: the callee looked up by a concatenated name.
    JsConcat,
    /// JS: the call rebuilt with String.fromCharCode.
    CharCode,
    /// JS: tagged template instead of parentheses.
    Backtick,
    /// JS: string literals split and concatenated.
    StrConcat,
    /// Shell: spaces as `${IFS}`.
    Ifs,
    /// Shell: quotes inside command names.
    ShQuote,
    /// Shell: backslashes inside command names.
    ShBackslash,
    /// Shell: `$@` inside command names.
    ShDollarAt,
    /// Shell: path letters as `?` wildcards.
    ShWildcard,
    /// Shell: `{cmd,arg}` brace expansion.
    ShBrace,
    /// Shell: the leading separator as a newline.
    NlSep,
    /// cmd.exe: carets inside command names.
    Caret,
    /// cmd.exe: empty quotes inside command names.
    WinQuote,
    /// Traversal with backslashes.
    DotBackslash,
    /// `....//`.
    DotDouble,
    /// `..%2f`.
    DotEnc,
    /// `%2e%2e%2f`.
    DotDotEnc,
    /// `%252e%252e%252f`.
    DotDoubleEnc,
    /// Overlong UTF-8 `%c0%af`.
    Overlong,
    /// `%u002e%u002e%u2215`.
    DotU,
    /// A trailing `%00` and a harmless extension.
    NullByte,
    /// `./` inserted between traversal steps.
    DotSlash,
    /// PHP: comments between a function name and its parenthesis.
    PhpComment,
}

impl Tf {
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Tf::None => "",
            Tf::Case => "case",
            Tf::SqlComment => "comment",
            Tf::SqlVersioned => "vcomment",
            Tf::SqlHash => "hash",
            Tf::SqlConcat => "concat",
            Tf::Tab => "tab",
            Tf::Newline => "nl",
            Tf::VTab => "vt",
            Tf::FormFeed => "ff",
            Tf::SlashSep => "slash",
            Tf::HtmlEntity => "entity",
            Tf::JsHex => "jshex",
            Tf::JsUnicode => "jsuni",
            Tf::JsConcat => "jsconcat",
            Tf::CharCode => "charcode",
            Tf::Backtick => "backtick",
            Tf::StrConcat => "strconcat",
            Tf::Ifs => "ifs",
            Tf::ShQuote => "quote",
            Tf::ShBackslash => "bslash",
            Tf::ShDollarAt => "dollarat",
            Tf::ShWildcard => "wildcard",
            Tf::ShBrace => "brace",
            Tf::NlSep => "nlsep",
            Tf::Caret => "caret",
            Tf::WinQuote => "winquote",
            Tf::DotBackslash => "dotbs",
            Tf::DotDouble => "dotdouble",
            Tf::DotEnc => "dotenc",
            Tf::DotDotEnc => "dotdotenc",
            Tf::DotDoubleEnc => "dotdblenc",
            Tf::Overlong => "overlong",
            Tf::DotU => "dotu",
            Tf::NullByte => "null",
            Tf::DotSlash => "dotslash",
            Tf::PhpComment => "phpcomment",
        }
    }

    /// Applies the evasion; `tag` is the payload's kind (`win...` for Windows commands) and
    /// `keywords` the words `Case` may change.
    pub(crate) fn apply(
        self,
        rng: &mut Rng,
        tag: &str,
        text: &str,
        keywords: &[&str],
    ) -> Option<Payload> {
        let windows = tag.starts_with("win") || tag.starts_with("ps");
        let pre = |text: String| {
            Some(Payload {
                text,
                pre_encoded: true,
            })
        };
        let plain = |text: String| {
            Some(Payload {
                text,
                pre_encoded: false,
            })
        };
        match self {
            Tf::None => plain(text.to_string()),
            Tf::Case => {
                let out = if windows {
                    map_words(text, |w| {
                        if w.chars().any(|c| c.is_ascii_alphabetic()) {
                            Some(random_case(rng, w))
                        } else {
                            None
                        }
                    })
                } else {
                    map_words(text, |w| {
                        if keywords.iter().any(|k| k.eq_ignore_ascii_case(w)) {
                            Some(random_case(rng, w))
                        } else {
                            None
                        }
                    })
                };
                changed(text, out).and_then(plain)
            }
            Tf::SqlComment => {
                if !text.contains(' ') {
                    return None;
                }
                let mut out = String::new();
                for c in text.chars() {
                    if c == ' ' {
                        match rng.below(4) {
                            0 => out.push_str("/*"),
                            _ => out.push_str("/**/"),
                        }
                        if out.ends_with("/*") {
                            let n = rng.range(1, 6) as usize;
                            out.push_str(&rng.alnum(n));
                            out.push_str("*/");
                        }
                    } else {
                        out.push(c);
                    }
                }
                plain(out)
            }
            Tf::SqlVersioned => {
                let version = if rng.chance(50) {
                    String::new()
                } else {
                    format!("{}", rng.range(40_000, 50_799))
                };
                let out = map_words(text, |w| {
                    if [
                        "union",
                        "select",
                        "and",
                        "or",
                        "sleep",
                        "from",
                        "where",
                        "order",
                        "insert",
                        "update",
                        "concat",
                        "benchmark",
                        "having",
                    ]
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(w))
                    {
                        Some(format!("/*!{version}{w}*/"))
                    } else {
                        None
                    }
                });
                changed(text, out).and_then(plain)
            }
            Tf::SqlHash => {
                let trimmed = text.trim_end_matches([' ', '-']);
                if trimmed.len() == text.len() || !text.contains("--") {
                    return None;
                }
                plain(format!("{trimmed}#"))
            }
            Tf::SqlConcat => {
                let (before, literal, after) = find_literal(text, '\'', false)?;
                let cut = literal.len() / 2;
                let (a, b) = literal.split_at(cut);
                let joined = match rng.below(3) {
                    0 => format!("'{a}'||'{b}'"),
                    1 => format!("concat('{a}','{b}')"),
                    _ => format!("'{a}' '{b}'"),
                };
                plain(format!("{before}{joined}{after}"))
            }
            Tf::Tab => spaces(text, "\t").and_then(plain),
            Tf::Newline => spaces(text, if rng.chance(50) { "\n" } else { "\r\n" }).and_then(plain),
            Tf::VTab => spaces(text, "\x0b").and_then(plain),
            Tf::FormFeed => spaces(text, "\x0c").and_then(plain),
            Tf::SlashSep => {
                let bytes = text.as_bytes();
                let pos = (1..bytes.len()).find(|&i| {
                    bytes[i] == b' '
                        && text[..i].rfind('<').is_some_and(|start| {
                            i > start + 1
                                && text[start + 1..i]
                                    .bytes()
                                    .all(|b| b.is_ascii_alphanumeric() || b == b':')
                        })
                })?;
                plain(format!("{}/{}", &text[..pos], &text[pos + 1..]))
            }
            Tf::HtmlEntity => {
                if let Some(pos) = text.to_ascii_lowercase().find("javascript:") {
                    let mut out = text[..pos].to_string();
                    for c in text[pos..pos + 11].chars() {
                        out.push_str(&entity(rng, c));
                    }
                    out.push_str(&text[pos + 11..]);
                    return plain(out);
                }
                let (start, end) = find_call(text)?;
                let mut out = text[..start].to_string();
                for c in text[start..end].chars() {
                    out.push_str(&entity(rng, c));
                }
                out.push_str(&text[end..]);
                plain(out)
            }
            Tf::JsHex => {
                let (start, end) = find_call(text)?;
                let call = &text[start..end];
                let hex: String = call.bytes().map(|b| format!("\\x{b:02x}")).collect();
                let quote = if text.contains('\'') { '"' } else { '\'' };
                plain(format!(
                    "{}eval({quote}{hex}{quote}){}",
                    &text[..start],
                    &text[end..]
                ))
            }
            Tf::JsUnicode => {
                let (start, _) = find_call(text)?;
                let first = text[start..].chars().next()?;
                plain(format!(
                    "{}\\u{:04x}{}",
                    &text[..start],
                    u32::from(first),
                    &text[start + first.len_utf8()..]
                ))
            }
            Tf::JsConcat => {
                let (start, end) = find_call(text)?;
                let paren = text[start..end].find('(')? + start;
                let name = &text[start..paren];
                if name.len() < 2 {
                    return None;
                }
                let cut = name.len() / 2;
                let quote = if text.contains('\'') { '"' } else { '\'' };
                let holder = *rng.pick(&["window", "top", "self", "parent", "this"]);
                plain(format!(
                    "{}{holder}[{quote}{}{quote}+{quote}{}{quote}]{}",
                    &text[..start],
                    &name[..cut],
                    &name[cut..],
                    &text[paren..]
                ))
            }
            Tf::CharCode => {
                let (start, end) = find_call(text)?;
                let codes: Vec<String> = text[start..end].bytes().map(|b| b.to_string()).collect();
                plain(format!(
                    "{}eval(String.fromCharCode({})){}",
                    &text[..start],
                    codes.join(","),
                    &text[end..]
                ))
            }
            Tf::Backtick => {
                let (start, end) = find_call(text)?;
                let call = &text[start..end];
                let paren = call.find('(')?;
                let args = &call[paren + 1..call.len() - 1];
                if args.contains(['(', ')', '`', '\'', '"']) {
                    return None;
                }
                plain(format!(
                    "{}{}`{args}`{}",
                    &text[..start],
                    &call[..paren],
                    &text[end..]
                ))
            }
            Tf::StrConcat => {
                let quote = if text.contains('\'') { '\'' } else { '"' };
                let (before, literal, after) = find_literal(text, quote, true)?;
                let cut = literal.len() / 2;
                let (a, b) = literal.split_at(cut);
                plain(format!(
                    "{before}{quote}{a}{quote}+{quote}{b}{quote}{after}"
                ))
            }
            Tf::Ifs => {
                if windows {
                    return None;
                }
                let sep = *rng.pick(&["${IFS}", "$IFS$9", "${IFS%??}"]);
                spaces(text, sep).and_then(plain)
            }
            Tf::ShQuote | Tf::ShBackslash | Tf::ShDollarAt | Tf::Caret | Tf::WinQuote => {
                let for_windows = matches!(self, Tf::Caret | Tf::WinQuote);
                if for_windows != windows {
                    return None;
                }
                let out = map_words(text, |w| {
                    let known = if windows { WIN_COMMANDS } else { UNIX_COMMANDS };
                    if w.len() < 2 || !known.iter().any(|k| k.eq_ignore_ascii_case(w)) {
                        return None;
                    }
                    let cut = 1 + rng.below(w.len() - 1);
                    let insert = match self {
                        Tf::ShQuote => *rng.pick(&["''", "\"\""]),
                        Tf::ShBackslash => "\\",
                        Tf::ShDollarAt => *rng.pick(&["$@", "${x}", "$()"]),
                        Tf::Caret => "^",
                        _ => "\"\"",
                    };
                    if self == Tf::Caret {
                        // Carets between most letters, as seen in real droppers.
                        let mut s = String::new();
                        for (i, c) in w.chars().enumerate() {
                            if i > 0 && rng.chance(60) {
                                s.push('^');
                            }
                            s.push(c);
                        }
                        return Some(s);
                    }
                    Some(format!("{}{insert}{}", &w[..cut], &w[cut..]))
                });
                changed(text, out).and_then(plain)
            }
            Tf::ShWildcard => {
                if windows {
                    return None;
                }
                let mut out = String::new();
                let mut in_path = false;
                let mut changed_any = false;
                let mut prev = ' ';
                for c in text.chars() {
                    if c == '/'
                        && (prev == ' '
                            || prev == '\t'
                            || prev == ';'
                            || prev == '|'
                            || prev == '\''
                            || prev == '"'
                            || prev == '/'
                            || prev == '>'
                            || prev == '(')
                    {
                        in_path = true;
                    } else if !(c.is_ascii_alphanumeric()
                        || c == '/'
                        || c == '.'
                        || c == '_'
                        || c == '-')
                    {
                        in_path = false;
                    }
                    if in_path && c.is_ascii_alphabetic() && rng.chance(35) {
                        out.push(if rng.chance(80) { '?' } else { '*' });
                        changed_any = true;
                    } else {
                        out.push(c);
                    }
                    prev = c;
                }
                if changed_any {
                    plain(out)
                } else {
                    None
                }
            }
            Tf::ShBrace => {
                if windows {
                    return None;
                }
                let start = text.find(|c: char| c.is_ascii_alphanumeric() || c == '/')?;
                let (lead, rest) = text.split_at(start);
                if !rest.contains(' ')
                    || rest.contains(['\'', '"', '|', '&', ';', '>', '<', '$', '`', '(', ')', '{'])
                {
                    return None;
                }
                plain(format!("{lead}{{{}}}", rest.replace(' ', ",")))
            }
            Tf::NlSep => {
                let t = text.trim_start();
                for sep in ["&&", "||", ";", "|", "&"] {
                    if let Some(rest) = t.strip_prefix(sep) {
                        return plain(format!("\n{}", rest.trim_start()));
                    }
                }
                None
            }
            Tf::DotBackslash => {
                if !text.contains("../") {
                    return None;
                }
                plain(text.replace('/', "\\"))
            }
            Tf::DotDouble => dots(text, |_| "....//".to_string()).and_then(plain),
            Tf::DotEnc => {
                let upper = rng.chance(50);
                dots(text, |_| {
                    if upper {
                        "..%2F".into()
                    } else {
                        "..%2f".into()
                    }
                })
                .and_then(pre)
            }
            Tf::DotDotEnc => {
                let full = rng.chance(50);
                dots(text, |_| {
                    if full {
                        "%2e%2e%2f".into()
                    } else {
                        "%2e%2e/".into()
                    }
                })
                .and_then(pre)
            }
            Tf::DotDoubleEnc => dots(text, |_| "%252e%252e%252f".into()).and_then(pre),
            Tf::Overlong => {
                let both = rng.chance(40);
                dots(text, |_| {
                    if both {
                        "%c0%ae%c0%ae%c0%af".into()
                    } else {
                        "..%c0%af".into()
                    }
                })
                .and_then(pre)
            }
            Tf::DotU => dots(text, |_| "%u002e%u002e%u2215".into()).and_then(pre),
            Tf::DotSlash => dots(text, |i| {
                if i % 2 == 0 {
                    "./../".into()
                } else {
                    ".././".into()
                }
            })
            .and_then(plain),
            Tf::NullByte => {
                if text.contains('%') {
                    return None;
                }
                let ext = *rng.pick(&["", ".jpg", ".html", ".png", ".txt"]);
                pre(format!("{text}%00{ext}"))
            }
            Tf::PhpComment => {
                let mut out = String::new();
                let mut done = false;
                let bytes = text.as_bytes();
                for (i, c) in text.char_indices() {
                    if c == '(' && i > 0 && bytes[i - 1].is_ascii_alphanumeric() {
                        out.push_str(rng.pick_str(&["/**/", "/*x*/", " /* */ "]));
                        done = true;
                    }
                    out.push(c);
                }
                if done {
                    plain(out)
                } else {
                    None
                }
            }
        }
    }
}

const UNIX_COMMANDS: &[&str] = &[
    "cat", "id", "whoami", "uname", "ls", "wget", "curl", "nc", "bash", "sh", "python3", "python",
    "perl", "ping", "echo", "chmod", "rm", "find", "awk", "sleep", "ifconfig", "crontab", "tail",
    "env", "nslookup", "base64", "php", "ruby", "socat", "ps", "head", "passwd", "shadow", "hosts",
];

const WIN_COMMANDS: &[&str] = &[
    "dir",
    "type",
    "net",
    "user",
    "whoami",
    "ipconfig",
    "certutil",
    "cmd",
    "ver",
    "reg",
    "query",
    "systeminfo",
    "tasklist",
    "localgroup",
    "wmic",
    "bitsadmin",
    "powershell",
    "ping",
    "findstr",
    "Invoke-WebRequest",
    "Start-Process",
    "Get-ChildItem",
    "IEX",
];

fn changed(original: &str, out: String) -> Option<String> {
    if out == original {
        None
    } else {
        Some(out)
    }
}

fn spaces(text: &str, with: &str) -> Option<String> {
    if text.contains(' ') {
        Some(text.replace(' ', with))
    } else {
        None
    }
}

fn dots(text: &str, mut with: impl FnMut(usize) -> String) -> Option<String> {
    if !text.contains("../") {
        return None;
    }
    let mut out = String::new();
    let mut rest = text;
    let mut i = 0;
    while let Some(pos) = rest.find("../") {
        out.push_str(&rest[..pos]);
        out.push_str(&with(i));
        rest = &rest[pos + 3..];
        i += 1;
    }
    out.push_str(rest);
    Some(out)
}

/// Applies `f` to each run of letters, digits, `_` and `-`; `None` keeps the word.
fn map_words(text: &str, mut f: impl FnMut(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String, f: &mut dyn FnMut(&str) -> Option<String>| {
        if !word.is_empty() {
            match f(word) {
                Some(new) => out.push_str(&new),
                None => out.push_str(word),
            }
            word.clear();
        }
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            word.push(c);
        } else {
            flush(&mut word, &mut out, &mut f);
            out.push(c);
        }
    }
    flush(&mut word, &mut out, &mut f);
    out
}

fn random_case(rng: &mut Rng, word: &str) -> String {
    loop {
        let out: String = word
            .chars()
            .map(|c| {
                if rng.chance(50) {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        let mixed = out.chars().any(|c| c.is_ascii_uppercase())
            && out.chars().any(|c| c.is_ascii_lowercase());
        if (mixed && out != word) || word.chars().filter(|c| c.is_ascii_alphabetic()).count() < 2 {
            return out;
        }
    }
}

fn entity(rng: &mut Rng, c: char) -> String {
    let n = u32::from(c);
    match rng.below(5) {
        0 => format!("&#{n};"),
        1 => format!("&#x{n:x};"),
        2 => format!("&#X{n:X};"),
        3 => format!("&#000{n};"),
        _ => format!("&#{n}"),
    }
}

/// The span of the first call to a well-known JS function, `name(args)`.
fn find_call(text: &str) -> Option<(usize, usize)> {
    for name in ["alert(", "prompt(", "confirm(", "print(", "fetch(", "eval("] {
        if let Some(start) = text.find(name) {
            let bytes = text.as_bytes();
            if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'.') {
                continue;
            }
            let mut depth = 0;
            for (i, c) in text[start..].char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some((start, start + i + 1));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    None
}

/// The first string literal in `quote`s of at least four word characters (and spaces, if
/// `spaces`): (before, inside, after).
fn find_literal(text: &str, quote: char, spaces: bool) -> Option<(&str, &str, &str)> {
    let mut search = 0;
    while let Some(open) = text[search..].find(quote).map(|p| p + search) {
        let close = text[open + 1..].find(quote).map(|p| p + open + 1)?;
        let inside = &text[open + 1..close];
        let wordy = inside.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'_' | b'.' | b'/' | b'-')
                || (spaces && b == b' ')
        });
        if inside.len() >= 4 && wordy {
            return Some((&text[..open], inside, &text[close + 1..]));
        }
        search = close + 1;
    }
    None
}
