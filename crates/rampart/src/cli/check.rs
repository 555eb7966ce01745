//! `rampart check`: load a configuration the way `serve` would and report on it.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};
use rampart_engine::{LoadError, Summary};
use serde::Serialize;

#[derive(Args)]
pub struct CheckArgs {
    /// Configuration files, loaded in the order given (e.g. modsecurity.conf, crs-setup.conf,
    /// rules/*.conf).
    #[arg(required_unless_present = "config", conflicts_with = "config")]
    files: Vec<PathBuf>,
    /// Check a `rampart serve` configuration instead: the TOML file (with the environment's
    /// overrides) and every rule source it names, in the order serve loads them.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Serialize)]
struct Report {
    rules: usize,
    chained: usize,
    markers: usize,
    by_phase: std::collections::BTreeMap<String, usize>,
    data_files: usize,
    warnings: Vec<String>,
    removed: usize,
    files: usize,
    errors: Vec<ErrorReport>,
}

#[derive(Serialize)]
struct ErrorReport {
    file: String,
    line: u32,
    column: u32,
    message: String,
}

pub fn run(args: &CheckArgs) -> Result<ExitCode> {
    let loaded = match &args.config {
        None => rampart_engine::load(&args.files),
        Some(path) => {
            let built = rampart_proxy::Config::load(Some(path))
                .map_err(rampart_proxy::rules::RulesError::from)
                .and_then(|config| rampart_proxy::rules::build(&config));
            match built {
                Ok(rules) => Ok(rules),
                Err(rampart_proxy::rules::RulesError::Load(errors)) => Err(errors),
                Err(other) => {
                    eprintln!("{}: error: {other}", path.display());
                    return Ok(ExitCode::FAILURE);
                }
            }
        }
    };
    let (summary, errors) = match loaded {
        Ok(rules) => (rules.summary().clone(), Vec::new()),
        Err(errors) => (Summary::default(), errors),
    };
    let code = if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    };
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            let report = Report {
                rules: summary.rules,
                chained: summary.chained,
                markers: summary.markers,
                by_phase: summary
                    .by_phase
                    .iter()
                    .map(|(phase, n)| (phase.to_string(), *n))
                    .collect(),
                data_files: summary.data_files,
                warnings: summary.warnings.clone(),
                removed: summary.removed,
                files: summary.files,
                errors: errors.iter().map(error_report).collect(),
            };
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        Format::Text if errors.is_empty() => {
            writeln!(
                out,
                "ok: {} rules ({} chained), {} markers, {} data files, {} files read",
                summary.rules, summary.chained, summary.markers, summary.data_files, summary.files
            )?;
            let phases: Vec<String> = summary
                .by_phase
                .iter()
                .map(|(phase, n)| format!("phase {phase}: {n}"))
                .collect();
            writeln!(out, "    {}", phases.join(", "))?;
            for warning in &summary.warnings {
                writeln!(out, "    warning: {warning}")?;
            }
            if summary.removed > 0 {
                writeln!(out, "    {} rules removed at load", summary.removed)?;
            }
        }
        Format::Text => {
            let mut err = std::io::stderr().lock();
            for error in &errors {
                writeln!(err, "{}: error: {}", error.location(), error.message())?;
            }
            writeln!(
                err,
                "{} error{}; nothing was loaded",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" }
            )?;
        }
    }
    Ok(code)
}

fn error_report(error: &LoadError) -> ErrorReport {
    let location = error.location();
    ErrorReport {
        file: location.file.display().to_string(),
        line: location.line,
        column: location.column,
        message: error.message(),
    }
}
