//! Actions: what a rule does and says about itself (`id:1,phase:2,deny,t:lowercase,…`).

use std::fmt;
use std::sync::Arc;

use crate::error::{ErrorKind, Quote};
use crate::lexer::{closing_quote, escape};
use crate::macros::MacroString;
use crate::names::named_enum;
use crate::suggest::closest;
use crate::target::{parse_targets, Target, TargetList};
use crate::transformation::Transformation;
use crate::variable::Collection;

named_enum! {
    /// Every action ModSecurity v3 knows.
    pub enum ActionName {
        Accuracy = "accuracy",
        Allow = "allow",
        Append = "append",
        AuditLog = "auditlog",
        Block = "block",
        Capture = "capture",
        Chain = "chain",
        Ctl = "ctl",
        Deny = "deny",
        DeprecateVar = "deprecatevar",
        Drop = "drop",
        Exec = "exec",
        ExpireVar = "expirevar",
        Id = "id",
        InitCol = "initcol",
        Log = "log",
        LogData = "logdata",
        Maturity = "maturity",
        Msg = "msg",
        MultiMatch = "multiMatch",
        NoAuditLog = "noauditlog",
        NoLog = "nolog",
        Pass = "pass",
        Pause = "pause",
        Phase = "phase",
        Prepend = "prepend",
        Proxy = "proxy",
        Redirect = "redirect",
        Rev = "rev",
        SanitiseArg = "sanitiseArg" | "sanitizeArg",
        SanitiseMatched = "sanitiseMatched" | "sanitizeMatched",
        SanitiseMatchedBytes = "sanitiseMatchedBytes" | "sanitizeMatchedBytes",
        SanitiseRequestHeader = "sanitiseRequestHeader" | "sanitizeRequestHeader",
        SanitiseResponseHeader = "sanitiseResponseHeader" | "sanitizeResponseHeader",
        SetEnv = "setenv",
        SetRsc = "setrsc",
        SetSid = "setsid",
        SetUid = "setuid",
        SetVar = "setvar",
        Severity = "severity",
        Skip = "skip",
        SkipAfter = "skipAfter",
        Status = "status",
        Tag = "tag",
        Transformation = "t",
        Ver = "ver",
        XmlNs = "xmlns",
    }
}

named_enum! {
    /// The processing phases.
    pub enum Phase {
        RequestHeaders = "1",
        RequestBody = "2",
        ResponseHeaders = "3",
        ResponseBody = "4",
        Logging = "5",
    }
}

impl Phase {
    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    fn parse(text: &str) -> Option<Self> {
        Phase::from_name(text).or_else(|| match text.to_ascii_lowercase().as_str() {
            "request" => Some(Phase::RequestBody),
            "response" => Some(Phase::ResponseBody),
            "logging" => Some(Phase::Logging),
            _ => None,
        })
    }
}

named_enum! {
    /// Syslog severities, most severe first.
    pub enum Severity {
        Emergency = "EMERGENCY",
        Alert = "ALERT",
        Critical = "CRITICAL",
        Error = "ERROR",
        Warning = "WARNING",
        Notice = "NOTICE",
        Info = "INFO",
        Debug = "DEBUG",
    }
}

impl Severity {
    pub fn number(self) -> u8 {
        self as u8
    }

    fn parse(text: &str) -> Option<Self> {
        Severity::from_name(text).or_else(|| {
            let n: usize = text.parse().ok()?;
            Severity::ALL.get(n).copied()
        })
    }
}

named_enum! {
    /// `SecRuleEngine` and `ctl:ruleEngine` values.
    pub enum EngineMode {
        On = "On",
        Off = "Off",
        DetectionOnly = "DetectionOnly",
    }
}

named_enum! {
    /// `SecAuditEngine` and `ctl:auditEngine` values.
    pub enum AuditEngine {
        On = "On",
        Off = "Off",
        RelevantOnly = "RelevantOnly",
    }
}

named_enum! {
    /// Request body processors for `ctl:requestBodyProcessor`.
    pub enum BodyProcessor {
        UrlEncoded = "URLENCODED",
        Multipart = "MULTIPART",
        Json = "JSON",
        Xml = "XML",
    }
}

/// What `allow` lets through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AllowScope {
    /// `allow`: the rest of the transaction.
    Transaction,
    /// `allow:phase`: the rest of the current phase.
    Phase,
    /// `allow:request`: the rest of the request phases.
    Request,
}

/// A rule id or an inclusive range of them (`SecRuleRemoveById 1-99`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IdRange {
    pub first: u64,
    pub last: u64,
}

impl IdRange {
    pub fn contains(&self, id: u64) -> bool {
        (self.first..=self.last).contains(&id)
    }

    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (first, last) = match text.split_once('-') {
            Some((a, b)) => (a.trim().parse().ok()?, b.trim().parse().ok()?),
            None => {
                let id = text.parse().ok()?;
                (id, id)
            }
        };
        (first <= last).then_some(IdRange { first, last })
    }

    /// Parses ids and ranges separated by commas or white space.
    pub fn parse_list(text: &str) -> Option<Vec<Self>> {
        let list: Option<Vec<_>> = text
            .split([',', ' ', '\t'])
            .filter(|item| !item.is_empty())
            .map(IdRange::parse)
            .collect();
        list.filter(|list| !list.is_empty())
    }
}

impl fmt::Display for IdRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}-{}", self.first, self.last)
        }
    }
}

/// `setvar`: how a collection variable changes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SetVar {
    pub collection: Collection,
    pub key: MacroString,
    pub operation: SetVarOperation,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SetVarOperation {
    /// `tx.k=v`
    Assign(MacroString),
    /// `tx.k=+v`
    Add(MacroString),
    /// `tx.k=-v`
    Subtract(MacroString),
    /// `!tx.k`
    Delete,
    /// `tx.k`: sets the value to 1.
    SetToOne,
}

/// `expirevar` and `deprecatevar`: a collection variable and a number.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VarWithValue {
    pub collection: Collection,
    pub key: MacroString,
    pub value: MacroString,
}

/// `initcol:ip=%{REMOTE_ADDR}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InitCol {
    pub collection: Collection,
    pub key: MacroString,
}

/// `setenv:name=value`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SetEnv {
    pub name: String,
    pub value: MacroString,
}

/// `ctl:auditLogParts`: replace, add or remove parts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AuditLogPartsChange {
    Set(String),
    Add(String),
    Remove(String),
}

/// `ctl:option=value`: per-transaction changes to the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ctl {
    AuditEngine(AuditEngine),
    AuditLogParts(AuditLogPartsChange),
    DebugLogLevel(u8),
    ForceRequestBodyVariable(bool),
    HashEngine(bool),
    ParseXmlIntoArgs(String),
    RequestBodyAccess(bool),
    RequestBodyLimit(u64),
    RequestBodyProcessor(BodyProcessor),
    ResponseBodyAccess(bool),
    ResponseBodyLimit(u64),
    RuleEngine(EngineMode),
    RuleRemoveById(Vec<IdRange>),
    RuleRemoveByMsg(String),
    RuleRemoveByTag(String),
    // The targets are shared: a transaction keeps them for as long as the removal holds.
    RuleRemoveTargetById(Vec<IdRange>, Arc<[Target]>),
    RuleRemoveTargetByMsg(String, Arc<[Target]>),
    RuleRemoveTargetByTag(String, Arc<[Target]>),
}

named_enum! {
    /// The `ctl` options.
    pub enum CtlName {
        AuditEngine = "auditEngine",
        AuditLogParts = "auditLogParts",
        DebugLogLevel = "debugLogLevel",
        ForceRequestBodyVariable = "forceRequestBodyVariable",
        HashEngine = "hashEngine",
        ParseXmlIntoArgs = "parseXmlIntoArgs",
        RequestBodyAccess = "requestBodyAccess",
        RequestBodyLimit = "requestBodyLimit",
        RequestBodyProcessor = "requestBodyProcessor",
        ResponseBodyAccess = "responseBodyAccess",
        ResponseBodyLimit = "responseBodyLimit",
        RuleEngine = "ruleEngine",
        RuleRemoveById = "ruleRemoveById",
        RuleRemoveByMsg = "ruleRemoveByMsg",
        RuleRemoveByTag = "ruleRemoveByTag",
        RuleRemoveTargetById = "ruleRemoveTargetById",
        RuleRemoveTargetByMsg = "ruleRemoveTargetByMsg",
        RuleRemoveTargetByTag = "ruleRemoveTargetByTag",
    }
}

/// One action with its argument parsed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Action {
    Accuracy(u8),
    Allow(AllowScope),
    Append(MacroString),
    AuditLog,
    Block,
    Capture,
    Chain,
    Ctl(Ctl),
    Deny,
    DeprecateVar(VarWithValue),
    Drop,
    Exec(String),
    ExpireVar(VarWithValue),
    Id(u64),
    InitCol(InitCol),
    Log,
    LogData(MacroString),
    Maturity(u8),
    Msg(MacroString),
    MultiMatch,
    NoAuditLog,
    NoLog,
    Pass,
    Pause(u64),
    Phase(Phase),
    Prepend(MacroString),
    Proxy(MacroString),
    Redirect(MacroString),
    Rev(String),
    SanitiseArg(String),
    SanitiseMatched,
    SanitiseMatchedBytes(Option<String>),
    SanitiseRequestHeader(String),
    SanitiseResponseHeader(String),
    SetEnv(SetEnv),
    SetRsc(MacroString),
    SetSid(MacroString),
    SetUid(MacroString),
    SetVar(SetVar),
    Severity(Severity),
    Skip(u32),
    /// Shared: every match of a rule hands it to the transaction, which only compares it.
    SkipAfter(std::sync::Arc<str>),
    Status(u16),
    Tag(MacroString),
    Transformation(Transformation),
    Ver(String),
    XmlNs(String),
}

impl Action {
    /// Whether this action decides the fate of the transaction (at most one per rule).
    pub fn is_disruptive(&self) -> bool {
        matches!(
            self,
            Action::Allow(_)
                | Action::Block
                | Action::Deny
                | Action::Drop
                | Action::Pass
                | Action::Pause(_)
                | Action::Proxy(_)
                | Action::Redirect(_)
        )
    }

    pub fn name(&self) -> ActionName {
        use Action as A;
        use ActionName as N;
        match self {
            A::Accuracy(_) => N::Accuracy,
            A::Allow(_) => N::Allow,
            A::Append(_) => N::Append,
            A::AuditLog => N::AuditLog,
            A::Block => N::Block,
            A::Capture => N::Capture,
            A::Chain => N::Chain,
            A::Ctl(_) => N::Ctl,
            A::Deny => N::Deny,
            A::DeprecateVar(_) => N::DeprecateVar,
            A::Drop => N::Drop,
            A::Exec(_) => N::Exec,
            A::ExpireVar(_) => N::ExpireVar,
            A::Id(_) => N::Id,
            A::InitCol(_) => N::InitCol,
            A::Log => N::Log,
            A::LogData(_) => N::LogData,
            A::Maturity(_) => N::Maturity,
            A::Msg(_) => N::Msg,
            A::MultiMatch => N::MultiMatch,
            A::NoAuditLog => N::NoAuditLog,
            A::NoLog => N::NoLog,
            A::Pass => N::Pass,
            A::Pause(_) => N::Pause,
            A::Phase(_) => N::Phase,
            A::Prepend(_) => N::Prepend,
            A::Proxy(_) => N::Proxy,
            A::Redirect(_) => N::Redirect,
            A::Rev(_) => N::Rev,
            A::SanitiseArg(_) => N::SanitiseArg,
            A::SanitiseMatched => N::SanitiseMatched,
            A::SanitiseMatchedBytes(_) => N::SanitiseMatchedBytes,
            A::SanitiseRequestHeader(_) => N::SanitiseRequestHeader,
            A::SanitiseResponseHeader(_) => N::SanitiseResponseHeader,
            A::SetEnv(_) => N::SetEnv,
            A::SetRsc(_) => N::SetRsc,
            A::SetSid(_) => N::SetSid,
            A::SetUid(_) => N::SetUid,
            A::SetVar(_) => N::SetVar,
            A::Severity(_) => N::Severity,
            A::Skip(_) => N::Skip,
            A::SkipAfter(_) => N::SkipAfter,
            A::Status(_) => N::Status,
            A::Tag(_) => N::Tag,
            A::Transformation(_) => N::Transformation,
            A::Ver(_) => N::Ver,
            A::XmlNs(_) => N::XmlNs,
        }
    }
}

/// An action as scanned from the list, before its argument is interpreted.
pub(crate) struct RawAction {
    pub name: String,
    pub name_offset: usize,
    pub value: Option<String>,
    pub value_offset: usize,
}

/// Splits an action list (`raw`: the quoted directive argument with escapes intact) into
/// names and values. Values may be single-quoted to hold commas; `\'` inside them is a quote.
pub(crate) fn scan_actions(raw: &str) -> Result<Vec<RawAction>, (usize, ErrorKind)> {
    let bytes = raw.as_bytes();
    let mut actions = Vec::new();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < bytes.len() && bytes[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    loop {
        skip_ws(&mut i);
        if i >= bytes.len() {
            if actions.is_empty() {
                return Ok(actions);
            }
            return Err((
                i,
                ErrorKind::BadArgument {
                    what: "action list".into(),
                    reason: "expected an action after `,`".into(),
                },
            ));
        }
        let name_offset = i;
        while i < bytes.len() && !matches!(bytes[i], b':' | b',') && !bytes[i].is_ascii_whitespace()
        {
            i += 1;
        }
        let name = raw[name_offset..i].to_string();
        if name.is_empty() {
            return Err((
                name_offset,
                ErrorKind::BadArgument {
                    what: "action list".into(),
                    reason: "expected an action name".into(),
                },
            ));
        }
        skip_ws(&mut i);
        let mut value = None;
        let mut value_offset = i;
        if bytes.get(i) == Some(&b':') {
            i += 1;
            skip_ws(&mut i);
            value_offset = i;
            if bytes.get(i) == Some(&b'\'') {
                let end = closing_quote(bytes, i + 1, b'\'').ok_or((
                    i,
                    ErrorKind::UnterminatedQuote {
                        quote: Quote::Single,
                    },
                ))?;
                value = Some(unescape_value(&raw[i + 1..end]));
                value_offset = i + 1;
                i = end + 1;
            } else {
                let start = i;
                while i < bytes.len() && bytes[i] != b',' {
                    i += 1;
                }
                value = Some(unescape_value(raw[start..i].trim_end()));
            }
        }
        actions.push(RawAction {
            name,
            name_offset,
            value,
            value_offset,
        });
        skip_ws(&mut i);
        match bytes.get(i) {
            None => return Ok(actions),
            Some(b',') => i += 1,
            Some(_) => {
                return Err((
                    i,
                    ErrorKind::BadArgument {
                        what: "action list".into(),
                        reason: "expected `,` between actions".into(),
                    },
                ))
            }
        }
    }
}

/// `\'` and `\"` stand for the quote; other backslashes belong to the value.
fn unescape_value(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some(&q)) if q == '\'' || q == '"' => {
                out.push(q);
                chars.next();
            }
            ('\\', Some('\\')) => {
                out.push_str("\\\\");
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// Interprets one scanned action. Errors carry the offset of the name or the value.
pub(crate) fn build_action(raw: &RawAction) -> Result<Action, (usize, ErrorKind)> {
    let name = ActionName::from_name(&raw.name).ok_or_else(|| {
        (
            raw.name_offset,
            ErrorKind::UnknownAction {
                name: raw.name.clone(),
                suggestion: closest(&raw.name, ActionName::spellings()),
            },
        )
    })?;
    let at_value = raw.value_offset;
    let bad = |reason: String| {
        (
            at_value,
            ErrorKind::BadArgument {
                what: name.name().to_string(),
                reason,
            },
        )
    };
    let value = raw.value.as_deref();
    let required = || value.ok_or_else(|| bad("expected `:` and a value".to_string()));
    let none = |action: Action| match value {
        None => Ok(action),
        Some(_) => Err(bad("this action takes no value".to_string())),
    };
    let macro_string =
        |text: &str| MacroString::parse(text).map_err(|(offset, kind)| (at_value + offset, kind));
    let number = |text: &str| -> Result<u64, (usize, ErrorKind)> {
        text.trim()
            .parse()
            .map_err(|_| bad(format!("expected a number, found `{text}`")))
    };
    use ActionName as N;
    Ok(match name {
        N::Accuracy => Action::Accuracy(
            small(number(required()?)?, 9).ok_or_else(|| bad("expected 0-9".into()))?,
        ),
        N::Maturity => Action::Maturity(
            small(number(required()?)?, 9).ok_or_else(|| bad("expected 0-9".into()))?,
        ),
        N::Allow => Action::Allow(match value.map(str::to_ascii_lowercase).as_deref() {
            None => AllowScope::Transaction,
            Some("phase") => AllowScope::Phase,
            Some("request") => AllowScope::Request,
            Some(other) => {
                return Err(bad(format!(
                    "expected `phase` or `request`, found `{other}`"
                )))
            }
        }),
        N::Append => Action::Append(macro_string(required()?)?),
        N::Prepend => Action::Prepend(macro_string(required()?)?),
        N::AuditLog => none(Action::AuditLog)?,
        N::NoAuditLog => none(Action::NoAuditLog)?,
        N::Block => none(Action::Block)?,
        N::Capture => none(Action::Capture)?,
        N::Chain => none(Action::Chain)?,
        N::Deny => none(Action::Deny)?,
        N::Drop => none(Action::Drop)?,
        N::Log => none(Action::Log)?,
        N::NoLog => none(Action::NoLog)?,
        N::MultiMatch => none(Action::MultiMatch)?,
        N::Pass => none(Action::Pass)?,
        N::SanitiseMatched => none(Action::SanitiseMatched)?,
        N::Ctl => Action::Ctl(parse_ctl(required()?).map_err(|(o, k)| (at_value + o, k))?),
        N::DeprecateVar => Action::DeprecateVar(var_with_value(required()?).map_err(&bad)?),
        N::ExpireVar => Action::ExpireVar(var_with_value(required()?).map_err(&bad)?),
        N::Exec => Action::Exec(required()?.to_string()),
        N::Id => {
            let id = number(required()?)?;
            if id == 0 {
                return Err(bad("rule ids start at 1".into()));
            }
            Action::Id(id)
        }
        N::InitCol => {
            let text = required()?;
            let (collection, key) = text
                .split_once('=')
                .ok_or_else(|| bad("expected `collection=key`".into()))?;
            Action::InitCol(InitCol {
                collection: collection_named(collection).map_err(&bad)?,
                key: macro_string(key)?,
            })
        }
        N::LogData => Action::LogData(macro_string(required()?)?),
        N::Msg => Action::Msg(macro_string(required()?)?),
        N::Tag => Action::Tag(macro_string(required()?)?),
        N::Pause => Action::Pause(number(required()?)?),
        N::Phase => {
            let text = required()?;
            Action::Phase(Phase::parse(text.trim()).ok_or_else(|| {
                bad(format!(
                    "expected 1-5, `request`, `response` or `logging`, found `{text}`"
                ))
            })?)
        }
        N::Proxy => Action::Proxy(macro_string(required()?)?),
        N::Redirect => Action::Redirect(macro_string(required()?)?),
        N::Rev => Action::Rev(required()?.to_string()),
        N::Ver => Action::Ver(required()?.to_string()),
        N::SanitiseArg => Action::SanitiseArg(required()?.to_string()),
        N::SanitiseMatchedBytes => Action::SanitiseMatchedBytes(value.map(str::to_string)),
        N::SanitiseRequestHeader => Action::SanitiseRequestHeader(required()?.to_string()),
        N::SanitiseResponseHeader => Action::SanitiseResponseHeader(required()?.to_string()),
        N::SetEnv => {
            let text = required()?;
            let (name, value) = text.split_once('=').unwrap_or((text, "1"));
            Action::SetEnv(SetEnv {
                name: name.to_string(),
                value: macro_string(value)?,
            })
        }
        N::SetRsc => Action::SetRsc(macro_string(required()?)?),
        N::SetSid => Action::SetSid(macro_string(required()?)?),
        N::SetUid => Action::SetUid(macro_string(required()?)?),
        N::SetVar => Action::SetVar(parse_setvar(required()?).map_err(|(o, k)| (at_value + o, k))?),
        N::Severity => {
            let text = required()?;
            Action::Severity(Severity::parse(text.trim()).ok_or_else(|| {
                bad(format!(
                    "expected 0-7 or a name such as CRITICAL, found `{text}`"
                ))
            })?)
        }
        N::Skip => {
            let n = number(required()?)?;
            Action::Skip(
                u32::try_from(n)
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| bad("expected a positive count".into()))?,
            )
        }
        N::SkipAfter => {
            let text = required()?.trim();
            if text.is_empty() {
                return Err(bad("expected a marker name".into()));
            }
            Action::SkipAfter(text.into())
        }
        N::Status => {
            let n = number(required()?)?;
            Action::Status(
                u16::try_from(n)
                    .ok()
                    .filter(|n| (100..=999).contains(n))
                    .ok_or_else(|| bad("expected an HTTP status code (100-999)".into()))?,
            )
        }
        N::Transformation => {
            let text = required()?.trim();
            Action::Transformation(Transformation::from_name(text).ok_or_else(|| {
                (
                    at_value,
                    ErrorKind::UnknownTransformation {
                        name: text.to_string(),
                        suggestion: closest(text, Transformation::spellings()),
                    },
                )
            })?)
        }
        N::XmlNs => Action::XmlNs(required()?.to_string()),
    })
}

fn small(n: u64, max: u8) -> Option<u8> {
    u8::try_from(n).ok().filter(|n| *n <= max)
}

fn collection_named(name: &str) -> Result<Collection, String> {
    Collection::from_name(name.trim()).ok_or_else(|| {
        format!("`{name}` is not a collection (TX, IP, GLOBAL, SESSION, USER or RESOURCE)")
    })
}

fn var_with_value(text: &str) -> Result<VarWithValue, String> {
    let (variable, value) = text
        .split_once('=')
        .ok_or_else(|| "expected `collection.key=value`".to_string())?;
    let (collection, key) = variable
        .split_once('.')
        .ok_or_else(|| "expected `collection.key=value`".to_string())?;
    let parse = |t: &str| MacroString::parse(t).map_err(|(_, kind)| kind.to_string());
    Ok(VarWithValue {
        collection: collection_named(collection)?,
        key: parse(key)?,
        value: parse(value)?,
    })
}

fn parse_setvar(text: &str) -> Result<SetVar, (usize, ErrorKind)> {
    let bad = |offset: usize, reason: &str| {
        (
            offset,
            ErrorKind::BadArgument {
                what: "setvar".into(),
                reason: reason.to_string(),
            },
        )
    };
    let delete = text.starts_with('!');
    let body = &text[usize::from(delete)..];
    let (variable, assignment) = match body.split_once('=') {
        Some((variable, assignment)) => (variable, Some(assignment)),
        None => (body, None),
    };
    let (collection, key) = variable
        .split_once('.')
        .ok_or_else(|| bad(0, "expected `collection.key`, e.g. `tx.score=+5`"))?;
    let collection = collection_named(collection).map_err(|reason| bad(0, &reason))?;
    if key.is_empty() {
        return Err(bad(0, "expected a variable name after the collection"));
    }
    let key_offset = usize::from(delete) + collection.name().len() + 1;
    let key = MacroString::parse(key).map_err(|(o, kind)| (key_offset + o, kind))?;
    let value_offset = usize::from(delete) + variable.len() + 1;
    let value = |t: &str, skip: usize| {
        MacroString::parse(t).map_err(|(o, kind)| (value_offset + skip + o, kind))
    };
    let operation = match (delete, assignment) {
        (true, None) => SetVarOperation::Delete,
        (true, Some(_)) => return Err(bad(0, "`!` deletes a variable and takes no value")),
        (false, None) => SetVarOperation::SetToOne,
        (false, Some(a)) => match a.as_bytes().first() {
            Some(b'+') => SetVarOperation::Add(value(&a[1..], 1)?),
            Some(b'-') => SetVarOperation::Subtract(value(&a[1..], 1)?),
            _ => SetVarOperation::Assign(value(a, 0)?),
        },
    };
    Ok(SetVar {
        collection,
        key,
        operation,
    })
}

fn parse_ctl(text: &str) -> Result<Ctl, (usize, ErrorKind)> {
    let (name, value) = text.split_once('=').ok_or((
        0,
        ErrorKind::BadArgument {
            what: "ctl".into(),
            reason: "expected `option=value`".into(),
        },
    ))?;
    let option = CtlName::from_name(name.trim()).ok_or_else(|| {
        (
            0,
            ErrorKind::UnknownCtl {
                name: name.to_string(),
                suggestion: closest(name, CtlName::spellings()),
            },
        )
    })?;
    let value_offset = name.len() + 1;
    let bad = |reason: String| {
        (
            value_offset,
            ErrorKind::BadArgument {
                what: format!("ctl:{option}"),
                reason,
            },
        )
    };
    let on_off = || match value.trim().to_ascii_lowercase().as_str() {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(bad(format!("expected On or Off, found `{value}`"))),
    };
    let number = || {
        value
            .trim()
            .parse::<u64>()
            .map_err(|_| bad(format!("expected a number, found `{value}`")))
    };
    let ids = |text: &str| {
        IdRange::parse_list(text)
            .ok_or_else(|| bad(format!("expected rule ids or ranges, found `{text}`")))
    };
    let with_targets = |text: &str| -> Result<(String, Vec<Target>), (usize, ErrorKind)> {
        let (subject, targets) = text
            .split_once(';')
            .ok_or_else(|| bad("expected `subject;VARIABLE[:selector]`".into()))?;
        let targets = parse_targets(targets)
            .map_err(|(o, kind)| (value_offset + subject.len() + 1 + o, kind))?;
        Ok((subject.to_string(), targets))
    };
    use CtlName as C;
    Ok(match option {
        C::AuditEngine => Ctl::AuditEngine(
            AuditEngine::from_name(value.trim())
                .ok_or_else(|| bad(format!("expected On, Off or RelevantOnly, found `{value}`")))?,
        ),
        C::AuditLogParts => {
            let parts = |p: &str| {
                if !p.is_empty() && p.chars().all(|c| "ABCDEFGHIJKZ".contains(c)) {
                    Ok(p.to_string())
                } else {
                    Err(bad(format!(
                        "expected audit log parts (A-K, Z), found `{p}`"
                    )))
                }
            };
            let value = value.trim();
            Ctl::AuditLogParts(match (value.strip_prefix('+'), value.strip_prefix('-')) {
                (Some(p), _) => AuditLogPartsChange::Add(parts(p)?),
                (_, Some(p)) => AuditLogPartsChange::Remove(parts(p)?),
                _ => AuditLogPartsChange::Set(parts(value)?),
            })
        }
        C::DebugLogLevel => {
            Ctl::DebugLogLevel(small(number()?, 9).ok_or_else(|| bad("expected 0-9".into()))?)
        }
        C::ForceRequestBodyVariable => Ctl::ForceRequestBodyVariable(on_off()?),
        C::HashEngine => Ctl::HashEngine(on_off()?),
        C::ParseXmlIntoArgs => Ctl::ParseXmlIntoArgs(value.to_string()),
        C::RequestBodyAccess => Ctl::RequestBodyAccess(on_off()?),
        C::RequestBodyLimit => Ctl::RequestBodyLimit(number()?),
        C::RequestBodyProcessor => {
            Ctl::RequestBodyProcessor(BodyProcessor::from_name(value.trim()).ok_or_else(|| {
                bad(format!(
                    "expected URLENCODED, MULTIPART, JSON or XML, found `{value}`"
                ))
            })?)
        }
        C::ResponseBodyAccess => Ctl::ResponseBodyAccess(on_off()?),
        C::ResponseBodyLimit => Ctl::ResponseBodyLimit(number()?),
        C::RuleEngine => Ctl::RuleEngine(EngineMode::from_name(value.trim()).ok_or_else(|| {
            bad(format!(
                "expected On, Off or DetectionOnly, found `{value}`"
            ))
        })?),
        C::RuleRemoveById => Ctl::RuleRemoveById(ids(value)?),
        C::RuleRemoveByMsg => Ctl::RuleRemoveByMsg(value.to_string()),
        C::RuleRemoveByTag => Ctl::RuleRemoveByTag(value.to_string()),
        C::RuleRemoveTargetById => {
            let (subject, targets) = with_targets(value)?;
            Ctl::RuleRemoveTargetById(ids(&subject)?, targets.into())
        }
        C::RuleRemoveTargetByMsg => {
            let (subject, targets) = with_targets(value)?;
            Ctl::RuleRemoveTargetByMsg(subject, targets.into())
        }
        C::RuleRemoveTargetByTag => {
            let (subject, targets) = with_targets(value)?;
            Ctl::RuleRemoveTargetByTag(subject, targets.into())
        }
    })
}

impl fmt::Display for Ctl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids = |ids: &[IdRange]| {
            ids.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        };
        match self {
            Ctl::AuditEngine(v) => write!(f, "auditEngine={v}"),
            Ctl::AuditLogParts(AuditLogPartsChange::Set(p)) => write!(f, "auditLogParts={p}"),
            Ctl::AuditLogParts(AuditLogPartsChange::Add(p)) => write!(f, "auditLogParts=+{p}"),
            Ctl::AuditLogParts(AuditLogPartsChange::Remove(p)) => write!(f, "auditLogParts=-{p}"),
            Ctl::DebugLogLevel(v) => write!(f, "debugLogLevel={v}"),
            Ctl::ForceRequestBodyVariable(v) => {
                write!(f, "forceRequestBodyVariable={}", on_off(*v))
            }
            Ctl::HashEngine(v) => write!(f, "hashEngine={}", on_off(*v)),
            Ctl::ParseXmlIntoArgs(v) => write!(f, "parseXmlIntoArgs={v}"),
            Ctl::RequestBodyAccess(v) => write!(f, "requestBodyAccess={}", on_off(*v)),
            Ctl::RequestBodyLimit(v) => write!(f, "requestBodyLimit={v}"),
            Ctl::RequestBodyProcessor(v) => write!(f, "requestBodyProcessor={v}"),
            Ctl::ResponseBodyAccess(v) => write!(f, "responseBodyAccess={}", on_off(*v)),
            Ctl::ResponseBodyLimit(v) => write!(f, "responseBodyLimit={v}"),
            Ctl::RuleEngine(v) => write!(f, "ruleEngine={v}"),
            Ctl::RuleRemoveById(v) => write!(f, "ruleRemoveById={}", ids(v)),
            Ctl::RuleRemoveByMsg(v) => write!(f, "ruleRemoveByMsg={v}"),
            Ctl::RuleRemoveByTag(v) => write!(f, "ruleRemoveByTag={v}"),
            Ctl::RuleRemoveTargetById(v, t) => {
                write!(f, "ruleRemoveTargetById={};{}", ids(v), TargetList(t))
            }
            Ctl::RuleRemoveTargetByMsg(v, t) => {
                write!(f, "ruleRemoveTargetByMsg={v};{}", TargetList(t))
            }
            Ctl::RuleRemoveTargetByTag(v, t) => {
                write!(f, "ruleRemoveTargetByTag={v};{}", TargetList(t))
            }
        }
    }
}

pub(crate) fn on_off(v: bool) -> &'static str {
    if v {
        "On"
    } else {
        "Off"
    }
}

impl fmt::Display for SetVar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let target = format!(
            "{}.{}",
            self.collection.name().to_ascii_lowercase(),
            self.key
        );
        match &self.operation {
            SetVarOperation::Assign(v) => write!(f, "{target}={v}"),
            SetVarOperation::Add(v) => write!(f, "{target}=+{v}"),
            SetVarOperation::Subtract(v) => write!(f, "{target}=-{v}"),
            SetVarOperation::Delete => write!(f, "!{target}"),
            SetVarOperation::SetToOne => f.write_str(&target),
        }
    }
}

impl fmt::Display for Action {
    /// Prints the action as it would be written inside a double-quoted action list.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name();
        let value: Option<String> = match self {
            Action::Accuracy(n) | Action::Maturity(n) => Some(n.to_string()),
            Action::Allow(AllowScope::Transaction) => None,
            Action::Allow(AllowScope::Phase) => Some("phase".into()),
            Action::Allow(AllowScope::Request) => Some("request".into()),
            Action::Append(m)
            | Action::Prepend(m)
            | Action::LogData(m)
            | Action::Msg(m)
            | Action::Tag(m)
            | Action::Proxy(m)
            | Action::Redirect(m)
            | Action::SetRsc(m)
            | Action::SetSid(m)
            | Action::SetUid(m) => Some(m.to_string()),
            Action::AuditLog
            | Action::NoAuditLog
            | Action::Block
            | Action::Capture
            | Action::Chain
            | Action::Deny
            | Action::Drop
            | Action::Log
            | Action::NoLog
            | Action::MultiMatch
            | Action::Pass
            | Action::SanitiseMatched
            | Action::SanitiseMatchedBytes(None) => None,
            Action::Ctl(ctl) => Some(ctl.to_string()),
            Action::DeprecateVar(v) | Action::ExpireVar(v) => Some(format!(
                "{}.{}={}",
                v.collection.name().to_ascii_lowercase(),
                v.key,
                v.value
            )),
            Action::Exec(s)
            | Action::Rev(s)
            | Action::Ver(s)
            | Action::SanitiseArg(s)
            | Action::SanitiseRequestHeader(s)
            | Action::SanitiseResponseHeader(s)
            | Action::XmlNs(s)
            | Action::SanitiseMatchedBytes(Some(s)) => Some(s.clone()),
            Action::SkipAfter(s) => Some(s.to_string()),
            Action::Id(n) => Some(n.to_string()),
            Action::InitCol(i) => Some(format!(
                "{}={}",
                i.collection.name().to_ascii_lowercase(),
                i.key
            )),
            Action::Pause(n) => Some(n.to_string()),
            Action::Phase(p) => Some(p.number().to_string()),
            Action::SetEnv(e) => Some(format!("{}={}", e.name, e.value)),
            Action::SetVar(s) => Some(s.to_string()),
            Action::Severity(s) => Some(s.name().to_string()),
            Action::Skip(n) => Some(n.to_string()),
            Action::Status(n) => Some(n.to_string()),
            Action::Transformation(t) => Some(t.name().to_string()),
        };
        match value {
            None => write!(f, "{name}"),
            Some(value) if needs_quotes(&value) => {
                write!(
                    f,
                    "{name}:'{}'",
                    escape(&escape(&value, Quote::Single), Quote::Double)
                )
            }
            Some(value) => write!(f, "{name}:{}", escape(&value, Quote::Double)),
        }
    }
}

fn needs_quotes(value: &str) -> bool {
    value.is_empty()
        || value.starts_with('\'')
        || value.contains([',', ' ', '\t', '\''])
        || value.ends_with('\\')
}

/// Prints an action list, comma-separated.
pub struct ActionList<'a>(pub &'a [crate::span::Spanned<Action>]);

impl fmt::Display for ActionList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, action) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}", action.node)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(list: &str) -> Result<Vec<Action>, (usize, ErrorKind)> {
        scan_actions(list)?.iter().map(build_action).collect()
    }

    #[test]
    fn parses_quoted_values_with_commas_and_escapes() {
        let a =
            parse(r"id:1, phase:2,msg:'a, b \'c\'',t:lowercase,  setvar:'tx.x=+%{tx.y}'").unwrap();
        assert_eq!(a[0], Action::Id(1));
        assert_eq!(a[1], Action::Phase(Phase::RequestBody));
        assert_eq!(a[2], Action::Msg(MacroString::literal("a, b 'c'")));
        assert_eq!(a[3], Action::Transformation(Transformation::Lowercase));
        let Action::SetVar(s) = &a[4] else {
            panic!("not setvar")
        };
        assert!(matches!(s.operation, SetVarOperation::Add(_)));
        assert_eq!(a[4].to_string(), "setvar:tx.x=+%{TX.y}");
    }

    #[test]
    fn parses_ctl_with_targets() {
        let a = parse("ctl:ruleRemoveTargetById=942100;ARGS:pwd").unwrap();
        assert_eq!(a[0].to_string(), "ctl:ruleRemoveTargetById=942100;ARGS:pwd");
        let a = parse("ctl:ruleRemoveById=1-999999,ctl:auditLogParts=+E").unwrap();
        assert_eq!(
            a[0],
            Action::Ctl(Ctl::RuleRemoveById(vec![IdRange {
                first: 1,
                last: 999999
            }]))
        );
    }

    #[test]
    fn rejects_bad_arguments_with_offsets() {
        let (offset, kind) = parse("id:1,phase:7").unwrap_err();
        assert_eq!(offset, 11);
        assert!(matches!(kind, ErrorKind::BadArgument { .. }));
        let (offset, kind) = parse("id:1,denny").unwrap_err();
        assert_eq!(offset, 5);
        assert!(matches!(
            kind,
            ErrorKind::UnknownAction {
                suggestion: Some("deny"),
                ..
            }
        ));
        assert!(matches!(
            parse("t:lowercas").unwrap_err().1,
            ErrorKind::UnknownTransformation { .. }
        ));
        assert_eq!(parse("msg:'oops").unwrap_err().0, 4);
        assert!(parse("id:1 pass").is_err());
        assert!(parse("setvar:foo.x=1").is_err());
    }
}
