//! Load errors.
//!
//! Every error carries the [`Location`] it was found at; the message says what was found and
//! what was expected. A load collects all the errors it can find before giving up, so a user
//! fixes a broken file in one round rather than one error at a time.

use std::fmt;
use std::path::PathBuf;

use crate::span::Location;

/// One problem found while loading a configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {kind}")]
pub struct Error {
    pub location: Location,
    pub kind: ErrorKind,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ErrorKind {
    #[error("cannot read {path}: {reason}")]
    Io { path: PathBuf, reason: String },
    #[error("{path} is not valid UTF-8 (line {line})")]
    NotUtf8 { path: PathBuf, line: u32 },
    #[error(
        "unterminated {quote} quote: expected a closing {quote} before the end of the directive"
    )]
    UnterminatedQuote { quote: Quote },
    #[error("expected white space after the closing quote, found {found:?}")]
    JunkAfterQuote { found: char },
    #[error("unknown directive `{name}`{}", Suggestion(.suggestion))]
    UnknownDirective {
        name: String,
        suggestion: Option<&'static str>,
    },
    #[error("unknown variable `{name}`{}", Suggestion(.suggestion))]
    UnknownVariable {
        name: String,
        suggestion: Option<&'static str>,
    },
    #[error("unknown operator `@{name}`{}", Suggestion(.suggestion))]
    UnknownOperator {
        name: String,
        suggestion: Option<&'static str>,
    },
    #[error("unknown action `{name}`{}", Suggestion(.suggestion))]
    UnknownAction {
        name: String,
        suggestion: Option<&'static str>,
    },
    #[error("unknown transformation `{name}`{}", Suggestion(.suggestion))]
    UnknownTransformation {
        name: String,
        suggestion: Option<&'static str>,
    },
    #[error("unknown ctl option `{name}`{}", Suggestion(.suggestion))]
    UnknownCtl {
        name: String,
        suggestion: Option<&'static str>,
    },
    #[error("bad argument for `{what}`: {reason}")]
    BadArgument { what: String, reason: String },
    #[error("`{directive}` expects {expected}")]
    Arity {
        directive: &'static str,
        expected: &'static str,
    },
    #[error("bad variable list: {reason}")]
    BadTarget { reason: String },
    #[error("{what} not found: tried {tried}")]
    MissingFile { what: &'static str, tried: PathBuf },
    #[error("includes nested deeper than {limit} levels (is {path} including itself?)")]
    IncludeDepth { limit: usize, path: PathBuf },
}

/// Where a quote was opened, for [`ErrorKind::UnterminatedQuote`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quote {
    Double,
    Single,
}

impl fmt::Display for Quote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Quote::Double => "double (\")",
            Quote::Single => "single (')",
        })
    }
}

struct Suggestion<'a>(&'a Option<&'static str>);

impl fmt::Display for Suggestion<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(name) => write!(f, " (did you mean `{name}`?)"),
            None => Ok(()),
        }
    }
}

/// All the errors of a failed load, in the order they were found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Errors(pub Vec<Error>);

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}
