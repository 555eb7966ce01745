//! Where the test data lives, in one place, and the generator property tests draw from.
//!
//! Tests read the CRS and ModSecurity's recommended configuration from `../shared` beside the
//! repository (never copied in), and Debian's CRS 3.3.4 from where `scripts/setup.sh`
//! installs it. A missing directory is a setup problem, so these functions panic with what to
//! run rather than letting a test pass vacuously.

#![allow(
    clippy::panic,
    reason = "test support: a missing fixture must stop the test loudly"
)]

use std::path::{Path, PathBuf};

/// `../shared` beside the repository, or `$RAMPART_SHARED`.
pub fn shared_dir() -> PathBuf {
    let dir = std::env::var_os("RAMPART_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    assert!(
        dir.join("crs").is_dir(),
        "shared test data not found at {} (set RAMPART_SHARED)",
        dir.display()
    );
    dir
}

/// The `*.conf` files of a directory, sorted by file name as a shell glob would list them.
pub fn conf_files(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e} (run scripts/setup.sh)", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "conf"))
        .collect();
    files.sort();
    files
}

/// CRS v4.28.0's rule directory.
pub fn crs4_rules_dir() -> PathBuf {
    shared_dir().join("crs/v4.28.0/rules")
}

/// CRS v4.28.0 in the order the regression suite loads it: ModSecurity's recommended
/// configuration, the suite's settings, `crs-setup.conf.example`, then `rules/*.conf`.
pub fn crs4_load_order() -> Vec<PathBuf> {
    let shared = shared_dir();
    let mut files = vec![
        shared.join("modsecurity/modsecurity.conf-recommended"),
        shared.join("crs/test-setup.conf"),
        shared.join("crs/v4.28.0/crs-setup.conf.example"),
    ];
    files.extend(conf_files(&crs4_rules_dir()));
    files
}

/// Debian's `modsecurity-crs` (CRS 3.3.4) as users load it: `crs-setup.conf`, `rules/*.conf`.
pub fn crs3_load_order() -> Vec<PathBuf> {
    let setup = PathBuf::from("/etc/modsecurity/crs/crs-setup.conf");
    assert!(
        setup.is_file(),
        "{} not found: Debian's modsecurity-crs is not installed (run scripts/setup.sh)",
        setup.display()
    );
    let mut files = vec![setup];
    files.extend(conf_files(Path::new("/usr/share/modsecurity-crs/rules")));
    files
}

/// A xorshift64 generator: the same arbitrary-looking numbers on every run, so a property
/// test that fails names an input that fails again. `seed` must not be 0.
pub fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}

/// A string of fewer than `max_len` bytes drawn from `alphabet` with `next`: inputs for
/// property tests that compare two ways of computing one answer.
pub fn random_text(next: &mut impl FnMut() -> u64, alphabet: &[u8], max_len: u64) -> Vec<u8> {
    let len = next() % max_len.max(1);
    (0..len)
        .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
        .collect()
}

/// `count` strings from [`random_text`], drawn from a generator seeded with `seed`: the inputs
/// of a property test that needs no other random numbers.
pub fn random_texts(
    seed: u64,
    alphabet: &[u8],
    max_len: u64,
    count: usize,
) -> impl Iterator<Item = Vec<u8>> + '_ {
    let mut next = xorshift(seed);
    (0..count).map(move |_| random_text(&mut next, alphabet, max_len))
}
