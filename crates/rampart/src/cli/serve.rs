//! `rampart serve` and `rampart reload`: the proxy's process edge — configuration from the
//! file and the environment, signals (SIGHUP reloads, SIGTERM and SIGINT drain and stop).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use rampart_proxy::Config;

#[derive(Args)]
pub struct ServeArgs {
    /// The TOML configuration (every key can also be set as RAMPART_<SECTION>__<KEY>).
    #[arg(long, short)]
    config: Option<PathBuf>,
}

#[derive(Args)]
pub struct ReloadArgs {
    /// The running server's configuration: its admin address is taken from it.
    #[arg(long, short, conflicts_with = "admin")]
    config: Option<PathBuf>,
    /// The admin listener's address, e.g. 127.0.0.1:9901.
    #[arg(long)]
    admin: Option<std::net::SocketAddr>,
}

pub fn run(args: &ServeArgs) -> Result<ExitCode> {
    let config = Config::load(args.config.as_deref())?;
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = config.server.workers.filter(|&n| n > 0) {
        builder.worker_threads(workers);
    }
    let runtime = builder
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(serve(config, args.config.clone()))
}

async fn serve(config: Config, path: Option<PathBuf>) -> Result<ExitCode> {
    use tokio::signal::unix::{signal, SignalKind};
    let handle = rampart_proxy::serve(config, path).await?;
    for address in &handle.http {
        eprintln!("rampart: listening on http://{address}");
    }
    for address in &handle.https {
        eprintln!("rampart: listening on https://{address}");
    }
    if let Some(address) = handle.admin {
        eprintln!("rampart: admin on http://{address}");
    }
    let mut hangup = signal(SignalKind::hangup())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    loop {
        tokio::select! {
            _ = hangup.recv() => {
                match handle.reload().await {
                    Ok(generation) => eprintln!("rampart: rules reloaded (generation {generation})"),
                    Err(error) => eprintln!("rampart: reload rejected, previous rules keep serving:\n{error}"),
                }
            }
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
        }
    }
    eprintln!("rampart: draining");
    handle.shutdown().await;
    eprintln!("rampart: stopped");
    Ok(ExitCode::SUCCESS)
}

pub fn reload(args: &ReloadArgs) -> Result<ExitCode> {
    let admin = match (args.admin, &args.config) {
        (Some(admin), _) => admin,
        (None, config) => Config::load(config.as_deref())?
            .server
            .admin_listen
            .context("the configuration has no server.admin_listen to send the reload to")?,
    };
    let (ok, answer) = rampart_proxy::reload_via_admin(admin)
        .with_context(|| format!("cannot reach the admin listener on {admin}"))?;
    print!("{answer}");
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
