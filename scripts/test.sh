#!/usr/bin/env bash
# The project's test command: formatting, lints, every test of the workspace, then the CRS
# regression suite in-process and over HTTP, each of which must pass at least as many tests as
# recorded in fidelity/crs-v4-passed.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked

cargo build --release --locked -p rampart
./target/release/rampart ftw --shared ../shared --min-passed "$(cat fidelity/crs-v4-passed)"
# The same suite over HTTP: rampart serve + the test backend on loopback, ids from the error log.
./target/release/rampart ftw --http --shared ../shared --min-passed "$(cat fidelity/crs-v4-passed)"
./scripts/quickstart-check.sh
