//! The committed differential-testing corpus (`corpus/diff`) is exactly what the generator
//! writes, and its requests are what they claim to be.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use rampart_harness::corpus;
use rampart_harness::raw::{self, BodyFraming};

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus/diff")
}

fn jsonl_files(dir: &Path) -> BTreeSet<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeSet::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".jsonl"))
        .collect()
}

#[test]
fn regenerating_gives_the_committed_files() {
    let dir = std::env::temp_dir().join(format!("rampart-corpus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    corpus::write_dir(&dir).expect("writing the corpus");
    let committed = committed_dir();
    let fresh = jsonl_files(&dir);
    assert!(!fresh.is_empty(), "nothing written to {}", dir.display());
    assert_eq!(
        fresh,
        jsonl_files(&committed),
        "the set of family files differs; regenerate with `cargo run -p rampart-harness --example gen_corpus`"
    );
    for name in &fresh {
        let new = std::fs::read(dir.join(name)).expect("reading a regenerated file");
        let old = std::fs::read(committed.join(name)).expect("reading a committed file");
        assert!(
            new == old,
            "{name} differs from what the generator writes; regenerate with `cargo run -p rampart-harness --example gen_corpus`"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn generating_twice_is_identical() {
    let a: Vec<String> = corpus::generate().iter().map(corpus::to_jsonl).collect();
    let b: Vec<String> = corpus::generate().iter().map(corpus::to_jsonl).collect();
    assert!(a == b);
}

/// The offset just past the blank line ending the head (CRLF or bare LF line ends).
fn head_end(bytes: &[u8]) -> Option<usize> {
    let crlf = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4);
    let lf = bytes.windows(2).position(|w| w == b"\n\n").map(|p| p + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[test]
fn ids_are_unique_and_requests_are_framed() {
    let families = corpus::generate();
    let mut ids = HashSet::new();
    let (mut benign, mut attacks) = (0, 0);
    for family in &families {
        assert!(!family.entries.is_empty(), "{}", family.name);
        if family.attack {
            attacks += family.entries.len();
        } else {
            benign += family.entries.len();
        }
        for entry in &family.entries {
            assert!(ids.insert(entry.id.clone()), "duplicate id {}", entry.id);
            let rest = entry
                .id
                .strip_prefix(&format!("{}-", family.name))
                .unwrap_or_else(|| panic!("{} does not start with its family", entry.id));
            let (variant, number) = rest
                .rsplit_once('-')
                .unwrap_or_else(|| panic!("{}", entry.id));
            assert!(
                !variant.is_empty()
                    && variant
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                entry.id
            );
            assert!(
                number.len() == 4 && number.bytes().all(|b| b.is_ascii_digit()),
                "{}",
                entry.id
            );
            if family.name == "proto" {
                // Broken on purpose; the id says how.
                continue;
            }
            let bytes = &entry.request;
            let parsed = raw::parse(bytes).unwrap_or_else(|e| panic!("{}: {e}", entry.id));
            let end = head_end(bytes).unwrap_or_else(|| panic!("{}: no end of head", entry.id));
            match parsed.framing {
                BodyFraming::None => assert_eq!(end, bytes.len(), "{}", entry.id),
                BodyFraming::ContentLength {
                    declared,
                    truncated,
                } => {
                    assert!(!truncated, "{}", entry.id);
                    assert_eq!(
                        end as u64 + declared,
                        bytes.len() as u64,
                        "{}: bytes after the body",
                        entry.id
                    );
                    assert_eq!(parsed.body.len() as u64, declared, "{}", entry.id);
                }
                BodyFraming::Chunked { complete } => {
                    assert!(complete, "{}", entry.id);
                    assert!(
                        bytes.ends_with(b"0\r\n\r\n"),
                        "{}: bytes after the last chunk",
                        entry.id
                    );
                }
                BodyFraming::UntilEnd => panic!("{}: a body without framing", entry.id),
            }
            assert!(parsed.header(b"host").is_some(), "{}: no Host", entry.id);
            assert!(
                parsed.version == b"HTTP/1.1" || parsed.version == b"HTTP/1.0",
                "{}",
                entry.id
            );
        }
    }
    assert!(benign >= 700, "{benign} benign requests");
    assert!(attacks >= 1300, "{attacks} attack requests");
}
