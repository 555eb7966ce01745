//! Operators: the test a rule applies to each (transformed) value.
//!
//! Each operator is a small module; [`CompiledOperator::compile`] is the one table that turns
//! the parser's operator into code, once per rule-set load. Operators whose argument holds
//! macros (`%{tx.x}`) expand it per transaction through [`Expand`].

use std::borrow::Cow;

use rampart_seclang::{Argument, MacroString, Operator, OperatorName};

mod literal_dfa;
pub mod numeric;
pub mod pcre;
pub mod pm;
pub mod prefilter;
pub mod rx;
mod strings;
mod validate;

mod detect;
mod ip_match;

use ip_match::IpMatcher;
use pm::PhraseMatcher;
use rx::RxMatcher;

/// Expands macros against the current transaction.
pub trait Expand {
    fn expand<'a>(&self, text: &'a MacroString) -> Cow<'a, [u8]>;

    /// `text` expanded for an operator to read: where it is one macro alone
    /// (`@within %{tx.restricted_headers_basic}`), the variable's value itself, not a copy.
    fn expand_argument<'a>(&self, text: &'a MacroString) -> Expanded<'a> {
        Expanded::Text(self.expand(text))
    }
}

/// An operator's expanded argument.
pub enum Expanded<'a> {
    Text(Cow<'a, [u8]>),
    Shared(crate::collection::Bytes),
}

impl std::ops::Deref for Expanded<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Expanded::Text(text) => text,
            Expanded::Shared(value) => value,
        }
    }
}

/// For operators without macros: their literal arguments, as written.
pub struct NoMacros;

impl Expand for NoMacros {
    fn expand<'a>(&self, text: &'a MacroString) -> Cow<'a, [u8]> {
        Cow::Borrowed(text.as_literal().unwrap_or_default().as_bytes())
    }
}

/// What a match leaves behind for the `capture` action: TX:0, TX:1, ….
pub type Captures = Vec<Vec<u8>>;

/// Why a rule's operator cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OperatorError {
    #[error("@{name}: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("@{0} is not supported by rampart's native engine")]
    Unsupported(&'static str),
}

/// An operator ready to run.
#[derive(Debug, Clone)]
pub enum CompiledOperator {
    Rx(RxMatcher),
    /// `@rx` with macros: compiled per transaction.
    RxExpanded(MacroString),
    Phrases(PhraseMatcher),
    Numeric(numeric::Comparison, numeric::Limit),
    Strings(strings::StringOp, MacroString),
    IpMatch(IpMatcher),
    ValidateByteRange(Box<[bool; 256]>),
    ValidateUrlEncoding,
    ValidateUtf8Encoding,
    DetectSqli,
    DetectXss,
    Unconditional,
    NoMatch,
    /// An operator that needs an outside service rampart does not consult (`@geoLookup`
    /// without a database, `@rbl`, `@gsbLookup`): it never matches, and the load says so.
    Inert(&'static str),
}

impl CompiledOperator {
    /// A warning to show at load, for operators that cannot do their job here.
    pub fn warning(&self) -> Option<String> {
        match self {
            CompiledOperator::Inert(name) => Some(format!(
                "@{name} needs an outside service rampart does not consult; the rule never matches"
            )),
            CompiledOperator::Rx(rx) if rx.is_backtracking() => Some(
                "pattern uses lookaround or backreferences: evaluated by the bounded backtracking engine"
                    .to_string(),
            ),
            _ => None,
        }
    }

    pub fn compile(operator: &Operator) -> Result<Self, OperatorError> {
        use OperatorName as N;
        let name = operator.name.name();
        let invalid = |reason: String| OperatorError::Invalid { name, reason };
        let text = |argument: &Argument| match argument {
            Argument::Text(text) => text.clone(),
            _ => MacroString::default(),
        };
        let limit = |argument: &Argument| numeric::Limit::new(text(argument));
        Ok(match operator.name {
            N::Rx => {
                let pattern = text(&operator.argument);
                match pattern.as_literal() {
                    Some(literal) => CompiledOperator::Rx(
                        RxMatcher::new(literal).map_err(|e| invalid(e.to_string()))?,
                    ),
                    None => CompiledOperator::RxExpanded(pattern),
                }
            }
            N::Pm | N::PmFromFile => {
                let phrases: Vec<Vec<u8>> = match &operator.argument {
                    Argument::Phrases(phrases) => {
                        phrases.iter().map(|p| p.as_bytes().to_vec()).collect()
                    }
                    Argument::Files(files) => files
                        .iter()
                        .flat_map(|f| f.file.entries.iter())
                        .map(|p| p.as_bytes().to_vec())
                        .collect(),
                    _ => Vec::new(),
                };
                CompiledOperator::Phrases(
                    PhraseMatcher::new(&phrases).map_err(|e| invalid(e.to_string()))?,
                )
            }
            N::Eq => CompiledOperator::Numeric(numeric::Comparison::Eq, limit(&operator.argument)),
            N::Ge => CompiledOperator::Numeric(numeric::Comparison::Ge, limit(&operator.argument)),
            N::Gt => CompiledOperator::Numeric(numeric::Comparison::Gt, limit(&operator.argument)),
            N::Le => CompiledOperator::Numeric(numeric::Comparison::Le, limit(&operator.argument)),
            N::Lt => CompiledOperator::Numeric(numeric::Comparison::Lt, limit(&operator.argument)),
            N::Streq => {
                CompiledOperator::Strings(strings::StringOp::Streq, text(&operator.argument))
            }
            N::BeginsWith => {
                CompiledOperator::Strings(strings::StringOp::BeginsWith, text(&operator.argument))
            }
            N::EndsWith => {
                CompiledOperator::Strings(strings::StringOp::EndsWith, text(&operator.argument))
            }
            N::Contains => {
                CompiledOperator::Strings(strings::StringOp::Contains, text(&operator.argument))
            }
            N::ContainsWord => {
                CompiledOperator::Strings(strings::StringOp::ContainsWord, text(&operator.argument))
            }
            N::Within => {
                CompiledOperator::Strings(strings::StringOp::Within, text(&operator.argument))
            }
            N::StrMatch => {
                CompiledOperator::Strings(strings::StringOp::Contains, text(&operator.argument))
            }
            N::IpMatch | N::IpMatchFromFile => {
                let networks = match &operator.argument {
                    Argument::Networks(networks) => networks.clone(),
                    Argument::Files(files) => files
                        .iter()
                        .flat_map(|f| f.file.entries.iter())
                        .filter_map(|e| rampart_seclang::IpNetwork::parse(e.trim()))
                        .collect(),
                    _ => Vec::new(),
                };
                CompiledOperator::IpMatch(IpMatcher::new(networks))
            }
            N::ValidateByteRange => {
                let mut allowed = [false; 256];
                if let Argument::ByteRanges(ranges) = &operator.argument {
                    for range in ranges {
                        for byte in range.first..=range.last {
                            allowed[usize::from(byte)] = true;
                        }
                    }
                }
                CompiledOperator::ValidateByteRange(Box::new(allowed))
            }
            N::ValidateUrlEncoding => CompiledOperator::ValidateUrlEncoding,
            N::ValidateUtf8Encoding => CompiledOperator::ValidateUtf8Encoding,
            N::DetectSqli => {
                rampart_libinjection::prepare();
                CompiledOperator::DetectSqli
            }
            N::DetectXss => CompiledOperator::DetectXss,
            N::UnconditionalMatch => CompiledOperator::Unconditional,
            N::NoMatch => CompiledOperator::NoMatch,
            N::GeoLookup | N::Rbl | N::GsbLookup => CompiledOperator::Inert(name),
            other => return Err(OperatorError::Unsupported(other.name())),
        })
    }

    /// Whether the operator's argument holds macros, expanded per transaction.
    pub fn uses_macros(&self) -> bool {
        match self {
            CompiledOperator::RxExpanded(_) => true,
            CompiledOperator::Numeric(_, limit) => matches!(limit, numeric::Limit::Expanded(_)),
            CompiledOperator::Strings(_, argument) => argument.as_literal().is_none(),
            _ => false,
        }
    }

    /// The literals one of which every value this operator matches contains (see
    /// [`prefilter`]), for the operators that have such a set. For the validators these are
    /// the bytes they object to: a byte outside the range, a `%`, a byte above ASCII.
    pub fn required_literals(&self) -> Option<Vec<Vec<u8>>> {
        match self {
            CompiledOperator::Rx(rx) => rx.required_literals(),
            CompiledOperator::Phrases(pm) => pm.required_literals(),
            CompiledOperator::DetectSqli => Some(
                (0..=u8::MAX)
                    .filter(|&byte| !rampart_libinjection::is_sqli_inert(byte))
                    .map(|byte| vec![byte])
                    .collect(),
            ),
            CompiledOperator::ValidateByteRange(allowed) => {
                let outside: Vec<Vec<u8>> = (0..=u8::MAX)
                    .filter(|&byte| !allowed[usize::from(byte)])
                    .map(|byte| vec![byte])
                    .collect();
                // A range that leaves out letters or digits rules out almost nothing.
                let useful = !outside.is_empty()
                    && outside.iter().all(|byte| !byte[0].is_ascii_alphanumeric());
                useful.then_some(outside)
            }
            CompiledOperator::ValidateUrlEncoding => Some(vec![b"%".to_vec()]),
            CompiledOperator::ValidateUtf8Encoding => {
                Some((0x80..=u8::MAX).map(|byte| vec![byte]).collect())
            }
            CompiledOperator::DetectXss => Some(
                rampart_libinjection::xss::XSS_NEEDS_ONE_OF
                    .iter()
                    .map(|&byte| vec![byte])
                    .collect(),
            ),
            _ => None,
        }
    }

    /// Runs the operator on one value (the rule's negation is applied by the caller).
    /// `captures` is `Some` when the rule has `capture`: it then receives TX:0…TX:9.
    pub fn evaluate(
        &self,
        input: &[u8],
        expand: &dyn Expand,
        captures: Option<&mut Captures>,
    ) -> bool {
        match self {
            CompiledOperator::Rx(rx) => match captures {
                Some(out) => rx.captures(input, out),
                None => rx.is_match(input),
            },
            CompiledOperator::RxExpanded(pattern) => {
                let pattern = expand.expand(pattern);
                let Ok(rx) = RxMatcher::new(&String::from_utf8_lossy(&pattern)) else {
                    return false;
                };
                match captures {
                    Some(out) => rx.captures(input, out),
                    None => rx.is_match(input),
                }
            }
            CompiledOperator::Phrases(pm) => pm.evaluate(input, captures),
            CompiledOperator::Numeric(comparison, limit) => {
                let limit = match limit {
                    numeric::Limit::Fixed(limit) => *limit,
                    numeric::Limit::Expanded(argument) => {
                        numeric::parse_int(&expand.expand_argument(argument))
                    }
                };
                comparison.holds(numeric::parse_int(input), limit)
            }
            CompiledOperator::Strings(op, argument) => {
                let argument = expand.expand_argument(argument);
                let matched = op.evaluate(input, &argument);
                if matched {
                    if let Some(out) = captures {
                        *out = vec![argument.to_vec()];
                    }
                }
                matched
            }
            CompiledOperator::IpMatch(ip) => ip.evaluate(input),
            CompiledOperator::ValidateByteRange(allowed) => {
                input.iter().any(|&b| !allowed[usize::from(b)])
            }
            CompiledOperator::ValidateUrlEncoding => validate::url_encoding_is_invalid(input),
            CompiledOperator::ValidateUtf8Encoding => validate::utf8_is_invalid(input),
            CompiledOperator::DetectSqli => detect::sqli(input, captures),
            CompiledOperator::DetectXss => detect::xss(input),
            CompiledOperator::Unconditional => true,
            CompiledOperator::NoMatch | CompiledOperator::Inert(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A validator may be ruled out by its bytes only if it cannot object to a value that
    /// holds none of them: over many values, each objection comes with one of its bytes.
    #[test]
    fn validators_object_only_to_values_holding_their_bytes() {
        let mut printable = [false; 256];
        printable[32..127].iter_mut().for_each(|b| *b = true);
        let operators = [
            CompiledOperator::ValidateByteRange(Box::new(printable)),
            CompiledOperator::ValidateUrlEncoding,
            CompiledOperator::ValidateUtf8Encoding,
        ];
        let mut next = rampart_testkit::xorshift(0x9e37_79b9_7f4a_7c15);
        let alphabet: Vec<u8> = b"%aF0 \n\x00\x7f\xc3\xa9\xed\xa0\xff".to_vec();
        for operator in &operators {
            let required = operator.required_literals().expect("a byte set");
            assert!(required.iter().all(|literal| literal.len() == 1));
            let (mut objections, mut passed) = (0, 0);
            for _ in 0..20_000 {
                let value = rampart_testkit::random_text(&mut next, &alphabet, 8);
                let holds = value.iter().any(|b| required.iter().any(|r| r[0] == *b));
                if operator.evaluate(&value, &NoMacros, None) {
                    objections += 1;
                    assert!(
                        holds,
                        "{operator:?} objected to {value:?} without its bytes"
                    );
                } else {
                    passed += 1;
                }
            }
            assert!(
                objections > 0 && passed > 0,
                "{operator:?}: both outcomes seen"
            );
        }
        let mut letters_out = [true; 256];
        letters_out[usize::from(b'q')] = false;
        assert!(
            CompiledOperator::ValidateByteRange(Box::new(letters_out))
                .required_literals()
                .is_none(),
            "a range without a letter would admit nearly every value"
        );
    }
}
