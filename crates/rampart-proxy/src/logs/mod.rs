//! The logs users' tooling already reads: ModSecurity's error-log lines as nginx writes them,
//! ModSecurity's JSON audit log, and an access log, all written by one background thread so
//! that a slow disk never stalls a request, and with back-pressure rather than loss.
//!
//! [`Logs::record`] covers everything about one exchange: its ModSecurity lines, the engine's
//! or the upstream's failure on it (with the request's context, as nginx writes an upstream
//! error), its audit record and its access line. [`Logs::server_error`] is for what belongs
//! to no exchange: reloads, listeners, startup.
//!
//! Formats and the sources they follow are described in [`error_log`], [`audit`] and
//! [`access`]; the threading in `writer`.
//!
//! Log files are opened once, in append mode; rotate them with `copytruncate`.

pub mod access;
pub mod audit;
mod clock;
pub mod error_log;
mod writer;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod tests;

use std::fs::OpenOptions;
use std::io::Write;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::SystemTime;

use rampart_seclang::AuditEngine;

use crate::config::{LogConfig, LogTarget};
use crate::exchange::Exchange;
use writer::{Job, Sink, Writer};

/// How many entries may wait for the writer before `record` blocks.
const QUEUE: usize = 65_536;

/// A log could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("cannot open {path}: {source}")]
    Open {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("cannot start the log writer thread: {0}")]
    Spawn(std::io::Error),
}

/// The log writers of one server.
pub struct Logs {
    /// `None` when every log is off: then nothing is queued at all.
    jobs: Option<SyncSender<Job>>,
    worker: Mutex<Option<JoinHandle<()>>>,
    error_on: bool,
    audit_on: bool,
    access_on: bool,
}

impl std::fmt::Debug for Logs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logs")
            .field("error_on", &self.error_on)
            .field("audit_on", &self.audit_on)
            .field("access_on", &self.access_on)
            .field("running", &self.jobs.is_some())
            .finish()
    }
}

/// Opens `target`, reusing the sink of an earlier log with the same target so that two logs
/// sent to one file share one buffer and never split each other's lines.
fn sink_for(
    target: &LogTarget,
    opened: &mut Vec<(LogTarget, Sink)>,
) -> Result<Option<usize>, LogError> {
    if *target == LogTarget::Off {
        return Ok(None);
    }
    if let Some(i) = opened.iter().position(|(t, _)| t == target) {
        return Ok(Some(i));
    }
    let sink = match target {
        LogTarget::Off => return Ok(None),
        LogTarget::Stdout => Sink::new(
            "stdout",
            Box::new(std::io::stdout()) as Box<dyn Write + Send>,
        ),
        LogTarget::Stderr => Sink::new("stderr", Box::new(std::io::stderr())),
        LogTarget::File(path) => {
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|source| LogError::Open {
                    path: path.clone(),
                    source,
                })?;
            Sink::new(path.display().to_string(), Box::new(file))
        }
    };
    opened.push((target.clone(), sink));
    Ok(Some(opened.len() - 1))
}

impl Logs {
    pub fn open(config: &LogConfig) -> Result<Logs, LogError> {
        Logs::open_with_queue(config, QUEUE)
    }

    /// `open` with a chosen queue length (tests use a tiny one to exercise back-pressure).
    pub(crate) fn open_with_queue(config: &LogConfig, queue: usize) -> Result<Logs, LogError> {
        let mut opened = Vec::new();
        let error = sink_for(&LogTarget::parse(&config.error_log), &mut opened)?;
        let audit = sink_for(&LogTarget::parse(&config.audit_log), &mut opened)?;
        let access = sink_for(&LogTarget::parse(&config.access_log), &mut opened)?;
        let mut logs = Logs {
            jobs: None,
            worker: Mutex::new(None),
            error_on: error.is_some(),
            audit_on: audit.is_some(),
            access_on: access.is_some(),
        };
        if opened.is_empty() {
            return Ok(logs);
        }
        let sinks = opened.into_iter().map(|(_, sink)| sink).collect();
        let writer = Writer::new(sinks, error, audit, access);
        let (jobs, queue) = sync_channel(queue.max(1));
        let worker = std::thread::Builder::new()
            .name("rampart-logs".into())
            .spawn(move || {
                writer.run(queue);
            })
            .map_err(LogError::Spawn)?;
        logs.jobs = Some(jobs);
        logs.worker = Mutex::new(Some(worker));
        Ok(logs)
    }

    /// Whether an exchange under `engine` may get an audit record (so its bodies are worth
    /// copying out of the transaction).
    pub fn writes_audit(&self, engine: AuditEngine) -> bool {
        self.audit_on && engine != AuditEngine::Off
    }

    /// Whether some log may write an exchange: when none does, what only a log reads (the
    /// headers as text) need not be copied out of the request.
    pub fn records_exchanges(&self) -> bool {
        self.jobs.is_some() && (self.error_on || self.access_on || self.audit_on)
    }

    /// Queues a finished exchange for the error, audit and access logs. Blocks while the
    /// queue is full; never drops the entry while the writer runs.
    pub fn record(&self, exchange: Exchange) {
        let Some(jobs) = &self.jobs else {
            return;
        };
        let audit = self.writes_audit(exchange.audit.engine);
        if !(self.error_on || self.access_on || audit) {
            return;
        }
        // Fails only once the writer has stopped (after `shutdown`).
        let _ = jobs.send(Job::Exchange(Box::new(exchange)));
    }

    /// A server-level message for the error log (reloads, engine failures, upstream trouble).
    pub fn server_error(&self, message: &str) {
        if !self.error_on {
            return;
        }
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(Job::ServerError(Box::new((
                message.to_string(),
                SystemTime::now(),
            ))));
        }
    }

    /// Writes out everything queued, then stops the writer. Later calls (and a concurrent
    /// one) return once that is done; entries recorded afterwards are not written.
    pub fn shutdown(&self) {
        let mut worker = match self.worker.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(handle) = worker.take() {
            if let Some(jobs) = &self.jobs {
                let _ = jobs.send(Job::Shutdown);
            }
            let _ = handle.join();
        }
    }
}

impl Drop for Logs {
    fn drop(&mut self) {
        self.shutdown();
    }
}
