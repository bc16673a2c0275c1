#!/usr/bin/env bash
# Per-mu evaluation benchmark (issue: enterprise registry): jiqun evaluate against the same contract as one
# DuckDB query (bench/permu_duckdb.py, 2 threads), side by side in one run on the same 1,000,000-row
# synthetic input; wall time and peak memory (GNU time), and a check that every enterprise gets the same
# class. The two programs take turns, run after run, so a load that comes and goes touches both; the load
# average before and after is printed, since the figures mean little on a busy machine. Prints a Markdown
# table. Usage: bench/permu.sh [ROWS] [RUNS]. Needs: python3 with duckdb (pip install duckdb), /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
RUNS=${2:-3}
# shellcheck source=bench/turns.sh
. bench/turns.sh
$BIN demo-data enterprises --count "$ROWS" --seed 7 --output "$WORK/in.csv"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for _ in $(seq 1 "$RUNS"); do
  once jiqun "$BIN" evaluate --input "$WORK/in.csv" --output "$WORK/jiqun.csv"
  once duckdb python3 bench/permu_duckdb.py "$WORK/in.csv" "$WORK/duckdb.csv" 2
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
DUCKDB_VERSION=$(python3 -c 'import duckdb; print(duckdb.__version__)')
python3 - "$WORK/runs" "$WORK/jiqun.csv" "$WORK/duckdb.csv" "$WORK/in.csv" "$ROWS" "$RUNS" "$LOAD_BEFORE" "$LOAD_AFTER" "$DUCKDB_VERSION" <<'PY'
import os, sys
best = {}
for line in open(sys.argv[1]):
    label, t, m = line.split()
    if label not in best or float(t) < best[label][0]:
        best[label] = (float(t), int(m))
def classes(path):
    with open(path, encoding="utf-8") as f:
        next(f)
        return {l.split(",")[0]: l.split(",")[6] for l in f}
cj, cd = classes(sys.argv[2]), classes(sys.argv[3])
same = sum(1 for k in cj if cd.get(k) == cj[k])
size = os.path.getsize(sys.argv[4]) / 1e6
print(f"\nPer-mu evaluation, {int(sys.argv[5]):,} rows ({size:.0f} MB), best of {sys.argv[6]} runs taken in turn, "
      f"{os.cpu_count()} cores; load average before {sys.argv[7]}, after {sys.argv[8]}\n")
print("| program | wall s | peak MB |")
print("|---|---:|---:|")
for name, key in [("jiqun evaluate", "jiqun"), (f"DuckDB {sys.argv[9]} (2 threads, one SQL query)", "duckdb")]:
    t, m = best[key]
    print(f"| {name} | {t:.2f} | {m / 1024:.0f} |")
(jt, jm), (dt, dm) = best["jiqun"], best["duckdb"]
print(f"\nspeed-up {dt / jt:.1f}×, memory {jm / dm * 100:.0f} % of DuckDB's; "
      f"same class for {same:,} of {len(cj):,} enterprises")
PY
