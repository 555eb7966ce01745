//! `rampart-demo`: runs the demo Web API until SIGTERM or SIGINT.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use tokio::net::TcpListener;

/// The small JSON Web API that rampart's quickstart protects.
#[derive(Debug, Parser)]
#[command(name = "rampart-demo", version)]
struct Args {
    /// Address to listen on (`host:port`; port 0 picks a free one).
    #[arg(long, default_value = rampart_demo::DEFAULT_LISTEN)]
    listen: String,
    /// Answer paths outside the API as CRS's test backend (albedo) does: 200, empty body.
    #[arg(long)]
    albedo_fallback: bool,
    /// Do not log requests.
    #[arg(long)]
    quiet: bool,
    /// Seconds that in-flight requests get to finish after SIGTERM/SIGINT.
    #[arg(long, default_value_t = 30)]
    drain_timeout: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let listener = match TcpListener::bind(&args.listen).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("rampart-demo: cannot listen on {}: {err}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(addr) => eprintln!("rampart-demo: listening on http://{addr}"),
        Err(_) => eprintln!("rampart-demo: listening on {}", args.listen),
    }
    let config = rampart_demo::Config {
        log_requests: !args.quiet,
        albedo_fallback: args.albedo_fallback,
        drain_timeout: Duration::from_secs(args.drain_timeout),
    };
    match rampart_demo::serve_with(listener, config, shutdown_signal()).await {
        Ok(()) => {
            eprintln!("rampart-demo: stopped");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("rampart-demo: {err}");
            ExitCode::FAILURE
        }
    }
}

/// Completes on the first SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    eprintln!("rampart-demo: shutting down");
}
