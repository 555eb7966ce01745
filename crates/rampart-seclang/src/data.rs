//! Data files named by `@pmFromFile` and `@ipMatchFromFile`.
//!
//! They are read while the configuration loads, relative to the rule file that names them, so
//! a missing or unreadable file fails the load instead of a request. Each file is read once
//! however many rules name it.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::ErrorKind;

/// The entries of a data file: one per line, blank lines and `#` comments left out.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct DataFile {
    pub path: PathBuf,
    pub entries: Vec<String>,
}

impl DataFile {
    pub fn parse(path: PathBuf, text: &str) -> Self {
        let entries = text
            .lines()
            .map(|line| line.trim_end_matches(['\r', ' ', '\t']))
            .filter(|line| !line.trim_start().is_empty() && !line.trim_start().starts_with('#'))
            .map(str::to_string)
            .collect();
        DataFile { path, entries }
    }
}

/// A data file as a rule names it: the name as written (printed back) and what it holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DataFileRef {
    pub written: String,
    pub file: Arc<DataFile>,
}

impl fmt::Display for DataFileRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written)
    }
}

/// Data files read so far, by resolved path.
#[derive(Debug, Default)]
pub struct DataFiles {
    files: HashMap<PathBuf, Arc<DataFile>>,
}

impl DataFiles {
    /// Reads `written` relative to `base_dir`, or returns the copy already read.
    pub fn load(&mut self, base_dir: &Path, written: &str) -> Result<DataFileRef, ErrorKind> {
        let path = base_dir.join(written);
        if let Some(file) = self.files.get(&path) {
            return Ok(DataFileRef {
                written: written.to_string(),
                file: Arc::clone(file),
            });
        }
        let bytes = std::fs::read(&path).map_err(|error| match error.kind() {
            std::io::ErrorKind::NotFound => ErrorKind::MissingFile {
                what: "data file",
                tried: path.clone(),
            },
            _ => ErrorKind::Io {
                path: path.clone(),
                reason: error.to_string(),
            },
        })?;
        let text = String::from_utf8_lossy(&bytes);
        let file = Arc::new(DataFile::parse(path.clone(), &text));
        self.files.insert(path, Arc::clone(&file));
        Ok(DataFileRef {
            written: written.to_string(),
            file,
        })
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }
}
