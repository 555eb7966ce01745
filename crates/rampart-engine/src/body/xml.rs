//! The XML request body processor (`ctl:requestBodyProcessor=XML`) and the `XML:` variable.
//!
//! libmodsecurity 3.0.9 hands the whole body to libxml2's push parser (default options: no
//! entity substitution, no network, blanks kept, maximum element depth 256), keeps whatever
//! tree it built even when the body was not well-formed, and reports a non-well-formed body as
//! `"XML: Failed parsing document."` (after the engine's `"XML parsing error: "` prefix). The
//! `XML:<xpath>` variable then gives, for each node the XPath selects, `xmlNodeGetContent`:
//! the concatenated text of an element (CDATA included, comments and processing instructions
//! not), the value of an attribute.
//!
//! This module is a strict XML 1.0 well-formedness checker that builds the same tree, without
//! recursion and without ever reading anything but the body:
//!
//! * **Entities are never expanded or fetched.** The five predefined entities and character
//!   references are decoded. A reference to an entity declared in the internal subset (XXE
//!   payloads included) is kept as its literal text `&name;`, in content and in attributes; a
//!   reference to an undeclared entity is an error, as in libxml2, unless the document has an
//!   external DTD subset or parameter-entity references (then libxml2 only warns). (libxml2's
//!   `xmlNodeGetContent` would show an internal entity's replacement text instead.)
//! * **But they are checked as libxml2 2.9 checks them.** Even without substitution, libxml2
//!   parses an internal entity's replacement text at its first reference from content (it must
//!   be well-formed content), counts the entity references that took, and refuses the document
//!   ("Detected an entity reference loop") when an entity's count is dense compared with the
//!   input read so far — its guard against "billion laughs". Attacks nest entities precisely to
//!   trip or dodge that guard, so the verdict must be libxml2's: [`Parser::entity_in_content`]
//!   and [`Parser::entity_in_attribute`] keep the same counts without expanding anything.
//! * Encodings: UTF-8 (validated), UTF-16 with or without a byte order mark, and any other
//!   declared encoding read as ISO-8859-1 (exact for Latin-1, an approximation for others).
//! * Line endings are normalised to `\n` and attribute values have `\t`, `\n`, `\r` replaced by
//!   spaces, as XML requires.
//! * Namespace errors do not make a document ill-formed (libxml2 reports them separately).
//!
//! [`XmlDocument::select`] supports the XPath forms CRS uses, `/*` and `//@*`, and simple
//! location paths: `/`, `/a/b`, `//name`, `//name/@attr`, `/a//b/text()`, `node()`, `*`,
//! `@*`, and prefixed names with [`XmlDocument::select_with_namespaces`]. Anything else
//! (predicates, functions, other axes) selects nothing, as ModSecurity yields nothing for an
//! expression libxml2 cannot evaluate.

use std::collections::HashSet;

/// What ModSecurity reports for any document libxml2 finds not well-formed.
pub const FAILED: &str = "XML: Failed parsing document.";

/// libxml2's default maximum element depth (without `XML_PARSE_HUGE`).
const MAX_DEPTH: usize = 256;

/// Parses an XML request body.
///
/// Returns the tree built (partial when the body is not well-formed, as libxml2 leaves it) and
/// the text ModSecurity puts after `"XML parsing error: "` in `REQBODY_ERROR_MSG`. An empty
/// body is not well-formed ("Document is empty"), as in ModSecurity.
pub fn parse(body: &[u8]) -> (XmlDocument, Result<(), String>) {
    let document = XmlDocument::parse(body);
    let result = if document.well_formed() {
        Ok(())
    } else {
        Err(FAILED.to_string())
    };
    (document, result)
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Attribute {
    /// The qualified name as written.
    name: Vec<u8>,
    value: Vec<u8>,
    /// A namespace declaration (`xmlns`, `xmlns:p`): not an attribute to XPath.
    is_namespace: bool,
    /// The namespace of a prefixed attribute.
    namespace: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Element {
        /// The qualified name as written.
        name: Vec<u8>,
        /// Where the local name starts in `name` (after a declared prefix).
        local: usize,
        namespace: Option<usize>,
        attributes: Vec<Attribute>,
        children: Vec<usize>,
    },
    Text(Vec<u8>),
    CData(Vec<u8>),
}

/// A parsed XML body: the element tree and whether it was well-formed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct XmlDocument {
    /// Nodes in document order.
    nodes: Vec<Node>,
    root: Option<usize>,
    /// Namespace URIs, interned.
    namespaces: Vec<Vec<u8>>,
    error: Option<String>,
}

/// A node an XPath step selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Selected {
    Document,
    /// A node of the arena.
    Node(usize),
    /// An attribute: element index, attribute index.
    Attribute(usize, usize),
}

impl Selected {
    /// A key that sorts in document order.
    fn order(self) -> (usize, usize) {
        match self {
            Selected::Document => (0, 0),
            Selected::Node(n) => (n + 1, 0),
            Selected::Attribute(n, a) => (n + 1, a + 1),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Test {
    /// `*`, or `prefix:*`.
    AnyName(Option<String>),
    /// A name, with its prefix if it had one.
    Name(Option<String>, String),
    /// `text()`
    Text,
    /// `node()`
    Node,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    /// Reached with `//`.
    descendant: bool,
    attribute: bool,
    test: Test,
}

impl XmlDocument {
    /// Parses a body (see the module documentation).
    pub fn parse(body: &[u8]) -> XmlDocument {
        let mut document = XmlDocument::default();
        match decode(body) {
            Ok(text) => {
                let mut parser = Parser::new(&text, &mut document);
                if let Err(message) = parser.document() {
                    let line = parser.line();
                    document.error = Some(format!("line {line}: {message}"));
                }
            }
            Err(message) => document.error = Some(format!("line 1: {message}")),
        }
        document
    }

    /// Whether libxml2 would have found the body well-formed.
    pub fn well_formed(&self) -> bool {
        self.error.is_none()
    }

    /// libxml2's complaint, worded like it, with the line: for logs, not for rules.
    pub fn error_detail(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Evaluates an XPath expression as ModSecurity's `XML:` variable does, without namespace
    /// prefixes (see the module documentation for what is supported).
    pub fn select(&self, xpath: &str) -> Vec<Vec<u8>> {
        self.select_with_namespaces(xpath, &[])
    }

    /// [`XmlDocument::select`] with the prefixes `xmlns:` actions register (prefix, URI).
    pub fn select_with_namespaces(&self, xpath: &str, namespaces: &[(&str, &str)]) -> Vec<Vec<u8>> {
        let Some((absolute, steps)) = parse_xpath(xpath) else {
            return Vec::new();
        };
        // Resolve prefixes first: an unknown one is an XPath error.
        let mut resolved = Vec::with_capacity(steps.len());
        for step in &steps {
            let prefix = match &step.test {
                Test::AnyName(prefix) | Test::Name(prefix, _) => prefix.as_deref(),
                _ => None,
            };
            let namespace = match prefix {
                None => None,
                Some(prefix) => match namespaces.iter().find(|(p, _)| *p == prefix) {
                    Some((_, uri)) => Some(uri.as_bytes()),
                    None => return Vec::new(),
                },
            };
            resolved.push(namespace);
        }
        let _ = absolute; // Relative paths start at the document too.
        let mut context = vec![Selected::Document];
        for (step, namespace) in steps.iter().zip(resolved) {
            let mut next = Vec::new();
            let mut seen = HashSet::new();
            // For `//`, a context node inside an earlier one's subtree adds nothing: skip it,
            // so that each step stays linear (subtrees are contiguous in document order).
            let mut covered: Option<usize> = None;
            for &node in &context {
                if step.descendant {
                    match node {
                        Selected::Node(n) if covered.is_some_and(|end| n <= end) => continue,
                        Selected::Node(n) => covered = Some(self.last_descendant(n)),
                        Selected::Document => covered = Some(usize::MAX),
                        Selected::Attribute(..) => {}
                    }
                }
                self.apply(node, step, namespace, &mut |selected| {
                    if seen.insert(selected) {
                        next.push(selected);
                    }
                });
            }
            next.sort_by_key(|s| s.order());
            context = next;
        }
        context.into_iter().map(|node| self.content(node)).collect()
    }

    fn element(&self, index: usize) -> Option<&Node> {
        self.nodes.get(index)
    }

    fn children(&self, node: Selected) -> Vec<usize> {
        match node {
            Selected::Document => self.root.into_iter().collect(),
            Selected::Node(n) => match self.element(n) {
                Some(Node::Element { children, .. }) => children.clone(),
                _ => Vec::new(),
            },
            Selected::Attribute(..) => Vec::new(),
        }
    }

    /// The index of the last node in `index`'s subtree.
    fn last_descendant(&self, index: usize) -> usize {
        let mut last = index;
        while let Some(Node::Element { children, .. }) = self.element(last) {
            match children.last() {
                Some(&child) => last = child,
                None => break,
            }
        }
        last
    }

    /// The node and its descendants, in document order (descendant-or-self).
    fn subtree(&self, node: Selected) -> Vec<Selected> {
        let mut out = vec![node];
        let mut stack: Vec<usize> = self.children(node).into_iter().rev().collect();
        while let Some(n) = stack.pop() {
            out.push(Selected::Node(n));
            if let Some(Node::Element { children, .. }) = self.element(n) {
                stack.extend(children.iter().rev());
            }
        }
        out
    }

    fn apply(
        &self,
        node: Selected,
        step: &Step,
        namespace: Option<&[u8]>,
        emit: &mut dyn FnMut(Selected),
    ) {
        let bases = if step.descendant {
            self.subtree(node)
        } else {
            vec![node]
        };
        for base in bases {
            if step.attribute {
                let Selected::Node(n) = base else {
                    continue;
                };
                if let Some(Node::Element { attributes, .. }) = self.element(n) {
                    for (i, attribute) in attributes.iter().enumerate() {
                        if !attribute.is_namespace
                            && self.attribute_matches(attribute, &step.test, namespace)
                        {
                            emit(Selected::Attribute(n, i));
                        }
                    }
                }
            } else {
                for child in self.children(base) {
                    if self.node_matches(child, &step.test, namespace) {
                        emit(Selected::Node(child));
                    }
                }
            }
        }
    }

    fn namespace_is(&self, index: Option<usize>, wanted: Option<&[u8]>) -> bool {
        let actual = index
            .and_then(|i| self.namespaces.get(i))
            .map(Vec::as_slice);
        actual == wanted
    }

    fn node_matches(&self, index: usize, test: &Test, namespace: Option<&[u8]>) -> bool {
        match (self.element(index), test) {
            (_, Test::Node) => true,
            (Some(Node::Text(_) | Node::CData(_)), Test::Text) => true,
            (Some(Node::Element { namespace: ns, .. }), Test::AnyName(prefix)) => {
                prefix.is_none() || self.namespace_is(*ns, namespace)
            }
            (
                Some(Node::Element {
                    name,
                    local,
                    namespace: ns,
                    ..
                }),
                Test::Name(_, wanted),
            ) => name.get(*local..) == Some(wanted.as_bytes()) && self.namespace_is(*ns, namespace),
            _ => false,
        }
    }

    fn attribute_matches(
        &self,
        attribute: &Attribute,
        test: &Test,
        namespace: Option<&[u8]>,
    ) -> bool {
        match test {
            Test::Node => true,
            Test::Text => false,
            Test::AnyName(prefix) => {
                prefix.is_none() || self.namespace_is(attribute.namespace, namespace)
            }
            Test::Name(_, wanted) => {
                let local = match attribute.namespace {
                    Some(_) => attribute
                        .name
                        .iter()
                        .position(|&c| c == b':')
                        .map_or(0, |p| p + 1),
                    None => 0,
                };
                attribute.name.get(local..) == Some(wanted.as_bytes())
                    && self.namespace_is(attribute.namespace, namespace)
            }
        }
    }

    /// `xmlNodeGetContent`.
    fn content(&self, node: Selected) -> Vec<u8> {
        match node {
            Selected::Attribute(n, a) => match self.element(n) {
                Some(Node::Element { attributes, .. }) => attributes
                    .get(a)
                    .map(|attribute| attribute.value.clone())
                    .unwrap_or_default(),
                _ => Vec::new(),
            },
            _ => {
                let mut out = Vec::new();
                for selected in self.subtree(node) {
                    if let Selected::Node(n) = selected {
                        if let Some(Node::Text(text) | Node::CData(text)) = self.element(n) {
                            out.extend_from_slice(text);
                        }
                    }
                }
                out
            }
        }
    }
}

/// Parses the supported XPath subset; `None` for anything else.
fn parse_xpath(xpath: &str) -> Option<(bool, Vec<Step>)> {
    let text = xpath.trim();
    if text.is_empty() {
        return None;
    }
    let absolute = text.starts_with('/');
    let mut steps = Vec::new();
    let mut rest = text;
    let mut first = true;
    while !rest.is_empty() || first {
        let descendant = if let Some(after) = rest.strip_prefix("//") {
            rest = after;
            true
        } else if let Some(after) = rest.strip_prefix('/') {
            rest = after;
            false
        } else if first {
            false
        } else {
            return None;
        };
        first = false;
        if rest.is_empty() {
            if descendant {
                return None;
            }
            // "/" alone: the document node.
            break;
        }
        let end = rest.find('/').unwrap_or(rest.len());
        let (token, after) = rest.split_at(end);
        rest = after;
        let (attribute, token) = match token.strip_prefix('@') {
            Some(name) => (true, name),
            None => (false, token),
        };
        let test = match token {
            "*" => Test::AnyName(None),
            "text()" => Test::Text,
            "node()" => Test::Node,
            _ => {
                let (prefix, local) = match token.split_once(':') {
                    Some((p, l)) => (Some(p), l),
                    None => (None, token),
                };
                if !prefix.is_none_or(is_xpath_name) {
                    return None;
                }
                if local == "*" {
                    Test::AnyName(prefix.map(str::to_string))
                } else if is_xpath_name(local) {
                    Test::Name(prefix.map(str::to_string), local.to_string())
                } else {
                    return None;
                }
            }
        };
        steps.push(Step {
            descendant,
            attribute,
            test,
        });
    }
    Some((absolute, steps))
}

fn is_xpath_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| is_name_start(c as u32) && c != ':')
        && chars.all(|c| is_name_char(c as u32) && c != ':')
}

/// XML 1.0 (fifth edition) `NameStartChar`.
fn is_name_start(c: u32) -> bool {
    matches!(c,
        0x3A | 0x41..=0x5A | 0x5F | 0x61..=0x7A | 0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x2FF
        | 0x370..=0x37D | 0x37F..=0x1FFF | 0x200C..=0x200D | 0x2070..=0x218F | 0x2C00..=0x2FEF
        | 0x3001..=0xD7FF | 0xF900..=0xFDCF | 0xFDF0..=0xFFFD | 0x10000..=0xEFFFF)
}

/// XML 1.0 (fifth edition) `NameChar`.
fn is_name_char(c: u32) -> bool {
    is_name_start(c)
        || matches!(c, 0x2D | 0x2E | 0x30..=0x39 | 0xB7 | 0x300..=0x36F | 0x203F..=0x2040)
}

/// XML 1.0 `Char`.
fn is_xml_char(c: u32) -> bool {
    matches!(c, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

fn is_blank(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r')
}

/// Turns the body into UTF-8 with normalised line endings.
fn decode(body: &[u8]) -> Result<Vec<u8>, String> {
    let text: Vec<u8> = if let Some(rest) = body.strip_prefix(b"\xef\xbb\xbf") {
        validate_utf8(rest)?;
        rest.to_vec()
    } else if let Some(rest) = body.strip_prefix(b"\xff\xfe") {
        utf16(rest, true)?
    } else if let Some(rest) = body.strip_prefix(b"\xfe\xff") {
        utf16(rest, false)?
    } else if body.starts_with(b"<\0?\0") {
        utf16(body, true)?
    } else if body.starts_with(b"\0<\0?") {
        utf16(body, false)?
    } else {
        match declared_encoding(body) {
            Some(encoding) if !is_utf8_name(&encoding) => {
                if encoding.eq_ignore_ascii_case(b"us-ascii")
                    || encoding.eq_ignore_ascii_case(b"ascii")
                {
                    if let Some(byte) = body.iter().find(|&&b| b >= 0x80) {
                        return Err(format!(
                            "input conversion failed due to input error, bytes 0x{byte:02X}"
                        ));
                    }
                }
                latin1(body)
            }
            _ => {
                validate_utf8(body)?;
                body.to_vec()
            }
        }
    };
    // Line-end normalisation: CRLF and lone CR become LF.
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.iter().copied().peekable();
    while let Some(byte) = bytes.next() {
        if byte == b'\r' {
            if bytes.peek() == Some(&b'\n') {
                bytes.next();
            }
            out.push(b'\n');
        } else {
            out.push(byte);
        }
    }
    Ok(out)
}

fn is_utf8_name(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"utf-8")
        || name.eq_ignore_ascii_case(b"utf8")
        || name.eq_ignore_ascii_case(b"utf-16")
}

fn validate_utf8(bytes: &[u8]) -> Result<(), String> {
    match std::str::from_utf8(bytes) {
        Ok(_) => Ok(()),
        Err(error) => {
            let at = error.valid_up_to();
            let shown: Vec<String> = bytes
                .iter()
                .skip(at)
                .take(4)
                .map(|b| format!("0x{b:02X}"))
                .collect();
            Err(format!(
                "Input is not proper UTF-8, indicate encoding !\nBytes: {}",
                shown.join(" ")
            ))
        }
    }
}

fn latin1(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for &b in bytes {
        if b < 0x80 {
            out.push(b);
        } else {
            out.push(0xc0 | (b >> 6));
            out.push(0x80 | (b & 0x3f));
        }
    }
    out
}

fn utf16(bytes: &[u8], little: bool) -> Result<Vec<u8>, String> {
    let units = bytes
        .chunks(2)
        .map(|pair| match (pair.first(), pair.get(1)) {
            (Some(&a), Some(&b)) => Ok(if little {
                u16::from_le_bytes([a, b])
            } else {
                u16::from_be_bytes([a, b])
            }),
            _ => Err("Premature end of data (UTF-16)".to_string()),
        });
    let units: Vec<u16> = units.collect::<Result<_, _>>()?;
    let text = String::from_utf16(&units).map_err(|_| "Invalid UTF-16 surrogate".to_string())?;
    Ok(text.into_bytes())
}

/// An entity value as libxml2 stores it: character references decoded, the rest as written.
fn decode_character_references(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    let mut rest = value;
    while let Some((&first, tail)) = rest.split_first() {
        if first == b'&' && tail.first() == Some(&b'#') {
            let (hex, digits_from) = match tail.get(1) {
                Some(b'x') => (true, 2),
                _ => (false, 1),
            };
            let digits = tail.get(digits_from..).unwrap_or_default();
            let len = digits
                .iter()
                .take_while(|c| {
                    if hex {
                        c.is_ascii_hexdigit()
                    } else {
                        c.is_ascii_digit()
                    }
                })
                .count();
            let value = std::str::from_utf8(digits.get(..len).unwrap_or_default())
                .ok()
                .and_then(|d| u32::from_str_radix(d, if hex { 16 } else { 10 }).ok())
                .and_then(char::from_u32);
            if let (Some(c), Some(b';')) = (value, digits.get(len)) {
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                rest = digits.get(len + 1..).unwrap_or_default();
                continue;
            }
        }
        out.push(first);
        rest = tail;
    }
    out
}

/// An entity whose replacement text holds a `<` cannot be used in an attribute value.
fn lt_in_attribute(name: &[u8], replacement: &[u8]) -> Res<()> {
    if replacement.contains(&b'<') {
        return Err(format!(
            "'<' in entity '{}' is not allowed in attributes values",
            String::from_utf8_lossy(name)
        ));
    }
    Ok(())
}

/// A stretch of a replacement text as libxml2's string decoder sees it.
enum Piece<'t> {
    /// Bytes that are copied (character references decoded): how many, and whether one is `<`.
    Text(u64, bool),
    /// `&name;`.
    Reference(&'t [u8]),
}

/// The pieces of a replacement text, in order.
fn replacement_pieces(text: &[u8]) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let plain = rest.iter().position(|&c| c == b'&').unwrap_or(rest.len());
        if plain > 0 {
            let run = rest.get(..plain).unwrap_or_default();
            pieces.push(Piece::Text(plain as u64, run.contains(&b'<')));
            rest = rest.get(plain..).unwrap_or_default();
            continue;
        }
        let after = rest.get(1..).unwrap_or_default();
        let Some(end) = after.iter().position(|&c| c == b';') else {
            pieces.push(Piece::Text(rest.len() as u64, rest.contains(&b'<')));
            break;
        };
        let name = after.get(..end).unwrap_or_default();
        rest = after.get(end + 1..).unwrap_or_default();
        if let Some(reference) = name.strip_prefix(b"#") {
            let decoded = decode_character_references(&[b"&#", reference, b";"].concat());
            pieces.push(Piece::Text(decoded.len() as u64, decoded.contains(&b'<')));
        } else if !name.is_empty() {
            pieces.push(Piece::Reference(name));
        }
    }
    pieces
}

/// The character a predefined entity stands for.
fn predefined_entity(name: &[u8]) -> Option<u8> {
    match name {
        b"lt" => Some(b'<'),
        b"gt" => Some(b'>'),
        b"amp" => Some(b'&'),
        b"apos" => Some(b'\''),
        b"quot" => Some(b'"'),
        _ => None,
    }
}

/// The `encoding` of an XML declaration at the start of an 8-bit body.
fn declared_encoding(body: &[u8]) -> Option<Vec<u8>> {
    if !body.starts_with(b"<?xml") {
        return None;
    }
    let end = body.windows(2).position(|w| w == b"?>")?;
    let declaration = body.get(..end)?;
    let at = declaration.windows(8).position(|w| w == b"encoding")?;
    let rest = declaration.get(at + 8..)?;
    let rest = rest.get(rest.iter().position(|&c| !is_blank(c))?..)?;
    let rest = rest.strip_prefix(b"=")?;
    let rest = rest.get(rest.iter().position(|&c| !is_blank(c))?..)?;
    let quote = *rest.first()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let value = rest.get(1..)?;
    let close = value.iter().position(|&c| c == quote)?;
    Some(value.get(..close)?.to_vec())
}

/// An open element during the parse.
struct Open {
    index: usize,
    name_start: usize,
    name_end: usize,
    /// How many namespace bindings it pushed.
    bindings: usize,
}

struct Parser<'a, 'd> {
    text: &'a [u8],
    pos: usize,
    doc: &'d mut XmlDocument,
    open: Vec<Open>,
    /// In-scope namespace bindings: prefix (empty for the default), URI index (None: undeclared).
    bindings: Vec<(Vec<u8>, Option<usize>)>,
    /// General entities declared in the internal subset.
    entities: Vec<Entity>,
    /// Undeclared entities are only a warning (external subset or parameter entities).
    lenient_entities: bool,
    /// libxml2's `nbentities`: entity references met, counting each already-checked entity's
    /// own references again at every further reference.
    entity_references: u64,
    /// How many entity replacement texts enclose this parser (libxml2's `depth`).
    entity_depth: usize,
    /// Entities referenced from the attributes of the start tag being read.
    owners_pending: Vec<usize>,
}

/// A general entity from the internal subset, with libxml2's bookkeeping for it.
#[derive(Debug, Clone)]
struct Entity {
    name: Vec<u8>,
    /// Replacement text of an internal entity (character references decoded); `None` for an
    /// external one, which is never loaded.
    replacement: Option<Vec<u8>>,
    /// libxml2's `checked`: 0 until first parsed, then twice (references met + 1), plus one
    /// when the replacement holds a `<`.
    checked: u64,
    /// Being parsed right now: a reference back to it is a loop.
    in_progress: bool,
    /// libxml2's `owner`: its node list was built (it counts once more in attribute values).
    owner: bool,
    /// What decoding its replacement text adds, once everything inside is checked.
    decode: Option<Decoded>,
}

/// The bookkeeping of one string decode of a replacement text (see
/// [`Parser::decode_replacement`]).
#[derive(Debug, Clone, Copy, Default)]
struct Decoded {
    /// Bytes of the result.
    length: u64,
    /// Whether the result holds a `<`.
    has_lt: bool,
    /// Entity references counted (with the counts of the entities met).
    references: u64,
    /// The largest `checked` among the entities it reaches.
    densest: u64,
    /// How deeply entities nest inside it.
    height: usize,
    /// The largest buffer size at which libxml2 checked the decode against the input.
    largest_check: u64,
}

/// libxml2's decode buffer: it starts at 300 bytes and doubles (plus 100) whenever fewer than
/// 100 are left; while it copies an entity's expansion, every growth is also a size check.
struct DecodeBuffer {
    length: u64,
    capacity: u64,
    largest_check: u64,
}

impl DecodeBuffer {
    fn new() -> Self {
        DecodeBuffer {
            length: 0,
            capacity: 300,
            largest_check: 0,
        }
    }

    fn append(&mut self, bytes: u64) {
        self.length = self.length.saturating_add(bytes);
        while self.length.saturating_add(100) > self.capacity {
            self.capacity = self.capacity.saturating_mul(2).saturating_add(100);
        }
    }

    /// A copy whose checks are only recorded (working out what a later decode will meet).
    fn record_copy(&mut self, bytes: u64) {
        let end = self.length.saturating_add(bytes);
        while end.saturating_add(100) > self.capacity {
            self.largest_check = self.largest_check.max(self.capacity - 99);
            self.capacity = self.capacity.saturating_mul(2).saturating_add(100);
        }
        self.length = end;
    }

    fn copy_checked(&mut self, bytes: u64, references: u64, consumed: u64) -> Res<()> {
        let end = self.length.saturating_add(bytes);
        while end.saturating_add(100) > self.capacity {
            let at = self.capacity - 99;
            self.largest_check = self.largest_check.max(at);
            if too_big(at, references, consumed) {
                return Err(ENTITY_LOOP.to_string());
            }
            self.capacity = self.capacity.saturating_mul(2).saturating_add(100);
        }
        self.length = end;
        Ok(())
    }
}

/// libxml2's size test on a decode: a big result (1000 bytes or more) that is large against the
/// input read, or made of too many entity references for it.
fn too_big(size: u64, references: u64, consumed: u64) -> bool {
    let limit = consumed.saturating_mul(NON_LINEAR);
    size >= 1000 && (size >= limit || references.saturating_mul(3) >= limit)
}

/// libxml2's answer when entity references are too dense (or loop).
const ENTITY_LOOP: &str = "Detected an entity reference loop";

/// libxml2's `XML_PARSER_NON_LINEAR`: entity references per input byte it tolerates, over 3.
const NON_LINEAR: u64 = 10;

/// libxml2 gives up on entity replacement texts nested deeper than this.
const MAX_ENTITY_DEPTH: usize = 40;

type Res<T> = Result<T, String>;

impl<'a, 'd> Parser<'a, 'd> {
    fn new(text: &'a [u8], doc: &'d mut XmlDocument) -> Parser<'a, 'd> {
        Parser {
            text,
            pos: 0,
            doc,
            open: Vec::new(),
            bindings: vec![(b"xml".to_vec(), None)],
            entities: Vec::new(),
            lenient_entities: false,
            entity_references: 0,
            entity_depth: 0,
            owners_pending: Vec::new(),
        }
    }

    fn line(&self) -> usize {
        1 + self
            .text
            .get(..self.pos)
            .unwrap_or(self.text)
            .iter()
            .filter(|&&c| c == b'\n')
            .count()
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn rest(&self) -> &'a [u8] {
        self.text.get(self.pos..).unwrap_or_default()
    }

    fn starts(&self, prefix: &[u8]) -> bool {
        self.rest().starts_with(prefix)
    }

    fn skip_blanks(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(is_blank) {
            self.pos += 1;
        }
        self.pos > start
    }

    fn expect(&mut self, what: &[u8], message: &str) -> Res<()> {
        if self.starts(what) {
            self.pos += what.len();
            Ok(())
        } else {
            Err(message.to_string())
        }
    }

    /// The character at the position (the text is valid UTF-8).
    fn char_at(&self, pos: usize) -> Option<(u32, usize)> {
        let first = *self.text.get(pos)?;
        let len = match first {
            0x00..=0x7f => 1,
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            _ => 4,
        };
        let bytes = self.text.get(pos..pos + len)?;
        let c = std::str::from_utf8(bytes).ok()?.chars().next()?;
        Some((c as u32, len))
    }

    /// Checks that a run of text holds only XML characters (the text is valid UTF-8, so
    /// only controls and U+FFFE/U+FFFF can be wrong).
    fn check_chars(&self, from: usize, to: usize) -> Res<()> {
        let run = self.slice(from, to);
        for (i, &byte) in run.iter().enumerate() {
            if let Some(c) = invalid_char_at(run, i, byte) {
                return Err(format!("PCDATA invalid Char value {c}"));
            }
        }
        Ok(())
    }

    fn name(&mut self) -> Option<(usize, usize)> {
        let start = self.pos;
        let (c, len) = self.char_at(self.pos)?;
        if !is_name_start(c) {
            return None;
        }
        self.pos += len;
        while let Some((c, len)) = self.char_at(self.pos) {
            if !is_name_char(c) {
                break;
            }
            self.pos += len;
        }
        Some((start, self.pos))
    }

    fn slice(&self, start: usize, end: usize) -> &'a [u8] {
        self.text.get(start..end).unwrap_or_default()
    }

    fn document(&mut self) -> Res<()> {
        if self.text.is_empty() {
            return Err("Document is empty".to_string());
        }
        if self.starts(b"<?xml") && self.text.get(5).is_some_and(|&c| is_blank(c)) {
            self.xml_declaration()?;
        }
        self.misc()?;
        if self.starts(b"<!DOCTYPE") {
            self.doctype()?;
            self.misc()?;
        }
        match self.peek() {
            None => return Err("Start tag expected, '<' not found".to_string()),
            Some(b'<') => {}
            Some(_) => return Err("Start tag expected, '<' not found".to_string()),
        }
        self.content()?;
        self.misc()?;
        if self.pos < self.text.len() {
            return Err("Extra content at the end of the document".to_string());
        }
        Ok(())
    }

    /// Comments, processing instructions and blanks outside the root element.
    fn misc(&mut self) -> Res<()> {
        loop {
            self.skip_blanks();
            if self.starts(b"<!--") {
                self.comment()?;
            } else if self.starts(b"<?") {
                self.pi()?;
            } else {
                return Ok(());
            }
        }
    }

    fn xml_declaration(&mut self) -> Res<()> {
        self.pos += 5;
        let mut seen_version = false;
        let mut index = 0;
        loop {
            let blank = self.skip_blanks();
            if self.starts(b"?>") {
                self.pos += 2;
                break;
            }
            if !blank {
                return Err("parsing XML declaration: '?>' expected".to_string());
            }
            let Some((start, end)) = self.name() else {
                return Err("parsing XML declaration: '?>' expected".to_string());
            };
            let name = self.slice(start, end);
            self.skip_blanks();
            self.expect(b"=", "Blank needed here")?;
            self.skip_blanks();
            let quote = self
                .peek()
                .filter(|&q| q == b'"' || q == b'\'')
                .ok_or("String not started expecting ' or \"")?;
            self.pos += 1;
            let value_start = self.pos;
            while self.peek().is_some_and(|c| c != quote && c != b'<') {
                self.pos += 1;
            }
            if self.peek() != Some(quote) {
                return Err("String not closed expecting \" or '".to_string());
            }
            let value = self.slice(value_start, self.pos);
            self.pos += 1;
            match (name, index) {
                (b"version", 0) => {
                    if !(value.starts_with(b"1.")
                        && value.len() > 2
                        && value.iter().skip(2).all(u8::is_ascii_digit))
                    {
                        return Err(format!(
                            "Unsupported version '{}'",
                            String::from_utf8_lossy(value)
                        ));
                    }
                    seen_version = true;
                }
                (b"encoding", 1) if seen_version => {
                    let valid = value.first().is_some_and(u8::is_ascii_alphabetic)
                        && value
                            .iter()
                            .all(|&c| c.is_ascii_alphanumeric() || b"._-".contains(&c));
                    if !valid {
                        return Err("Invalid XML encoding name".to_string());
                    }
                }
                (b"standalone", 1 | 2) if seen_version => {
                    if value != b"yes" && value != b"no" {
                        return Err("standalone accepts only 'yes' or 'no'".to_string());
                    }
                }
                _ if !seen_version => {
                    return Err("Malformed declaration expecting version".to_string())
                }
                _ => return Err("parsing XML declaration: '?>' expected".to_string()),
            }
            index += 1;
        }
        if !seen_version {
            return Err("Malformed declaration expecting version".to_string());
        }
        Ok(())
    }

    fn comment(&mut self) -> Res<()> {
        self.pos += 4;
        let start = self.pos;
        let Some(end) = find(self.rest(), b"--") else {
            return Err("Comment not terminated".to_string());
        };
        let end = start + end;
        if self.text.get(end + 2) != Some(&b'>') {
            self.pos = end;
            return Err("Double hyphen within comment".to_string());
        }
        self.check_chars(start, end)?;
        self.pos = end + 3;
        Ok(())
    }

    fn pi(&mut self) -> Res<()> {
        self.pos += 2;
        let Some((start, end)) = self.name() else {
            return Err("xmlParsePI : no target name".to_string());
        };
        let target = self.slice(start, end);
        if target.eq_ignore_ascii_case(b"xml") {
            return Err("XML declaration allowed only at the start of the document".to_string());
        }
        if self.starts(b"?>") {
            self.pos += 2;
            return Ok(());
        }
        if !self.skip_blanks() {
            return Err("ParsePI: PI target space expected".to_string());
        }
        let Some(close) = find(self.rest(), b"?>") else {
            return Err("ParsePI: PI not terminated".to_string());
        };
        self.check_chars(self.pos, self.pos + close)?;
        self.pos += close + 2;
        Ok(())
    }

    /// `<!DOCTYPE name ExternalID? [internal subset]? >`: remembers the general entities.
    fn doctype(&mut self) -> Res<()> {
        self.pos += 9;
        if !self.skip_blanks() {
            return Err("Space required after 'DOCTYPE'".to_string());
        }
        if self.name().is_none() {
            return Err("xmlParseDocTypeDecl : no DOCTYPE name !".to_string());
        }
        self.skip_blanks();
        if self.starts(b"SYSTEM") || self.starts(b"PUBLIC") {
            let public = self.starts(b"PUBLIC");
            self.pos += 6;
            self.skip_blanks();
            self.literal()?;
            if public {
                self.skip_blanks();
                self.literal()?;
            }
            self.lenient_entities = true;
            self.skip_blanks();
        }
        if self.peek() == Some(b'[') {
            self.pos += 1;
            self.internal_subset()?;
            self.skip_blanks();
        }
        self.expect(b">", "DOCTYPE improperly terminated")
    }

    fn literal(&mut self) -> Res<&'a [u8]> {
        let quote = self
            .peek()
            .filter(|&q| q == b'"' || q == b'\'')
            .ok_or("SystemLiteral \" or ' expected")?;
        self.pos += 1;
        let start = self.pos;
        let Some(len) = self.rest().iter().position(|&c| c == quote) else {
            return Err("Unfinished SystemLiteral".to_string());
        };
        self.pos += len + 1;
        Ok(self.slice(start, start + len))
    }

    fn internal_subset(&mut self) -> Res<()> {
        loop {
            self.skip_blanks();
            match self.peek() {
                None => {
                    return Err(
                        "xmlParseInternalSubset: error detected in Markup declaration".to_string(),
                    )
                }
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'%') => {
                    self.pos += 1;
                    if self.name().is_none() || self.peek() != Some(b';') {
                        return Err("PEReference: expecting ';'".to_string());
                    }
                    self.pos += 1;
                    self.lenient_entities = true;
                }
                Some(b'<') if self.starts(b"<!--") => self.comment()?,
                Some(b'<') if self.starts(b"<?") => self.pi()?,
                Some(b'<') if self.starts(b"<!ENTITY") => self.entity_declaration()?,
                Some(b'<') if self.starts(b"<!") => self.skip_declaration()?,
                Some(_) => {
                    return Err(
                        "xmlParseInternalSubset: error detected in Markup declaration".to_string(),
                    )
                }
            }
        }
    }

    /// Skips `<!ELEMENT …>`, `<!ATTLIST …>`, `<!NOTATION …>`, honouring quotes.
    fn skip_declaration(&mut self) -> Res<()> {
        self.pos += 2;
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "xmlParseInternalSubset: error detected in Markup declaration".to_string(),
                    )
                }
                Some(b'>') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'"' | b'\'') => {
                    self.literal()?;
                }
                Some(b'%') => {
                    self.lenient_entities = true;
                    self.pos += 1;
                }
                Some(_) => self.pos += 1,
            }
        }
    }

    fn entity_declaration(&mut self) -> Res<()> {
        self.pos += 8;
        if !self.skip_blanks() {
            return Err("Space required after '<!ENTITY'".to_string());
        }
        let parameter = self.peek() == Some(b'%');
        if parameter {
            self.pos += 1;
            if !self.skip_blanks() {
                return Err("Space required after '%'".to_string());
            }
        }
        let Some((start, end)) = self.name() else {
            return Err("xmlParseEntityDecl: no name".to_string());
        };
        let name = self.slice(start, end).to_vec();
        if !self.skip_blanks() {
            return Err("Space required after the entity name".to_string());
        }
        let external = self.starts(b"SYSTEM") || self.starts(b"PUBLIC");
        let mut replacement = None;
        if external {
            let public = self.starts(b"PUBLIC");
            self.pos += 6;
            self.skip_blanks();
            self.literal()?;
            if public {
                self.skip_blanks();
                self.literal()?;
            }
            self.skip_blanks();
            if self.starts(b"NDATA") {
                self.pos += 5;
                self.skip_blanks();
                if self.name().is_none() {
                    return Err("NDATA expected".to_string());
                }
            }
        } else {
            let value = self
                .literal()
                .map_err(|_| "EntityValue: \" or ' expected".to_string())?;
            if value.contains(&b'%') {
                self.lenient_entities = true;
            }
            replacement = Some(decode_character_references(value));
        }
        self.skip_blanks();
        self.expect(b">", "xmlParseEntityDecl: entity not terminated")?;
        if !parameter && !self.entities.iter().any(|e| e.name == name) {
            self.entities.push(Entity {
                name,
                replacement,
                checked: 0,
                in_progress: false,
                owner: false,
                decode: None,
            });
        }
        Ok(())
    }

    /// A reference after `&`: appends its text (decoded, or literal for declared entities).
    fn reference(&mut self, out: &mut Vec<u8>, in_attribute: bool) -> Res<()> {
        let amp = self.pos;
        self.pos += 1;
        if self.peek() == Some(b'#') {
            self.pos += 1;
            let hex = self.peek() == Some(b'x');
            if hex {
                self.pos += 1;
            }
            let start = self.pos;
            while self.peek().is_some_and(|c| {
                if hex {
                    c.is_ascii_hexdigit()
                } else {
                    c.is_ascii_digit()
                }
            }) {
                self.pos += 1;
            }
            let digits = std::str::from_utf8(self.slice(start, self.pos)).unwrap_or_default();
            if digits.is_empty() || self.peek() != Some(b';') {
                return Err("xmlParseCharRef: invalid decimal value".to_string());
            }
            self.pos += 1;
            let value = u32::from_str_radix(digits, if hex { 16 } else { 10 }).unwrap_or(u32::MAX);
            match char::from_u32(value).filter(|_| is_xml_char(value)) {
                Some(c) => {
                    let mut buf = [0; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    Ok(())
                }
                None => Err(format!("xmlParseCharRef: invalid xmlChar value {value}")),
            }
        } else {
            let Some((start, end)) = self.name() else {
                return Err("xmlParseEntityRef: no name".to_string());
            };
            if self.peek() != Some(b';') {
                return Err("EntityRef: expecting ';'".to_string());
            }
            self.pos += 1;
            let name = self.slice(start, end);
            let predefined: Option<u8> = match name {
                b"lt" => Some(b'<'),
                b"gt" => Some(b'>'),
                b"amp" => Some(b'&'),
                b"apos" => Some(b'\''),
                b"quot" => Some(b'"'),
                _ => None,
            };
            if let Some(c) = predefined {
                out.push(c);
                return Ok(());
            }
            match self.entities.iter().position(|e| e.name == name) {
                Some(index) => {
                    let internal = self
                        .entities
                        .get(index)
                        .is_some_and(|e| e.replacement.is_some());
                    if in_attribute && !internal {
                        return Err(format!(
                            "Attribute references external entity '{}'",
                            String::from_utf8_lossy(name)
                        ));
                    }
                    if in_attribute {
                        self.entity_in_attribute(index)?;
                    } else {
                        self.entity_in_content(index)?;
                    }
                    // Never expanded: kept as written.
                    out.extend_from_slice(self.slice(amp, self.pos));
                    Ok(())
                }
                None if self.lenient_entities => {
                    out.extend_from_slice(self.slice(amp, self.pos));
                    Ok(())
                }
                None => Err(format!(
                    "Entity '{}' not defined",
                    String::from_utf8_lossy(name)
                )),
            }
        }
    }

    /// A reference from content to a declared entity: libxml2's `xmlParseReference` without
    /// substitution. The first reference parses the replacement text as content and checks the
    /// density of the references it took against the input read so far; later references only
    /// add the entity's count again.
    fn entity_in_content(&mut self, index: usize) -> Res<()> {
        self.entity_references = self.entity_references.saturating_add(1);
        let Some(entity) = self.entities.get(index) else {
            return Ok(());
        };
        let Some(replacement) = entity.replacement.clone() else {
            // External entities are never loaded, so never counted.
            return Ok(());
        };
        if entity.checked != 0 {
            self.entity_references = self.entity_references.saturating_add(entity.checked / 2);
            return Ok(());
        }
        if entity.in_progress {
            return Err(ENTITY_LOOP.to_string());
        }
        let before = self.entity_references;
        self.set_in_progress(index, true);
        let parsed = self.parse_replacement(&replacement);
        self.set_in_progress(index, false);
        let checked = self.record_checked(index, before, replacement.contains(&b'<'));
        if !replacement.is_empty() {
            if let Some(entity) = self.entities.get_mut(index) {
                entity.owner = true;
            }
        }
        if matches!(&parsed, Err(m) if m == ENTITY_LOOP) || self.too_dense(checked) {
            return Err(ENTITY_LOOP.to_string());
        }
        parsed.map_err(|_| {
            let name = self.entities.get(index).map(|e| e.name.as_slice());
            format!(
                "Entity '{}' failed to parse",
                String::from_utf8_lossy(name.unwrap_or_default())
            )
        })
    }

    /// A reference from an attribute value to a declared internal entity: libxml2 only checks
    /// the entity on its first sight, by decoding its replacement text as a string
    /// (`xmlStringDecodeEntities`), which checks every entity referenced inside it.
    fn entity_in_attribute(&mut self, index: usize) -> Res<()> {
        let owner = self.entities.get(index).is_some_and(|e| e.owner);
        self.entity_references = self.entity_references.saturating_add(2 + u64::from(owner));
        self.owners_pending.push(index);
        let Some(entity) = self.entities.get(index) else {
            return Ok(());
        };
        let Some(replacement) = entity.replacement.clone() else {
            return Ok(());
        };
        lt_in_attribute(&entity.name, &replacement)?;
        if entity.checked != 0 {
            return Ok(());
        }
        let before = self.entity_references;
        let decoded = self.decode_replacement(&replacement, self.entity_depth + 1)?;
        self.record_checked(index, before, decoded.has_lt);
        self.remember_decode(index, &decoded);
        Ok(())
    }

    /// libxml2's string decoding of a replacement text, in an attribute value: every entity
    /// referenced is checked (counted on first sight, held against the input read) and
    /// decoded in turn, and the growing result is held against the input read as well.
    /// Entities already decoded once are not walked again: what a decode of them adds is
    /// remembered, so that nested "laughs" cost their size in the text, not their expansion.
    fn decode_replacement(&mut self, text: &[u8], depth: usize) -> Res<Decoded> {
        if depth > MAX_ENTITY_DEPTH {
            return Err(ENTITY_LOOP.to_string());
        }
        let consumed = self.pos as u64;
        let mut out = Decoded::default();
        let mut buffer = DecodeBuffer::new();
        for piece in replacement_pieces(text) {
            let name = match piece {
                Piece::Text(bytes, has_lt) => {
                    buffer.append(bytes);
                    out.has_lt |= has_lt;
                    continue;
                }
                Piece::Reference(name) => name,
            };
            if let Some(c) = predefined_entity(name) {
                buffer.append(1);
                out.has_lt |= c == b'<';
                continue;
            }
            self.entity_references = self.entity_references.saturating_add(1);
            let Some(index) = self.entities.iter().position(|e| e.name == name) else {
                if self.lenient_entities {
                    continue;
                }
                return Err(format!(
                    "Entity '{}' not defined",
                    String::from_utf8_lossy(name)
                ));
            };
            let Some(replacement) = self.entities.get(index).and_then(|e| e.replacement.clone())
            else {
                return Err(format!(
                    "Attribute references external entity '{}'",
                    String::from_utf8_lossy(name)
                ));
            };
            lt_in_attribute(name, &replacement)?;
            if self.entities.get(index).is_some_and(|e| e.in_progress) {
                return Err(ENTITY_LOOP.to_string());
            }
            if self.entities.get(index).is_some_and(|e| e.checked == 0) {
                let before = self.entity_references;
                self.set_in_progress(index, true);
                let decoded = self.decode_replacement(&replacement, depth + 1);
                self.set_in_progress(index, false);
                let decoded = decoded?;
                self.record_checked(index, before, decoded.has_lt);
                self.remember_decode(index, &decoded);
            }
            let checked = self.entities.get(index).map_or(0, |e| e.checked);
            let memo = self.decode_memo(index);
            if self.too_dense(checked) || self.too_dense(memo.densest) {
                return Err(ENTITY_LOOP.to_string());
            }
            if depth + 1 + memo.height > MAX_ENTITY_DEPTH {
                return Err(ENTITY_LOOP.to_string());
            }
            self.entity_references = self
                .entity_references
                .saturating_add(checked / 2)
                .saturating_add(memo.references);
            if too_big(memo.largest_check, self.entity_references, consumed) {
                return Err(ENTITY_LOOP.to_string());
            }
            buffer.copy_checked(memo.length, self.entity_references, consumed)?;
            out.has_lt |= memo.has_lt;
            out.references = out
                .references
                .saturating_add(1 + checked / 2)
                .saturating_add(memo.references);
            out.densest = out.densest.max(checked).max(memo.densest);
            out.height = out.height.max(memo.height + 1);
            out.largest_check = out.largest_check.max(memo.largest_check);
        }
        out.length = buffer.length;
        out.largest_check = out.largest_check.max(buffer.largest_check);
        Ok(out)
    }

    /// Remembers what a decode of an entity's replacement adds, now that everything inside
    /// it has been checked (the first decode also checked; later ones do not).
    fn remember_decode(&mut self, index: usize, decoded: &Decoded) {
        if let Some(entity) = self.entities.get_mut(index) {
            entity.decode = Some(*decoded);
        }
    }

    /// What a decode of a checked entity adds; worked out from its parts when the entity was
    /// checked from content rather than decoded.
    fn decode_memo(&mut self, index: usize) -> Decoded {
        let Some(entity) = self.entities.get(index) else {
            return Decoded::default();
        };
        if let Some(known) = entity.decode {
            return known;
        }
        let (Some(replacement), false) = (entity.replacement.clone(), entity.in_progress) else {
            return Decoded::default();
        };
        self.set_in_progress(index, true);
        let mut out = Decoded::default();
        let mut buffer = DecodeBuffer::new();
        for piece in replacement_pieces(&replacement) {
            match piece {
                Piece::Text(bytes, has_lt) => {
                    buffer.append(bytes);
                    out.has_lt |= has_lt;
                }
                Piece::Reference(name) => {
                    if let Some(c) = predefined_entity(name) {
                        buffer.append(1);
                        out.has_lt |= c == b'<';
                        continue;
                    }
                    let Some(inner) = self.entities.iter().position(|e| e.name == name) else {
                        continue;
                    };
                    let checked = self.entities.get(inner).map_or(0, |e| e.checked);
                    let memo = self.decode_memo(inner);
                    buffer.record_copy(memo.length);
                    out.has_lt |= memo.has_lt;
                    out.references = out
                        .references
                        .saturating_add(1 + checked / 2)
                        .saturating_add(memo.references);
                    out.densest = out.densest.max(checked).max(memo.densest);
                    out.height = out.height.max(memo.height + 1);
                    out.largest_check = out.largest_check.max(memo.largest_check);
                }
            }
        }
        self.set_in_progress(index, false);
        out.length = buffer.length;
        out.largest_check = out.largest_check.max(buffer.largest_check);
        self.remember_decode(index, &out);
        out
    }

    /// After a start tag, libxml2 builds the node lists of the entities its attributes
    /// referenced (and of those they reference), which marks them as owning their subtree:
    /// later attribute references count one more.
    fn settle_attribute_entities(&mut self) {
        let mut stack = std::mem::take(&mut self.owners_pending);
        while let Some(index) = stack.pop() {
            let Some(entity) = self.entities.get_mut(index) else {
                continue;
            };
            if entity.owner {
                continue;
            }
            entity.owner = true;
            let Some(replacement) = entity.replacement.clone() else {
                continue;
            };
            for piece in replacement_pieces(&replacement) {
                if let Piece::Reference(name) = piece {
                    if let Some(i) = self.entities.iter().position(|e| e.name == name) {
                        stack.push(i);
                    }
                }
            }
        }
    }

    /// Parses an entity's replacement text as content, with the same entity table.
    fn parse_replacement(&mut self, text: &[u8]) -> Res<()> {
        if self.entity_depth + 1 > MAX_ENTITY_DEPTH {
            return Err(ENTITY_LOOP.to_string());
        }
        let mut scratch = XmlDocument::default();
        let mut inner = Parser::new(text, &mut scratch);
        inner.entities = std::mem::take(&mut self.entities);
        inner.lenient_entities = self.lenient_entities;
        inner.entity_depth = self.entity_depth + 1;
        let result = inner.content_items(true);
        self.entities = std::mem::take(&mut inner.entities);
        self.entity_references = self
            .entity_references
            .saturating_add(inner.entity_references);
        result
    }

    fn set_in_progress(&mut self, index: usize, in_progress: bool) {
        if let Some(entity) = self.entities.get_mut(index) {
            entity.in_progress = in_progress;
        }
    }

    /// Stores libxml2's `checked` for an entity just parsed: twice the references it took,
    /// plus one when its text holds a `<`.
    fn record_checked(&mut self, index: usize, before: u64, has_lt: bool) -> u64 {
        let references = self
            .entity_references
            .saturating_sub(before)
            .saturating_add(1)
            .min(i32::MAX as u64 / 2);
        let checked = references * 2 + u64::from(has_lt);
        if let Some(entity) = self.entities.get_mut(index) {
            entity.checked = checked;
        }
        checked
    }

    /// libxml2's density test: an entity standing for more references than a third of ten
    /// times the bytes read so far (in the text being parsed) is an amplification attack.
    fn too_dense(&self, checked: u64) -> bool {
        (checked / 2).saturating_mul(3) >= (self.pos as u64).saturating_mul(NON_LINEAR)
    }

    fn add_node(&mut self, node: Node) -> usize {
        let index = self.doc.nodes.len();
        self.doc.nodes.push(node);
        match self.open.last() {
            Some(parent) => {
                if let Some(Node::Element { children, .. }) = self.doc.nodes.get_mut(parent.index) {
                    children.push(index);
                }
            }
            None => {
                if self.doc.root.is_none() {
                    self.doc.root = Some(index);
                }
            }
        }
        index
    }

    /// Appends character data, merging with a preceding text node.
    fn add_text(&mut self, text: &[u8]) {
        if text.is_empty() {
            return;
        }
        if let Some(parent) = self.open.last() {
            let last_child = match self.doc.nodes.get(parent.index) {
                Some(Node::Element { children, .. }) => children.last().copied(),
                _ => None,
            };
            if let Some(Node::Text(existing)) = last_child.and_then(|i| self.doc.nodes.get_mut(i)) {
                existing.extend_from_slice(text);
                return;
            }
        }
        self.add_node(Node::Text(text.to_vec()));
    }

    fn intern_namespace(&mut self, uri: &[u8]) -> usize {
        if let Some(i) = self.doc.namespaces.iter().position(|n| n == uri) {
            return i;
        }
        self.doc.namespaces.push(uri.to_vec());
        self.doc.namespaces.len() - 1
    }

    fn lookup(&self, prefix: &[u8]) -> Option<usize> {
        self.bindings
            .iter()
            .rev()
            .find(|(p, _)| p == prefix)
            .and_then(|(_, uri)| *uri)
    }

    /// The root element and everything in it, without recursion.
    fn content(&mut self) -> Res<()> {
        self.start_tag()?;
        self.content_items(false)
    }

    /// Content up to the end of the root element, or, for an entity's replacement text
    /// (`chunk`), up to the end of the text, which must close every element it opens.
    fn content_items(&mut self, chunk: bool) -> Res<()> {
        let mut text = Vec::new();
        while chunk || !self.open.is_empty() {
            match self.peek() {
                None if chunk && self.open.is_empty() => {
                    self.add_text(&text);
                    return Ok(());
                }
                Some(b'<') if chunk && self.open.is_empty() && self.starts(b"</") => {
                    return Err("chunk is not well balanced".to_string());
                }
                None => {
                    self.add_text(&text);
                    let name = self
                        .open
                        .last()
                        .map(|o| self.slice(o.name_start, o.name_end))
                        .unwrap_or_default();
                    return Err(format!(
                        "Premature end of data in tag {} line {}",
                        String::from_utf8_lossy(name),
                        self.line()
                    ));
                }
                Some(b'<') => {
                    self.add_text(&std::mem::take(&mut text));
                    if self.starts(b"</") {
                        self.end_tag()?;
                    } else if self.starts(b"<!--") {
                        self.comment()?;
                    } else if self.starts(b"<![CDATA[") {
                        self.pos += 9;
                        let Some(len) = find(self.rest(), b"]]>") else {
                            return Err("CData section not finished".to_string());
                        };
                        self.check_chars(self.pos, self.pos + len)?;
                        let data = self.slice(self.pos, self.pos + len).to_vec();
                        self.pos += len + 3;
                        if !data.is_empty() {
                            self.add_node(Node::CData(data));
                        }
                    } else if self.starts(b"<?") {
                        self.pi()?;
                    } else if self.starts(b"<!") {
                        return Err("StartTag: invalid element name".to_string());
                    } else {
                        self.start_tag()?;
                    }
                }
                Some(b'&') => self.reference(&mut text, false)?,
                Some(_) => {
                    let start = self.pos;
                    while self.peek().is_some_and(|c| c != b'<' && c != b'&') {
                        self.pos += 1;
                    }
                    let run = self.slice(start, self.pos);
                    if let Some(at) = find(run, b"]]>") {
                        self.pos = start + at;
                        return Err("Sequence ']]>' not allowed in content".to_string());
                    }
                    self.check_chars(start, self.pos)?;
                    text.extend_from_slice(run);
                }
            }
        }
        Ok(())
    }

    fn start_tag(&mut self) -> Res<()> {
        self.pos += 1;
        let Some((name_start, name_end)) = self.name() else {
            return Err("StartTag: invalid element name".to_string());
        };
        if self.open.len() >= MAX_DEPTH {
            return Err(format!(
                "Excessive depth in document: {MAX_DEPTH} use XML_PARSE_HUGE option"
            ));
        }
        let mut attributes: Vec<Attribute> = Vec::new();
        let mut names: HashSet<&'a [u8]> = HashSet::new();
        let empty;
        loop {
            let blank = self.skip_blanks();
            if self.starts(b"/>") {
                self.pos += 2;
                empty = true;
                break;
            }
            if self.peek() == Some(b'>') {
                self.pos += 1;
                empty = false;
                break;
            }
            if self.peek().is_none() {
                return Err(format!(
                    "Couldn't find end of Start Tag {} line {}",
                    String::from_utf8_lossy(self.slice(name_start, name_end)),
                    self.line()
                ));
            }
            if !blank {
                return Err("attributes construct error".to_string());
            }
            let Some((start, end)) = self.name() else {
                return Err("error parsing attribute name".to_string());
            };
            let name = self.slice(start, end);
            self.skip_blanks();
            if self.peek() != Some(b'=') {
                return Err(format!(
                    "Specification mandates value for attribute {}",
                    String::from_utf8_lossy(name)
                ));
            }
            self.pos += 1;
            self.skip_blanks();
            let value = self.attribute_value()?;
            if !names.insert(name) {
                return Err(format!(
                    "Attribute {} redefined",
                    String::from_utf8_lossy(name)
                ));
            }
            let is_namespace = name == b"xmlns" || name.starts_with(b"xmlns:");
            attributes.push(Attribute {
                name: name.to_vec(),
                value,
                is_namespace,
                namespace: None,
            });
        }
        self.settle_attribute_entities();

        // Namespaces: bind the declarations, then resolve the element and its attributes.
        let mut bindings = 0;
        for attribute in &attributes {
            if attribute.is_namespace {
                let prefix = attribute.name.get(6..).unwrap_or_default().to_vec();
                let uri = if attribute.value.is_empty() {
                    None
                } else {
                    Some(self.intern_namespace(&attribute.value))
                };
                self.bindings.push((prefix, uri));
                bindings += 1;
            }
        }
        let qname = self.slice(name_start, name_end);
        let (local, namespace) = match qname.iter().position(|&c| c == b':') {
            Some(colon) => match self.lookup(qname.get(..colon).unwrap_or_default()) {
                Some(ns) => (colon + 1, Some(ns)),
                None => (0, None),
            },
            None => (0, self.lookup(b"")),
        };
        for attribute in &mut attributes {
            if !attribute.is_namespace {
                if let Some(colon) = attribute.name.iter().position(|&c| c == b':') {
                    let prefix = attribute.name.get(..colon).unwrap_or_default().to_vec();
                    attribute.namespace = self
                        .bindings
                        .iter()
                        .rev()
                        .find(|(p, _)| *p == prefix)
                        .and_then(|(_, uri)| *uri);
                }
            }
        }
        let index = self.add_node(Node::Element {
            name: qname.to_vec(),
            local,
            namespace,
            attributes,
            children: Vec::new(),
        });
        if empty {
            self.bindings.truncate(self.bindings.len() - bindings);
        } else {
            self.open.push(Open {
                index,
                name_start,
                name_end,
                bindings,
            });
        }
        Ok(())
    }

    fn attribute_value(&mut self) -> Res<Vec<u8>> {
        let Some(quote) = self.peek().filter(|&q| q == b'"' || q == b'\'') else {
            return Err("AttValue: \" or ' expected".to_string());
        };
        self.pos += 1;
        let mut value = Vec::new();
        loop {
            match self.peek() {
                None => return Err("AttValue: ' expected".to_string()),
                Some(c) if c == quote => {
                    self.pos += 1;
                    return Ok(value);
                }
                Some(b'<') => {
                    return Err("Unescaped '<' not allowed in attributes values".to_string())
                }
                Some(b'&') => self.reference(&mut value, true)?,
                Some(b'\t' | b'\n' | b'\r') => {
                    value.push(b' ');
                    self.pos += 1;
                }
                Some(byte) => {
                    if let Some(c) = invalid_char_at(self.text, self.pos, byte) {
                        return Err(format!("invalid character in attribute value: {c}"));
                    }
                    value.push(byte);
                    self.pos += 1;
                }
            }
        }
    }

    fn end_tag(&mut self) -> Res<()> {
        self.pos += 2;
        let Some(open) = self.open.pop() else {
            return Err("Extra content at the end of the document".to_string());
        };
        let expected = self.slice(open.name_start, open.name_end);
        let got = self.name().map(|(start, end)| self.slice(start, end));
        self.bindings.truncate(self.bindings.len() - open.bindings);
        if got != Some(expected) {
            let open_line = 1 + self
                .text
                .get(..open.name_start)
                .unwrap_or_default()
                .iter()
                .filter(|&&c| c == b'\n')
                .count();
            return Err(format!(
                "Opening and ending tag mismatch: {} line {} and {}",
                String::from_utf8_lossy(expected),
                open_line,
                String::from_utf8_lossy(got.unwrap_or_default())
            ));
        }
        self.skip_blanks();
        self.expect(b">", "expected '>'")
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// In valid UTF-8, the character starting at `i` if it is not an XML `Char`: a control other
/// than tab and line ends, or U+FFFE/U+FFFF.
fn invalid_char_at(text: &[u8], i: usize, byte: u8) -> Option<u32> {
    if byte < 0x20 && !matches!(byte, b'\t' | b'\n' | b'\r') {
        return Some(u32::from(byte));
    }
    if byte == 0xef && text.get(i + 1) == Some(&0xbf) {
        match text.get(i + 2) {
            Some(0xbe) => return Some(0xfffe),
            Some(0xbf) => return Some(0xffff),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(values: Vec<Vec<u8>>) -> Vec<String> {
        values
            .into_iter()
            .map(|v| String::from_utf8_lossy(&v).into_owned())
            .collect()
    }

    fn select(body: &str, xpath: &str) -> Vec<String> {
        let (document, result) = parse(body.as_bytes());
        assert_eq!(result, Ok(()), "{body:?}: {:?}", document.error_detail());
        strings(document.select(xpath))
    }

    fn detail(body: &[u8]) -> String {
        let (document, result) = parse(body);
        assert_eq!(
            result,
            Err(FAILED.to_string()),
            "{:?}",
            String::from_utf8_lossy(body)
        );
        document.error_detail().unwrap_or_default().to_string()
    }

    const SOAP: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" id="e1">
  <soap:Body>
    <m:Get xmlns:m="urn:m" m:kind="x">a &amp; b<![CDATA[<raw>]]><?pi data?><!-- hidden --></m:Get>
    <item key='k1' other="o">one</item>
    <item key="k2">two</item>
  </soap:Body>
</soap:Envelope>
"#;

    #[test]
    fn whole_document_text() {
        assert_eq!(
            select(SOAP, "/*"),
            vec!["\n  \n    a & b<raw>\n    one\n    two\n  \n"]
        );
        assert_eq!(select("<a>x<b>y</b>z</a>", "/*"), vec!["xyz"]);
        assert_eq!(select("<a>x<b>y</b>z</a>", "/"), vec!["xyz"]);
        assert_eq!(select("<a/>", "/*"), vec![""]);
    }

    #[test]
    fn every_attribute_value() {
        // Namespace declarations are not attributes to XPath.
        assert_eq!(select(SOAP, "//@*"), vec!["e1", "x", "k1", "o", "k2"]);
        assert_eq!(
            select("<a x=' 1\t2\n3 ' y=\"&lt;&#65;&#x42;\"/>", "//@*"),
            vec![" 1 2 3 ", "<AB"]
        );
    }

    #[test]
    fn simple_paths() {
        assert_eq!(select(SOAP, "//item"), vec!["one", "two"]);
        assert_eq!(select(SOAP, "//item/@key"), vec!["k1", "k2"]);
        assert_eq!(select(SOAP, "//@key"), vec!["k1", "k2"]);
        assert_eq!(select("<a><b>1</b><c><b>2</b></c></a>", "/a/b"), vec!["1"]);
        assert_eq!(
            select("<a><b>1</b><c><b>2</b></c></a>", "/a//b"),
            vec!["1", "2"]
        );
        assert_eq!(select("<a><b>1</b><c><b>2</b></c></a>", "a/c/b"), vec!["2"]);
        assert_eq!(
            select("<a><b>1</b><c><b>2</b></c></a>", "//b/text()"),
            vec!["1", "2"]
        );
        assert_eq!(select("<a>x<b>1</b></a>", "/a/node()"), vec!["x", "1"]);
        assert_eq!(select("<a><b><b>in</b></b></a>", "//b"), vec!["in", "in"]);
        assert_eq!(select("<a><b>1</b></a>", "/b"), Vec::<String>::new());
        // Unprefixed names match only elements in no namespace.
        assert_eq!(select(SOAP, "//Body"), Vec::<String>::new());
        assert_eq!(
            select("<a xmlns='urn:x'><b>1</b></a>", "//b"),
            Vec::<String>::new()
        );
        // Unsupported or invalid expressions select nothing.
        assert_eq!(select(SOAP, "//item[1]"), Vec::<String>::new());
        assert_eq!(select(SOAP, "count(//item)"), Vec::<String>::new());
        assert_eq!(select(SOAP, "//soap:Body"), Vec::<String>::new());
        assert_eq!(select(SOAP, ""), Vec::<String>::new());
    }

    #[test]
    fn prefixed_paths_with_registered_namespaces() {
        let (document, _) = parse(SOAP.as_bytes());
        let ns = [
            ("s", "http://schemas.xmlsoap.org/soap/envelope/"),
            ("m", "urn:m"),
        ];
        assert_eq!(
            strings(document.select_with_namespaces("/s:Envelope/s:Body/m:Get", &ns)),
            vec!["a & b<raw>"]
        );
        assert_eq!(
            strings(document.select_with_namespaces("//m:*/@m:kind", &ns)),
            vec!["x"]
        );
        let (document, _) = parse(b"<a xmlns='urn:x'><b>1</b></a>");
        assert_eq!(
            strings(document.select_with_namespaces("//x:b", &[("x", "urn:x")])),
            vec!["1"]
        );
    }

    /// Verdicts and messages of libxml2 2.9.14 (Debian 12, as libmodsecurity 3.0.9 links it)
    /// on the same documents, fed through a push parser as ModSecurity does.
    #[test]
    fn entity_checks_follow_libxml2() {
        let laughs = |fan: usize| {
            format!(
                "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"{}\"><!ENTITY c \"{}\">]>\n<x>&c;</x>",
                "&a;".repeat(fan),
                "&b;".repeat(fan)
            )
        };
        assert!(parse(laughs(4).as_bytes()).1.is_ok());
        assert!(detail(laughs(8).as_bytes()).contains("Detected an entity reference loop"));
        // In attribute values, only the entities inside the one referenced are held against
        // the input: a nine-deep chain is too dense there, a six-deep one is not.
        let chain = |depth: usize| {
            let mut declarations = String::from("<!ENTITY e0 \"&lt;\">");
            for k in 1..=depth {
                declarations.push_str(&format!("<!ENTITY e{k} \"&e{};\">", k - 1));
            }
            format!("<!DOCTYPE r [{declarations}]><r a=\"&e{depth};\"></r>")
        };
        assert!(parse(chain(6).as_bytes()).1.is_ok());
        assert!(detail(chain(8).as_bytes()).contains("Detected an entity reference loop"));
        let cases: [(&[u8], Option<&str>); 6] = [
            (
                b"<!DOCTYPE r [<!ENTITY e \"<a>\">]><r>&e;</r>",
                Some("Entity 'e' failed to parse"),
            ),
            (
                b"<!DOCTYPE r [<!ENTITY e \"&e;\">]><r>&e;</r>",
                Some("Detected an entity reference loop"),
            ),
            (
                b"<!DOCTYPE r [<!ENTITY e \"<a>x</a>\">]><r a=\"&e;\"/>",
                Some("'<' in entity 'e' is not allowed in attributes values"),
            ),
            (
                b"<!DOCTYPE r [<!ENTITY e \"<a>x</a>\">]><r>&e;&e;</r>",
                None,
            ),
            (
                b"<!DOCTYPE r [<!ENTITY e \"&#60;a/&#62;\">]><r>&e;</r>",
                None,
            ),
            (
                b"<!DOCTYPE r [<!ENTITY e \"&#60;a&#62;\">]><r>&e;</r>",
                Some("Entity 'e' failed to parse"),
            ),
        ];
        for (body, error) in cases {
            match error {
                None => assert!(parse(body).1.is_ok(), "{}", String::from_utf8_lossy(body)),
                Some(message) => assert!(detail(body).contains(message), "{}", detail(body)),
            }
        }
    }

    #[test]
    fn entities_are_never_expanded() {
        let xxe = r#"<?xml version="1.0"?>
<!DOCTYPE foo [ <!ELEMENT foo ANY> <!ENTITY xxe SYSTEM "file:///etc/passwd"> <!ENTITY int "inner"> ]>
<foo>&xxe;|&int;</foo>"#;
        assert_eq!(select(xxe, "/*"), vec!["&xxe;|&int;"]);
        let lol = r#"<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>"#;
        assert_eq!(select(lol, "/*"), vec!["&b;"]);
        // An external entity in an attribute is an error in libxml2 too.
        let attr = r#"<!DOCTYPE a [<!ENTITY e SYSTEM "http://x/">]><a v="&e;"/>"#;
        assert!(detail(attr.as_bytes()).contains("Attribute references external entity 'e'"));
        // Undeclared entities are errors unless there is an external subset.
        assert!(detail(b"<a>&nope;</a>").contains("Entity 'nope' not defined"));
        assert_eq!(
            select(r#"<!DOCTYPE a SYSTEM "a.dtd"><a>&nope;</a>"#, "/*"),
            vec!["&nope;"]
        );
    }

    #[test]
    fn malformed_documents() {
        let cases: &[(&[u8], &str)] = &[
            (b"", "Document is empty"),
            (b"plain text", "Start tag expected, '<' not found"),
            (b"<a>", "Premature end of data in tag a line 1"),
            (
                b"<a></b>",
                "Opening and ending tag mismatch: a line 1 and b",
            ),
            (b"<a/><b/>", "Extra content at the end of the document"),
            (b"<a/>text", "Extra content at the end of the document"),
            (b"<a x='1' x='2'/>", "Attribute x redefined"),
            (b"<a x=1/>", "AttValue: \" or ' expected"),
            (
                b"<a x='<'/>",
                "Unescaped '<' not allowed in attributes values",
            ),
            (b"<a x/>", "Specification mandates value for attribute x"),
            (b"<a>]]></a>", "Sequence ']]>' not allowed in content"),
            (b"<a>&amp</a>", "EntityRef: expecting ';'"),
            (b"<a>& b</a>", "xmlParseEntityRef: no name"),
            (b"<a>&#0;</a>", "xmlParseCharRef: invalid xmlChar value 0"),
            (b"<a>\x01</a>", "PCDATA invalid Char value 1"),
            (b"<a><!-- x -- y --></a>", "Double hyphen within comment"),
            (b"<a><![CDATA[x</a>", "CData section not finished"),
            (
                b"<a><?xml version='1.0'?></a>",
                "XML declaration allowed only at the start of the document",
            ),
            (
                b"<?xml encoding='UTF-8'?><a/>",
                "Malformed declaration expecting version",
            ),
            (
                b"<a>\xff</a>",
                "Input is not proper UTF-8, indicate encoding !",
            ),
            (b"<1a/>", "StartTag: invalid element name"),
            (b"<a", "Couldn't find end of Start Tag a line 1"),
        ];
        for (body, message) in cases {
            let got = detail(body);
            assert!(
                got.contains(message),
                "{:?}: {got:?}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn a_partial_tree_is_kept() {
        let (document, result) = parse(b"<a>kept<b attr='v'>also</b><c>");
        assert!(result.is_err());
        assert!(!document.well_formed());
        assert_eq!(strings(document.select("/*")), vec!["keptalso"]);
        assert_eq!(strings(document.select("//@*")), vec!["v"]);
    }

    #[test]
    fn depth_is_limited_without_recursion() {
        let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert_eq!(parse(ok.as_bytes()).1, Ok(()));
        let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
        assert!(detail(deep.as_bytes()).contains("Excessive depth in document"));
    }

    #[test]
    fn encodings_and_line_ends() {
        assert_eq!(select("<a>\r\nx\ry</a>", "/*"), vec!["\nx\ny"]);
        let latin = b"<?xml version='1.0' encoding='ISO-8859-1'?><a>caf\xe9</a>";
        let (document, result) = parse(latin);
        assert_eq!(result, Ok(()));
        assert_eq!(strings(document.select("/*")), vec!["café"]);
        let mut utf16 = vec![0xff, 0xfe];
        for unit in "<a>ü</a>".encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let (document, result) = parse(&utf16);
        assert_eq!(result, Ok(()));
        assert_eq!(strings(document.select("/*")), vec!["ü"]);
        assert_eq!(select("\u{feff}<a>bom</a>", "/*"), vec!["bom"]);
    }

    #[test]
    fn prolog_and_doctype() {
        let body = r#"<?xml version="1.0" standalone="yes"?>
<?style x?>
<!DOCTYPE root PUBLIC "-//X//Y" "y.dtd" [
  <!ATTLIST root a CDATA "d>efault">
  <!-- ]> -->
  %pe;
]>
<root>t</root>
<!-- after -->
"#;
        assert_eq!(select(body, "/*"), vec!["t"]);
    }
}
