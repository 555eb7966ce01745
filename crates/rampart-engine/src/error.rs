//! Rule-set errors: what is wrong with a configuration that parsed.

use rampart_seclang::Location;

/// A problem with the rule set as a whole, found while compiling it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {kind}")]
pub struct CompileError {
    pub location: Location,
    pub kind: CompileErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompileErrorKind {
    #[error("rule has no `id` action; every rule that starts a chain or stands alone needs one")]
    MissingId,
    #[error("duplicate rule id {id}: already used at {first}")]
    DuplicateId { id: u64, first: Location },
    #[error("`{action}` may only appear in the rule that starts a chain, not in a chained rule")]
    StarterOnly { action: &'static str },
    #[error("rule has `chain` but the file ends before the rule it chains to")]
    ChainEndsFile,
    #[error("rule has `chain` but is followed by {found}, not a SecRule")]
    ChainNotFollowed { found: &'static str },
    #[error("`skipAfter:{marker}` names no SecMarker or rule id{}", suggestion.as_ref().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
    UnknownMarker {
        marker: String,
        suggestion: Option<String>,
    },
    #[error("SecDefaultAction must name a phase")]
    DefaultActionWithoutPhase,
    #[error("SecDefaultAction must name a disruptive action (pass, deny, block, …)")]
    DefaultActionWithoutDisruptive,
    #[error("SecDefaultAction may not carry `{action}`: only rules have it")]
    DefaultActionMetadata { action: &'static str },
    #[error("a SecDefaultAction for phase {phase} was already set at {first}")]
    DuplicateDefaultAction { phase: u8, first: Location },
    #[error("rule has more than one disruptive action (`{first}` and `{second}`)")]
    TwoDisruptive {
        first: &'static str,
        second: &'static str,
    },
    #[error("SecRuleUpdateActionById {id}: no rule with that id was loaded before this line")]
    UpdateUnknownRule { id: u64 },
    #[error("{0}")]
    Rule(String),
    #[error("{0}")]
    Setting(String),
    #[error("SecRuleUpdateActionById may not change `{action}`")]
    UpdateForbidden { action: &'static str },
}

/// Anything that stops a configuration from becoming a rule set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Parse(#[from] rampart_seclang::Error),
    #[error(transparent)]
    Compile(#[from] CompileError),
}

impl LoadError {
    pub fn location(&self) -> &Location {
        match self {
            LoadError::Parse(error) => &error.location,
            LoadError::Compile(error) => &error.location,
        }
    }

    /// The message without the location.
    pub fn message(&self) -> String {
        match self {
            LoadError::Parse(error) => error.kind.to_string(),
            LoadError::Compile(error) => error.kind.to_string(),
        }
    }
}
