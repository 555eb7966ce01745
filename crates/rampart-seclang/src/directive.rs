//! Directives: one per logical line.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::action::{
    build_action, on_off, scan_actions, Action, ActionList, AuditEngine, EngineMode, IdRange,
};
use crate::data::DataFiles;
use crate::error::ErrorKind;
use crate::lexer::{escape, Word};
use crate::names::named_enum;
use crate::operator::{parse_operator, Operator};
use crate::span::{Span, Spanned};
use crate::target::{parse_targets, Target, TargetList};

named_enum! {
    /// Every directive the loader accepts.
    pub enum DirectiveName {
        Include = "Include",
        IncludeOptional = "IncludeOptional",
        SecAction = "SecAction",
        SecArgumentSeparator = "SecArgumentSeparator",
        SecArgumentsLimit = "SecArgumentsLimit",
        SecAuditEngine = "SecAuditEngine",
        SecAuditLog = "SecAuditLog",
        SecAuditLog2 = "SecAuditLog2",
        SecAuditLogDirMode = "SecAuditLogDirMode",
        SecAuditLogFileMode = "SecAuditLogFileMode",
        SecAuditLogFormat = "SecAuditLogFormat",
        SecAuditLogParts = "SecAuditLogParts",
        SecAuditLogRelevantStatus = "SecAuditLogRelevantStatus",
        SecAuditLogStorageDir = "SecAuditLogStorageDir",
        SecAuditLogType = "SecAuditLogType",
        SecCacheTransformations = "SecCacheTransformations",
        SecChrootDir = "SecChrootDir",
        SecCollectionTimeout = "SecCollectionTimeout",
        SecComponentSignature = "SecComponentSignature",
        SecConnEngine = "SecConnEngine",
        SecConnReadStateLimit = "SecConnReadStateLimit",
        SecConnWriteStateLimit = "SecConnWriteStateLimit",
        SecContentInjection = "SecContentInjection",
        SecCookieFormat = "SecCookieFormat",
        SecCookieV0Separator = "SecCookieV0Separator",
        SecDataDir = "SecDataDir",
        SecDebugLog = "SecDebugLog",
        SecDebugLogLevel = "SecDebugLogLevel",
        SecDefaultAction = "SecDefaultAction",
        SecDisableBackendCompression = "SecDisableBackendCompression",
        SecGeoLookupDb = "SecGeoLookupDb",
        SecGsbLookupDb = "SecGsbLookupDb",
        SecGuardianLog = "SecGuardianLog",
        SecHashEngine = "SecHashEngine",
        SecHashKey = "SecHashKey",
        SecHashMethodPm = "SecHashMethodPm",
        SecHashMethodRx = "SecHashMethodRx",
        SecHashParam = "SecHashParam",
        SecHttpBlKey = "SecHttpBlKey",
        SecInterceptOnError = "SecInterceptOnError",
        SecMarker = "SecMarker",
        SecPcreMatchLimit = "SecPcreMatchLimit",
        SecPcreMatchLimitRecursion = "SecPcreMatchLimitRecursion",
        SecReadStateLimit = "SecReadStateLimit",
        SecRemoteRules = "SecRemoteRules",
        SecRemoteRulesFailAction = "SecRemoteRulesFailAction",
        SecRequestBodyAccess = "SecRequestBodyAccess",
        SecRequestBodyInMemoryLimit = "SecRequestBodyInMemoryLimit",
        SecRequestBodyJsonDepthLimit = "SecRequestBodyJsonDepthLimit",
        SecRequestBodyLimit = "SecRequestBodyLimit",
        SecRequestBodyLimitAction = "SecRequestBodyLimitAction",
        SecRequestBodyNoFilesLimit = "SecRequestBodyNoFilesLimit",
        SecResponseBodyAccess = "SecResponseBodyAccess",
        SecResponseBodyLimit = "SecResponseBodyLimit",
        SecResponseBodyLimitAction = "SecResponseBodyLimitAction",
        SecResponseBodyMimeType = "SecResponseBodyMimeType",
        SecResponseBodyMimeTypesClear = "SecResponseBodyMimeTypesClear",
        SecRule = "SecRule",
        SecRuleEngine = "SecRuleEngine",
        SecRuleInheritance = "SecRuleInheritance",
        SecRulePerfTime = "SecRulePerfTime",
        SecRuleRemoveById = "SecRuleRemoveById",
        SecRuleRemoveByMsg = "SecRuleRemoveByMsg",
        SecRuleRemoveByTag = "SecRuleRemoveByTag",
        SecRuleScript = "SecRuleScript",
        SecRuleUpdateActionById = "SecRuleUpdateActionById",
        SecRuleUpdateTargetById = "SecRuleUpdateTargetById",
        SecRuleUpdateTargetByMsg = "SecRuleUpdateTargetByMsg",
        SecRuleUpdateTargetByTag = "SecRuleUpdateTargetByTag",
        SecSensorId = "SecSensorId",
        SecServerSignature = "SecServerSignature",
        SecStatusEngine = "SecStatusEngine",
        SecStreamInBodyInspection = "SecStreamInBodyInspection",
        SecStreamOutBodyInspection = "SecStreamOutBodyInspection",
        SecTmpDir = "SecTmpDir",
        SecTmpSaveUploadedFiles = "SecTmpSaveUploadedFiles",
        SecUnicodeMapFile = "SecUnicodeMapFile",
        SecUploadDir = "SecUploadDir",
        SecUploadFileLimit = "SecUploadFileLimit",
        SecUploadFileMode = "SecUploadFileMode",
        SecUploadKeepFiles = "SecUploadKeepFiles",
        SecWebAppId = "SecWebAppId",
        SecWriteStateLimit = "SecWriteStateLimit",
        SecXmlExternalEntity = "SecXmlExternalEntity",
    }
}

/// One directive with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub span: Span,
    pub kind: DirectiveKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectiveKind {
    /// `SecRule VARIABLES OPERATOR [ACTIONS]`
    Rule(Rule),
    /// `SecAction ACTIONS`: a rule that always matches.
    Action(Vec<Spanned<Action>>),
    /// `SecMarker NAME`: a target for `skipAfter`.
    Marker(String),
    /// `SecDefaultAction ACTIONS`: inherited by the rules of its phase that follow.
    DefaultAction(Vec<Spanned<Action>>),
    RemoveById(Vec<IdRange>),
    RemoveByTag(String),
    RemoveByMsg(String),
    UpdateTargetById(Vec<IdRange>, TargetUpdate),
    UpdateTargetByTag(String, TargetUpdate),
    UpdateTargetByMsg(String, TargetUpdate),
    /// `SecRuleUpdateActionById ID ACTIONS`
    UpdateActionById(u64, Vec<Spanned<Action>>),
    Setting(Setting),
}

/// `SecRule`'s three parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub targets: Vec<Target>,
    pub operator: Operator,
    pub actions: Vec<Spanned<Action>>,
}

/// The targets a `SecRuleUpdateTarget*` directive adds (or with `!`, excludes), and the
/// optional list of targets they replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetUpdate {
    pub targets: Vec<Target>,
    pub replacing: Option<Vec<Target>>,
}

named_enum! {
    /// `SecRequestBodyLimitAction` and `SecResponseBodyLimitAction` values.
    pub enum LimitAction {
        Reject = "Reject",
        ProcessPartial = "ProcessPartial",
    }
}

named_enum! {
    /// `SecAuditLogType` values.
    pub enum AuditLogType {
        Serial = "Serial",
        Concurrent = "Concurrent" | "Parallel",
        Https = "HTTPS",
    }
}

named_enum! {
    /// `SecAuditLogFormat` values.
    pub enum AuditLogFormat {
        Json = "JSON",
        Native = "Native",
    }
}

named_enum! {
    /// `SecUploadKeepFiles` values.
    pub enum KeepFiles {
        On = "On",
        Off = "Off",
        RelevantOnly = "RelevantOnly",
    }
}

/// An engine setting, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting {
    ArgumentSeparator(String),
    ArgumentsLimit(u64),
    AuditEngine(AuditEngine),
    AuditLog(String),
    AuditLog2(String),
    /// `None` is `default`.
    AuditLogDirMode(Option<u32>),
    AuditLogFileMode(Option<u32>),
    AuditLogFormat(AuditLogFormat),
    AuditLogParts(String),
    AuditLogRelevantStatus(String),
    AuditLogStorageDir(String),
    AuditLogType(AuditLogType),
    CollectionTimeout(u64),
    ComponentSignature(String),
    CookieFormat(u8),
    CookieV0Separator(String),
    DataDir(String),
    DebugLog(String),
    DebugLogLevel(u8),
    PcreMatchLimit(u64),
    PcreMatchLimitRecursion(u64),
    RemoteRules {
        key: String,
        url: String,
    },
    RequestBodyAccess(bool),
    RequestBodyInMemoryLimit(u64),
    RequestBodyJsonDepthLimit(u64),
    RequestBodyLimit(u64),
    RequestBodyLimitAction(LimitAction),
    RequestBodyNoFilesLimit(u64),
    ResponseBodyAccess(bool),
    ResponseBodyLimit(u64),
    ResponseBodyLimitAction(LimitAction),
    ResponseBodyMimeType(Vec<String>),
    ResponseBodyMimeTypesClear,
    RuleEngine(EngineMode),
    StatusEngine(bool),
    TmpDir(String),
    TmpSaveUploadedFiles(bool),
    /// The map file (as written and as resolved) and the code page whose mappings apply.
    UnicodeMapFile {
        written: String,
        path: PathBuf,
        code_page: Option<u32>,
    },
    UploadDir(String),
    UploadFileLimit(u64),
    UploadFileMode(Option<u32>),
    UploadKeepFiles(KeepFiles),
    WebAppId(String),
    XmlExternalEntity(bool),
    /// A directive ModSecurity v3 accepts but does not act on (Apache-only features, hashing,
    /// GeoIP, persistent-storage tuning), kept with its arguments as written.
    Inert {
        directive: DirectiveName,
        arguments: Vec<String>,
    },
}

/// What the directive parser needs from the loader.
pub(crate) struct Context<'a> {
    /// Directory of the file being read: data files are relative to it.
    pub base_dir: &'a Path,
    pub data_files: &'a mut DataFiles,
    /// Turns a byte offset of the logical line into a span.
    pub span_at: &'a dyn Fn(usize) -> Span,
}

/// An error at a byte offset of the logical line.
pub(crate) type LineError = (usize, ErrorKind);

/// Parses a directive other than `Include`/`IncludeOptional` (the loader's business).
pub(crate) fn parse_directive(
    name: DirectiveName,
    args: &[Word<'_>],
    cx: &mut Context<'_>,
) -> Result<DirectiveKind, LineError> {
    use DirectiveName as D;
    let name_str = name.name();
    let arity = |expected: &'static str| {
        let at = args.first().map_or(0, Word::outer_start);
        (
            at,
            ErrorKind::Arity {
                directive: name_str,
                expected,
            },
        )
    };
    let one = || match args {
        [word] => Ok(*word),
        _ => Err(arity("exactly one argument")),
    };
    let bad = |word: &Word<'_>, reason: String| {
        (
            word.outer_start(),
            ErrorKind::BadArgument {
                what: name_str.to_string(),
                reason,
            },
        )
    };
    let number = || -> Result<u64, LineError> {
        let word = one()?;
        word.value().trim().parse().map_err(|_| {
            bad(
                &word,
                format!("expected a number, found `{}`", word.value()),
            )
        })
    };
    let string = || one().map(|w| w.value());
    let on_off = || -> Result<bool, LineError> {
        let word = one()?;
        match word.value().to_ascii_lowercase().as_str() {
            "on" => Ok(true),
            "off" => Ok(false),
            other => Err(bad(&word, format!("expected On or Off, found `{other}`"))),
        }
    };
    macro_rules! choice {
        ($enum:ident, $expected:literal) => {{
            let word = one()?;
            $enum::from_name(word.value().trim()).ok_or_else(|| {
                bad(
                    &word,
                    format!(
                        concat!("expected ", $expected, ", found `{}`"),
                        word.value()
                    ),
                )
            })?
        }};
    }
    let mode = |word: Word<'_>| -> Result<Option<u32>, LineError> {
        let value = word.value();
        if value.eq_ignore_ascii_case("default") {
            return Ok(None);
        }
        u32::from_str_radix(value.trim(), 8).map(Some).map_err(|_| {
            bad(
                &word,
                format!("expected an octal mode or `default`, found `{value}`"),
            )
        })
    };
    let setting = |s: Setting| Ok(DirectiveKind::Setting(s));
    match name {
        D::Include | D::IncludeOptional => Err(arity("to be handled by the loader")),
        D::SecRule => {
            let (targets, operator, actions) = match args {
                [t, o] => (t, o, None),
                [t, o, a] => (t, o, Some(a)),
                _ => return Err(arity("VARIABLES OPERATOR [ACTIONS]")),
            };
            let targets =
                parse_targets(&targets.value()).map_err(|(o, kind)| (targets.start + o, kind))?;
            let operator_text = operator.value();
            let operator = parse_operator(&operator_text, cx.base_dir, cx.data_files)
                .map_err(|(o, kind)| (operator.start + o, kind))?;
            let actions = match actions {
                Some(word) => parse_action_list(word, cx)?,
                None => Vec::new(),
            };
            Ok(DirectiveKind::Rule(Rule {
                targets,
                operator,
                actions,
            }))
        }
        D::SecAction => Ok(DirectiveKind::Action(parse_action_list(&one()?, cx)?)),
        D::SecDefaultAction => Ok(DirectiveKind::DefaultAction(parse_action_list(
            &one()?,
            cx,
        )?)),
        D::SecMarker => {
            let word = one()?;
            let marker = word.value();
            if marker.trim().is_empty() {
                return Err(bad(&word, "expected a marker name".into()));
            }
            Ok(DirectiveKind::Marker(marker))
        }
        D::SecRuleRemoveById => {
            let mut ids = Vec::new();
            for word in args {
                let value = word.value();
                ids.extend(IdRange::parse_list(&value).ok_or_else(|| {
                    bad(
                        word,
                        format!("expected rule ids or ranges, found `{value}`"),
                    )
                })?);
            }
            if ids.is_empty() {
                return Err(arity("one or more rule ids or ranges"));
            }
            Ok(DirectiveKind::RemoveById(ids))
        }
        D::SecRuleRemoveByTag => Ok(DirectiveKind::RemoveByTag(string()?)),
        D::SecRuleRemoveByMsg => Ok(DirectiveKind::RemoveByMsg(string()?)),
        D::SecRuleUpdateTargetById | D::SecRuleUpdateTargetByTag | D::SecRuleUpdateTargetByMsg => {
            let (subject, targets, replacing) = match args {
                [s, t] => (s, t, None),
                [s, t, r] => (s, t, Some(r)),
                _ => {
                    return Err(arity(
                        "a rule selector, VARIABLES and optionally replaced VARIABLES",
                    ))
                }
            };
            let parse = |word: &Word<'_>| {
                parse_targets(&word.value()).map_err(|(o, kind)| (word.start + o, kind))
            };
            let update = TargetUpdate {
                targets: parse(targets)?,
                replacing: replacing.map(parse).transpose()?,
            };
            let value = subject.value();
            Ok(match name {
                D::SecRuleUpdateTargetById => DirectiveKind::UpdateTargetById(
                    IdRange::parse_list(&value).ok_or_else(|| {
                        bad(
                            subject,
                            format!("expected rule ids or ranges, found `{value}`"),
                        )
                    })?,
                    update,
                ),
                D::SecRuleUpdateTargetByTag => DirectiveKind::UpdateTargetByTag(value, update),
                _ => DirectiveKind::UpdateTargetByMsg(value, update),
            })
        }
        D::SecRuleUpdateActionById => {
            let [id_word, actions] = args else {
                return Err(arity("a rule id and an action list"));
            };
            let id_text = id_word.value();
            let id = id_text
                .trim()
                .parse()
                .map_err(|_| bad(id_word, format!("expected a rule id, found `{id_text}`")))?;
            Ok(DirectiveKind::UpdateActionById(
                id,
                parse_action_list(actions, cx)?,
            ))
        }
        D::SecArgumentSeparator => setting(Setting::ArgumentSeparator(string()?)),
        D::SecArgumentsLimit => setting(Setting::ArgumentsLimit(number()?)),
        D::SecAuditEngine => setting(Setting::AuditEngine(choice!(
            AuditEngine,
            "On, Off or RelevantOnly"
        ))),
        D::SecAuditLog => setting(Setting::AuditLog(string()?)),
        D::SecAuditLog2 => setting(Setting::AuditLog2(string()?)),
        D::SecAuditLogDirMode => setting(Setting::AuditLogDirMode(mode(one()?)?)),
        D::SecAuditLogFileMode => setting(Setting::AuditLogFileMode(mode(one()?)?)),
        D::SecAuditLogFormat => setting(Setting::AuditLogFormat(choice!(
            AuditLogFormat,
            "JSON or Native"
        ))),
        D::SecAuditLogParts => {
            let word = one()?;
            let parts = word.value();
            if parts.is_empty() || !parts.chars().all(|c| "ABCDEFGHIJKZ".contains(c)) {
                return Err(bad(
                    &word,
                    format!("expected audit log parts (A-K, Z), found `{parts}`"),
                ));
            }
            setting(Setting::AuditLogParts(parts))
        }
        D::SecAuditLogRelevantStatus => setting(Setting::AuditLogRelevantStatus(string()?)),
        D::SecAuditLogStorageDir => setting(Setting::AuditLogStorageDir(string()?)),
        D::SecAuditLogType => setting(Setting::AuditLogType(choice!(
            AuditLogType,
            "Serial, Concurrent or HTTPS"
        ))),
        D::SecCollectionTimeout => setting(Setting::CollectionTimeout(number()?)),
        D::SecComponentSignature => setting(Setting::ComponentSignature(string()?)),
        D::SecCookieFormat => {
            let word = one()?;
            match word.value().trim() {
                "0" => setting(Setting::CookieFormat(0)),
                "1" => setting(Setting::CookieFormat(1)),
                other => Err(bad(&word, format!("expected 0 or 1, found `{other}`"))),
            }
        }
        D::SecCookieV0Separator => setting(Setting::CookieV0Separator(string()?)),
        D::SecDataDir => setting(Setting::DataDir(string()?)),
        D::SecDebugLog => setting(Setting::DebugLog(string()?)),
        D::SecDebugLogLevel => {
            let level = number()?;
            let level = u8::try_from(level)
                .ok()
                .filter(|l| *l <= 9)
                .ok_or_else(|| bad(&args[0], format!("expected 0-9, found {level}")))?;
            setting(Setting::DebugLogLevel(level))
        }
        D::SecPcreMatchLimit => setting(Setting::PcreMatchLimit(number()?)),
        D::SecPcreMatchLimitRecursion => setting(Setting::PcreMatchLimitRecursion(number()?)),
        D::SecRemoteRules => match args {
            [key, url] => setting(Setting::RemoteRules {
                key: key.value(),
                url: url.value(),
            }),
            _ => Err(arity("a key and a URL")),
        },
        D::SecRequestBodyAccess => setting(Setting::RequestBodyAccess(on_off()?)),
        D::SecRequestBodyInMemoryLimit => setting(Setting::RequestBodyInMemoryLimit(number()?)),
        D::SecRequestBodyJsonDepthLimit => setting(Setting::RequestBodyJsonDepthLimit(number()?)),
        D::SecRequestBodyLimit => setting(Setting::RequestBodyLimit(number()?)),
        D::SecRequestBodyLimitAction => setting(Setting::RequestBodyLimitAction(choice!(
            LimitAction,
            "Reject or ProcessPartial"
        ))),
        D::SecRequestBodyNoFilesLimit => setting(Setting::RequestBodyNoFilesLimit(number()?)),
        D::SecResponseBodyAccess => setting(Setting::ResponseBodyAccess(on_off()?)),
        D::SecResponseBodyLimit => setting(Setting::ResponseBodyLimit(number()?)),
        D::SecResponseBodyLimitAction => setting(Setting::ResponseBodyLimitAction(choice!(
            LimitAction,
            "Reject or ProcessPartial"
        ))),
        D::SecResponseBodyMimeType => {
            let types: Vec<String> = args
                .iter()
                .flat_map(|w| {
                    w.value()
                        .split_ascii_whitespace()
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
                .collect();
            if types.is_empty() {
                return Err(arity("one or more MIME types"));
            }
            setting(Setting::ResponseBodyMimeType(types))
        }
        D::SecResponseBodyMimeTypesClear => match args {
            [] => setting(Setting::ResponseBodyMimeTypesClear),
            _ => Err(arity("no argument")),
        },
        D::SecRuleEngine => setting(Setting::RuleEngine(choice!(
            EngineMode,
            "On, Off or DetectionOnly"
        ))),
        D::SecStatusEngine => setting(Setting::StatusEngine(on_off()?)),
        D::SecTmpDir => setting(Setting::TmpDir(string()?)),
        D::SecTmpSaveUploadedFiles => setting(Setting::TmpSaveUploadedFiles(on_off()?)),
        D::SecUnicodeMapFile => {
            let (file, code_page) = match args {
                [file] => (file, None),
                [file, page] => (file, Some(page)),
                _ => return Err(arity("a map file and optionally a code page")),
            };
            let code_page = code_page
                .map(|word| {
                    word.value().trim().parse::<u32>().map_err(|_| {
                        bad(
                            word,
                            format!("expected a code page number, found `{}`", word.value()),
                        )
                    })
                })
                .transpose()?;
            let written = file.value();
            let path = cx.base_dir.join(&written);
            if !path.is_file() {
                return Err((
                    file.outer_start(),
                    ErrorKind::MissingFile {
                        what: "unicode map file",
                        tried: path,
                    },
                ));
            }
            setting(Setting::UnicodeMapFile {
                written,
                path,
                code_page,
            })
        }
        D::SecUploadDir => setting(Setting::UploadDir(string()?)),
        D::SecUploadFileLimit => setting(Setting::UploadFileLimit(number()?)),
        D::SecUploadFileMode => setting(Setting::UploadFileMode(mode(one()?)?)),
        D::SecUploadKeepFiles => setting(Setting::UploadKeepFiles(choice!(
            KeepFiles,
            "On, Off or RelevantOnly"
        ))),
        D::SecWebAppId => setting(Setting::WebAppId(string()?)),
        D::SecXmlExternalEntity => setting(Setting::XmlExternalEntity(on_off()?)),
        D::SecCacheTransformations
        | D::SecChrootDir
        | D::SecConnEngine
        | D::SecConnReadStateLimit
        | D::SecConnWriteStateLimit
        | D::SecContentInjection
        | D::SecDisableBackendCompression
        | D::SecGeoLookupDb
        | D::SecGsbLookupDb
        | D::SecGuardianLog
        | D::SecHashEngine
        | D::SecHashKey
        | D::SecHashMethodPm
        | D::SecHashMethodRx
        | D::SecHashParam
        | D::SecHttpBlKey
        | D::SecInterceptOnError
        | D::SecReadStateLimit
        | D::SecRemoteRulesFailAction
        | D::SecRuleInheritance
        | D::SecRulePerfTime
        | D::SecRuleScript
        | D::SecSensorId
        | D::SecServerSignature
        | D::SecStreamInBodyInspection
        | D::SecStreamOutBodyInspection
        | D::SecWriteStateLimit => setting(Setting::Inert {
            directive: name,
            arguments: args.iter().map(Word::value).collect(),
        }),
    }
}

fn parse_action_list(
    word: &Word<'_>,
    cx: &mut Context<'_>,
) -> Result<Vec<Spanned<Action>>, LineError> {
    let raw = scan_actions(word.raw).map_err(|(o, kind)| (word.start + o, kind))?;
    raw.iter()
        .map(|action| {
            let node = build_action(action).map_err(|(o, kind)| (word.start + o, kind))?;
            Ok(Spanned {
                node,
                span: (cx.span_at)(word.start + action.name_offset),
            })
        })
        .collect()
}

impl Setting {
    pub fn directive(&self) -> DirectiveName {
        use DirectiveName as D;
        match self {
            Setting::ArgumentSeparator(_) => D::SecArgumentSeparator,
            Setting::ArgumentsLimit(_) => D::SecArgumentsLimit,
            Setting::AuditEngine(_) => D::SecAuditEngine,
            Setting::AuditLog(_) => D::SecAuditLog,
            Setting::AuditLog2(_) => D::SecAuditLog2,
            Setting::AuditLogDirMode(_) => D::SecAuditLogDirMode,
            Setting::AuditLogFileMode(_) => D::SecAuditLogFileMode,
            Setting::AuditLogFormat(_) => D::SecAuditLogFormat,
            Setting::AuditLogParts(_) => D::SecAuditLogParts,
            Setting::AuditLogRelevantStatus(_) => D::SecAuditLogRelevantStatus,
            Setting::AuditLogStorageDir(_) => D::SecAuditLogStorageDir,
            Setting::AuditLogType(_) => D::SecAuditLogType,
            Setting::CollectionTimeout(_) => D::SecCollectionTimeout,
            Setting::ComponentSignature(_) => D::SecComponentSignature,
            Setting::CookieFormat(_) => D::SecCookieFormat,
            Setting::CookieV0Separator(_) => D::SecCookieV0Separator,
            Setting::DataDir(_) => D::SecDataDir,
            Setting::DebugLog(_) => D::SecDebugLog,
            Setting::DebugLogLevel(_) => D::SecDebugLogLevel,
            Setting::PcreMatchLimit(_) => D::SecPcreMatchLimit,
            Setting::PcreMatchLimitRecursion(_) => D::SecPcreMatchLimitRecursion,
            Setting::RemoteRules { .. } => D::SecRemoteRules,
            Setting::RequestBodyAccess(_) => D::SecRequestBodyAccess,
            Setting::RequestBodyInMemoryLimit(_) => D::SecRequestBodyInMemoryLimit,
            Setting::RequestBodyJsonDepthLimit(_) => D::SecRequestBodyJsonDepthLimit,
            Setting::RequestBodyLimit(_) => D::SecRequestBodyLimit,
            Setting::RequestBodyLimitAction(_) => D::SecRequestBodyLimitAction,
            Setting::RequestBodyNoFilesLimit(_) => D::SecRequestBodyNoFilesLimit,
            Setting::ResponseBodyAccess(_) => D::SecResponseBodyAccess,
            Setting::ResponseBodyLimit(_) => D::SecResponseBodyLimit,
            Setting::ResponseBodyLimitAction(_) => D::SecResponseBodyLimitAction,
            Setting::ResponseBodyMimeType(_) => D::SecResponseBodyMimeType,
            Setting::ResponseBodyMimeTypesClear => D::SecResponseBodyMimeTypesClear,
            Setting::RuleEngine(_) => D::SecRuleEngine,
            Setting::StatusEngine(_) => D::SecStatusEngine,
            Setting::TmpDir(_) => D::SecTmpDir,
            Setting::TmpSaveUploadedFiles(_) => D::SecTmpSaveUploadedFiles,
            Setting::UnicodeMapFile { .. } => D::SecUnicodeMapFile,
            Setting::UploadDir(_) => D::SecUploadDir,
            Setting::UploadFileLimit(_) => D::SecUploadFileLimit,
            Setting::UploadFileMode(_) => D::SecUploadFileMode,
            Setting::UploadKeepFiles(_) => D::SecUploadKeepFiles,
            Setting::WebAppId(_) => D::SecWebAppId,
            Setting::XmlExternalEntity(_) => D::SecXmlExternalEntity,
            Setting::Inert { directive, .. } => *directive,
        }
    }

    fn arguments(&self) -> Vec<String> {
        let mode =
            |m: &Option<u32>| m.map_or_else(|| "default".to_string(), |m| format!("{m:04o}"));
        match self {
            Setting::ArgumentsLimit(n)
            | Setting::CollectionTimeout(n)
            | Setting::PcreMatchLimit(n)
            | Setting::PcreMatchLimitRecursion(n)
            | Setting::RequestBodyInMemoryLimit(n)
            | Setting::RequestBodyJsonDepthLimit(n)
            | Setting::RequestBodyLimit(n)
            | Setting::RequestBodyNoFilesLimit(n)
            | Setting::ResponseBodyLimit(n)
            | Setting::UploadFileLimit(n) => vec![n.to_string()],
            Setting::ArgumentSeparator(s)
            | Setting::AuditLog(s)
            | Setting::AuditLog2(s)
            | Setting::AuditLogParts(s)
            | Setting::AuditLogRelevantStatus(s)
            | Setting::AuditLogStorageDir(s)
            | Setting::ComponentSignature(s)
            | Setting::CookieV0Separator(s)
            | Setting::DataDir(s)
            | Setting::DebugLog(s)
            | Setting::TmpDir(s)
            | Setting::UploadDir(s)
            | Setting::WebAppId(s) => vec![s.clone()],
            Setting::AuditEngine(v) => vec![v.to_string()],
            Setting::AuditLogDirMode(m)
            | Setting::AuditLogFileMode(m)
            | Setting::UploadFileMode(m) => {
                vec![mode(m)]
            }
            Setting::AuditLogFormat(v) => vec![v.to_string()],
            Setting::AuditLogType(v) => vec![v.to_string()],
            Setting::CookieFormat(n) => vec![n.to_string()],
            Setting::DebugLogLevel(n) => vec![n.to_string()],
            Setting::RemoteRules { key, url } => vec![key.clone(), url.clone()],
            Setting::RequestBodyAccess(b)
            | Setting::ResponseBodyAccess(b)
            | Setting::StatusEngine(b)
            | Setting::TmpSaveUploadedFiles(b)
            | Setting::XmlExternalEntity(b) => vec![on_off(*b).to_string()],
            Setting::RequestBodyLimitAction(v) | Setting::ResponseBodyLimitAction(v) => {
                vec![v.to_string()]
            }
            Setting::ResponseBodyMimeType(types) => types.clone(),
            Setting::ResponseBodyMimeTypesClear => Vec::new(),
            Setting::RuleEngine(v) => vec![v.to_string()],
            Setting::UnicodeMapFile {
                written, code_page, ..
            } => std::iter::once(written.clone())
                .chain(code_page.map(|p| p.to_string()))
                .collect(),
            Setting::UploadKeepFiles(v) => vec![v.to_string()],
            Setting::Inert { arguments, .. } => arguments.clone(),
        }
    }
}

/// Writes `value` as a double-quoted directive argument.
struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", escape(self.0, crate::error::Quote::Double))
    }
}

impl fmt::Display for TargetUpdate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", Quoted(&TargetList(&self.targets).to_string()))?;
        if let Some(replacing) = &self.replacing {
            write!(f, " {}", Quoted(&TargetList(replacing).to_string()))?;
        }
        Ok(())
    }
}

impl fmt::Display for Directive {
    /// Prints the directive as one line of SecLang that parses back to an equal directive.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids = |ids: &[IdRange]| {
            ids.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        };
        match &self.kind {
            DirectiveKind::Rule(rule) => {
                write!(
                    f,
                    "SecRule {} {}",
                    Quoted(&TargetList(&rule.targets).to_string()),
                    Quoted(&rule.operator.to_string())
                )?;
                if !rule.actions.is_empty() {
                    write!(f, " \"{}\"", ActionList(&rule.actions))?;
                }
                Ok(())
            }
            DirectiveKind::Action(actions) => write!(f, "SecAction \"{}\"", ActionList(actions)),
            DirectiveKind::DefaultAction(actions) => {
                write!(f, "SecDefaultAction \"{}\"", ActionList(actions))
            }
            DirectiveKind::Marker(name) => write!(f, "SecMarker {}", Quoted(name)),
            DirectiveKind::RemoveById(list) => write!(f, "SecRuleRemoveById {}", ids(list)),
            DirectiveKind::RemoveByTag(tag) => write!(f, "SecRuleRemoveByTag {}", Quoted(tag)),
            DirectiveKind::RemoveByMsg(msg) => write!(f, "SecRuleRemoveByMsg {}", Quoted(msg)),
            DirectiveKind::UpdateTargetById(list, update) => {
                write!(f, "SecRuleUpdateTargetById {} {update}", Quoted(&ids(list)))
            }
            DirectiveKind::UpdateTargetByTag(tag, update) => {
                write!(f, "SecRuleUpdateTargetByTag {} {update}", Quoted(tag))
            }
            DirectiveKind::UpdateTargetByMsg(msg, update) => {
                write!(f, "SecRuleUpdateTargetByMsg {} {update}", Quoted(msg))
            }
            DirectiveKind::UpdateActionById(id, actions) => {
                write!(
                    f,
                    "SecRuleUpdateActionById {id} \"{}\"",
                    ActionList(actions)
                )
            }
            DirectiveKind::Setting(setting) => {
                write!(f, "{}", setting.directive())?;
                for argument in setting.arguments() {
                    write!(f, " {}", Quoted(&argument))?;
                }
                Ok(())
            }
        }
    }
}
