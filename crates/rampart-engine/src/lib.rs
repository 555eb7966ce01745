//! rampart's rule engine: compiles a SecLang configuration into an immutable rule set.
//!
//! This crate knows nothing of HTTP servers. It takes what `rampart-seclang` parsed, checks
//! it as a whole, and (as the engine grows) evaluates transactions against it with the
//! semantics of ModSecurity v3.

pub mod body;
pub mod byte_set;
mod collection;
mod config;
mod decode;
mod error;
mod key_pattern;
pub mod operator;
pub mod persist;
mod rule;
mod ruleset;
mod transaction;
pub mod transform;

use std::path::Path;

pub use config::EngineConfig;
pub use error::{CompileError, CompileErrorKind, LoadError};
pub use ruleset::{Chain, Entry, RuleLink, RuleSet, Summary};
pub use transaction::{BodyStatus, Intervention, MatchedRule, Transaction};

/// Loads configuration files in order and compiles them: the whole path from files on disk to
/// a rule set, with every error of either stage.
pub fn load<P: AsRef<Path>>(paths: impl IntoIterator<Item = P>) -> Result<RuleSet, Vec<LoadError>> {
    let mut loader = rampart_seclang::Loader::new();
    for path in paths {
        loader.load_file(path);
    }
    let config = loader.finish().map_err(|errors| {
        errors
            .0
            .into_iter()
            .map(LoadError::from)
            .collect::<Vec<_>>()
    })?;
    RuleSet::compile(&config).map_err(|errors| errors.into_iter().map(LoadError::from).collect())
}

#[cfg(test)]
mod tests {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn rule_set_is_shareable() {
        assert_send_sync::<super::RuleSet>();
    }
}
