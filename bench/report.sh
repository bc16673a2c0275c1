#!/usr/bin/env bash
# Word bulletin benchmark (issue #14): the demo plan's full bulletin for a period written as .docx by
# `jiqun report --format docx` (open the database, compute the bulletin, draw and rasterise a chart per
# target, write the file), the whole process timed from outside with GNU time, RUNS runs after one warm-up.
# Prints a Markdown table with the median, fastest and slowest wall time and the peak memory. Usage:
# bench/report.sh [RUNS] [PERIOD] (default 7 runs, 2025); JIQUN_BIN=path times that binary instead of
# building the release one. Needs: curl, /usr/bin/time, a Chinese font (fonts-noto-cjk). See
# docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-7}
PERIOD=${2:-2025}
if [ -n "${JIQUN_BIN:-}" ]; then
  BIN=$JIQUN_BIN
else
  cargo build --release -q -p jiqun
  BIN=${CARGO_TARGET_DIR:-target}/release/jiqun
fi
WORK=$(mktemp -d)
PORT=${PORT:-18977}
PID=
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
export JIQUN_KEY_FILE="$WORK/bench.keys"
DB="sqlite://$WORK/demo.db"
# The demo database: `jiqun demo` loads it, then serves; it is stopped once it answers.
JIQUN_BOOTSTRAP_PASSWORD='Bench@12345' $BIN demo --db "$DB" --addr "127.0.0.1:$PORT" >"$WORK/demo.log" 2>&1 & PID=$!
for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null || { echo "the demo server did not start" >&2; cat "$WORK/demo.log" >&2; exit 1; }
kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
run() { /usr/bin/time -f "%e %M" -o "$WORK/time" "$BIN" report --db "$DB" --plan 1 --period "$PERIOD" --format docx --output "$WORK/bulletin.docx" >"$WORK/out" 2>&1; }
run # warm-up: the page cache holds the database and the fonts
: > "$WORK/runs"
for _ in $(seq 1 "$RUNS"); do run; cat "$WORK/time" >> "$WORK/runs"; done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
FONT=$(grep -o '[^：:]*字体[：:].*\|chart font: .*' "$WORK/out" | head -n 1 || true)
python3 - "$WORK/runs" "$WORK/bulletin.docx" "$RUNS" "$PERIOD" "$LOAD_BEFORE" "$LOAD_AFTER" "$FONT" <<'PY'
import os, statistics, sys, zipfile
runs = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
walls = sorted(r[0] for r in runs)
peak = max(r[1] for r in runs) / 1024
z = zipfile.ZipFile(sys.argv[2])
pictures = sum(1 for n in z.namelist() if n.startswith("word/media/"))
size = os.path.getsize(sys.argv[2]) / 1024
print(f"jiqun report --format docx, demo plan, period {sys.argv[4]}: {len(runs)} runs after a warm-up; "
      f"load average before {sys.argv[5]}, after {sys.argv[6]}; {sys.argv[7]}")
print()
print("| wall s median | wall s min | wall s max | peak MB | file KB | pictures |")
print("|---:|---:|---:|---:|---:|---:|")
print(f"| {statistics.median(walls):.2f} | {walls[0]:.2f} | {walls[-1]:.2f} | {peak:.0f} | {size:.0f} | {pictures} |")
PY
