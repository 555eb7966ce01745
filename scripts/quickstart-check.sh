#!/usr/bin/env bash
# Runs the README's quickstart as a new user would and checks what the README promises: the
# demo API behind rampart serve with Debian's CRS answers a normal request with 200 and an SQL
# injection with 403, and the error log has the lines for it.
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp -d)
./examples/quickstart.sh >"$log/stdout" 2>"$log/stderr" &
runner=$!
cleanup() {
    kill -TERM "$runner" 2>/dev/null || true
    wait "$runner" 2>/dev/null || true
    rm -rf "$log"
}
trap cleanup EXIT
fail() { echo "quickstart-check: $*" >&2; cat "$log/stderr" >&2; exit 1; }
for _ in $(seq 1 600); do
    if curl -s -o /dev/null 'http://localhost:8080/api/users' 2>/dev/null; then break; fi
    kill -0 "$runner" 2>/dev/null || fail "the quickstart stopped"
    sleep 0.5
done
ok=$(curl -s -o /dev/null -w '%{http_code}' 'http://localhost:8080/api/users')
[ "$ok" = 200 ] || fail "normal request: expected 200, got $ok"
sqli=$(curl -s -o /dev/null -w '%{http_code}' "http://localhost:8080/api/users?search=1'%20OR%20'1'='1")
[ "$sqli" = 403 ] || fail "SQL injection: expected 403, got $sqli"
for _ in $(seq 1 50); do
    grep -q 'Access denied with code 403 (phase 2)' "$log/stderr" && break
    sleep 0.1
done
grep -q '\[id "942100"\]' "$log/stderr" || fail "no [id \"942100\"] line in the error log"
grep -q 'Access denied with code 403 (phase 2)' "$log/stderr" || fail "no Access denied line"
echo "quickstart-check (engine ${RAMPART_WAF__ENGINE:-native}): 200 for the normal request, 403 for the SQL injection, log lines present"
