#!/usr/bin/env bash
# Export benchmark (issue #14): `jiqun export --table evaluations --format xlsx` of one run of ROWS results
# (1,000,000 by default), with its wall time and peak resident memory (GNU time). The database is a fresh
# SQLite file whose schema `jiqun user add` creates; the firms and the run's results are then inserted
# directly with Python's sqlite3 (synthetic: a firm per result, spread over the province's cities), since
# rating a million firms is not what is measured here. The workbook is then opened again to count its rows.
# Usage: bench/export.sh [ROWS] [FORMAT]. Needs: python3, /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
FORMAT=${2:-xlsx}
PROFILE=${PROFILE:-release}
if [ "$PROFILE" = release ]; then cargo build --release -q -p jiqun; else cargo build -q -p jiqun; fi
BIN=${CARGO_TARGET_DIR:-target}/$PROFILE/jiqun
WORK=$(mktemp -d)  # under $TMPDIR when set; the workbook's temporary file goes there too
trap 'rm -rf "$WORK"' EXIT
DB="$WORK/bench.db"
export JIQUN_KEY_FILE="$WORK/bench.keys" JIQUN_NEW_PASSWORD='Bench@12345'
"$BIN" user add --db "sqlite://$DB" --username bench --role viewer >/dev/null
python3 - "$DB" "$ROWS" <<'PY'
import sqlite3, sys, random
db, n = sys.argv[1], int(sys.argv[2])
cities = ["广州", "深圳", "珠海", "佛山", "惠州", "东莞", "中山", "江门", "肇庆", "汕头", "湛江", "韶关"]
classes = ["A", "B", "C", "D", "T"]
rng = random.Random(7)
c = sqlite3.connect(db)
c.execute("PRAGMA journal_mode = WAL")
c.execute("INSERT INTO evaluations (year, scheme_id, scheme_name, scheme_json, rated, not_rated, created_by, created_at) "
          "VALUES (2025, 'default', '（基准）默认方案', '{}', ?, 0, NULL, 0)", (n,))
run = c.execute("SELECT max(id) FROM evaluations").fetchone()[0]
def firms():
    for i in range(1, n + 1):
        yield (f"BENCH{i:013d}", f"（基准）合成企业{i:07d}有限公司", cities[i % len(cities)], "above" if i % 3 else "below",
               1990 + i % 30, "集成电路", "", 0, 0)
c.executemany("INSERT INTO enterprises (uscc, name, city, scale, founded_year, chain_nodes, tags, created_at, updated_at) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", firms())
def results():
    for (eid, city, scale) in c.execute("SELECT id, city, scale FROM enterprises WHERE uscc LIKE 'BENCH%' ORDER BY id").fetchall():
        cls = classes[rng.randrange(5)]
        yield (run, eid, city, scale, None if cls == "T" else round(rng.uniform(20, 100), 4), 0 if cls == "T" else rng.randrange(1, 5000),
               5000, cls, "（基准）合成结果", "")
c.executemany("INSERT INTO evaluation_results (evaluation_id, enterprise_id, city, scale, score, rank, group_size, class, reason, items) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", results())
c.commit()
c.close()
PY
DB_MB=$(du -m "$DB" | cut -f1)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
/usr/bin/time -f "%e %M" -o "$WORK/time" "$BIN" export --db "sqlite://$DB" --table evaluations --format "$FORMAT" \
  --output "$WORK/out.$FORMAT" >/dev/null
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
read -r SECS KB < "$WORK/time"
OUT_MB=$(du -m "$WORK/out.$FORMAT" | cut -f1)
if [ "$FORMAT" = xlsx ]; then # the rows in the sheet, header included, counted without unzipping to disk
  SHEET_ROWS=$(python3 -c 'import sys, zipfile
n = 0; tail = b""
with zipfile.ZipFile(sys.argv[1]).open("xl/worksheets/sheet1.xml") as f:
    while chunk := f.read(1 << 20):
        n += (tail + chunk).count(b"<row "); tail = chunk[-4:]
print(n)' "$WORK/out.$FORMAT")
  [ "$SHEET_ROWS" -eq $((ROWS + 1)) ] || { echo "the sheet has $SHEET_ROWS rows, not $((ROWS + 1))" >&2; exit 1; }
fi
echo
echo "Export of one evaluation run, $ROWS rows, as $FORMAT ($PROFILE build), $(nproc) cores; database ${DB_MB} MB;" \
  "load average before $LOAD_BEFORE, after $LOAD_AFTER"
echo
echo "| table | rows | format | wall s | peak RSS MB | file MB |"
echo "|---|---:|---|---:|---:|---:|"
echo "| evaluations | $ROWS | $FORMAT | $SECS | $((KB / 1024)) | $OUT_MB |"
