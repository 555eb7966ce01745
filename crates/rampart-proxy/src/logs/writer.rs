//! The one thread that formats and writes every log line.
//!
//! Request tasks hand over the finished exchange and go on; formatting, regex matching and
//! disk writes all happen here, so a slow disk shows up as a fuller queue rather than as
//! request latency. A full queue makes callers wait (back-pressure) instead of dropping
//! entries: an audit trail with holes is worse than a slower proxy under a failing disk.
//!
//! Writes are buffered and flushed whenever the queue runs empty, so under load lines go out
//! in large writes, and when idle a line reaches the file within the time it takes to wake
//! this thread. An output that fails is reported once on stderr; the others keep going and
//! the failed one keeps being tried, so a disk that recovers resumes logging.

use std::io::{self, BufWriter, Write};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::SystemTime;

use super::audit::{self, Relevance};
use super::{access, error_log};
use crate::exchange::Exchange;

/// Work for the writer. Boxed so the preallocated queue stays small.
#[derive(Debug)]
pub(crate) enum Job {
    Exchange(Box<Exchange>),
    ServerError(Box<(String, SystemTime)>),
    /// Write out what is queued, then stop.
    Shutdown,
}

/// One destination (a file, stdout or stderr), possibly shared by several logs.
pub(crate) struct Sink {
    name: String,
    out: BufWriter<Box<dyn Write + Send>>,
    reported: bool,
    /// Failed writes and flushes, for tests and for the record.
    pub(crate) failures: u64,
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sink")
            .field("name", &self.name)
            .field("failures", &self.failures)
            .finish_non_exhaustive()
    }
}

impl Sink {
    pub(crate) fn new(name: impl Into<String>, out: Box<dyn Write + Send>) -> Sink {
        Sink {
            name: name.into(),
            out: BufWriter::with_capacity(64 * 1024, out),
            reported: false,
            failures: 0,
        }
    }

    fn write_line(&mut self, line: &str) {
        let result = self
            .out
            .write_all(line.as_bytes())
            .and_then(|()| self.out.write_all(b"\n"));
        if let Err(e) = result {
            self.failed(&e);
        }
    }

    fn flush(&mut self) {
        if let Err(e) = self.out.flush() {
            self.failed(&e);
        }
    }

    fn failed(&mut self, error: &io::Error) {
        self.failures += 1;
        if !self.reported {
            self.reported = true;
            // Nowhere else to say it; if stderr is gone too there is nothing left to do.
            let _ = writeln!(
                io::stderr(),
                "rampart: cannot write to {}: {error} (further failures on it are not reported)",
                self.name
            );
        }
    }
}

/// The writer thread's state: the outputs and what formatting needs to remember.
#[derive(Debug)]
pub(crate) struct Writer {
    pub(crate) sinks: Vec<Sink>,
    /// Index into `sinks` of each log, `None` when the log is off.
    error: Option<usize>,
    audit: Option<usize>,
    access: Option<usize>,
    relevance: Relevance,
    server_id: String,
    pid: u32,
    /// nginx's connection number, `*N` in the error log: one per exchange here.
    exchanges: u64,
}

impl Writer {
    pub(crate) fn new(
        sinks: Vec<Sink>,
        error: Option<usize>,
        audit: Option<usize>,
        access: Option<usize>,
    ) -> Writer {
        Writer {
            sinks,
            error,
            audit,
            access,
            relevance: Relevance::default(),
            server_id: audit::server_id(),
            pid: std::process::id(),
            exchanges: 0,
        }
    }

    /// Handles jobs until `Shutdown` (then drains what is left) or until every sender is
    /// gone, and returns with everything flushed.
    pub(crate) fn run(mut self, jobs: Receiver<Job>) -> Writer {
        loop {
            let job = match jobs.try_recv() {
                Ok(job) => job,
                Err(TryRecvError::Empty) => {
                    self.flush();
                    match jobs.recv() {
                        Ok(job) => job,
                        Err(_) => break,
                    }
                }
                Err(TryRecvError::Disconnected) => break,
            };
            if !self.handle(job) {
                // Whoever raced the shutdown still gets written.
                while let Ok(job) = jobs.try_recv() {
                    self.handle(job);
                }
                break;
            }
        }
        self.flush();
        self
    }

    fn flush(&mut self) {
        for sink in &mut self.sinks {
            sink.flush();
        }
    }

    fn write(&mut self, sink: Option<usize>, line: &str) {
        if let Some(sink) = sink.and_then(|i| self.sinks.get_mut(i)) {
            sink.write_line(line);
        }
    }

    /// Returns false on `Shutdown`.
    fn handle(&mut self, job: Job) -> bool {
        match job {
            Job::Exchange(exchange) => self.exchange(&exchange),
            Job::ServerError(message) => {
                let (message, at) = *message;
                self.server_error(&message, at);
            }
            Job::Shutdown => return false,
        }
        true
    }

    fn server_error(&mut self, message: &str, at: SystemTime) {
        if self.error.is_none() {
            return;
        }
        for line in error_log::server_error_lines(message, at, self.pid) {
            self.write(self.error, &line);
        }
    }

    fn exchange(&mut self, exchange: &Exchange) {
        self.exchanges += 1;
        if self.error.is_some() {
            for line in error_log::exchange_lines(exchange, self.pid, self.exchanges) {
                self.write(self.error, &line);
            }
        }
        if self.audit.is_some() && audit::wanted(exchange, &mut self.relevance) {
            let entry = audit::entry(exchange, &self.server_id);
            self.write(self.audit, &entry);
        }
        for problem in std::mem::take(&mut self.relevance.invalid) {
            if self.error.is_some() {
                self.server_error(&problem, SystemTime::now());
            } else {
                let _ = writeln!(io::stderr(), "rampart: {problem}");
            }
        }
        if self.access.is_some() {
            let line = access::line(exchange);
            self.write(self.access, &line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::exchange;
    use super::*;
    use std::sync::mpsc::sync_channel;
    use std::sync::{Arc, Mutex};

    /// An in-memory output the test can read while the writer owns a handle to it.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| io::Error::other("poisoned"))?
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().map(|b| b.clone()).unwrap_or_default())
                .unwrap_or_default()
        }
    }

    struct Broken;

    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::other("disk on fire"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::Error::other("disk on fire"))
        }
    }

    #[test]
    fn a_broken_output_does_not_stop_the_others() {
        let error = Shared::default();
        let sinks = vec![
            Sink::new("error", Box::new(error.clone())),
            Sink::new("access", Box::new(Broken)),
        ];
        let writer = Writer::new(sinks, Some(0), None, Some(1));
        let (tx, rx) = sync_channel(4);
        let feeder = std::thread::spawn(move || {
            for _ in 0..50 {
                tx.send(Job::Exchange(Box::new(exchange()))).unwrap();
            }
            tx.send(Job::Shutdown).unwrap();
        });
        let writer = writer.run(rx);
        feeder.join().unwrap();
        assert_eq!(error.text().lines().count(), 50);
        assert!(error
            .text()
            .lines()
            .all(|l| l.contains("ModSecurity: Warning.")));
        assert!(writer.sinks[1].failures >= 1);
        assert!(writer.sinks[1].reported);
        assert_eq!(writer.sinks[0].failures, 0);
    }

    #[test]
    fn connection_numbers_count_exchanges_and_invalid_patterns_are_reported_in_the_error_log() {
        let error = Shared::default();
        let audit_out = Shared::default();
        let sinks = vec![
            Sink::new("error", Box::new(error.clone())),
            Sink::new("audit", Box::new(audit_out.clone())),
        ];
        let writer = Writer::new(sinks, Some(0), Some(1), None);
        let (tx, rx) = sync_channel(16);
        for _ in 0..3 {
            let mut ex = exchange();
            ex.matched[0].logged = false;
            ex.audit.engine = rampart_seclang::AuditEngine::RelevantOnly;
            ex.audit.relevant_status = Some("(".into());
            ex.status = 500;
            tx.send(Job::Exchange(Box::new(ex))).unwrap();
        }
        tx.send(Job::Exchange(Box::new(exchange()))).unwrap();
        tx.send(Job::ServerError(Box::new((
            "reloaded".into(),
            SystemTime::now(),
        ))))
        .unwrap();
        drop(tx);
        writer.run(rx);
        let text = error.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].contains("rampart: SecAuditLogRelevantStatus \"(\" is not a usable regex"));
        assert!(
            lines[1].contains(": *4 ModSecurity: Warning."),
            "{}",
            lines[1]
        );
        assert!(lines[2].ends_with("rampart: reloaded"));
        // Only the fourth exchange was relevant (by its logged rule).
        assert_eq!(audit_out.text().lines().count(), 1);
    }
}
