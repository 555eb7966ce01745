#!/usr/bin/env bash
# Load benchmark: the demo API behind (1) nginx as a plain proxy, (2) nginx +
# libmodsecurity 3.0.9 + CRS v4.28.0 (Debian's nginx module), (3) rampart serve + the same CRS
# files and settings. Each server gets one worker pinned to CPU 0; wrk and the demo API run on
# CPU 1. Servers are driven in alternation with the same request mixes and a concurrency
# sweep; every figure is also given as a ratio to plain nginx from the same run.
#
#   ./bench/load.sh                       # 1, 16 and 256 connections, 10 s each
#   DURATION=5 CONNECTIONS="16" ./bench/load.sh
#   RAMPART_B=/path/to/other/rampart SERVERS="nginx rampart rampart-b" ./bench/load.sh
#                                         # A/B: another build of rampart, driven in turn
#
# Needs: nginx, libnginx-mod-http-modsecurity, wrk (scripts/setup.sh installs them), and a
# release build (cargo build --release -p rampart -p rampart-demo).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=$(cd ../shared && pwd)
CRS=$SHARED/crs/v4.28.0
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-"1 16 256"}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
RAMPART_B=${RAMPART_B:-}
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  sleep 0.5
  rm -rf "$WORK"
}
trap cleanup EXIT

for tool in nginx wrk taskset; do
  command -v "$tool" >/dev/null || { echo "load.sh: $tool is missing (run scripts/setup.sh)" >&2; exit 1; }
done
[ -x target/release/rampart ] && [ -x target/release/rampart-demo ] || {
  echo "load.sh: build first: cargo build --release -p rampart -p rampart-demo" >&2; exit 1; }

wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "load.sh: nothing listens on port $1" >&2; return 1
}

# --- the upstream, fresh for every run (the POST mix creates orders) ------------------------
start_demo() {
  taskset -c "$CLIENT_CPU" target/release/rampart-demo --listen 127.0.0.1:18081 --quiet 2>/dev/null &
  DEMO_PID=$!
  PIDS+=($DEMO_PID)
  wait_port 18081
}
stop_demo() { kill "$DEMO_PID" 2>/dev/null || true; wait "$DEMO_PID" 2>/dev/null || true; }

# --- the same CRS configuration for both WAFs ---------------------------------------------
cat > "$WORK/crs.conf" <<CONF
Include $SHARED/modsecurity/modsecurity.conf-recommended
SecRuleEngine On
SecAuditEngine Off
SecAction "id:900000,phase:1,pass,t:none,nolog,setvar:tx.blocking_paranoia_level=1"
Include $CRS/crs-setup.conf.example
Include $CRS/rules/*.conf
CONF

nginx_conf() { # name, port, extra http lines, extra location lines
  cat > "$WORK/$1.conf" <<CONF
worker_processes 1;
worker_cpu_affinity auto;
pid $WORK/nginx.pid;
error_log $WORK/$1-error.log warn;
$( [ -n "$3" ] && echo "load_module /usr/lib/nginx/modules/ngx_http_modsecurity_module.so;" )
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/body; proxy_temp_path $WORK/proxy;
  fastcgi_temp_path $WORK/fcgi; uwsgi_temp_path $WORK/uwsgi; scgi_temp_path $WORK/scgi;
  upstream demo { server 127.0.0.1:18081; keepalive 64; }
  server {
    listen 127.0.0.1:$2;
    $3
    location / {
      proxy_pass http://demo;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
CONF
}

cat > "$WORK/rampart.toml" <<CONF
[server]
listen = ["127.0.0.1:18083"]
workers = 1
[upstream]
servers = ["127.0.0.1:18081"]
[waf]
base_config = false
rules = ["$WORK/crs.conf"]
[crs]
enabled = false
[log]
error_log = "off"
access_log = "off"
CONF

cat > "$WORK/get.lua" <<'LUA'
local paths = {
  "/api/users?q=alice&limit=10&offset=0",
  "/api/orders?user_id=1&status=shipped",
  "/api/users/1",
  "/healthz",
}
local i = 0
wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
wrk.headers["Accept"] = "application/json, text/plain, */*"
wrk.headers["Accept-Language"] = "en-GB,en;q=0.9"
wrk.headers["Accept-Encoding"] = "gzip, deflate, br"
wrk.headers["Cookie"] = "session=6f1c2a9be04d4c1f8a7e3b52d9c0e1f4"
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
LUA
cat > "$WORK/post.lua" <<'LUA'
wrk.method = "POST"
wrk.path = "/api/orders"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
wrk.headers["Accept"] = "application/json"
wrk.body = '{"user_id":1,"items":[{"sku":"BOOK-001","qty":1},{"sku":"TEA-042","qty":3}]}'
LUA

# CPU ticks (user + system) of a process and its children, and its peak RSS in kB.
ticks() { awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat"; }
peak_rss() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

declare -A RESULT
# nginx must be among them: every figure is also given as a ratio to it.
SERVERS=${SERVERS:-"nginx nginx-modsecurity rampart"}
case " $SERVERS " in *" nginx "*) ;; *) echo "load.sh: SERVERS must include nginx" >&2; exit 1 ;; esac
case " $SERVERS " in *" rampart-b "*) [ -x "$RAMPART_B" ] || {
  echo "load.sh: rampart-b needs RAMPART_B, the path of another rampart build" >&2; exit 1; } ;; esac
start_server() { # name -> sets SERVER_PID (the process doing the work), PORT
  case $1 in
    nginx)
      nginx_conf nginx 18082 ""
      taskset -c "$SERVER_CPU" nginx -c "$WORK/nginx.conf" -g "daemon off;" &
      PIDS+=($!); PORT=18082 ;;
    nginx-modsecurity)
      nginx_conf nginx-modsecurity 18084 "modsecurity on; modsecurity_rules_file $WORK/crs.conf;"
      taskset -c "$SERVER_CPU" nginx -c "$WORK/nginx-modsecurity.conf" -g "daemon off;" &
      PIDS+=($!); PORT=18084 ;;
    rampart)
      taskset -c "$SERVER_CPU" target/release/rampart serve --config "$WORK/rampart.toml" >/dev/null 2>&1 &
      PIDS+=($!); PORT=18083 ;;
    rampart-b)
      taskset -c "$SERVER_CPU" "$RAMPART_B" serve --config "$WORK/rampart.toml" >/dev/null 2>&1 &
      PIDS+=($!); PORT=18083 ;;
  esac
  MAIN_PID=$!
  wait_port "$PORT"
  sleep 0.5
  # nginx does the work in its worker, a child of the master.
  SERVER_PID=$(pgrep -P "$MAIN_PID" | head -1 || true)
  [ -n "$SERVER_PID" ] || SERVER_PID=$MAIN_PID
}
stop_server() { kill "$MAIN_PID" 2>/dev/null || true; wait "$MAIN_PID" 2>/dev/null || true; }

HZ=$(getconf CLK_TCK)
printf '%s\n' "servers pinned to CPU $SERVER_CPU; wrk and the demo API on CPU $CLIENT_CPU; ${DURATION}s per run" >&2
for mix in get post; do
  for c in $CONNECTIONS; do
    for server in $SERVERS; do
      start_demo
      start_server "$server"
      # Warm-up, then the measured run.
      taskset -c "$CLIENT_CPU" wrk -t1 -c"$c" -d1s -s "$WORK/$mix.lua" "http://127.0.0.1:$PORT" >/dev/null 2>&1 || true
      before=$(ticks "$SERVER_PID")
      out=$(taskset -c "$CLIENT_CPU" wrk -t1 -c"$c" -d"${DURATION}s" --latency -s "$WORK/$mix.lua" "http://127.0.0.1:$PORT")
      after=$(ticks "$SERVER_PID")
      rss=$(peak_rss "$SERVER_PID")
      stop_server
      stop_demo
      rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
      total=$(awk '/requests in/ {print $1}' <<<"$out")
      p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
      p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
      non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
      cpu=$(awk -v t=$((after - before)) -v hz="$HZ" -v n="$total" 'BEGIN {printf "%.3f", (t / hz) / n * 1000}')
      RESULT[$mix,$c,$server]="$rps $p50 $p99 $cpu $rss ${non2xx:-0}"
      echo "$mix c=$c $server: $rps req/s p50 $p50 p99 $p99 cpu ${cpu}s/1k rss ${rss}kB non-2xx ${non2xx:-0}" >&2
    done
  done
done

echo
echo "| mix | conns | server | req/s | vs nginx | p50 | p99 | CPU s / 1k req | peak RSS | non-2xx |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for mix in get post; do
  for c in $CONNECTIONS; do
    read -r base _ <<<"${RESULT[$mix,$c,nginx]}"
    for server in $SERVERS; do
      read -r rps p50 p99 cpu rss non2xx <<<"${RESULT[$mix,$c,$server]}"
      ratio=$(awk -v a="$rps" -v b="$base" 'BEGIN {printf "%.1f%%", 100 * a / b}')
      echo "| $mix | $c | $server | $rps | $ratio | $p50 | $p99 | $cpu | $((rss / 1024)) MB | $non2xx |"
    done
  done
done
