//! ModSecurity's rule language, SecLang: from configuration files to a typed syntax tree.
//!
//! This crate reads what ModSecurity v3 reads — the recommended configuration, the OWASP Core
//! Rule Set, users' own rules — and keeps all of its meaning in types: variables, operators,
//! actions, transformations and engine settings are closed enums, operator arguments are
//! parsed into the form each operator takes, and data files are read at load. It evaluates
//! nothing; `rampart-engine` compiles the tree into something that runs.
//!
//! Anything wrong in a configuration is reported with `file:line:column`, what was found and
//! what was expected, and a suggestion when a name looks like a typo of a known one.
//!
//! ```
//! let config = rampart_seclang::parse_str(
//!     r#"SecRule ARGS "@rx <script" "id:1,phase:2,deny,t:lowercase""#,
//!     "inline.conf",
//! ).unwrap();
//! assert_eq!(config.directives.len(), 1);
//! ```

mod action;
mod data;
mod directive;
mod error;
mod lexer;
mod loader;
mod macros;
mod names;
mod operator;
mod span;
mod suggest;
mod target;
mod transformation;
mod variable;

pub use action::{
    Action, ActionList, ActionName, AllowScope, AuditEngine, AuditLogPartsChange, BodyProcessor,
    Ctl, CtlName, EngineMode, IdRange, InitCol, Phase, SetEnv, SetVar, SetVarOperation, Severity,
    VarWithValue,
};
pub use data::{DataFile, DataFileRef};
pub use directive::{
    AuditLogFormat, AuditLogType, Directive, DirectiveKind, DirectiveName, KeepFiles, LimitAction,
    Rule, Setting, TargetUpdate,
};
pub use error::{Error, ErrorKind, Errors, Quote};
pub use loader::{parse_str, Configuration, Loader, MAX_INCLUDE_DEPTH};
pub use macros::{MacroPart, MacroString};
pub use operator::{Argument, ArgumentForm, ByteRange, IpNetwork, Operator, OperatorName};
pub use span::{FileId, Location, SourceMap, Span, Spanned};
pub use suggest::closest;
pub use target::{parse_targets, Selector, Target, TargetList};
pub use transformation::Transformation;
pub use variable::{Collection, Variable};
