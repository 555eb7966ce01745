#!/usr/bin/env bash
# The quickstart: the demo API on 127.0.0.1:3000 and `rampart serve` on 127.0.0.1:8080 in
# front of it, with Debian's CRS (examples/quickstart.toml). Ctrl-C stops both.
# Extra arguments go to `rampart serve`; the environment can override any key, e.g.
#   RAMPART_CRS__PATH=../shared/crs/v4.28.0 RAMPART_CRS__SETUP=../shared/crs/v4.28.0/crs-setup.conf.example ./examples/quickstart.sh
#   RAMPART_WAF__ENGINE=modsecurity ./examples/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# RAMPART_WAF__ENGINE=modsecurity runs the same on libmodsecurity (a build with that backend).
features=()
if [ "${RAMPART_WAF__ENGINE:-}" = modsecurity ]; then features=(--features modsecurity); fi
cargo build --release --locked -q -p rampart -p rampart-demo "${features[@]}"
./target/release/rampart-demo --listen 127.0.0.1:3000 --quiet &
demo=$!
./target/release/rampart serve --config examples/quickstart.toml "$@" &
serve=$!
trap 'kill "$serve" "$demo" 2>/dev/null || true; wait' EXIT INT TERM
wait "$serve"
