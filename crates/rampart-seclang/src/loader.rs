//! Reading configuration files: includes, data files, and error collection.
//!
//! A load reads every file it is given and every file they include, collecting all errors. If
//! any error was found the load returns only the errors: a half-loaded rule set is never
//! handed on, so a broken reload can always fall back to the rules already serving.

use std::path::{Path, PathBuf};

use crate::data::DataFiles;
use crate::directive::{parse_directive, Context, Directive, DirectiveName};
use crate::error::{Error, ErrorKind, Errors};
use crate::lexer::{logical_lines, words};
use crate::span::{Location, SourceMap, Span};
use crate::suggest::closest;

/// How deep includes may nest before the load assumes a cycle.
pub const MAX_INCLUDE_DEPTH: usize = 32;

/// A loaded configuration: every directive of every file, in load order.
#[derive(Debug)]
pub struct Configuration {
    pub directives: Vec<Directive>,
    pub sources: SourceMap,
    /// How many distinct data files the operators read.
    pub data_file_count: usize,
}

/// Loads configuration files in order.
#[derive(Debug, Default)]
pub struct Loader {
    sources: SourceMap,
    data_files: DataFiles,
    directives: Vec<Directive>,
    errors: Vec<Error>,
    depth: usize,
}

impl Loader {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a file (and what it includes).
    pub fn load_file(&mut self, path: impl AsRef<Path>) -> &mut Self {
        let path = path.as_ref();
        match read_text(path) {
            Ok(text) => self.load_source(path, &text),
            Err(kind) => self.errors.push(Error {
                location: Location {
                    file: path.to_path_buf(),
                    line: 0,
                    column: 0,
                },
                kind,
            }),
        }
        self
    }

    /// Reads configuration text as if it were the file `origin`: includes and data files
    /// resolve relative to `origin`'s directory.
    pub fn load_str(&mut self, text: &str, origin: impl AsRef<Path>) -> &mut Self {
        self.load_source(origin.as_ref(), text);
        self
    }

    /// The configuration, or every error found.
    pub fn finish(self) -> Result<Configuration, Errors> {
        if !self.errors.is_empty() {
            return Err(Errors(self.errors));
        }
        Ok(Configuration {
            directives: self.directives,
            sources: self.sources,
            data_file_count: self.data_files.len(),
        })
    }

    fn load_source(&mut self, path: &Path, text: &str) {
        let file = self.sources.add(path.to_path_buf());
        let base_dir = path
            .parent()
            .unwrap_or_else(|| Path::new("."))
            .to_path_buf();
        for line in logical_lines(text) {
            let span_at = |offset: usize| line.span(text, file, offset);
            let words = match words(&line.text) {
                Ok(words) => words,
                Err((offset, kind)) => {
                    self.error(span_at(offset), kind);
                    continue;
                }
            };
            let Some((first, args)) = words.split_first() else {
                continue;
            };
            let Some(name) = DirectiveName::from_name(first.raw) else {
                self.error(
                    span_at(first.start),
                    ErrorKind::UnknownDirective {
                        name: first.raw.to_string(),
                        suggestion: closest(first.raw, DirectiveName::spellings()),
                    },
                );
                continue;
            };
            let span = span_at(first.start);
            if matches!(
                name,
                DirectiveName::Include | DirectiveName::IncludeOptional
            ) {
                match args {
                    [target] => self.include(
                        &base_dir.join(target.value()),
                        name == DirectiveName::IncludeOptional,
                        span_at(target.outer_start()),
                    ),
                    _ => self.error(
                        span,
                        ErrorKind::Arity {
                            directive: name.name(),
                            expected: "exactly one path",
                        },
                    ),
                }
                continue;
            }
            let mut cx = Context {
                base_dir: &base_dir,
                data_files: &mut self.data_files,
                span_at: &span_at,
            };
            match parse_directive(name, args, &mut cx) {
                Ok(kind) => self.directives.push(Directive { span, kind }),
                Err((offset, kind)) => self.error(span_at(offset), kind),
            }
        }
    }

    fn include(&mut self, pattern: &Path, optional: bool, span: Span) {
        if self.depth >= MAX_INCLUDE_DEPTH {
            self.error(
                span,
                ErrorKind::IncludeDepth {
                    limit: MAX_INCLUDE_DEPTH,
                    path: pattern.to_path_buf(),
                },
            );
            return;
        }
        let text = pattern.to_string_lossy();
        let paths: Vec<PathBuf> = if text.contains(['*', '?', '[']) {
            match glob::glob(&text) {
                Ok(paths) => {
                    let mut paths: Vec<PathBuf> = paths.filter_map(Result::ok).collect();
                    paths.sort();
                    paths
                }
                Err(error) => {
                    self.error(
                        span,
                        ErrorKind::BadArgument {
                            what: "Include".into(),
                            reason: format!("bad file pattern: {error}"),
                        },
                    );
                    return;
                }
            }
        } else if pattern.exists() || !optional {
            vec![pattern.to_path_buf()]
        } else {
            Vec::new()
        };
        if paths.is_empty() && !optional {
            self.error(
                span,
                ErrorKind::MissingFile {
                    what: "included file",
                    tried: pattern.to_path_buf(),
                },
            );
            return;
        }
        self.depth += 1;
        for path in paths {
            match read_text(&path) {
                Ok(text) => self.load_source(&path, &text),
                Err(ErrorKind::MissingFile { .. }) => self.error(
                    span,
                    ErrorKind::MissingFile {
                        what: "included file",
                        tried: path,
                    },
                ),
                Err(kind) => self.error(span, kind),
            }
        }
        self.depth -= 1;
    }

    fn error(&mut self, span: Span, kind: ErrorKind) {
        self.errors.push(Error {
            location: self.sources.locate(span),
            kind,
        });
    }
}

fn read_text(path: &Path) -> Result<String, ErrorKind> {
    let bytes = std::fs::read(path).map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => ErrorKind::MissingFile {
            what: "configuration file",
            tried: path.to_path_buf(),
        },
        _ => ErrorKind::Io {
            path: path.to_path_buf(),
            reason: error.to_string(),
        },
    })?;
    String::from_utf8(bytes).map_err(|error| {
        let valid = error.utf8_error().valid_up_to();
        let line = error.as_bytes()[..valid]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        ErrorKind::NotUtf8 {
            path: path.to_path_buf(),
            line: u32::try_from(line).unwrap_or(u32::MAX),
        }
    })
}

/// Parses configuration text as if it were the file `origin` (convenience for tests and tools).
pub fn parse_str(text: &str, origin: impl AsRef<Path>) -> Result<Configuration, Errors> {
    let mut loader = Loader::new();
    loader.load_str(text, origin);
    loader.finish()
}
