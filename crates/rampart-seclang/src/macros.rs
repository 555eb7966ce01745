//! Macro strings: text with `%{VARIABLE.key}` references expanded per transaction.
//!
//! Expansion needs a transaction, so this crate only splits the text into literal and variable
//! parts; an unknown variable name is a load error rather than a silent empty string.

use std::fmt;
use std::sync::Arc;

use crate::error::ErrorKind;
use crate::suggest::closest;
use crate::variable::Variable;

/// Text that may reference variables as `%{NAME}` or `%{NAME.key}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct MacroString {
    parts: Vec<MacroPart>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MacroPart {
    /// Shared, so that a literal value can be handed to a transaction without a copy.
    Literal(Arc<str>),
    Variable {
        variable: Variable,
        key: Option<String>,
    },
}

impl MacroString {
    /// Splits `text` into parts. Errors carry the byte offset of the offending reference.
    pub fn parse(text: &str) -> Result<Self, (usize, ErrorKind)> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        let mut offset = 0;
        while let Some(start) = rest.find("%{") {
            let Some(len) = rest[start + 2..].find('}') else {
                break;
            };
            let reference = &rest[start + 2..start + 2 + len];
            if reference.is_empty() {
                literal.push_str(&rest[..start + 3]);
            } else {
                let (name, key) = match reference.split_once('.') {
                    Some((name, key)) => (name, Some(key.to_string())),
                    None => (reference, None),
                };
                let variable = Variable::from_name(name).ok_or_else(|| {
                    (
                        offset + start,
                        ErrorKind::UnknownVariable {
                            name: name.to_string(),
                            suggestion: closest(name, Variable::spellings()),
                        },
                    )
                })?;
                literal.push_str(&rest[..start]);
                if !literal.is_empty() {
                    parts.push(MacroPart::Literal(std::mem::take(&mut literal).into()));
                }
                parts.push(MacroPart::Variable { variable, key });
            }
            let consumed = start + 3 + len;
            offset += consumed;
            rest = &rest[consumed..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(MacroPart::Literal(literal.into()));
        }
        Ok(MacroString { parts })
    }

    /// A string with no references.
    pub fn literal(text: impl Into<String>) -> Self {
        let text = text.into();
        let parts = if text.is_empty() {
            Vec::new()
        } else {
            vec![MacroPart::Literal(text.into())]
        };
        MacroString { parts }
    }

    pub fn parts(&self) -> &[MacroPart] {
        &self.parts
    }

    /// The text itself when it references no variable.
    pub fn as_literal(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [] => Some(""),
            [MacroPart::Literal(text)] => Some(text),
            _ => None,
        }
    }

    /// The text itself, shared, when it is a non-empty literal.
    pub fn shared_literal(&self) -> Option<&Arc<str>> {
        match self.parts.as_slice() {
            [MacroPart::Literal(text)] => Some(text),
            _ => None,
        }
    }

    pub fn has_macros(&self) -> bool {
        self.as_literal().is_none()
    }
}

impl fmt::Display for MacroString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                MacroPart::Literal(text) => f.write_str(text)?,
                MacroPart::Variable { variable, key } => match key {
                    Some(key) => write!(f, "%{{{variable}.{key}}}")?,
                    None => write!(f, "%{{{variable}}}")?,
                },
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_references() {
        let m = MacroString::parse("a %{tx.arg_length} b %{MATCHED_VAR}").unwrap();
        assert_eq!(m.parts().len(), 4);
        assert_eq!(m.to_string(), "a %{TX.arg_length} b %{MATCHED_VAR}");
        assert!(matches!(
            &m.parts()[1],
            MacroPart::Variable { variable: Variable::Tx, key: Some(k) } if k == "arg_length"
        ));
    }

    #[test]
    fn unclosed_or_empty_references_are_text() {
        assert_eq!(
            MacroString::parse("100%{").unwrap().as_literal(),
            Some("100%{")
        );
        assert_eq!(
            MacroString::parse("%{}x").unwrap().as_literal(),
            Some("%{}x")
        );
    }

    #[test]
    fn unknown_variable_is_an_error_with_offset() {
        let (offset, kind) = MacroString::parse("ab %{tc.x}").unwrap_err();
        assert_eq!(offset, 3);
        assert!(matches!(
            kind,
            ErrorKind::UnknownVariable {
                suggestion: Some("TX"),
                ..
            }
        ));
    }
}
