//! What a transaction knows: the variables rules read.
//!
//! Most variables are stored generically, one slot per [`Variable`], filled as the request and
//! response arrive; the rest (ARGS, the *_NAMES views, MATCHED_VARS, TIME*, RULE, …) are
//! computed when a rule asks for them.

use std::time::SystemTime;

use rampart_seclang::Variable;

use crate::collection::{bytes, Bytes, Collection};
use crate::decode::{url_decode_form, url_decode_uri};
use crate::transaction::resolve::Resolved;
use crate::transaction::spare::Spare;

/// The variables of one transaction.
#[derive(Debug)]
pub(crate) struct State {
    scalars: Vec<Option<Bytes>>,
    collections: Vec<Collection>,
    pub args_combined_size: u64,
    /// The matches of the rule being evaluated (MATCHED_VARS); the last is MATCHED_VAR.
    /// Kept as source and value: the `ARGS:id` name is spelled out only when read, which
    /// CRS does only in the log data of a shown match.
    pub matched_vars: Vec<Resolved>,
    pub highest_severity: Option<u8>,
    pub started: SystemTime,
    pub request_body: Vec<u8>,
    /// The request body has been processed: FULL_REQUEST has its value from then on.
    pub request_body_processed: bool,
    pub response_body: Vec<u8>,
    /// The parsed request body, when the XML processor ran.
    pub xml: Option<crate::body::xml::XmlDocument>,
}

impl State {
    #[cfg(test)]
    pub fn new() -> Self {
        Self::in_spare(&mut Spare::default())
    }

    /// A new state whose slots come from `spare` (emptied storage of an earlier
    /// transaction), where it has them.
    pub fn in_spare(spare: &mut Spare) -> Self {
        let mut scalars = std::mem::take(&mut spare.scalars);
        scalars.resize(Variable::ALL.len(), None);
        let mut collections = std::mem::take(&mut spare.collections);
        collections.resize_with(Variable::ALL.len(), Collection::new);
        // The collections rules read and write by name (CRS's TX holds ~60 variables).
        for variable in [
            Variable::Tx,
            Variable::Ip,
            Variable::Session,
            Variable::User,
            Variable::Global,
            Variable::Resource,
        ] {
            if let Some(collection) = collections.get_mut(variable as usize) {
                if !collection.is_indexed() {
                    *collection = Collection::indexed();
                }
            }
        }
        State {
            scalars,
            collections,
            args_combined_size: 0,
            matched_vars: std::mem::take(&mut spare.matched_vars),
            highest_severity: None,
            started: SystemTime::now(),
            request_body: Vec::new(),
            request_body_processed: false,
            response_body: Vec::new(),
            xml: None,
        }
    }

    /// Moves the state's slots into `spare`, for a later transaction.
    pub fn give_to(&mut self, spare: &mut Spare) {
        spare.scalars = std::mem::take(&mut self.scalars);
        spare.collections = std::mem::take(&mut self.collections);
        spare.matched_vars = std::mem::take(&mut self.matched_vars);
    }

    /// MATCHED_VAR: the last match of the rule being evaluated.
    pub fn matched_var(&self) -> Option<&Resolved> {
        self.matched_vars.last()
    }

    /// FULL_REQUEST: the request headers as `name: value` lines, a blank line, and the body;
    /// empty until the body has been processed.
    pub fn full_request(&self) -> Vec<u8> {
        let Some(length) = self.full_request_length() else {
            return Vec::new();
        };
        let mut full = Vec::with_capacity(length);
        for (name, value) in self.collection(Variable::RequestHeaders).iter() {
            full.extend_from_slice(name);
            full.extend_from_slice(b": ");
            full.extend_from_slice(value);
            full.push(b'\n');
        }
        full.extend_from_slice(b"\n\n");
        full.extend_from_slice(&self.request_body);
        full
    }

    /// FULL_REQUEST_LENGTH, counted without putting FULL_REQUEST together; `None` until the
    /// body has been processed.
    pub fn full_request_length(&self) -> Option<usize> {
        let headers = self.collection(Variable::RequestHeaders).iter();
        self.request_body_processed.then(|| {
            headers
                .map(|(name, value)| name.len() + value.len() + 3)
                .sum::<usize>()
                + 2
                + self.request_body.len()
        })
    }

    pub fn scalar(&self, variable: Variable) -> Option<&Bytes> {
        self.scalars.get(variable as usize).and_then(Option::as_ref)
    }

    pub fn set_scalar(&mut self, variable: Variable, value: impl AsRef<[u8]>) {
        if let Some(slot) = self.scalars.get_mut(variable as usize) {
            *slot = Some(bytes(value));
        }
    }

    pub fn collection(&self, variable: Variable) -> &Collection {
        &self.collections[variable as usize]
    }

    pub fn collection_mut(&mut self, variable: Variable) -> &mut Collection {
        &mut self.collections[variable as usize]
    }

    /// `REQUEST_LINE`, `REQUEST_URI`, `REQUEST_FILENAME`, `QUERY_STRING`, `ARGS_GET`, … from
    /// the request line, the way ModSecurity's `processURI` derives them: the path is cut at
    /// the first `?` of the *decoded* URI, the query string at the first `?` of the raw one.
    pub fn set_request_line(
        &mut self,
        method: &[u8],
        uri: &[u8],
        version: &[u8],
        separator: u8,
        limit: Option<u64>,
    ) {
        let decoded = url_decode_uri(uri);
        self.set_scalar(Variable::RequestMethod, method);
        let mut line = Vec::with_capacity(method.len() + uri.len() + version.len() + 7);
        line.extend_from_slice(method);
        line.push(b' ');
        line.extend_from_slice(uri);
        line.extend_from_slice(b" HTTP/");
        line.extend_from_slice(version);
        self.set_scalar(Variable::RequestLine, &line);
        let mut protocol = b"HTTP/".to_vec();
        protocol.extend_from_slice(version);
        self.set_scalar(Variable::RequestProtocol, &protocol);

        let path = match decoded.iter().position(|&b| b == b'?') {
            Some(at) => &decoded[..at],
            None => &decoded[..],
        };
        self.set_scalar(Variable::PathInfo, path);
        self.set_scalar(Variable::RequestFilename, path);
        if let Some(slash) = path.iter().rposition(|&b| b == b'/' || b == b'\\') {
            if slash + 1 < path.len() {
                self.set_scalar(Variable::RequestBasename, &path[slash + 1..]);
            }
        }
        self.set_scalar(Variable::RequestUri, strip_scheme_and_host(&decoded));
        self.set_scalar(Variable::RequestUriRaw, uri);
        if let Some(at) = uri.iter().position(|&b| b == b'?') {
            let query = &uri[at + 1..];
            self.set_scalar(Variable::QueryString, query);
            if !query.is_empty() {
                self.add_urlencoded(query, Variable::ArgsGet, separator, limit);
            }
        }
    }

    /// Splits `name=value&…` into arguments of `origin` (ARGS_GET or ARGS_POST).
    pub fn add_urlencoded(
        &mut self,
        text: &[u8],
        origin: Variable,
        separator: u8,
        limit: Option<u64>,
    ) {
        let mut pieces: Vec<&[u8]> = text.split(|&b| b == separator).collect();
        // Like C++'s getline splitting, a trailing separator yields no empty last piece.
        if pieces.last().is_some_and(|p| p.is_empty()) {
            pieces.pop();
        }
        for piece in pieces {
            let (name, value) = match piece.iter().position(|&b| b == b'=') {
                Some(at) => (&piece[..at], &piece[at + 1..]),
                None => (piece, &b""[..]),
            };
            let (name, bad_name) = url_decode_form(name);
            let (value, bad_value) = url_decode_form(value);
            if bad_name || bad_value {
                self.set_scalar(Variable::UrlencodedError, "1");
            }
            self.add_argument(origin, &name, &value, limit);
        }
    }

    /// Adds an argument unless `SecArgumentsLimit` is reached.
    pub fn add_argument(
        &mut self,
        origin: Variable,
        name: &[u8],
        value: &[u8],
        limit: Option<u64>,
    ) -> bool {
        let count =
            self.collection(Variable::ArgsGet).len() + self.collection(Variable::ArgsPost).len();
        if limit.is_some_and(|limit| count as u64 >= limit) {
            return false;
        }
        self.collection_mut(origin).push(name, value);
        self.args_combined_size += (name.len() + value.len()) as u64;
        true
    }

    /// A request header, and what ModSecurity derives from it on arrival: cookies,
    /// AUTH_TYPE, SERVER_NAME, REQBODY_PROCESSOR.
    pub fn add_request_header(&mut self, name: &[u8], value: &[u8]) {
        self.collection_mut(Variable::RequestHeaders)
            .push(name, value);
        if name.eq_ignore_ascii_case(b"authorization") {
            let kind = value.split(|&b| b == b' ').next().unwrap_or_default();
            self.set_scalar(Variable::AuthType, kind);
        } else if name.eq_ignore_ascii_case(b"cookie") {
            self.add_cookies(value);
        } else if name.eq_ignore_ascii_case(b"content-type") {
            let lower = value.to_ascii_lowercase();
            if lower.starts_with(b"multipart/form-data") {
                self.set_scalar(Variable::ReqbodyProcessor, "MULTIPART");
            }
            if lower.starts_with(b"application/x-www-form-urlencoded") {
                self.set_scalar(Variable::ReqbodyProcessor, "URLENCODED");
            }
        } else if name.eq_ignore_ascii_case(b"host") {
            let host = value.split(|&b| b == b':').next().unwrap_or_default();
            self.set_scalar(Variable::ServerName, host);
        }
    }

    /// Version 0 cookies as ModSecurity v3 splits them: pairs at `;`, the name left-trimmed,
    /// the value kept as is, pairs without a name skipped.
    fn add_cookies(&mut self, header: &[u8]) {
        let mut pairs: Vec<&[u8]> = header.split(|&b| b == b';').collect();
        if pairs.last().is_some_and(|p| p.is_empty()) {
            pairs.pop();
        }
        if let Some(last) = pairs.last_mut() {
            *last = last.trim_ascii_end();
        }
        for pair in pairs {
            if pair.is_empty() {
                continue;
            }
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &b""[..]),
            };
            let name = name.trim_ascii_start();
            if name.is_empty() {
                continue;
            }
            self.collection_mut(Variable::RequestCookies)
                .push(name, value);
        }
    }

    pub fn add_response_header(&mut self, name: &[u8], value: &[u8]) {
        self.collection_mut(Variable::ResponseHeaders)
            .push(name, value);
        if name.eq_ignore_ascii_case(b"content-type") {
            let media = value.split(|&b| b == b';').next().unwrap_or_default();
            self.set_scalar(Variable::ResponseContentType, media);
        }
    }
}

/// What the body processors write into: ARGS_POST (within `SecArgumentsLimit`), scalars and
/// collection members.
pub(crate) struct StateSink<'a> {
    pub state: &'a mut State,
    pub limit: Option<u64>,
}

impl crate::body::BodySink for StateSink<'_> {
    fn add_argument(&mut self, name: &[u8], value: &[u8]) -> bool {
        self.state
            .add_argument(Variable::ArgsPost, name, value, self.limit)
    }

    fn set_scalar(&mut self, variable: Variable, value: &[u8]) {
        self.state.set_scalar(variable, value);
    }

    fn add_member(&mut self, variable: Variable, key: &[u8], value: &[u8]) {
        self.state.collection_mut(variable).push(key, value);
    }
}

/// `http://host/path` → `/path`, as ModSecurity strips an absolute URI's scheme and host.
fn strip_scheme_and_host(uri: &[u8]) -> &[u8] {
    if uri.first() == Some(&b'/') || uri.is_empty() {
        return uri;
    }
    let Some(colon) = uri.iter().position(|&b| b == b':') else {
        return uri;
    };
    if !uri[colon + 1..].starts_with(b"//") {
        return uri;
    }
    let netloc = colon + 3;
    match uri[netloc..].iter().position(|&b| b == b'/') {
        Some(path) => &uri[netloc + path..],
        None => uri,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(state: &State, v: Variable) -> Vec<u8> {
        state.scalar(v).map(|b| b.to_vec()).unwrap_or_default()
    }

    #[test]
    fn request_line_variables_follow_modsecurity() {
        let mut s = State::new();
        s.set_request_line(
            b"GET",
            b"/a%2fb/c%3Fd.php?x=1+2&y=%zz&&z",
            b"1.1",
            b'&',
            None,
        );
        assert_eq!(
            get(&s, Variable::RequestLine),
            b"GET /a%2fb/c%3Fd.php?x=1+2&y=%zz&&z HTTP/1.1"
        );
        assert_eq!(
            get(&s, Variable::RequestFilename),
            b"/a/b/c",
            "cut at the decoded ?"
        );
        assert_eq!(get(&s, Variable::RequestBasename), b"c");
        assert_eq!(get(&s, Variable::QueryString), b"x=1+2&y=%zz&&z");
        assert_eq!(
            get(&s, Variable::RequestUri),
            b"/a/b/c?d.php?x=1+2&y=%zz&&z"
        );
        assert_eq!(get(&s, Variable::RequestProtocol), b"HTTP/1.1");
        assert_eq!(get(&s, Variable::UrlencodedError), b"1");
        let args: Vec<(Vec<u8>, Vec<u8>)> = s
            .collection(Variable::ArgsGet)
            .iter()
            .map(|(k, v)| (k.to_vec(), v.to_vec()))
            .collect();
        assert_eq!(
            args,
            vec![
                (b"x".to_vec(), b"1 2".to_vec()),
                (b"y".to_vec(), b"%zz".to_vec()),
                (Vec::new(), Vec::new()),
                (b"z".to_vec(), Vec::new()),
            ]
        );
        assert_eq!(
            s.args_combined_size, 9,
            "names and values: 1+3 + 1+3 + 0 + 1"
        );
    }

    #[test]
    fn absolute_uri_loses_scheme_and_host() {
        let mut s = State::new();
        s.set_request_line(b"GET", b"http://example.com/x?a=b", b"1.1", b'&', None);
        assert_eq!(get(&s, Variable::RequestUri), b"/x?a=b");
    }

    #[test]
    fn cookies_split_like_modsecurity() {
        let mut s = State::new();
        s.add_request_header(b"Cookie", b" a=1; b=x=y;; =skip; c ");
        let cookies: Vec<(Vec<u8>, Vec<u8>)> = s
            .collection(Variable::RequestCookies)
            .iter()
            .map(|(k, v)| (k.to_vec(), v.to_vec()))
            .collect();
        assert_eq!(
            cookies,
            vec![
                (b"a".to_vec(), b"1".to_vec()),
                (b"b".to_vec(), b"x=y".to_vec()),
                (b"c".to_vec(), Vec::new()),
            ]
        );
    }

    #[test]
    fn arguments_limit_is_enforced() {
        let mut s = State::new();
        s.set_request_line(b"GET", b"/?a=1&b=2&c=3", b"1.1", b'&', Some(2));
        assert_eq!(s.collection(Variable::ArgsGet).len(), 2);
    }
}
