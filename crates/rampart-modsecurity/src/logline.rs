//! ModSecurity's text log lines, parsed into [`MatchedRule`] records.
//!
//! libmodsecurity v3 reports each logged rule match to the connector's log callback, and
//! with `msc_set_log_cb` (the TextLogProperty) what it hands over is the text line that
//! `RuleMessage::log` builds, the one Apache's error log shows:
//!
//! ```text
//! ModSecurity: Warning. Matched "Operator `Rx' with parameter `a' against variable `ARGS:q' (Value: `a' )" [file "<<reference missing or not informed>>"] [line "1"] [id "10"] [rev ""] [msg "m"] [data "d"] [severity "2"] [ver ""] [maturity "0"] [accuracy "0"] [tag "t"] [hostname "127.0.0.1"] [uri "/"] [unique_id "u"] [ref "o0,1v8,1"]
//! ```
//!
//! A disruptive match does not reach the callback: its line, starting `ModSecurity: Access
//! denied with code 403 (phase 2).` and often prefixed by `[client 1.2.3.4] `, is the `log`
//! of the intervention. Both are parsed here. This module is plain Rust and is compiled
//! without the `modsecurity` feature too, so that it can be tested everywhere.
//!
//! The format is not escaped for its own brackets: `msg`, `data`, the match text and the
//! uri can hold request bytes, so a request can contain `"] [id "`. The parser therefore
//! anchors each field on the structure that follows it (`[line "` digits, `[severity "`
//! digits `"] [ver "`, …) rather than on the first quote, and keeps the raw line in every
//! record; a field it cannot place is left empty rather than guessed.

/// One rule match, as ModSecurity logged it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchedRule {
    /// `[id "…"]`.
    pub id: Option<u64>,
    /// The SecLang phase (1–5): from `(phase N)` on a disruptive line, otherwise the phase
    /// the transaction was processing when the callback came, when known.
    pub phase: Option<u8>,
    /// `[msg "…"]`, macros expanded.
    pub msg: String,
    /// `[data "…"]` (logdata, macros expanded; ModSecurity cuts it to 200 bytes).
    pub data: String,
    /// `[severity "…"]`: 0 (EMERGENCY) … 7 (DEBUG).
    pub severity: Option<u8>,
    /// Every `[tag "…"]`, in order.
    pub tags: Vec<String>,
    /// `[file "…"]`: the rule's file, or ModSecurity's placeholder for inline rules.
    pub file: String,
    /// `[line "…"]`.
    pub line: Option<u64>,
    /// The text before the fields: `Matched "Operator ..."` and the like.
    pub match_message: String,
    /// `[rev "…"]`.
    pub rev: String,
    /// `[ver "…"]`.
    pub ver: String,
    /// `[maturity "…"]`.
    pub maturity: Option<u8>,
    /// `[accuracy "…"]`.
    pub accuracy: Option<u8>,
    /// `[hostname "…"]`: the server address ModSecurity was given.
    pub hostname: String,
    /// `[uri "…"]`.
    pub uri: String,
    /// `[unique_id "…"]`: the transaction id.
    pub unique_id: String,
    /// `[ref "…"]`: ModSecurity's offsets of the match (`o0,3v10,3t:lowercase`).
    pub reference: String,
    /// True for an `Access denied` line (the intervention's log), false for a warning.
    pub disruptive: bool,
    /// The status of an `Access denied with code N` line.
    pub status: Option<u16>,
    /// The whole line as ModSecurity produced it (non-UTF-8 bytes replaced).
    pub raw: String,
}

impl MatchedRule {
    /// Parses one line. Lines that are not `ModSecurity: ` rule messages still give a record
    /// with only `raw` (and whatever could be read) set, so nothing the library said is lost.
    pub fn parse(line: &str) -> MatchedRule {
        let mut rule = MatchedRule {
            raw: line.to_owned(),
            ..MatchedRule::default()
        };
        let mut rest = line.trim_end_matches(['\n', '\r']);
        // `[client 1.2.3.4] ` (ClientLogMessageInfo, on intervention logs).
        if let Some(after) = rest.strip_prefix("[client ") {
            if let Some(end) = after.find("] ") {
                rest = &after[end + 2..];
            }
        }
        let Some(body) = rest.strip_prefix("ModSecurity: ") else {
            return rule;
        };
        let body = if let Some(after) = body.strip_prefix("Warning. ") {
            after
        } else if let Some(after) = body.strip_prefix("Access denied with code ") {
            rule.disruptive = true;
            let digits = leading_digits(after);
            rule.status = after[..digits].parse().ok();
            let after = &after[digits..];
            match after.strip_prefix(" (phase ") {
                Some(p) => {
                    let d = leading_digits(p);
                    rule.phase = p[..d].parse().ok();
                    p[d..].strip_prefix("). ").unwrap_or(&p[d..])
                }
                None => after,
            }
        } else {
            body
        };
        match find_details(body) {
            Some((start, details)) => {
                rule.match_message = body[..start].to_owned();
                details.fill(&mut rule);
            }
            None => rule.match_message = body.to_owned(),
        }
        rule
    }
}

fn leading_digits(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

/// The bracketed fields of one line, as slices of it.
struct Details<'a> {
    file: &'a str,
    line: &'a str,
    id: &'a str,
    rev: &'a str,
    msg: &'a str,
    data: &'a str,
    severity: &'a str,
    ver: &'a str,
    maturity: &'a str,
    accuracy: &'a str,
    tags: Vec<&'a str>,
    hostname: &'a str,
    uri: &'a str,
    unique_id: &'a str,
    reference: &'a str,
}

impl Details<'_> {
    fn fill(&self, rule: &mut MatchedRule) {
        rule.file = self.file.to_owned();
        rule.line = self.line.parse().ok();
        rule.id = self.id.parse().ok();
        rule.rev = self.rev.to_owned();
        rule.msg = self.msg.to_owned();
        rule.data = self.data.to_owned();
        rule.severity = self.severity.parse().ok();
        rule.ver = self.ver.to_owned();
        rule.maturity = self.maturity.parse().ok();
        rule.accuracy = self.accuracy.parse().ok();
        rule.tags = self.tags.iter().map(|t| (*t).to_owned()).collect();
        rule.hostname = self.hostname.to_owned();
        rule.uri = self.uri.to_owned();
        rule.unique_id = self.unique_id.to_owned();
        rule.reference = self.reference.to_owned();
    }
}

const FILE: &str = " [file \"";

/// Finds where the fields start (the first ` [file "` from which the whole structure reads)
/// and reads them.
fn find_details(body: &str) -> Option<(usize, Details<'_>)> {
    let mut from = 0;
    while let Some(pos) = body[from..].find(FILE) {
        let start = from + pos;
        if let Some(details) = read_details(&body[start + FILE.len()..]) {
            return Some((start, details));
        }
        from = start + 1;
    }
    None
}

/// `s` starts just after ` [file "`.
fn read_details(s: &str) -> Option<Details<'_>> {
    // The rule's own fields (file, rev, ver, hostname, unique_id) end at the first
    // terminator; the ones request bytes can reach are anchored on what must follow them.
    let (file, s) = split_at_anchor(s, "\"] [line \"", |_| true)?;
    let (line, s) = split_digits(s, "\"] [id \"")?;
    let (id, s) = split_digits(s, "\"] [rev \"")?;
    let (rev, s) = split_at_anchor(s, "\"] [msg \"", |_| true)?;
    // msg runs to the `[data "` whose data is followed by a well-formed severity.
    let (msg, s) = split_at_anchor(s, "\"] [data \"", |after| {
        find_anchor(after, "\"] [severity \"", severity_follows).is_some()
    })?;
    let (data, s) = split_at_anchor(s, "\"] [severity \"", severity_follows)?;
    let (severity, s) = split_digits(s, "\"] [ver \"")?;
    let (ver, s) = split_at_anchor(s, "\"] [maturity \"", |after| {
        let d = leading_digits(after);
        d > 0 && after[d..].starts_with("\"] [accuracy \"")
    })?;
    let (maturity, s) = split_digits(s, "\"] [accuracy \"")?;
    let accuracy_len = leading_digits(s);
    let accuracy = &s[..accuracy_len];
    let mut s = s[accuracy_len..].strip_prefix("\"]")?;
    let mut tags = Vec::new();
    while let Some(after) = s.strip_prefix(" [tag \"") {
        // A tag ends at the first `"]` that another tag or the hostname follows.
        let (tag, rest) = split_at_anchor(after, "\"]", |next| {
            next.starts_with(" [tag \"") || next.starts_with(" [hostname \"")
        })?;
        tags.push(tag);
        s = rest;
    }
    let s = s.strip_prefix(" [hostname \"")?;
    let (hostname, s) = split_at_anchor(s, "\"] [uri \"", |_| true)?;
    // The uri is the request's: its end is the *last* `"] [unique_id "`.
    let idx = s.rfind("\"] [unique_id \"")?;
    let uri = &s[..idx];
    let s = &s[idx + "\"] [unique_id \"".len()..];
    let (unique_id, s) = split_at_anchor(s, "\"] [ref \"", |_| true)?;
    let end = s.find("\"]").unwrap_or(s.len());
    let reference = &s[..end];
    Some(Details {
        file,
        line,
        id,
        rev,
        msg,
        data,
        severity,
        ver,
        maturity,
        accuracy,
        tags,
        hostname,
        uri,
        unique_id,
        reference,
    })
}

fn severity_follows(after: &str) -> bool {
    let d = leading_digits(after);
    d > 0 && after[d..].starts_with("\"] [ver \"")
}

/// The first occurrence of `anchor` in `s` for which `accept` approves what follows it.
fn find_anchor(s: &str, anchor: &str, accept: impl Fn(&str) -> bool) -> Option<usize> {
    let mut from = 0;
    while let Some(pos) = s[from..].find(anchor) {
        let at = from + pos;
        if accept(&s[at + anchor.len()..]) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Splits `s` at the first accepted `anchor`: (before, after the anchor).
fn split_at_anchor<'a>(
    s: &'a str,
    anchor: &str,
    accept: impl Fn(&str) -> bool,
) -> Option<(&'a str, &'a str)> {
    let at = find_anchor(s, anchor, accept)?;
    Some((&s[..at], &s[at + anchor.len()..]))
}

/// Digits, then `anchor`.
fn split_digits<'a>(s: &'a str, anchor: &str) -> Option<(&'a str, &'a str)> {
    let d = leading_digits(s);
    let rest = s[d..].strip_prefix(anchor)?;
    Some((&s[..d], rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WARNING: &str = "ModSecurity: Warning. Matched \"Operator `Rx' with parameter `^a' against variable `ARGS:q' (Value: `abc' )\" [file \"/etc/rules.conf\"] [line \"12\"] [id \"1001\"] [rev \"2\"] [msg \"found a\"] [data \"q=abc\"] [severity \"2\"] [ver \"v1\"] [maturity \"9\"] [accuracy \"8\"] [tag \"one\"] [tag \"two words\"] [hostname \"10.0.0.1\"] [uri \"/x\"] [unique_id \"tx1\"] [ref \"o0,1v7,3\"]";

    #[test]
    fn parses_a_warning() {
        let r = MatchedRule::parse(WARNING);
        assert_eq!(r.id, Some(1001));
        assert_eq!(r.file, "/etc/rules.conf");
        assert_eq!(r.line, Some(12));
        assert_eq!(r.rev, "2");
        assert_eq!(r.msg, "found a");
        assert_eq!(r.data, "q=abc");
        assert_eq!(r.severity, Some(2));
        assert_eq!(r.ver, "v1");
        assert_eq!(r.maturity, Some(9));
        assert_eq!(r.accuracy, Some(8));
        assert_eq!(r.tags, vec!["one", "two words"]);
        assert_eq!(r.hostname, "10.0.0.1");
        assert_eq!(r.uri, "/x");
        assert_eq!(r.unique_id, "tx1");
        assert_eq!(r.reference, "o0,1v7,3");
        assert!(r.match_message.starts_with("Matched \"Operator `Rx'"));
        assert!(r.match_message.ends_with("(Value: `abc' )\""));
        assert!(!r.disruptive);
        assert_eq!(r.phase, None);
        assert_eq!(r.raw, WARNING);
    }

    #[test]
    fn parses_a_denial_with_client_prefix() {
        let line = "[client 1.2.3.4] ModSecurity: Access denied with code 403 (phase 2). Matched \"Operator `Ge' with parameter `5' against variable `TX:ANOMALY_SCORE' (Value: `10' )\" [file \"/r/949.conf\"] [line \"80\"] [id \"949110\"] [rev \"\"] [msg \"Inbound Anomaly Score Exceeded (Total Score: 10)\"] [data \"\"] [severity \"2\"] [ver \"OWASP_CRS/3.3.4\"] [maturity \"0\"] [accuracy \"0\"] [tag \"application-multi\"] [hostname \"127.0.0.1\"] [uri \"/\"] [unique_id \"abc\"] [ref \"\"]";
        let r = MatchedRule::parse(line);
        assert!(r.disruptive);
        assert_eq!(r.status, Some(403));
        assert_eq!(r.phase, Some(2));
        assert_eq!(r.id, Some(949110));
        assert_eq!(r.msg, "Inbound Anomaly Score Exceeded (Total Score: 10)");
        assert_eq!(r.tags, vec!["application-multi"]);
        assert_eq!(r.data, "");
        assert_eq!(r.reference, "");
    }

    #[test]
    fn request_bytes_that_imitate_fields_do_not_shift_them() {
        // The matched value, logdata and the uri come from the request.
        let line = "ModSecurity: Warning. Matched \"x (Value: `\"] [file \"f\"] [line \"1' )\" [file \"real.conf\"] [line \"3\"] [id \"77\"] [rev \"\"] [msg \"m\"] [data \"d\"] [severity \"9\"] x\"] [severity \"1\"] [ver \"\"] [maturity \"0\"] [accuracy \"0\"] [hostname \"h\"] [uri \"/a\"] [unique_id \"b\"] [uri \"c\"] [unique_id \"u\"] [ref \"o1,2\"]";
        let r = MatchedRule::parse(line);
        assert_eq!(r.file, "real.conf");
        assert_eq!(r.line, Some(3));
        assert_eq!(r.id, Some(77));
        assert_eq!(r.msg, "m");
        assert_eq!(r.data, "d\"] [severity \"9\"] x");
        assert_eq!(r.severity, Some(1));
        assert_eq!(r.uri, "/a\"] [unique_id \"b\"] [uri \"c");
        assert_eq!(r.unique_id, "u");
        assert_eq!(r.reference, "o1,2");
        assert!(r.match_message.ends_with("[line \"1' )\""));
    }

    #[test]
    fn keeps_unknown_lines_raw() {
        let r = MatchedRule::parse("something else entirely");
        assert_eq!(r.raw, "something else entirely");
        assert_eq!(r.id, None);
        let r = MatchedRule::parse("ModSecurity: Warning. no fields here");
        assert_eq!(r.match_message, "no fields here");
        assert_eq!(r.id, None);
    }
}
