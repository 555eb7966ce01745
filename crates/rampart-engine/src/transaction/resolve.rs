//! Resolving a rule's targets to values, and macros to text.

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use rampart_seclang::{MacroPart, MacroString, Variable};

use super::state::State;
use super::Transaction;
use crate::collection::{bytes, Bytes, Collection};
use crate::operator::{Expand, Expanded};
use crate::rule::{CompiledTarget, Selection};

/// One value a target resolved to.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub variable: Variable,
    pub key: Option<Bytes>,
    pub value: Bytes,
}

impl Resolved {
    /// `ARGS:id`, `REQUEST_URI`: what MATCHED_VAR_NAME holds, spelled out when it is read.
    pub fn name(&self) -> Bytes {
        let variable = self.variable.name().as_bytes();
        let Some(key) = &self.key else {
            return bytes(variable);
        };
        // The name is text: a key that is not UTF-8 shows U+FFFD where its bytes fail.
        let key = String::from_utf8_lossy(key);
        [variable, b":", key.as_bytes()].concat().into()
    }
}

/// Variables ModSecurity v3 keeps as "anchored" single values: a rule that reads one always
/// gets exactly one value, the empty string when nothing set it (so `REQUEST_BASENAME
/// "!@endsWith .pdf"` matches a request for `/`).
fn is_anchored(variable: Variable) -> bool {
    use Variable as V;
    matches!(
        variable,
        V::AuthType
            | V::FilesCombinedSize
            | V::FullRequest
            | V::FullRequestLength
            | V::InboundDataError
            | V::MultipartBoundaryQuoted
            | V::MultipartBoundaryWhitespace
            | V::MultipartCrlfLfLines
            | V::MultipartDataAfter
            | V::MultipartDataBefore
            | V::MultipartFileLimitExceeded
            | V::MultipartHeaderFolding
            | V::MultipartInvalidHeaderFolding
            | V::MultipartInvalidPart
            | V::MultipartInvalidQuoting
            | V::MultipartLfLine
            | V::MultipartMissingSemicolon
            | V::MultipartStrictError
            | V::MultipartUnmatchedBoundary
            | V::OutboundDataError
            | V::PathInfo
            | V::QueryString
            | V::RemoteAddr
            | V::RemoteHost
            | V::RemotePort
            | V::ReqbodyError
            | V::ReqbodyErrorMsg
            | V::ReqbodyProcessorError
            | V::ReqbodyProcessorErrorMsg
            | V::ReqbodyProcessor
            | V::RequestBasename
            | V::RequestBody
            | V::RequestBodyLength
            | V::RequestFilename
            | V::RequestLine
            | V::RequestMethod
            | V::RequestProtocol
            | V::RequestUri
            | V::RequestUriRaw
            | V::ResponseBody
            | V::ResponseContentLength
            | V::ResponseContentType
            | V::ResponseProtocol
            | V::ResponseStatus
            | V::ServerAddr
            | V::ServerName
            | V::ServerPort
            | V::SessionId
            | V::UniqueId
            | V::UrlencodedError
            | V::UserId
    )
}

/// The collection whose member names a `*_NAMES` variable lists.
fn names_of(variable: Variable) -> Option<&'static [Variable]> {
    use Variable as V;
    Some(match variable {
        V::ArgsNames => &[V::ArgsGet, V::ArgsPost],
        V::ArgsGetNames => &[V::ArgsGet],
        V::ArgsPostNames => &[V::ArgsPost],
        V::RequestHeadersNames => &[V::RequestHeaders],
        V::RequestCookiesNames => &[V::RequestCookies],
        V::ResponseHeadersNames => &[V::ResponseHeaders],
        _ => return None,
    })
}

/// The empty value an anchored variable reads as when nothing set it.
pub(crate) fn empty() -> &'static Bytes {
    static EMPTY: std::sync::OnceLock<Bytes> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| bytes(""))
}

/// `n` in decimal. Counts (`&ARGS`) and CRS's scores are small numbers read many times per
/// transaction, so those share one copy each.
pub(crate) fn decimal(n: i64) -> Bytes {
    const SHARED: usize = 256;
    static SMALL: std::sync::OnceLock<Vec<Bytes>> = std::sync::OnceLock::new();
    if let Some(shared) = usize::try_from(n).ok().filter(|&n| n < SHARED) {
        let small = SMALL.get_or_init(|| (0..SHARED).map(|i| bytes(i.to_string())).collect());
        if let Some(value) = small.get(shared) {
            return value.clone();
        }
    }
    // i64::MIN has 19 digits and a sign.
    let mut buffer = [0u8; 20];
    let mut at = buffer.len();
    let mut rest = n.unsigned_abs();
    loop {
        at -= 1;
        buffer[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        at -= 1;
        buffer[at] = b'-';
    }
    bytes(&buffer[at..])
}

/// What a target that names one value holds, read where it is stored.
pub(crate) enum Single<'a> {
    /// Nothing: the member or scalar is not set.
    Absent,
    One(Variable, Option<&'a Bytes>, &'a Bytes),
    /// The name is repeated (two arguments `a`): the rule takes the general path.
    Several,
    /// A target this shortcut does not read (a collection of names, `ARGS`, a selection
    /// other than one name): use [`State::visit_stored`].
    Unknown,
}

impl State {
    /// The value of a target that names one member of a collection (`TX:score`) or a
    /// scalar, without the visitor's indirection: CRS's paranoia-level gates read one on
    /// every other rule.
    pub(crate) fn single_stored(&self, target: &CompiledTarget) -> Single<'_> {
        let variable = target.variable;
        if names_of(variable).is_some() || matches!(variable, Variable::Xml | Variable::Args) {
            return Single::Unknown;
        }
        if variable.is_collection() {
            let Selection::Key(name) = &target.selection else {
                return Single::Unknown;
            };
            let mut members = self.collection(variable).get_name(name);
            return match (members.next(), members.next()) {
                (None, _) => Single::Absent,
                (Some((key, value)), None) => Single::One(variable, Some(key), value),
                (Some(_), Some(_)) => Single::Several,
            };
        }
        match self.scalar(variable) {
            Some(value) => Single::One(variable, None, value),
            None if is_anchored(variable) => Single::One(variable, None, empty()),
            None => Single::Absent,
        }
    }

    /// Visits, borrowed and in [`Transaction::resolve`]'s order, the values of a target whose
    /// values are [stored](CompiledTarget::is_stored); stops and returns `true` as soon as `visit` does.
    pub(crate) fn visit_stored(
        &self,
        target: &CompiledTarget,
        visit: &mut dyn FnMut(Variable, Option<&Bytes>, &Bytes) -> bool,
    ) -> bool {
        use Variable as V;
        let variable = target.variable;
        type Visit<'v> = dyn FnMut(Variable, Option<&Bytes>, &Bytes) -> bool + 'v;
        let members = |collection: &Collection, names: bool, visit: &mut Visit<'_>| {
            let mut each = |(key, value): &(Bytes, Bytes)| {
                visit(variable, Some(key), if names { key } else { value })
            };
            match &target.selection {
                Selection::Key(name) => collection.get_name(name).any(each),
                Selection::All => collection.iter().any(each),
                selection => collection
                    .iter()
                    .any(|member| selection.admits(&member.0) && each(member)),
            }
        };
        if let Some(sources) = names_of(variable) {
            return sources
                .iter()
                .any(|source| members(self.collection(*source), true, visit));
        }
        match variable {
            V::Xml => false,
            V::Args => {
                members(self.collection(V::ArgsGet), false, visit)
                    || members(self.collection(V::ArgsPost), false, visit)
            }
            v if v.is_collection() => members(self.collection(v), false, visit),
            v => match self.scalar(v) {
                Some(value) => visit(variable, None, value),
                None if is_anchored(v) => visit(variable, None, empty()),
                None => false,
            },
        }
    }
}

impl Transaction {
    /// Appends the values `target` selects to `out`.
    pub(crate) fn resolve(&self, target: &CompiledTarget, out: &mut Vec<Resolved>) {
        let start = out.len();
        self.resolve_values(target.variable, &target.selection, out);
        if target.count {
            let count = out.len() - start;
            out.truncate(start);
            out.push(Resolved {
                variable: target.variable,
                key: None,
                value: decimal(i64::try_from(count).unwrap_or(i64::MAX)),
            });
        }
    }

    fn push_members(
        variable: Variable,
        collection: &Collection,
        selection: &Selection,
        names: bool,
        out: &mut Vec<Resolved>,
    ) {
        let push = |(key, value): &(Bytes, Bytes)| {
            out.push(Resolved {
                variable,
                key: Some(key.clone()),
                value: if names { key.clone() } else { value.clone() },
            });
        };
        match selection {
            Selection::Key(name) => collection.get_name(name).for_each(push),
            Selection::All => collection.iter().for_each(push),
            selection => collection
                .iter()
                .filter(|(key, _)| selection.admits(key))
                .for_each(push),
        }
    }

    fn resolve_values(&self, variable: Variable, selection: &Selection, out: &mut Vec<Resolved>) {
        use Variable as V;
        let state = &self.state;
        let scalar = |out: &mut Vec<Resolved>, value: Option<Bytes>| {
            if let Some(value) = value {
                out.push(Resolved {
                    variable,
                    key: None,
                    value,
                });
            }
        };
        if let Some(sources) = names_of(variable) {
            for source in sources {
                Self::push_members(variable, state.collection(*source), selection, true, out);
            }
            return;
        }
        match variable {
            V::Xml => {
                let (Some(document), Selection::Key(xpath)) = (&state.xml, selection) else {
                    return;
                };
                let xpath = String::from_utf8_lossy(xpath);
                let key = bytes(xpath.as_bytes());
                for value in document.select(&xpath) {
                    out.push(Resolved {
                        variable,
                        key: Some(key.clone()),
                        value: bytes(value),
                    });
                }
            }
            V::Args => {
                Self::push_members(
                    variable,
                    state.collection(V::ArgsGet),
                    selection,
                    false,
                    out,
                );
                Self::push_members(
                    variable,
                    state.collection(V::ArgsPost),
                    selection,
                    false,
                    out,
                );
            }
            V::ArgsCombinedSize => scalar(
                out,
                Some(decimal(
                    i64::try_from(state.args_combined_size).unwrap_or(i64::MAX),
                )),
            ),
            V::MatchedVar => scalar(out, state.matched_var().map(|m| m.value.clone())),
            V::MatchedVarName => scalar(out, state.matched_var().map(Resolved::name)),
            V::MatchedVars | V::MatchedVarsNames => {
                let names = variable == V::MatchedVarsNames;
                for matched in &state.matched_vars {
                    let name = matched.name();
                    if selection.admits(&name) {
                        out.push(Resolved {
                            variable,
                            value: if names {
                                name.clone()
                            } else {
                                matched.value.clone()
                            },
                            key: Some(name),
                        });
                    }
                }
            }
            V::Env => {
                let mut env = Collection::new();
                for (key, value) in std::env::vars_os() {
                    env.push(key.as_encoded_bytes(), value.as_encoded_bytes());
                }
                for (key, value) in state.collection(V::Env).iter() {
                    env.set(key, value.clone());
                }
                Self::push_members(variable, &env, selection, false, out);
            }
            V::Rule => {
                let mut rule = Collection::new();
                if let Some(chain) = self
                    .current_chain
                    .and_then(|i| self.rules().chains.get(i as usize))
                {
                    let meta = &chain.meta;
                    rule.push("id", meta.id.to_string());
                    if let Some(rev) = &meta.rev {
                        rule.push("rev", rev.as_bytes());
                    }
                    if let Some(severity) = meta.severity {
                        rule.push("severity", severity.number().to_string());
                    }
                    if let Some(msg) = &meta.msg {
                        rule.push("msg", msg.to_string());
                    }
                    if let Some(logdata) = &meta.logdata {
                        rule.push("logdata", logdata.to_string());
                    }
                    if let Some(ver) = &meta.ver {
                        rule.push("ver", ver.as_bytes());
                    }
                }
                Self::push_members(variable, &rule, selection, false, out);
            }
            V::HighestSeverity => scalar(
                out,
                Some(decimal(state.highest_severity.map_or(255, i64::from))),
            ),
            V::Duration => {
                let elapsed = state.started.elapsed().map_or(0, |d| d.as_millis());
                scalar(out, Some(bytes(elapsed.to_string())));
            }
            V::Time
            | V::TimeDay
            | V::TimeEpoch
            | V::TimeHour
            | V::TimeMin
            | V::TimeMon
            | V::TimeSec
            | V::TimeWday
            | V::TimeYear => scalar(out, Some(bytes(time_variable(variable)))),
            V::ModsecBuild => scalar(out, Some(bytes("030009"))),
            V::FullRequest => scalar(out, Some(bytes(state.full_request()))),
            // Like the stored anchored scalars, empty until it has a value.
            V::FullRequestLength => scalar(
                out,
                Some(bytes(
                    state
                        .full_request_length()
                        .map(|n| n.to_string())
                        .unwrap_or_default(),
                )),
            ),
            v if v.is_collection() => {
                Self::push_members(variable, state.collection(v), selection, false, out)
            }
            v if is_anchored(v) => scalar(
                out,
                Some(state.scalar(v).cloned().unwrap_or_else(|| empty().clone())),
            ),
            v => scalar(out, state.scalar(v).cloned()),
        }
    }

    /// The first value of a variable, for macros.
    fn macro_value(&self, variable: Variable, key: Option<&str>) -> Option<Bytes> {
        // Most macros name a TX variable or a request scalar: read those directly.
        if crate::rule::is_stored(variable)
            && names_of(variable).is_none()
            && !matches!(variable, Variable::Args | Variable::Xml)
        {
            let state = &self.state;
            return if variable.is_collection() {
                let collection = state.collection(variable);
                match key {
                    Some(key) => collection.first(key.as_bytes()).cloned(),
                    None => collection.iter().next().map(|(_, value)| value.clone()),
                }
            } else {
                match state.scalar(variable) {
                    Some(value) => Some(value.clone()),
                    None if is_anchored(variable) => Some(empty().clone()),
                    None => None,
                }
            };
        }
        let selection = match key {
            Some(key) if variable.is_collection() || variable == Variable::Rule => {
                Selection::Key(crate::collection::Name::new(key.as_bytes().to_vec()))
            }
            _ => Selection::All,
        };
        let mut out = Vec::new();
        self.resolve_values(variable, &selection, &mut out);
        out.into_iter().next().map(|r| r.value)
    }

    /// `text` expanded, as shared bytes: a text that is one macro alone (`%{tx.score}`,
    /// most `setvar` values in CRS) shares the variable's value rather than copying it.
    pub(crate) fn expand_shared(&self, text: &MacroString) -> Bytes {
        if let Some(value) = self.lone_macro(text) {
            return value;
        }
        match text.parts() {
            [] => empty().clone(),
            [MacroPart::Literal(literal)] => Bytes::from(std::sync::Arc::clone(literal)),
            _ => bytes(self.expand(text)),
        }
    }

    /// The value of a text that is one macro alone, shared; `None` for any other text.
    fn lone_macro(&self, text: &MacroString) -> Option<Bytes> {
        let [MacroPart::Variable { variable, key }] = text.parts() else {
            return None;
        };
        Some(
            self.macro_value(*variable, key.as_deref())
                .unwrap_or_else(|| empty().clone()),
        )
    }
}

impl Expand for Transaction {
    fn expand_argument<'a>(&self, text: &'a MacroString) -> Expanded<'a> {
        match self.lone_macro(text) {
            Some(value) => Expanded::Shared(value),
            None => Expanded::Text(self.expand(text)),
        }
    }

    fn expand<'a>(&self, text: &'a MacroString) -> Cow<'a, [u8]> {
        if let Some(literal) = text.as_literal() {
            return Cow::Borrowed(literal.as_bytes());
        }
        // Room for the literal text and a typical value, so that the common case grows once.
        let literal: usize = text
            .parts()
            .iter()
            .map(|part| match part {
                MacroPart::Literal(literal) => literal.len(),
                MacroPart::Variable { .. } => 0,
            })
            .sum();
        let mut out = Vec::with_capacity(literal + 64);
        for part in text.parts() {
            match part {
                MacroPart::Literal(literal) => out.extend_from_slice(literal.as_bytes()),
                MacroPart::Variable { variable, key } => {
                    if let Some(value) = self.macro_value(*variable, key.as_deref()) {
                        out.extend_from_slice(&value);
                    }
                }
            }
        }
        Cow::Owned(out)
    }
}

/// TIME* variables, in UTC.
fn time_variable(variable: Variable) -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let of_day = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    let (hour, min, sec) = (of_day / 3600, of_day % 3600 / 60, of_day % 60);
    match variable {
        Variable::TimeEpoch => secs.to_string(),
        Variable::TimeYear => year.to_string(),
        Variable::TimeMon => format!("{month:02}"),
        Variable::TimeDay => format!("{day:02}"),
        Variable::TimeHour => format!("{hour:02}"),
        Variable::TimeMin => format!("{min:02}"),
        Variable::TimeSec => format!("{sec:02}"),
        Variable::TimeWday => ((days + 4).rem_euclid(7)).to_string(),
        _ => format!("{hour:02}:{min:02}:{sec:02}"),
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::{civil_from_days, Resolved};
    use crate::collection::bytes;
    use rampart_seclang::Variable;

    #[test]
    fn matched_names_are_variable_colon_key_as_text() {
        let name = |variable, key: Option<&[u8]>| {
            let resolved = Resolved {
                variable,
                key: key.map(bytes),
                value: bytes(""),
            };
            String::from_utf8(resolved.name().to_vec()).expect("names are UTF-8")
        };
        assert_eq!(name(Variable::RequestUri, None), "REQUEST_URI");
        assert_eq!(name(Variable::Args, Some(b"q")), "ARGS:q");
        assert_eq!(name(Variable::Args, Some(b"")), "ARGS:");
        assert_eq!(name(Variable::Tx, Some(b"a\xffb")), "TX:a\u{fffd}b");
        let long = "k".repeat(300);
        assert_eq!(
            name(Variable::RequestHeaders, Some(long.as_bytes())),
            format!("REQUEST_HEADERS:{long}")
        );
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_416), (2025, 11, 24));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
