//! Variable lists: `ARGS|!ARGS:foo|&TX:x|REQUEST_COOKIES:/^__utm/|XML:/*`.

use std::fmt;

use crate::error::ErrorKind;
use crate::suggest::closest;
use crate::variable::Variable;

/// One element of a rule's variable list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    /// `!VAR:sel`: remove these members from what the other targets select.
    pub exclude: bool,
    /// `&VAR`: inspect the number of members instead of their values.
    pub count: bool,
    pub variable: Variable,
    pub selector: Option<Selector>,
}

/// Which members of a collection a target names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Selector {
    /// A member name (compared case-insensitively for headers, cookies, arguments) or, for
    /// `XML`, an XPath expression.
    Key(String),
    /// `/regex/`: every member whose name matches.
    Regex(String),
}

impl Target {
    pub fn new(variable: Variable) -> Self {
        Target {
            exclude: false,
            count: false,
            variable,
            selector: None,
        }
    }
}

/// Parses a `|`-separated variable list. Errors carry the byte offset in `text`.
pub fn parse_targets(text: &str) -> Result<Vec<Target>, (usize, ErrorKind)> {
    let bytes = text.as_bytes();
    let mut targets = Vec::new();
    let mut i = 0;
    let bad = |offset: usize, reason: &str| {
        (
            offset,
            ErrorKind::BadTarget {
                reason: reason.to_string(),
            },
        )
    };
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        let exclude = bytes.get(i) == Some(&b'!');
        i += usize::from(exclude);
        let count = bytes.get(i) == Some(&b'&');
        i += usize::from(count);
        let name_start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        let name = &text[name_start..i];
        if name.is_empty() {
            return Err(bad(start, "expected a variable name"));
        }
        let variable = Variable::from_name(name).ok_or_else(|| {
            (
                name_start,
                ErrorKind::UnknownVariable {
                    name: name.to_string(),
                    suggestion: closest(name, Variable::spellings()),
                },
            )
        })?;
        let mut selector = None;
        if bytes.get(i) == Some(&b':') {
            i += 1;
            let selector_start = i;
            let parsed = if variable == Variable::Xml {
                let end = find_unquoted(bytes, i, b'|');
                let key = text[i..end].trim_end().to_string();
                i = end;
                Selector::Key(key)
            } else if bytes.get(i) == Some(&b'/') {
                let end = closing(bytes, i + 1, b'/')
                    .ok_or_else(|| bad(selector_start, "unterminated /regex/ selector"))?;
                let pattern = text[i + 1..end].to_string();
                i = end + 1;
                Selector::Regex(pattern)
            } else if bytes.get(i) == Some(&b'\'') {
                let end = closing(bytes, i + 1, b'\'')
                    .ok_or_else(|| bad(selector_start, "unterminated quoted selector"))?;
                let inner = &text[i + 1..end];
                i = end + 1;
                match inner.strip_prefix('/').and_then(|s| s.strip_suffix('/')) {
                    Some(pattern) if inner.len() >= 2 => Selector::Regex(pattern.to_string()),
                    _ => Selector::Key(inner.to_string()),
                }
            } else {
                let end = find_unquoted(bytes, i, b'|');
                let key = text[i..end].trim_end().to_string();
                i = end;
                Selector::Key(key)
            };
            if matches!(&parsed, Selector::Key(k) if k.is_empty()) {
                return Err(bad(selector_start, "expected a selector after `:`"));
            }
            if !variable.is_collection() {
                return Err((
                    selector_start,
                    ErrorKind::BadTarget {
                        reason: format!("{variable} is not a collection and takes no selector"),
                    },
                ));
            }
            selector = Some(parsed);
        }
        targets.push(Target {
            exclude,
            count,
            variable,
            selector,
        });
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        match bytes.get(i) {
            None => return Ok(targets),
            Some(b'|') => i += 1,
            Some(_) => return Err(bad(i, "expected `|` between variables")),
        }
    }
}

fn find_unquoted(bytes: &[u8], from: usize, stop: u8) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == stop)
        .map_or(bytes.len(), |p| from + p)
}

/// Index of the unescaped `close` at or after `from`.
fn closing(bytes: &[u8], from: usize, close: u8) -> Option<usize> {
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == close => return Some(i),
            _ => i += 1,
        }
    }
    None
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.exclude {
            f.write_str("!")?;
        }
        if self.count {
            f.write_str("&")?;
        }
        write!(f, "{}", self.variable)?;
        match &self.selector {
            None => Ok(()),
            Some(Selector::Regex(pattern)) => write!(f, ":/{pattern}/"),
            Some(Selector::Key(key)) if self.variable != Variable::Xml && needs_quotes(key) => {
                write!(f, ":'{key}'")
            }
            Some(Selector::Key(key)) => write!(f, ":{key}"),
        }
    }
}

fn needs_quotes(key: &str) -> bool {
    key.starts_with('/') || key.starts_with('\'') || key.contains(['|', ' ', '\t'])
}

/// Prints a target list with `|` separators.
pub struct TargetList<'a>(pub &'a [Target]);

impl fmt::Display for TargetList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, target) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("|")?;
            }
            write!(f, "{target}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_selectors_of_every_kind() {
        let t = parse_targets("ARGS|!REQUEST_COOKIES:/__utm|x/|&TX:foo|XML:/*|XML://@*|ARGS:'a b'")
            .unwrap();
        assert_eq!(t.len(), 6);
        assert!(t[1].exclude);
        assert_eq!(t[1].selector, Some(Selector::Regex("__utm|x".into())));
        assert!(t[2].count);
        assert_eq!(t[4].selector, Some(Selector::Key("//@*".into())));
        assert_eq!(t[5].selector, Some(Selector::Key("a b".into())));
        let printed = TargetList(&t).to_string();
        assert_eq!(parse_targets(&printed).unwrap(), t);
    }

    #[test]
    fn names_are_case_insensitive() {
        assert_eq!(parse_targets("args").unwrap()[0].variable, Variable::Args);
    }

    #[test]
    fn rejects_bad_lists_with_offsets() {
        let (offset, kind) = parse_targets("ARGS|ARSG").unwrap_err();
        assert_eq!(offset, 5);
        assert!(matches!(
            kind,
            ErrorKind::UnknownVariable {
                suggestion: Some("ARGS"),
                ..
            }
        ));
        assert_eq!(parse_targets("REQUEST_URI:x").unwrap_err().0, 12);
        assert_eq!(parse_targets("ARGS|").unwrap_err().0, 5);
    }
}
