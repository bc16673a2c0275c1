#!/usr/bin/env bash
# Import benchmark (issue #14): `jiqun import` of a 100,000-row enterprise template (.xlsx) and of the same
# rows as CSV, each into a fresh SQLite database (validated, sealed, committed), against openpyxl + pandas
# merely reading the same .xlsx (`pandas.read_excel(engine="openpyxl")`), side by side in one run; wall time
# and peak memory (GNU time). The programs take turns, run after run. Prints a Markdown table.
# Usage: bench/import.sh [ROWS] [RUNS]. Needs: python3 with pandas and openpyxl, /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-100000}
RUNS=${2:-3}
# shellcheck source=bench/turns.sh
. bench/turns.sh
export JIQUN_KEY_FILE="$WORK/bench.keys"
$BIN demo-data enterprises --count "$ROWS" --seed 11 --output "$WORK/firms.xlsx"
$BIN demo-data enterprises --count "$ROWS" --seed 11 --output "$WORK/firms.csv"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for i in $(seq 1 "$RUNS"); do
  rm -f "$WORK"/x.db*; once "jiqun-import-xlsx" "$BIN" import --db "sqlite://$WORK/x.db" "$WORK/firms.xlsx"
  rm -f "$WORK"/c.db*; once "jiqun-import-csv" "$BIN" import --db "sqlite://$WORK/c.db" "$WORK/firms.csv"
  once "pandas-read-xlsx" python3 -c "import pandas, sys; df = pandas.read_excel(sys.argv[1], engine='openpyxl', header=3); print(len(df))" "$WORK/firms.xlsx"
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$WORK/runs" "$ROWS" "$LOAD_BEFORE" "$LOAD_AFTER" "$(stat -c %s "$WORK/firms.xlsx")" <<'PY'
import statistics, sys
runs, rows, before, after, size = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
by = {}
for line in open(runs):
    label, s, kb = line.split()
    by.setdefault(label, []).append((float(s), int(kb)))
print(f"{rows:,} rows; the .xlsx is {size/1e6:.1f} MB; load average before {before}, after {after}")
print()
print("| program | median s | min s | max s | peak MB |")
print("|---|---:|---:|---:|---:|")
for label in ["jiqun-import-xlsx", "jiqun-import-csv", "pandas-read-xlsx"]:
    v = by[label]; t = [x[0] for x in v]
    print(f"| {label} | {statistics.median(t):.2f} | {min(t):.2f} | {max(t):.2f} | {max(x[1] for x in v)/1024:.0f} |")
j = statistics.median(x[0] for x in by["jiqun-import-xlsx"]); p = statistics.median(x[0] for x in by["pandas-read-xlsx"])
print()
print(f"jiqun's whole import of the .xlsx is {p/j:.1f}x faster than pandas + openpyxl only reading it")
PY
