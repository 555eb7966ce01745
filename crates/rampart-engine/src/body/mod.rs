//! Request body processors: what a body becomes before phase 2.
//!
//! A processor reads the body and reports what it found through a [`BodySink`]: arguments,
//! scalar variables (e.g. `MULTIPART_STRICT_ERROR`) and collection members (e.g. `FILES`).
//! It knows nothing of rules or transactions, so each one can be tested and fuzzed alone.
//! A processor that fails returns the error message ModSecurity would put in
//! `REQBODY_ERROR_MSG` (without its "JSON parsing error: " style prefix, which the caller adds).

use rampart_seclang::Variable;

pub mod json;
pub mod multipart;
pub mod xml;

#[cfg(test)]
mod garbage_tests;
#[cfg(test)]
pub(crate) mod test_sink;

/// Where a body processor puts what it finds.
pub trait BodySink {
    /// Adds an `ARGS_POST` argument; false when `SecArgumentsLimit` refuses it.
    fn add_argument(&mut self, name: &[u8], value: &[u8]) -> bool;
    /// Sets a single-valued variable (`MULTIPART_BOUNDARY_QUOTED`, `FILES_COMBINED_SIZE`, …).
    fn set_scalar(&mut self, variable: Variable, value: &[u8]);
    /// Adds a member to a collection variable (`FILES`, `FILES_NAMES`, `MULTIPART_PART_HEADERS`, …).
    fn add_member(&mut self, variable: Variable, key: &[u8], value: &[u8]);
}

/// Limits a processor enforces, from the engine configuration.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    /// `SecRequestBodyJsonDepthLimit`.
    pub json_depth: u64,
    /// `SecUploadFileLimit`: files in one multipart body.
    pub upload_files: u64,
    /// How many bytes of each uploaded file `FILES_TMP_CONTENT` keeps (0: none).
    pub file_content: usize,
}

impl Default for BodyLimits {
    fn default() -> Self {
        BodyLimits {
            json_depth: 10_000,
            upload_files: 100,
            file_content: 0,
        }
    }
}
