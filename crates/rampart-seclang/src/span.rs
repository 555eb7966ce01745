//! Source positions.
//!
//! A [`Span`] is attached to every directive and action so that any later stage (the rule-set
//! compiler, the engine's load-time checks) can point a user at the exact place in their files.
//! Positions are metadata, not meaning: two nodes that differ only in where they were written
//! compare equal, which is what makes `print → parse` round-trips testable.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A position in a source file: 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, Default)]
pub struct Span {
    pub file: FileId,
    pub line: u32,
    pub column: u32,
}

impl PartialEq for Span {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Span {}

impl Hash for Span {
    fn hash<H: Hasher>(&self, _: &mut H) {}
}

/// The files a configuration was read from, indexed by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<PathBuf>,
}

impl SourceMap {
    pub fn add(&mut self, path: PathBuf) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(path);
        id
    }

    pub fn path(&self, id: FileId) -> &Path {
        self.files
            .get(id.0 as usize)
            .map(PathBuf::as_path)
            .unwrap_or_else(|| Path::new("<unknown>"))
    }

    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Resolves a span to a printable location.
    pub fn locate(&self, span: Span) -> Location {
        Location {
            file: self.path(span.file).to_path_buf(),
            line: span.line,
            column: span.column,
        }
    }
}

/// A resolved position: what error messages print as `file:line:column`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// A node with the position it was written at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}
