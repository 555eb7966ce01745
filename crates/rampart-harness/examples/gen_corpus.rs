//! Regenerates the differential-testing corpus: `corpus/diff/<family>.jsonl`.
//!
//! `cargo run -p rampart-harness --example gen_corpus [-- OUTPUT_DIR]`

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let dir = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../corpus/diff"));
    let families = rampart_harness::corpus::generate();
    let written = rampart_harness::corpus::write_dir(&dir)?;
    let mut total = 0;
    for family in &families {
        println!("{:>16} {:>5}", family.name, family.entries.len());
        total += family.entries.len();
    }
    println!(
        "{:>16} {total:>5}  ({} files in {})",
        "total",
        written.len(),
        dir.display()
    );
    Ok(())
}
