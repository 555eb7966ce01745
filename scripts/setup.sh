#!/usr/bin/env bash
# Prepares a fresh Debian machine for rampart: system packages, Rust dependencies, a build.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# What the project uses, now or in its test suites:
#   modsecurity-crs              CRS 3.3.4 (a rule set rampart must load and run)
#   libmodsecurity-dev           libmodsecurity 3.0.9, the reference engine (FFI backend, oracle)
#   nginx, libnginx-mod-http-modsecurity   the yardstick for benchmarks and comparisons
#   redis-server                 shared state between replicas
#   wrk                          load generator
#   build-essential, pkg-config, cmake     building crates that link C
#   curl                         the quickstart's requests (and its check in the test command)
packages=(
  build-essential pkg-config cmake curl
  libmodsecurity-dev modsecurity-crs
  nginx libnginx-mod-http-modsecurity
  redis-server wrk
)

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found; install the Rust toolchain (https://rustup.rs) and run again" >&2
  exit 1
fi
if command -v rustup >/dev/null 2>&1; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi

cargo fetch --locked
cargo build --workspace --all-targets --locked
echo "setup: done"
