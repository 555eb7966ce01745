//! `cargo bench -p rampart-bench [--features modsecurity]`: the engine on the fixed corpus
//! with CRS v4.28.0 at PL1 and PL4, blocking mode; with the feature, libmodsecurity 3.0.9 on
//! the same requests and rules in the same run. Criterion measures each (scenario, engine);
//! a summary table then gives time per transaction, allocations per transaction (rampart's;
//! libmodsecurity allocates on the C heap, which this counter does not see), and the ratio.
//! `RAMPART_BENCH_ONLY=<scenario>` runs one scenario (for profiling).

use std::alloc::{GlobalAlloc, Layout};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use rampart_bench::{crs_v4_files, modsecurity, native, resident_bytes, scenarios, transact};
use rampart_proxy::backend::Backend;

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: delegates to mimalloc (the allocator `rampart` ships with); only counts calls.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Mean wall time of one transaction over at least `budget` (after one warm-up pass).
fn time_per_transaction(
    backend: &dyn Backend,
    requests: &[rampart_bench::Request],
    budget: Duration,
) -> Duration {
    for request in requests {
        black_box(transact(backend, request));
    }
    let start = Instant::now();
    let mut done = 0u32;
    while start.elapsed() < budget || done == 0 {
        for request in requests {
            black_box(transact(backend, request));
            done += 1;
        }
    }
    start.elapsed() / done
}

fn allocations_per_transaction(backend: &dyn Backend, requests: &[rampart_bench::Request]) -> u64 {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for request in requests {
        black_box(transact(backend, request));
    }
    (ALLOCATIONS.load(Ordering::Relaxed) - before) / requests.len() as u64
}

fn fmt_duration(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us >= 1000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{us:.1} µs")
    }
}

fn main() -> anyhow::Result<()> {
    let scratch = std::env::temp_dir().join(format!("rampart-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let with_modsecurity = cfg!(feature = "modsecurity");
    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    let mut summary = Vec::new();

    // Startup: CRS v4.28.0 at PL1, loaded and compiled once, as `rampart serve` does.
    let rss_before = resident_bytes().unwrap_or(0);
    let start = Instant::now();
    let files = crs_v4_files(1, &scratch)?;
    let loaded = native(&files)?;
    let load_time = start.elapsed();
    let rss_after = resident_bytes().unwrap_or(0);
    println!(
        "CRS v4.28.0 load (rampart): {:.0} ms; resident memory after load {:.1} MB (process {:.1} MB)",
        load_time.as_secs_f64() * 1e3,
        rss_after.saturating_sub(rss_before) as f64 / 1e6,
        rss_after as f64 / 1e6
    );
    drop(loaded);
    if with_modsecurity {
        let rss_before = resident_bytes().unwrap_or(0);
        let start = Instant::now();
        let loaded = modsecurity(&files)?;
        println!(
            "CRS v4.28.0 load (libmodsecurity): {:.0} ms; resident memory after load {:.1} MB",
            start.elapsed().as_secs_f64() * 1e3,
            resident_bytes().unwrap_or(0).saturating_sub(rss_before) as f64 / 1e6
        );
        drop(loaded);
    }

    for paranoia in [1u8, 4] {
        let files = crs_v4_files(paranoia, &scratch)?;
        let rampart = native(&files)?;
        let libmodsecurity = if with_modsecurity {
            Some(modsecurity(&files)?)
        } else {
            None
        };
        let only = std::env::var("RAMPART_BENCH_ONLY").ok();
        for scenario in scenarios() {
            if only.as_deref().is_some_and(|o| o != scenario.name) {
                continue;
            }
            let mut group = criterion.benchmark_group(format!("pl{paranoia}/{}", scenario.name));
            group.throughput(Throughput::Elements(scenario.requests.len() as u64));
            group.bench_function("rampart", |b| {
                b.iter(|| {
                    for request in &scenario.requests {
                        black_box(transact(rampart.as_ref(), request));
                    }
                })
            });
            if let Some(libmodsecurity) = &libmodsecurity {
                group.bench_function("libmodsecurity", |b| {
                    b.iter(|| {
                        for request in &scenario.requests {
                            black_box(transact(libmodsecurity.as_ref(), request));
                        }
                    })
                });
            }
            group.finish();
            let ours = time_per_transaction(
                rampart.as_ref(),
                &scenario.requests,
                Duration::from_millis(500),
            );
            let allocations = allocations_per_transaction(rampart.as_ref(), &scenario.requests);
            let theirs = libmodsecurity.as_ref().map(|m| {
                time_per_transaction(m.as_ref(), &scenario.requests, Duration::from_millis(500))
            });
            summary.push((paranoia, scenario.name, ours, allocations, theirs));
        }
    }

    println!();
    println!("| scenario | PL | rampart / tx | rampart allocations / tx | libmodsecurity / tx | speed-up |");
    println!("|---|---|---|---|---|---|");
    for (paranoia, name, ours, allocations, theirs) in summary {
        let (theirs_text, ratio) = match theirs {
            Some(t) => (
                fmt_duration(t),
                format!("{:.1}×", t.as_secs_f64() / ours.as_secs_f64()),
            ),
            None => (
                "(build with --features modsecurity)".to_string(),
                "—".to_string(),
            ),
        };
        println!(
            "| {name} | {paranoia} | {} | {allocations} | {theirs_text} | {ratio} |",
            fmt_duration(ours)
        );
    }
    let _ = std::fs::remove_dir_all(&scratch);
    criterion.final_summary();
    Ok(())
}
