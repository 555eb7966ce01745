//! The `rampart` command.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cli;

// A transaction makes and drops hundreds of small buffers; mimalloc serves them in fewer
// instructions than glibc and keeps each size class on its own pages, which a request
// arriving to cold caches reaches faster (docs/benchmarks.md, "allocator").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// rampart: a web application firewall that runs ModSecurity rule sets natively.
#[derive(Parser)]
#[command(name = "rampart", version, about)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load a rule configuration (files in order) and report what it holds or what is wrong.
    Check(cli::check::CheckArgs),
    /// Evaluate raw HTTP/1.1 requests offline against a rule configuration; print verdicts as JSON.
    Eval(cli::eval::EvalArgs),
    /// Run the same requests through two engines and report where they disagree.
    Diff(cli::diff::DiffArgs),
    /// Run the CRS regression suite in-process.
    Ftw(cli::ftw::FtwArgs),
    /// Run the reverse proxy: every exchange goes through the rules before and after upstream.
    Serve(cli::serve::ServeArgs),
    /// Ask a running `rampart serve` to reload its rules (as SIGHUP does).
    Reload(cli::serve::ReloadArgs),
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.command {
        Command::Check(check) => cli::check::run(&check),
        Command::Eval(eval) => cli::eval::run(&eval),
        Command::Ftw(ftw) => cli::ftw::run(&ftw),
        Command::Diff(diff) => cli::diff::run(&diff),
        Command::Serve(serve) => cli::serve::run(&serve),
        Command::Reload(reload) => cli::serve::reload(&reload),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("rampart: {error:#}");
            ExitCode::from(2)
        }
    }
}
