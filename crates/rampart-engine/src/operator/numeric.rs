//! `@eq`, `@ge`, `@gt`, `@le`, `@lt`: integer comparisons.
//!
//! Both sides are read as ModSecurity reads them: an optional sign and leading digits, anything
//! that is not a number counting as 0.

use rampart_seclang::MacroString;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    Eq,
    Ge,
    Gt,
    Le,
    Lt,
}

/// The right-hand side: read once when the rule is compiled, unless it holds macros.
#[derive(Debug, Clone)]
pub enum Limit {
    Fixed(i64),
    Expanded(MacroString),
}

impl Limit {
    pub fn new(argument: MacroString) -> Self {
        match argument.as_literal() {
            Some(text) => Limit::Fixed(parse_int(text.as_bytes())),
            None => Limit::Expanded(argument),
        }
    }
}

impl Comparison {
    pub fn holds(self, value: i64, limit: i64) -> bool {
        match self {
            Comparison::Eq => value == limit,
            Comparison::Ge => value >= limit,
            Comparison::Gt => value > limit,
            Comparison::Le => value <= limit,
            Comparison::Lt => value < limit,
        }
    }
}

/// Leading integer of `text`, 0 when there is none; saturates instead of overflowing.
pub fn parse_int(text: &[u8]) -> i64 {
    let text = text.trim_ascii_start();
    let (negative, digits) = match text.first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let mut value: i64 = 0;
    for &b in digits.iter().take_while(|b| b.is_ascii_digit()) {
        value = value.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    if negative {
        -value
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_numbers_like_atoi() {
        assert_eq!(parse_int(b" 42abc"), 42);
        assert_eq!(parse_int(b"-7"), -7);
        assert_eq!(parse_int(b"abc"), 0);
        assert_eq!(parse_int(b""), 0);
        assert_eq!(parse_int(b"99999999999999999999999"), i64::MAX);
        let holds = |c: Comparison, input: &[u8], argument: &[u8]| {
            c.holds(parse_int(input), parse_int(argument))
        };
        assert!(holds(Comparison::Ge, b"5", b"5"));
        assert!(holds(Comparison::Lt, b"", b"1"));
        assert!(!holds(Comparison::Gt, b"x", b"0"));
        assert!(matches!(
            Limit::new(MacroString::literal(" 2x")),
            Limit::Fixed(2)
        ));
        let macro_limit = MacroString::parse("%{tx.limit}").unwrap();
        assert!(matches!(Limit::new(macro_limit), Limit::Expanded(_)));
    }
}
