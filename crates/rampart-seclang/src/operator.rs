//! Operators: `[!]@name argument`, with the argument parsed into the form the operator takes.

use std::fmt;
use std::net::IpAddr;
use std::path::Path;

use crate::data::{DataFileRef, DataFiles};
use crate::error::ErrorKind;
use crate::macros::MacroString;
use crate::names::named_enum;
use crate::suggest::closest;

named_enum! {
    /// Every operator ModSecurity v3 knows.
    pub enum OperatorName {
        BeginsWith = "beginsWith",
        Contains = "contains",
        ContainsWord = "containsWord",
        DetectSqli = "detectSQLi",
        DetectXss = "detectXSS",
        EndsWith = "endsWith",
        Eq = "eq",
        FuzzyHash = "fuzzyHash",
        Ge = "ge",
        GeoLookup = "geoLookup",
        GsbLookup = "gsbLookup",
        Gt = "gt",
        InspectFile = "inspectFile",
        IpMatch = "ipMatch",
        IpMatchFromFile = "ipMatchFromFile" | "ipMatchF",
        Le = "le",
        Lt = "lt",
        NoMatch = "noMatch",
        Pm = "pm",
        PmFromFile = "pmFromFile" | "pmf",
        Rbl = "rbl",
        Rsub = "rsub",
        Rx = "rx",
        RxGlobal = "rxGlobal",
        Streq = "streq",
        StrMatch = "strmatch",
        UnconditionalMatch = "unconditionalMatch",
        ValidateByteRange = "validateByteRange",
        ValidateDtd = "validateDTD",
        ValidateHash = "validateHash",
        ValidateSchema = "validateSchema",
        ValidateUrlEncoding = "validateUrlEncoding",
        ValidateUtf8Encoding = "validateUtf8Encoding",
        VerifyCc = "verifyCC",
        VerifyCpf = "verifyCPF",
        VerifySsn = "verifySSN",
        VerifySvnr = "verifySVNR",
        Within = "within",
    }
}

/// The shape of an operator's argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgumentForm {
    None,
    /// Text with `%{…}` macros, expanded per transaction.
    Text,
    /// White-space separated phrases.
    Phrases,
    /// White-space separated data-file names, read at load.
    Files,
    /// Comma-separated IP addresses and CIDR networks.
    Networks,
    /// Comma-separated bytes and byte ranges (`9,10,32-126`).
    ByteRanges,
    /// Text taken as written.
    Raw,
}

impl OperatorName {
    pub fn argument_form(self) -> ArgumentForm {
        use OperatorName::*;
        match self {
            DetectSqli | DetectXss | GeoLookup | NoMatch | UnconditionalMatch
            | ValidateUrlEncoding | ValidateUtf8Encoding => ArgumentForm::None,
            BeginsWith | Contains | ContainsWord | EndsWith | Eq | Ge | Gt | Le | Lt | Rx
            | RxGlobal | Streq | StrMatch | Within => ArgumentForm::Text,
            Pm => ArgumentForm::Phrases,
            PmFromFile | IpMatchFromFile => ArgumentForm::Files,
            IpMatch => ArgumentForm::Networks,
            ValidateByteRange => ArgumentForm::ByteRanges,
            FuzzyHash | GsbLookup | InspectFile | Rbl | Rsub | ValidateDtd | ValidateHash
            | ValidateSchema | VerifyCc | VerifyCpf | VerifySsn | VerifySvnr => ArgumentForm::Raw,
        }
    }
}

/// A rule's test: which operator, negated or not, with what argument.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Operator {
    pub negated: bool,
    pub name: OperatorName,
    pub argument: Argument,
}

/// An operator's argument, in the form [`OperatorName::argument_form`] says.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Argument {
    None,
    Text(MacroString),
    Phrases(Vec<String>),
    Files(Vec<DataFileRef>),
    Networks(Vec<IpNetwork>),
    ByteRanges(Vec<ByteRange>),
    Raw(String),
}

/// An address with a prefix length (`10.0.0.0/8`; a bare address has the full length).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpNetwork {
    pub address: IpAddr,
    pub prefix: u8,
}

impl IpNetwork {
    pub fn parse(text: &str) -> Option<Self> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address.parse().ok()?;
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix.parse::<u8>().ok().filter(|p| *p <= max)?,
            None => max,
        };
        Some(IpNetwork { address, prefix })
    }

    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.address, address) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl fmt::Display for IpNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let max = if self.address.is_ipv4() { 32 } else { 128 };
        if self.prefix == max {
            write!(f, "{}", self.address)
        } else {
            write!(f, "{}/{}", self.address, self.prefix)
        }
    }
}

/// An inclusive byte range for `@validateByteRange`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ByteRange {
    pub first: u8,
    pub last: u8,
}

impl fmt::Display for ByteRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}-{}", self.first, self.last)
        }
    }
}

/// Parses an operator string (quotes already removed). A string without `@name` is `@rx`.
/// Errors carry the byte offset in `text`.
pub(crate) fn parse_operator(
    text: &str,
    base_dir: &Path,
    data_files: &mut DataFiles,
) -> Result<Operator, (usize, ErrorKind)> {
    let negated = text.starts_with('!');
    let after_bang = usize::from(negated);
    let rest = &text[after_bang..];
    let (name, argument_text, argument_offset) = match rest.strip_prefix('@') {
        Some(named) => {
            let name_end = named
                .find(|c: char| c.is_ascii_whitespace())
                .unwrap_or(named.len());
            let written = &named[..name_end];
            let name = OperatorName::from_name(written).ok_or_else(|| {
                (
                    after_bang,
                    ErrorKind::UnknownOperator {
                        name: written.to_string(),
                        suggestion: closest(written, OperatorName::spellings()),
                    },
                )
            })?;
            let argument = named[name_end..].trim_start_matches([' ', '\t']);
            let offset = text.len() - argument.len();
            (name, argument, offset)
        }
        None => (OperatorName::Rx, rest, after_bang),
    };
    let bad = |reason: String| {
        (
            argument_offset,
            ErrorKind::BadArgument {
                what: format!("@{name}"),
                reason,
            },
        )
    };
    let argument = match name.argument_form() {
        ArgumentForm::None if argument_text.trim().is_empty() => Argument::None,
        ArgumentForm::None => return Err(bad("this operator takes no argument".into())),
        ArgumentForm::Text => Argument::Text(
            MacroString::parse(argument_text).map_err(|(o, kind)| (argument_offset + o, kind))?,
        ),
        ArgumentForm::Raw => Argument::Raw(argument_text.to_string()),
        ArgumentForm::Phrases => {
            let phrases: Vec<String> = argument_text
                .split_ascii_whitespace()
                .map(str::to_string)
                .collect();
            if phrases.is_empty() {
                return Err(bad("expected at least one phrase".into()));
            }
            Argument::Phrases(phrases)
        }
        ArgumentForm::Files => {
            let mut files = Vec::new();
            for written in argument_text.split_ascii_whitespace() {
                let file = data_files
                    .load(base_dir, written)
                    .map_err(|kind| (argument_offset, kind))?;
                if name == OperatorName::IpMatchFromFile {
                    if let Some(entry) = file
                        .file
                        .entries
                        .iter()
                        .find(|entry| IpNetwork::parse(entry.trim()).is_none())
                    {
                        return Err(bad(format!(
                            "{} holds `{entry}`, which is not an IP address or network",
                            file.file.path.display()
                        )));
                    }
                }
                files.push(file);
            }
            if files.is_empty() {
                return Err(bad("expected at least one data file".into()));
            }
            Argument::Files(files)
        }
        ArgumentForm::Networks => {
            let mut networks = Vec::new();
            for item in argument_text
                .split([',', ' ', '\t'])
                .filter(|item| !item.is_empty())
            {
                networks.push(IpNetwork::parse(item).ok_or_else(|| {
                    bad(format!("`{item}` is not an IP address or CIDR network"))
                })?);
            }
            if networks.is_empty() {
                return Err(bad("expected at least one address".into()));
            }
            Argument::Networks(networks)
        }
        ArgumentForm::ByteRanges => {
            let mut ranges = Vec::new();
            for item in argument_text
                .split([',', ' ', '\t'])
                .filter(|item| !item.is_empty())
            {
                let byte = |s: &str| s.trim().parse::<u8>().ok();
                let range = match item.split_once('-') {
                    Some((a, b)) => byte(a).zip(byte(b)),
                    None => byte(item).map(|b| (b, b)),
                }
                .filter(|(a, b)| a <= b)
                .ok_or_else(|| bad(format!("`{item}` is not a byte (0-255) or byte range")))?;
                ranges.push(ByteRange {
                    first: range.0,
                    last: range.1,
                });
            }
            if ranges.is_empty() {
                return Err(bad("expected at least one byte range".into()));
            }
            Argument::ByteRanges(ranges)
        }
    };
    Ok(Operator {
        negated,
        name,
        argument,
    })
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negated {
            f.write_str("!")?;
        }
        write!(f, "@{}", self.name)?;
        match &self.argument {
            Argument::None => Ok(()),
            Argument::Text(text) => write!(f, " {text}"),
            Argument::Raw(text) => write!(f, " {text}"),
            Argument::Phrases(phrases) => write!(f, " {}", phrases.join(" ")),
            Argument::Files(files) => write_list(f, files, " "),
            Argument::Networks(networks) => write_list(f, networks, ","),
            Argument::ByteRanges(ranges) => write_list(f, ranges, ","),
        }
    }
}

fn write_list<T: fmt::Display>(f: &mut fmt::Formatter<'_>, items: &[T], sep: &str) -> fmt::Result {
    f.write_str(" ")?;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Operator, (usize, ErrorKind)> {
        parse_operator(text, Path::new("."), &mut DataFiles::default())
    }

    #[test]
    fn implicit_rx_and_negation() {
        let op = parse("!^foo bar").unwrap();
        assert!(op.negated);
        assert_eq!(op.name, OperatorName::Rx);
        assert_eq!(op.to_string(), "!@rx ^foo bar");
        assert_eq!(parse(&op.to_string()).unwrap(), op);
    }

    #[test]
    fn typed_arguments() {
        let op = parse("@validateByteRange 9,10,13,32-126, 128-255").unwrap();
        assert_eq!(op.to_string(), "@validateByteRange 9,10,13,32-126,128-255");
        let op = parse("@ipMatch 127.0.0.1,::1,10.0.0.0/8").unwrap();
        let Argument::Networks(nets) = &op.argument else {
            panic!("not networks")
        };
        assert!(nets[2].contains("10.9.8.7".parse().unwrap()));
        assert!(!nets[0].contains("127.0.0.2".parse().unwrap()));
        assert_eq!(parse("@lt %{tx.x}").unwrap().to_string(), "@lt %{TX.x}");
        assert_eq!(parse("@detectSQLi").unwrap().argument, Argument::None);
    }

    #[test]
    fn errors_point_at_the_problem() {
        let (offset, kind) = parse("!@rxx foo").unwrap_err();
        assert_eq!(offset, 1);
        assert!(matches!(
            kind,
            ErrorKind::UnknownOperator {
                suggestion: Some("rx"),
                ..
            }
        ));
        assert_eq!(parse("@validateByteRange 1-300").unwrap_err().0, 19);
        assert_eq!(parse("@ipMatch 1.2.3.4/33").unwrap_err().0, 9);
        assert!(matches!(
            parse("@pmFromFile nope.data").unwrap_err().1,
            ErrorKind::MissingFile { .. }
        ));
    }
}
