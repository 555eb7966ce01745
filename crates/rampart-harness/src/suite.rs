//! The model of a go-ftw test file (ftw-tests-schema v2) and the loader for a directory of them.
//!
//! CRS's regression suite is the yardstick of rampart's fidelity, so this model is strict where
//! strictness protects the measurement and lenient where go-ftw is lenient about things that do
//! not change what is sent or expected:
//!
//! - Inside a test (`tests[]`, `stages[]`, `input`, `output`, `log`) an unknown field is an
//!   error. go-ftw would ignore it, but a field we do not understand (say `uris` or
//!   `follow_redirect`) changes what a test means; running it without that meaning would count
//!   a result that means nothing. A loud load error is the better failure.
//! - At the top level and in `meta` unknown fields are ignored (one CRS file has a stray
//!   top-level `author`), and `meta:` may be null.
//! - Scalars where the schema has strings are taken as strings: go-ftw's YAML decoder turns
//!   `Content-Length: 0` into the header value `"0"`, and so do we. (The text is re-rendered
//!   from the parsed number, so `1.10` would become `1.1`; the suite has nothing like that.)
//! - `headers` is a YAML map; its entries are kept in file order here, and `request` decides
//!   the order on the wire (go-ftw sorts them). A key given twice keeps its last value, as a Go
//!   map would.
//! - A file whose YAML holds no document at all (only comments) has no tests and is skipped;
//!   CRS keeps one such placeholder (`920539.yaml`).
//! - As in go-ftw, a missing `rule_id` falls back to the first run of digits in the file name,
//!   and a missing or zero `test_id` to the test's 1-based position in the file.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

/// Why a test file, or a directory of them, could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file or directory could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// What was being read.
        path: PathBuf,
        /// Why it failed.
        source: std::io::Error,
    },
    /// The file is not valid YAML, or does not follow the schema.
    #[error("{}: {source}", path.display())]
    Yaml {
        /// The file.
        path: PathBuf,
        /// serde_yaml's description, with line and column.
        source: serde_yaml::Error,
    },
    /// The file has no `rule_id` and its name has no digits to take one from.
    #[error("{}: no rule_id, and no digits in the file name to infer one", path.display())]
    MissingRuleId {
        /// The file.
        path: PathBuf,
    },
}

/// One test file: the tests written for one rule.
#[derive(Debug, Clone, PartialEq)]
pub struct TestFile {
    /// Where the file was read from (empty for [`from_yaml`] without a path).
    pub path: PathBuf,
    /// Descriptive metadata; nothing in it changes how a test runs.
    pub meta: Meta,
    /// The rule the tests target.
    pub rule_id: u64,
    /// The tests, in file order.
    pub tests: Vec<Test>,
}

/// `meta`: who wrote the file and what it covers.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Meta {
    /// `author`.
    #[serde(default)]
    pub author: Option<String>,
    /// `description`.
    #[serde(default)]
    pub description: Option<String>,
    /// `name`.
    #[serde(default)]
    pub name: Option<String>,
    /// `version` of the schema (informational).
    #[serde(default)]
    pub version: Option<String>,
    /// `enabled`: deprecated, and ignored by go-ftw v2; kept for the record.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// `tags`.
    #[serde(default, deserialize_with = "null_default")]
    pub tags: Vec<String>,
}

/// One test: a sequence of stages, each a request and what must follow from it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Test {
    /// The file's `rule_id`, copied here on load so a test can name itself.
    #[serde(skip)]
    pub rule_id: u64,
    /// `test_id`, unique within the file.
    #[serde(default)]
    pub test_id: u64,
    /// `desc`.
    #[serde(default, deserialize_with = "opt_scalar")]
    pub desc: Option<String>,
    /// `test_title`: deprecated in favour of `rule_id` and `test_id`.
    #[serde(default, deserialize_with = "opt_scalar")]
    pub test_title: Option<String>,
    /// `tags`.
    #[serde(default, deserialize_with = "null_default")]
    pub tags: Vec<String>,
    /// `stages`, run in order.
    pub stages: Vec<Stage>,
}

impl Test {
    /// The test's id as CRS writes it: `RULEID-TESTID`, e.g. `942100-3`.
    pub fn id(&self) -> String {
        test_id(self.rule_id, self.test_id)
    }
}

/// Formats a test id the way CRS and go-ftw do: `"{rule_id}-{test_id}"`.
pub fn test_id(rule_id: u64, test_id: u64) -> String {
    format!("{rule_id}-{test_id}")
}

/// One request and its expectations.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// `description`.
    #[serde(default, deserialize_with = "opt_scalar")]
    pub description: Option<String>,
    /// What to send.
    pub input: Input,
    /// What must be observed.
    pub output: Output,
}

/// `input`: the request to send. Every field is optional; the accessors give go-ftw's defaults.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// `dest_addr`: where go-ftw connects (default `localhost`). Not part of the request bytes.
    #[serde(default, deserialize_with = "opt_scalar")]
    pub dest_addr: Option<String>,
    /// `port` (default 80). Not part of the request bytes.
    #[serde(default)]
    pub port: Option<u16>,
    /// `protocol`: `http` (default) or `https`. Not part of the request bytes.
    #[serde(default, deserialize_with = "opt_scalar")]
    pub protocol: Option<String>,
    /// `method` (default `GET`), sent as written, whitespace and all.
    #[serde(default, deserialize_with = "opt_scalar")]
    pub method: Option<String>,
    /// `uri` (default `/`), sent as written.
    #[serde(default, deserialize_with = "opt_scalar")]
    pub uri: Option<String>,
    /// `version` (default `HTTP/1.1`), sent as written; may be empty.
    #[serde(default, deserialize_with = "opt_scalar")]
    pub version: Option<String>,
    /// `headers`: a map, in file order (go-ftw sends it sorted by name).
    #[serde(default)]
    pub headers: Option<Headers>,
    /// `ordered_headers`: a list of name/value pairs sent in the given order, duplicates kept.
    #[serde(default)]
    pub ordered_headers: Option<Vec<HeaderTuple>>,
    /// `data`: the body, a Go template (go-ftw evaluates it; see `request`).
    #[serde(default, deserialize_with = "opt_scalar")]
    pub data: Option<String>,
    /// `encoded_data`: the body as base64, used when `data` is absent.
    #[serde(default, deserialize_with = "opt_scalar")]
    pub encoded_data: Option<String>,
    /// `encoded_request`: the whole request as base64, sent byte for byte; overrides the rest.
    #[serde(default, deserialize_with = "opt_scalar")]
    pub encoded_request: Option<String>,
    /// `autocomplete_headers` (default true): whether go-ftw adds Content-Type, Connection and
    /// Content-Length.
    #[serde(default)]
    pub autocomplete_headers: Option<bool>,
    /// `stop_magic`: the deprecated inverse of `autocomplete_headers`, used only when that is
    /// absent.
    #[serde(default)]
    pub stop_magic: Option<bool>,
    /// `save_cookie`: go-ftw accepts it but does not act on it (cookies are a TODO there).
    #[serde(default)]
    pub save_cookie: Option<bool>,
    /// `virtual_host_mode`: only changes the Host of go-ftw's own marker requests.
    #[serde(default)]
    pub virtual_host_mode: Option<bool>,
}

impl Input {
    /// The method, or go-ftw's default `GET`.
    pub fn method(&self) -> &str {
        self.method.as_deref().unwrap_or("GET")
    }

    /// The request target, or go-ftw's default `/`.
    pub fn uri(&self) -> &str {
        self.uri.as_deref().unwrap_or("/")
    }

    /// The protocol version, or go-ftw's default `HTTP/1.1`.
    pub fn version(&self) -> &str {
        self.version.as_deref().unwrap_or("HTTP/1.1")
    }

    /// The destination address, or go-ftw's default `localhost`.
    pub fn dest_addr(&self) -> &str {
        self.dest_addr.as_deref().unwrap_or("localhost")
    }

    /// The destination port, or go-ftw's default 80.
    pub fn port(&self) -> u16 {
        self.port.unwrap_or(80)
    }

    /// The scheme, or go-ftw's default `http`.
    pub fn protocol(&self) -> &str {
        self.protocol.as_deref().unwrap_or("http")
    }

    /// Whether go-ftw completes the headers: `autocomplete_headers`, else the inverse of
    /// `stop_magic`, else true.
    pub fn autocomplete(&self) -> bool {
        match (self.autocomplete_headers, self.stop_magic) {
            (Some(value), _) => value,
            (None, Some(stop)) => !stop,
            (None, None) => true,
        }
    }
}

/// The `headers` map, entries in file order. A repeated key keeps its last value in the place
/// of its first, as a Go map (which has no order of its own) would hold it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for Headers {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct HeadersVisitor;

        impl<'de> Visitor<'de> for HeadersVisitor {
            type Value = Headers;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of header names to values")
            }

            fn visit_unit<E: de::Error>(self) -> Result<Headers, E> {
                Ok(Headers::default())
            }

            fn visit_none<E: de::Error>(self) -> Result<Headers, E> {
                Ok(Headers::default())
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Headers, A::Error> {
                let mut entries: Vec<(String, String)> = Vec::new();
                while let Some((Scalar(name), Scalar(value))) = map.next_entry()? {
                    if let Some(slot) = entries.iter_mut().find(|(n, _)| *n == name) {
                        slot.1 = value;
                    } else {
                        entries.push((name, value));
                    }
                }
                Ok(Headers(entries))
            }
        }

        deserializer.deserialize_any(HeadersVisitor)
    }
}

/// One entry of `ordered_headers`. The schema spells the keys `name`/`value` (go-ftw's YAML
/// decoder lower-cases Go field names); `Name`/`Value`, as the JSON schema prints them, are
/// accepted too.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderTuple {
    /// The header name, sent as written.
    #[serde(alias = "Name", deserialize_with = "scalar")]
    pub name: String,
    /// The header value, sent as written.
    #[serde(alias = "Value", deserialize_with = "scalar")]
    pub value: String,
}

/// `output`: what must follow from the stage's request.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Output {
    /// `status`: the response status that must be seen (0 or absent: no expectation).
    #[serde(default)]
    pub status: Option<u16>,
    /// `response_contains`: a regular expression the full raw response must match.
    #[serde(default, deserialize_with = "opt_scalar")]
    pub response_contains: Option<String>,
    /// `log_contains`: deprecated; go-ftw treats it as `log.match_regex`.
    #[serde(default, deserialize_with = "opt_scalar")]
    pub log_contains: Option<String>,
    /// `no_log_contains`: deprecated; go-ftw treats it as `log.no_match_regex`.
    #[serde(default, deserialize_with = "opt_scalar")]
    pub no_log_contains: Option<String>,
    /// `log`: expectations about the WAF's log for this stage.
    #[serde(default, deserialize_with = "null_default")]
    pub log: Log,
    /// `expect_error`: the request must fail (no HTTP response); nothing else is checked then.
    #[serde(default)]
    pub expect_error: Option<bool>,
    /// `retry_once`: go-ftw retries a failing stage once (a log race of real servers).
    #[serde(default)]
    pub retry_once: Option<bool>,
    /// `isolated`: exactly one rule may be logged.
    #[serde(default)]
    pub isolated: Option<bool>,
}

/// `output.log`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Log {
    /// `expect_ids`: every one of these rules must be logged.
    #[serde(default, deserialize_with = "null_default")]
    pub expect_ids: Vec<u64>,
    /// `no_expect_ids`: none of these rules may be logged.
    #[serde(default, deserialize_with = "null_default")]
    pub no_expect_ids: Vec<u64>,
    /// `match_regex`: a regular expression some log line must match.
    #[serde(default, deserialize_with = "opt_scalar")]
    pub match_regex: Option<String>,
    /// `no_match_regex`: a regular expression no log line may match.
    #[serde(default, deserialize_with = "opt_scalar")]
    pub no_match_regex: Option<String>,
}

/// The file as written, before the fallbacks for `rule_id` and `test_id` are applied.
#[derive(Deserialize)]
struct RawFile {
    #[serde(default, deserialize_with = "null_default")]
    meta: Meta,
    #[serde(default)]
    rule_id: Option<u64>,
    #[serde(default, deserialize_with = "null_default")]
    tests: Vec<Test>,
}

/// Parses one test file's text. `path` names the file in errors and is the fallback source of
/// the rule id. `Ok(None)` means the YAML holds no document (a file of comments only).
pub fn from_yaml(text: &str, path: &Path) -> Result<Option<TestFile>, Error> {
    let raw: Option<RawFile> = serde_yaml::from_str(text).map_err(|source| Error::Yaml {
        path: path.to_path_buf(),
        source,
    })?;
    let Some(raw) = raw else {
        return Ok(None);
    };
    let rule_id = match raw.rule_id {
        Some(id) if id > 0 => id,
        _ => rule_id_from_file_name(path).ok_or_else(|| Error::MissingRuleId {
            path: path.to_path_buf(),
        })?,
    };
    let mut tests = raw.tests;
    for (index, test) in tests.iter_mut().enumerate() {
        test.rule_id = rule_id;
        if test.test_id == 0 {
            test.test_id = u64::try_from(index).map_or(u64::MAX, |i| i.saturating_add(1));
        }
    }
    Ok(Some(TestFile {
        path: path.to_path_buf(),
        meta: raw.meta,
        rule_id,
        tests,
    }))
}

/// Reads and parses one test file; `Ok(None)` for a file with no YAML document.
pub fn load_file(path: &Path) -> Result<Option<TestFile>, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    from_yaml(&text, path)
}

/// Loads every `*.yaml` and `*.yml` file under `dir`, recursively, in sorted path order.
/// Files with no YAML document are skipped; any other failure stops the load.
pub fn load_dir(dir: &Path) -> Result<Vec<TestFile>, Error> {
    let mut paths = Vec::new();
    collect_yaml_files(dir, &mut paths)?;
    paths.sort();
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        if let Some(file) = load_file(&path)? {
            files.push(file);
        }
    }
    Ok(files)
}

fn collect_yaml_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let io_error = |source| Error::Io {
        path: dir.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io_error)? {
        let entry = entry.map_err(io_error)?;
        let path = entry.path();
        let file_type = entry.file_type().map_err(io_error)?;
        if file_type.is_dir() {
            collect_yaml_files(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|ext| ext == "yaml" || ext == "yml")
            && std::fs::metadata(&path).map_err(io_error)?.is_file()
        {
            out.push(path);
        }
    }
    Ok(())
}

/// go-ftw's fallback: the first run of ASCII digits in the file name.
fn rule_id_from_file_name(path: &Path) -> Option<u64> {
    let name = path.file_name()?.to_str()?;
    let start = name.find(|c: char| c.is_ascii_digit())?;
    let digits: String = name[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok().filter(|id| *id > 0)
}

/// A YAML scalar of any type, as a string: go-ftw's decoder accepts `Content-Length: 0` where
/// the schema says string, and so must we. Null is the empty string.
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;

        impl Visitor<'_> for ScalarVisitor {
            type Value = Scalar;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or another scalar")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_owned()))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
                Ok(Scalar(v))
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }

            fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar(String::new()))
            }

            fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
                Ok(Scalar(String::new()))
            }
        }

        deserializer.deserialize_any(ScalarVisitor)
    }
}

fn scalar<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Scalar::deserialize(deserializer).map(|Scalar(s)| s)
}

/// An optional string field that also takes other scalars; an explicit null is absent.
fn opt_scalar<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Option::<Scalar>::deserialize(deserializer).map(|v| v.map(|Scalar(s)| s))
}

/// A field whose explicit null means its default (`log:` with nothing under it).
fn null_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> TestFile {
        match from_yaml(text, Path::new("tests/942100.yaml")) {
            Ok(Some(file)) => file,
            other => panic!("expected a test file, got {other:?}"),
        }
    }

    #[test]
    fn parses_a_full_test() {
        let file = parse(
            r#"
meta:
  author: "someone"
  description: "desc"
rule_id: 920100
tests:
  - test_id: 3
    desc: a test
    stages:
      - input:
          dest_addr: 127.0.0.1
          port: 80
          method: POST
          uri: /post
          version: HTTP/1.0
          headers:
            Host: localhost
            Content-Length: 0
          data: "a=b"
          autocomplete_headers: false
        output:
          status: 403
          log:
            expect_ids: [920100, 949110]
            no_expect_ids: [1]
            match_regex: 'id "\d+"'
"#,
        );
        assert_eq!(file.rule_id, 920100);
        assert_eq!(file.meta.author.as_deref(), Some("someone"));
        let test = &file.tests[0];
        assert_eq!(test.id(), "920100-3");
        let input = &test.stages[0].input;
        assert_eq!(input.method(), "POST");
        assert_eq!(input.port(), 80);
        assert!(!input.autocomplete());
        let headers = input.headers.clone().unwrap_or_default();
        assert_eq!(
            headers.0,
            vec![
                ("Host".to_owned(), "localhost".to_owned()),
                ("Content-Length".to_owned(), "0".to_owned()),
            ]
        );
        let output = &test.stages[0].output;
        assert_eq!(output.status, Some(403));
        assert_eq!(output.log.expect_ids, vec![920100, 949110]);
        assert_eq!(output.log.match_regex.as_deref(), Some(r#"id "\d+""#));
    }

    #[test]
    fn applies_go_ftw_defaults() {
        let file = parse(
            "meta:\nrule_id: 0\ntests:\n  - stages:\n      - input: {}\n        output: {}\n  - stages: []\n",
        );
        // rule_id 0 falls back to the file name; test ids to positions.
        assert_eq!(file.rule_id, 942100);
        assert_eq!(file.tests[0].id(), "942100-1");
        assert_eq!(file.tests[1].id(), "942100-2");
        let input = &file.tests[0].stages[0].input;
        assert_eq!(
            (input.method(), input.uri(), input.version()),
            ("GET", "/", "HTTP/1.1")
        );
        assert_eq!(
            (input.dest_addr(), input.port(), input.protocol()),
            ("localhost", 80, "http")
        );
        assert!(input.autocomplete());
    }

    #[test]
    fn stop_magic_is_the_inverse_of_autocomplete() {
        let input = Input {
            stop_magic: Some(true),
            ..Input::default()
        };
        assert!(!input.autocomplete());
        let input = Input {
            stop_magic: Some(true),
            autocomplete_headers: Some(true),
            ..Input::default()
        };
        assert!(input.autocomplete());
    }

    #[test]
    fn repeated_header_key_keeps_last_value() {
        let file = parse(
            "rule_id: 1\ntests:\n  - test_id: 1\n    stages:\n      - input:\n          headers:\n            A: one\n            B: two\n            A: three\n        output: {}\n",
        );
        let headers = file.tests[0].stages[0]
            .input
            .headers
            .clone()
            .unwrap_or_default();
        assert_eq!(
            headers.0,
            vec![
                ("A".to_owned(), "three".to_owned()),
                ("B".to_owned(), "two".to_owned())
            ]
        );
    }

    #[test]
    fn ordered_headers_accept_both_spellings() {
        let file = parse(
            "rule_id: 1\ntests:\n  - test_id: 1\n    stages:\n      - input:\n          ordered_headers:\n            - name: X\n              value: 1\n            - Name: X\n              Value: two\n        output: {}\n",
        );
        let tuples = file.tests[0].stages[0]
            .input
            .ordered_headers
            .clone()
            .unwrap_or_default();
        assert_eq!(tuples.len(), 2);
        assert_eq!(
            (tuples[0].name.as_str(), tuples[0].value.as_str()),
            ("X", "1")
        );
        assert_eq!(tuples[1].value, "two");
    }

    #[test]
    fn unknown_input_field_is_an_error() {
        let result = from_yaml(
            "rule_id: 1\ntests:\n  - test_id: 1\n    stages:\n      - input:\n          uris: [/a, /b]\n        output: {}\n",
            Path::new("x.yaml"),
        );
        assert!(matches!(result, Err(Error::Yaml { .. })), "{result:?}");
    }

    #[test]
    fn unknown_top_level_field_is_ignored() {
        let file = parse("author: stray\nrule_id: 5\ntests: []\n");
        assert_eq!(file.rule_id, 5);
    }

    #[test]
    fn comment_only_file_has_no_document() {
        let result = from_yaml("# nothing here\n# ---\n", Path::new("x.yaml"));
        assert!(matches!(result, Ok(None)), "{result:?}");
    }

    #[test]
    fn missing_rule_id_without_digits_is_an_error() {
        let result = from_yaml("tests: []\n", Path::new("nodigits.yaml"));
        assert!(
            matches!(result, Err(Error::MissingRuleId { .. })),
            "{result:?}"
        );
    }

    #[test]
    fn malformed_yaml_is_an_error_not_a_panic() {
        for text in [
            "rule_id: [",
            "rule_id: -5\ntests: []",
            "rule_id: 1\ntests: 7",
            "\t- x",
        ] {
            assert!(from_yaml(text, Path::new("1.yaml")).is_err(), "{text:?}");
        }
    }
}
