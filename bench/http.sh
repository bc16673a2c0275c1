#!/usr/bin/env bash
# HTTP benchmark (issue: platform core). The demo data set plus 50 synthetic indicators × 10 years × 21
# cities; the dashboard HTML and GET /api/v1/indicators measured with wrk on loopback, 64 connections,
# 2 threads. Prints a Markdown table. Usage: bench/http.sh [DB_URL] (default: a fresh SQLite file).
# Needs: wrk (apt-get install wrk), curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
cargo build --release -q -p jiqun
BIN=./target/release/jiqun
PORT=${BENCH_PORT:-18099}
DURATION=${BENCH_DURATION:-15s}
WORK=$(mktemp -d)
DB=${1:-sqlite://$WORK/bench.db}
export JIQUN_KEY_FILE="$WORK/bench.keys"
if [[ "$DB" == postgres* ]]; then
  # A fresh database on the server named by the URL.
  NAME="jiqun_bench_$$"
  DB="${DB%/*}/$NAME"
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE $NAME"
fi
cleanup() {
  [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null || true
  rm -rf "$WORK"
  [ -n "${NAME:-}" ] && psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $NAME" || true
}
trap cleanup EXIT

wait_up() { for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "server did not start" >&2; exit 1; }

JIQUN_BOOTSTRAP_PASSWORD='Bench@12345' $BIN demo --db "$DB" --addr "127.0.0.1:$PORT" >"$WORK/demo.log" 2>&1 & PID=$!
wait_up; kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
$BIN demo-data scale --db "$DB" --indicators 50 --years 10 >/dev/null
$BIN serve --db "$DB" --addr "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 & PID=$!
wait_up
TOKEN=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"username":"owner","password":"Demo@2025"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')
INDICATORS=$(curl -fs "http://127.0.0.1:$PORT/api/v1/indicators?plan=1" -H "Authorization: Bearer $TOKEN" | python3 -c 'import sys,json; print(len(json.load(sys.stdin)))')

run() { # name, url, header
  local out; out=$(wrk -t2 -c64 -d"$DURATION" --latency -H "$3" "$2" 2>&1)
  python3 - "$1" "$out" <<'PY'
import re, sys
name, out = sys.argv[1], sys.argv[2]
def lat(p):
    m = re.search(r"\s%s%%\s+([\d.]+)(us|ms|s)" % p, out)
    if not m: return "?"
    v, u = float(m.group(1)), m.group(2)
    return "%.2f" % (v / 1000 if u == "us" else v * 1000 if u == "s" else v)
rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
errs = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
size = re.search(r"Transfer/sec:\s+(\S+)", out)
print("| %s | %s | %s | %s | %s | %s |" % (name, rps.group(1) if rps else "?", lat(50), lat(90), lat(99), errs.group(1) if errs else "0"))
PY
}
echo
echo "Jiqun HTTP benchmark — $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "Database: ${DB%%://*}; indicators in the plan: $INDICATORS; wrk -t2 -c64 -d$DURATION on 127.0.0.1"
echo
echo "| endpoint | requests/s | p50 ms | p90 ms | p99 ms | non-2xx |"
echo "|---|---:|---:|---:|---:|---:|"
run "dashboard HTML (GET /)" "http://127.0.0.1:$PORT/" "Cookie: jiqun_session=$TOKEN"
run "GET /api/v1/indicators?plan=1" "http://127.0.0.1:$PORT/api/v1/indicators?plan=1" "Authorization: Bearer $TOKEN"
