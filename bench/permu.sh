#!/usr/bin/env bash
# Per-mu evaluation benchmark (issue: enterprise registry): jiqun evaluate against the same contract as one
# DuckDB query (bench/permu_duckdb.py, 2 threads), side by side in one run on the same 1,000,000-row
# synthetic input; wall time and peak memory (GNU time), and a check that every enterprise gets the same
# class. Prints a Markdown table. Usage: bench/permu.sh [ROWS] [RUNS]. Needs: python3 with duckdb
# (pip install duckdb), /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
RUNS=${2:-3}
cargo build --release -q -p jiqun
BIN=./target/release/jiqun
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
$BIN demo-data enterprises --count "$ROWS" --seed 7 --output "$WORK/in.csv"
measure() { # label, command...
  local label=$1; shift
  local best_t=999999 best_m=0
  for _ in $(seq 1 "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>&1
    read -r t m < "$WORK/time"
    if python3 -c "import sys; sys.exit(0 if $t < $best_t else 1)"; then best_t=$t; best_m=$m; fi
  done
  echo "$label $best_t $best_m"
}
J=$(measure jiqun $BIN evaluate --input "$WORK/in.csv" --output "$WORK/jiqun.csv")
D=$(measure duckdb python3 bench/permu_duckdb.py "$WORK/in.csv" "$WORK/duckdb.csv" 2)
python3 - "$J" "$D" "$WORK/jiqun.csv" "$WORK/duckdb.csv" "$WORK/in.csv" "$ROWS" "$RUNS" <<'PY'
import os, sys
j, d = sys.argv[1].split(), sys.argv[2].split()
def classes(path):
    with open(path, encoding="utf-8") as f:
        next(f)
        return {l.split(",")[0]: l.split(",")[6] for l in f}
cj, cd = classes(sys.argv[3]), classes(sys.argv[4])
same = sum(1 for k in cj if cd.get(k) == cj[k])
size = os.path.getsize(sys.argv[5]) / 1e6
print(f"\nPer-mu evaluation, {int(sys.argv[6]):,} rows ({size:.0f} MB), best of {sys.argv[7]} runs, {os.cpu_count()} cores\n")
print("| program | wall s | peak MB |")
print("|---|---:|---:|")
for name, t, m in [("jiqun evaluate", j[1], j[2]), ("DuckDB (2 threads, one SQL query)", d[1], d[2])]:
    print(f"| {name} | {float(t):.2f} | {int(m) / 1024:.0f} |")
print(f"\nspeed-up {float(d[1]) / float(j[1]):.1f}×, memory {int(j[2]) / int(d[2]) * 100:.0f} % of DuckDB's; "
      f"same class for {same:,} of {len(cj):,} enterprises")
PY
