//! Runs one benchmark scenario in a loop, for a profiler to watch:
//! `cargo build --release -p rampart-bench --example profile` then
//! `perf record -g target/release/examples/profile benign-get 1 10`
//! (scenario, paranoia level, seconds). Prints microseconds per transaction.

use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use rampart_bench::{crs_v4_files, native, scenarios, transact};

// As in the `rampart` binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "benign-get".to_string());
    let paranoia: u8 = args.next().map_or(Ok(1), |p| p.parse())?;
    let seconds: u64 = args.next().map_or(Ok(10), |s| s.parse())?;
    let scenario = scenarios()
        .into_iter()
        .find(|s| s.name == name)
        .ok_or_else(|| anyhow!("no scenario named {name}"))?;
    let scratch = std::env::temp_dir().join(format!("rampart-profile-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let files = crs_v4_files(paranoia, &scratch)?;
    let load = Instant::now();
    let backend = native(&files)?;
    eprintln!(
        "CRS load {:.0} ms, resident {:.1} MB",
        load.elapsed().as_secs_f64() * 1e3,
        rampart_bench::resident_bytes().unwrap_or(0) as f64 / 1e6
    );
    let _ = std::fs::remove_dir_all(&scratch);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let (start, mut transactions) = (Instant::now(), 0u64);
    // At least one pass, so that `0` seconds runs the scenario once.
    loop {
        for request in &scenario.requests {
            std::hint::black_box(transact(backend.as_ref(), request));
        }
        transactions += scenario.requests.len() as u64;
        if Instant::now() >= deadline {
            break;
        }
    }
    println!(
        "{name} PL{paranoia}: {:.1} µs per transaction over {transactions} transactions",
        start.elapsed().as_secs_f64() * 1e6 / transactions as f64
    );
    Ok(())
}
