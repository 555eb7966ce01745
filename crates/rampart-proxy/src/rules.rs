//! Building the rule set a configuration names: its sources loaded in order, compiled once per
//! (re)load, off the request path.

use std::path::Path;
use std::sync::Arc;

use rampart_engine::{LoadError, RuleSet};

use crate::backend::{Backend, Native};
use crate::config::{Config, ConfigError, EngineKind, RuleSource};

/// Why a rule set could not be built.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Every error, each with its file:line:column.
    #[error("{}", render(.0))]
    Load(Vec<LoadError>),
    #[error("{0}")]
    Backend(String),
    #[error("{pattern}: no file matches")]
    NoMatch { pattern: String },
}

fn render(errors: &[LoadError]) -> String {
    let mut text = String::new();
    for (i, error) in errors.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        text.push_str(&error.to_string());
    }
    text
}

/// The configuration's rules on the engine it names (`waf.engine`).
pub fn build_backend(config: &Config) -> Result<Arc<dyn Backend>, RulesError> {
    match config.waf.engine {
        EngineKind::Native => Ok(Arc::new(Native(Arc::new(build(config)?)))),
        EngineKind::Modsecurity => {
            // libmodsecurity resolves the files itself, in the same order.
            let mut text = String::new();
            for source in config.rule_sources()? {
                match source {
                    RuleSource::File(pattern) => text.push_str(&crate::backend::include_line(
                        &std::path::absolute(&pattern).unwrap_or(pattern),
                    )),
                    RuleSource::Inline { text: inline, .. } => {
                        text.push_str(&inline);
                        text.push('\n');
                    }
                }
            }
            let backend = crate::backend::modsecurity_from_text(&text)
                .map_err(|error| RulesError::Backend(error.to_string()))?;
            Ok(Arc::new(backend))
        }
    }
}

/// Loads and compiles the configuration's rules for the native engine.
pub fn build(config: &Config) -> Result<RuleSet, RulesError> {
    let mut loader = rampart_seclang::Loader::new();
    for source in config.rule_sources()? {
        match source {
            RuleSource::File(pattern) => load_pattern(&mut loader, &pattern)?,
            RuleSource::Inline { origin, text } => {
                loader.load_str(&text, config.base_dir.join(origin));
            }
        }
    }
    let parsed = loader
        .finish()
        .map_err(|errors| RulesError::Load(errors.0.into_iter().map(LoadError::from).collect()))?;
    RuleSet::compile(&parsed)
        .map_err(|errors| RulesError::Load(errors.into_iter().map(LoadError::from).collect()))
}

/// A path, or a glob whose matches load in name order.
fn load_pattern(loader: &mut rampart_seclang::Loader, pattern: &Path) -> Result<(), RulesError> {
    let text = pattern.to_string_lossy();
    if !text.contains(['*', '?', '[']) {
        loader.load_file(pattern);
        return Ok(());
    }
    let mut paths: Vec<_> = glob::glob(&text)
        .map_err(|_| RulesError::NoMatch {
            pattern: text.to_string(),
        })?
        .filter_map(Result::ok)
        .collect();
    if paths.is_empty() {
        return Err(RulesError::NoMatch {
            pattern: text.to_string(),
        });
    }
    paths.sort();
    for path in paths {
        loader.load_file(path);
    }
    Ok(())
}
