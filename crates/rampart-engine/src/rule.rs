//! Rules compiled for evaluation.
//!
//! ModSecurity v3 runs a rule's actions at three moments, and a compiled rule keeps them
//! apart so the evaluator never re-sorts them per request:
//! - `setvar` runs for every matching value of every link of a chain, before the chain is
//!   known to match;
//! - the other non-disruptive actions (`ctl`, `log`/`nolog`, `skipAfter`, `initcol`, …) run
//!   once the whole chain has matched, innermost link first;
//! - the disruptive action runs last, and only when the rule engine is On.

use std::sync::Arc;

use rampart_seclang::{
    Action, MacroString, SetVar, Severity, Spanned, Target, Transformation, Variable,
};
use regex::bytes::RegexBuilder;

use crate::key_pattern::KeyPattern;

use crate::byte_set::ByteSet;
use crate::operator::{CompiledOperator, OperatorError};
use crate::ruleset::RuleLink;
use crate::transform::Transform;

/// Which members of a variable a target takes.
#[derive(Debug, Clone)]
pub enum Selection {
    All,
    /// Compared ASCII case-insensitively.
    Key(crate::collection::Name),
    /// Matched against member names, case-insensitively.
    Regex(KeyPattern),
}

impl Selection {
    #[inline]
    pub fn admits(&self, key: &[u8]) -> bool {
        match self {
            Selection::All => true,
            Selection::Key(k) => k.eq_ignore_ascii_case(key),
            Selection::Regex(r) => r.is_match(key),
        }
    }
}

/// A target ready to resolve.
#[derive(Debug, Clone)]
pub struct CompiledTarget {
    pub variable: Variable,
    pub selection: Selection,
    /// The key as written (for XPath and for exact exclusion names).
    pub key_text: Option<String>,
    pub count: bool,
}

impl CompiledTarget {
    /// Whether the target's values are stored in the transaction as they are, rather than
    /// computed when read (counts, TIME, MATCHED_VAR, …), so a rule can read them in place.
    /// XML is computed too, but has no values at all without an XML body.
    pub fn is_stored(&self) -> bool {
        !self.count && is_stored(self.variable)
    }
}

/// Whether a variable's values can only change between phases (they come from the request
/// or response), never through a rule's actions.
pub(crate) fn is_fixed_within_phase(variable: Variable) -> bool {
    use Variable as V;
    is_stored(variable)
        && !matches!(
            variable,
            V::Tx
                | V::Ip
                | V::Global
                | V::Session
                | V::User
                | V::Resource
                | V::Geo
                | V::Env
                | V::UserId
                | V::SessionId
                | V::ReqbodyProcessor
                | V::WebAppId
        )
}

/// See [`CompiledTarget::is_stored`].
pub(crate) fn is_stored(variable: Variable) -> bool {
    use Variable as V;
    !matches!(
        variable,
        V::ArgsCombinedSize
            | V::FullRequest
            | V::FullRequestLength
            | V::MatchedVar
            | V::MatchedVarName
            | V::MatchedVars
            | V::MatchedVarsNames
            | V::Env
            | V::Rule
            | V::HighestSeverity
            | V::Duration
            | V::Time
            | V::TimeDay
            | V::TimeEpoch
            | V::TimeHour
            | V::TimeMin
            | V::TimeMon
            | V::TimeSec
            | V::TimeWday
            | V::TimeYear
            | V::ModsecBuild
    )
}

/// A `!VAR[:sel]` exclusion.
#[derive(Debug, Clone)]
pub struct Exclusion {
    pub variable: Variable,
    pub selection: Selection,
    /// The exact key for a key exclusion: ModSecurity compares it case-sensitively.
    pub key: Option<Vec<u8>>,
}

impl Exclusion {
    /// Whether the exclusion removes this member. Regex exclusions look at the key only.
    pub fn excludes(&self, variable: Variable, key: Option<&[u8]>) -> bool {
        match (&self.selection, key) {
            (Selection::Regex(r), Some(key)) => r.is_match(key),
            (Selection::All, _) => self.variable == variable,
            (Selection::Key(_), Some(key)) => {
                self.variable == variable && self.key.as_deref() == Some(key)
            }
            _ => false,
        }
    }
}

/// One link of a chain, compiled.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub targets: Vec<CompiledTarget>,
    pub exclusions: Vec<Exclusion>,
    /// `None` for `SecAction`.
    pub operator: Option<CompiledOperator>,
    pub negated: bool,
    /// The operator as written, for log messages.
    pub operator_text: String,
    pub transforms: Vec<Transform>,
    /// False when the rule has `t:none`: the phase's default transformations do not apply.
    pub default_transforms: bool,
    /// The transformations actually applied (the phase's defaults, then the rule's own),
    /// fixed once the rule set is compiled.
    pub effective: Vec<Transform>,
    /// Identifies `effective` among all the rule set's chains, for the per-transaction cache.
    pub chain_id: u32,
    /// The union of `effective`'s trigger bytes: a value holding none of them comes out of
    /// the chain unchanged. `None` when some transformation in the chain has no such set.
    pub chain_triggers: Option<ByteSet>,
    /// The same union without `lowercase`'s: a value holding none of these comes out of the
    /// chain changed at most in ASCII case, which the prefilter does not see, so it shares
    /// the value's scan.
    pub case_free_triggers: Option<ByteSet>,
    /// This rule's bit in the rule set's [`Prefilter`], when its operator has required
    /// literals.
    ///
    /// [`Prefilter`]: crate::operator::prefilter::Prefilter
    pub prefilter_bit: Option<u32>,
    /// For each target, the id of its value source: the target read through this rule's
    /// transformations, shared by every rule that reads it so, when its values cannot
    /// change within a phase. The union of a source's prefilter bits is computed once per
    /// phase, so a rule whose bit is clear in all its sources' unions is ruled out without
    /// looking at any value. Exclusions only remove values, so they are left out of sources.
    pub value_sources: Option<Box<[ValueSource]>>,
    /// The operator's required literals, worked out with the rule (on the loading threads)
    /// and moved into the rule set's prefilter once all rules are compiled.
    pub literals: Option<Vec<Vec<u8>>>,
    pub multi_match: bool,
    /// Whether the rule can look for its first match reading values in place: its targets
    /// are all [stored](CompiledTarget::is_stored) and its operator needs no macros. XML
    /// values are computed, but only when there is an XML body.
    pub reads_in_place: bool,
    pub reads_xml: bool,
    /// Whether the link reads at most one stored value, as a rule on `TX:name` or on
    /// `REQUEST_METHOD` does (CRS's paranoia-level gates are half the rules a request runs),
    /// with an operator that needs no macros: it then runs on that value where it is stored,
    /// without a list of values being built.
    pub single_value: bool,
    pub capture: bool,
    pub set_vars: Vec<SetVar>,
    /// Non-disruptive actions run after the whole chain matched, in written order, but for
    /// `log`, `nolog`, `auditlog` and `noauditlog`, which only decide `log`.
    pub after_match: Vec<Action>,
    /// Whether a match is logged, as the last of `log`, `nolog` and `noauditlog` says
    /// (`auditlog` alone changes nothing); `None` when the rule has none of them.
    pub log: Option<bool>,
    pub disruptive: Option<Action>,
    pub block: bool,
    pub status: Option<u16>,
}

/// Where a prefiltered rule's target finds its per-phase summaries (ids into the
/// transaction's table of [source summaries](crate::ruleset::RuleSet::value_sources)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueSource {
    /// The target read through the rule's transformations.
    pub transformed: u32,
    /// The target's values as stored, shared by every chain that reads the target: when
    /// the rule's transformations can change none of them beyond ASCII case, its summary
    /// is the transformed one too.
    pub stored: u32,
}

/// What the log and the rule's macros (`%{rule.id}`) say about a chain.
#[derive(Debug, Clone)]
pub struct RuleMeta {
    pub id: u64,
    pub msg: Option<MacroString>,
    /// `msg` as written, for `ctl:ruleRemove*ByMsg`.
    pub msg_text: Option<String>,
    pub logdata: Option<MacroString>,
    pub severity: Option<Severity>,
    pub tags: Arc<[String]>,
    /// `tags` as numbers from [`RuleSet::tag_id`](crate::RuleSet::tag_id), which is what
    /// `ctl:ruleRemove*ByTag` compares.
    pub tag_ids: Box<[u32]>,
    pub ver: Option<Arc<str>>,
    pub rev: Option<Arc<str>>,
    pub maturity: Option<u8>,
    pub accuracy: Option<u8>,
    pub file: Arc<str>,
    pub line: u32,
}

/// The compiled `SecDefaultAction` of a phase.
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    pub transforms: Vec<Transform>,
    /// As [`CompiledRule::after_match`], with `log` apart in the same way.
    pub after_match: Vec<Action>,
    pub log: Option<bool>,
    pub disruptive: Option<Action>,
    pub status: Option<u16>,
}

impl Defaults {
    pub fn compile(actions: &[Spanned<Action>]) -> Self {
        let mut defaults = Defaults::default();
        for action in actions {
            match &action.node {
                Action::Transformation(Transformation::None) => defaults.transforms.clear(),
                Action::Transformation(t) => defaults.transforms.push(Transform::new(*t)),
                Action::Status(status) => defaults.status = Some(*status),
                a if a.is_disruptive() && !matches!(a, Action::Block) => {
                    defaults.disruptive = Some(a.clone())
                }
                Action::Phase(_) | Action::Block | Action::SetVar(_) => {}
                a => match log_effect(a) {
                    Some(effect) => defaults.log = effect.or(defaults.log),
                    None => defaults.after_match.push(a.clone()),
                },
            }
        }
        defaults
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error(transparent)]
    Operator(#[from] OperatorError),
    #[error("bad variable selector /{pattern}/: {reason}")]
    Selector { pattern: String, reason: String },
}

fn selector_regex(pattern: &str) -> Result<KeyPattern, RuleError> {
    let translated =
        crate::operator::pcre::translate(pattern).map_err(|e| RuleError::Selector {
            pattern: pattern.to_string(),
            reason: e.to_string(),
        })?;
    RegexBuilder::new(&translated.pattern)
        .unicode(false)
        .case_insensitive(true)
        .dot_matches_new_line(true)
        .build()
        .map(|regex| KeyPattern::new(pattern, regex))
        .map_err(|e| RuleError::Selector {
            pattern: pattern.to_string(),
            reason: e.to_string(),
        })
}

fn selection(target: &Target) -> Result<Selection, RuleError> {
    Ok(match &target.selector {
        None => Selection::All,
        Some(rampart_seclang::Selector::Key(key)) => {
            Selection::Key(crate::collection::Name::new(key.as_bytes().to_vec()))
        }
        Some(rampart_seclang::Selector::Regex(pattern)) => {
            Selection::Regex(selector_regex(pattern)?)
        }
    })
}

impl CompiledRule {
    pub fn compile(link: &RuleLink) -> Result<Self, RuleError> {
        let mut targets = Vec::new();
        let mut exclusions = Vec::new();
        for target in &link.targets {
            let selection = selection(target)?;
            let key_text = match &target.selector {
                Some(rampart_seclang::Selector::Key(k)) => Some(k.clone()),
                _ => None,
            };
            if target.exclude {
                exclusions.push(Exclusion {
                    variable: target.variable,
                    key: key_text.map(String::into_bytes),
                    selection,
                });
            } else {
                targets.push(CompiledTarget {
                    variable: target.variable,
                    selection,
                    key_text,
                    count: target.count,
                });
            }
        }
        let (operator, negated, operator_text) = match &link.operator {
            Some(op) => (
                Some(CompiledOperator::compile(op)?),
                op.negated,
                op.to_string(),
            ),
            None => (None, false, String::new()),
        };
        let mut rule = CompiledRule {
            targets,
            exclusions,
            operator,
            negated,
            operator_text,
            transforms: Vec::new(),
            default_transforms: true,
            effective: Vec::new(),
            chain_id: 0,
            chain_triggers: None,
            case_free_triggers: None,
            prefilter_bit: None,
            value_sources: None,
            literals: None,
            multi_match: false,
            reads_in_place: false,
            reads_xml: false,
            single_value: false,
            capture: false,
            set_vars: Vec::new(),
            after_match: Vec::new(),
            log: None,
            disruptive: None,
            block: false,
            status: None,
        };
        for action in &link.actions {
            match &action.node {
                Action::Transformation(Transformation::None) => {
                    rule.transforms.clear();
                    rule.default_transforms = false;
                }
                Action::Transformation(t) => rule.transforms.push(Transform::new(*t)),
                Action::MultiMatch => rule.multi_match = true,
                Action::Capture => rule.capture = true,
                Action::SetVar(set_var) => rule.set_vars.push(set_var.clone()),
                Action::Block => rule.block = true,
                Action::Status(status) => rule.status = Some(*status),
                a if a.is_disruptive() => rule.disruptive = Some(a.clone()),
                Action::Id(_)
                | Action::Phase(_)
                | Action::Msg(_)
                | Action::LogData(_)
                | Action::Severity(_)
                | Action::Tag(_)
                | Action::Ver(_)
                | Action::Rev(_)
                | Action::Maturity(_)
                | Action::Accuracy(_)
                | Action::Chain
                | Action::XmlNs(_) => {}
                a => match log_effect(a) {
                    Some(effect) => rule.log = effect.or(rule.log),
                    None => rule.after_match.push(a.clone()),
                },
            }
        }
        rule.literals = rule.operator.as_ref().and_then(|op| op.required_literals());
        rule.reads_xml = rule.targets.iter().any(|t| t.variable == Variable::Xml);
        rule.reads_in_place = rule.targets.iter().all(CompiledTarget::is_stored)
            && rule.operator.as_ref().is_some_and(|op| !op.uses_macros());
        rule.single_value = rule.reads_in_place
            && !rule.multi_match
            && matches!(&rule.targets[..], [target] if target.is_stored()
                && target.variable != Variable::Xml
                && (matches!(target.selection, Selection::Key(_))
                    || !target.variable.is_collection()));
        Ok(rule)
    }
}

impl RuleMeta {
    pub fn new(id: u64, starter: &RuleLink) -> Self {
        let mut tags = Vec::new();
        let mut meta = RuleMeta {
            id,
            msg: None,
            msg_text: None,
            logdata: None,
            severity: None,
            tags: Arc::new([]),
            tag_ids: Box::new([]),
            ver: None,
            rev: None,
            maturity: None,
            accuracy: None,
            file: starter.location.file.display().to_string().into(),
            line: starter.location.line,
        };
        for action in &starter.actions {
            match &action.node {
                Action::Msg(m) => {
                    meta.msg_text = Some(m.to_string());
                    meta.msg = Some(m.clone());
                }
                Action::LogData(m) => meta.logdata = Some(m.clone()),
                Action::Severity(s) => meta.severity = Some(*s),
                Action::Tag(t) => tags.push(t.to_string()),
                Action::Ver(v) => meta.ver = Some(v.as_str().into()),
                Action::Rev(r) => meta.rev = Some(r.as_str().into()),
                Action::Maturity(m) => meta.maturity = Some(*m),
                Action::Accuracy(a) => meta.accuracy = Some(*a),
                _ => {}
            }
        }
        meta.tags = tags.into();
        meta
    }
}

/// For the actions that only decide whether a match is logged: `Some` of what they set
/// (`None` inside: `auditlog`, which leaves it as it was). `None` for every other action.
fn log_effect(action: &Action) -> Option<Option<bool>> {
    match action {
        Action::Log => Some(Some(true)),
        // ModSecurity v3 writes no error-log line for a rule with `noauditlog` either.
        Action::NoLog | Action::NoAuditLog => Some(Some(false)),
        Action::AuditLog => Some(None),
        _ => None,
    }
}
