//! The logs users' tooling already reads: ModSecurity's error-log lines as nginx writes them,
//! ModSecurity's JSON audit log, and an access log, all written by one background thread so
//! that a slow disk never stalls a request, and with back-pressure rather than loss.
//!
//! (Stub: being written.)

use crate::config::LogConfig;
use crate::exchange::Exchange;

/// A log could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("cannot open {path}: {source}")]
    Open {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

/// The log writers of one server.
#[derive(Debug)]
pub struct Logs {}

impl Logs {
    pub fn open(_config: &LogConfig) -> Result<Logs, LogError> {
        Ok(Logs {})
    }

    /// Queues a finished exchange for the error, audit and access logs.
    pub fn record(&self, _exchange: Exchange) {}

    /// A server-level message for the error log (reloads, engine failures, upstream trouble).
    pub fn server_error(&self, _message: &str) {}

    /// Writes out everything queued, then stops the writer.
    pub fn shutdown(&self) {}
}
