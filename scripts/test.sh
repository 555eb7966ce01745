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

# The libmodsecurity backend (libmodsecurity 3.0.9 from setup) and the differential runs:
# the corpus through rampart's engine and libmodsecurity, on CRS 3.3.4 and CRS v4.28.0. The
# number of disagreements not yet explained may only go down (fidelity/diff-unexplained).
cargo clippy --locked -p rampart -p rampart-proxy -p rampart-modsecurity \
  --features rampart/modsecurity,rampart-modsecurity/modsecurity --all-targets -- -D warnings
cargo test --locked -p rampart-modsecurity --features modsecurity
cargo build --release --locked -p rampart --features modsecurity
RAMPART_WAF__ENGINE=modsecurity ./scripts/quickstart-check.sh
engine_on=$(mktemp)
echo 'SecRuleEngine On' > "$engine_on"
./target/release/rampart diff --requests corpus/diff --known fidelity/diff-known.yaml --max-unexplained "$(sed -n 's/^crs-3.3.4 //p' fidelity/diff-unexplained)" -- \
  ../shared/modsecurity/modsecurity.conf-recommended "$engine_on" \
  /etc/modsecurity/crs/crs-setup.conf /usr/share/modsecurity-crs/rules/*.conf | tail -n 12
./target/release/rampart diff --requests corpus/diff --known fidelity/diff-known.yaml --max-unexplained "$(sed -n 's/^crs-4.28.0 //p' fidelity/diff-unexplained)" -- \
  ../shared/modsecurity/modsecurity.conf-recommended "$engine_on" \
  ../shared/crs/v4.28.0/crs-setup.conf.example ../shared/crs/v4.28.0/rules/*.conf | tail -n 12
rm -f "$engine_on"
