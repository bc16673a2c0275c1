#!/usr/bin/env bash
# Scale benchmark (issue #15): a database with 1,000,000 enterprises (9,000,000 sealed figures) and
# 10,000,000 observations, every list route timed at that size, the server's resident memory at rest and
# under load, and the query plans of the list queries. All data is synthetic: the firms come from
# `jiqun demo-data enterprises` through `jiqun import`, the observations from `jiqun demo-data scale`
# (1,000 indicators × 50 years × 22 regions), multiplied into earlier versions of each figure by SQL.
# Usage: bench/scale.sh [--quick] [DB_URL] (default: a fresh SQLite file; a postgres:// URL makes a fresh
# database on that server and drops it afterwards). --quick: 20,000 firms and about 200,000 observations
# (CI's smoke). Environment: JIQUN, a jiqun binary to use instead of a release build. Needs: curl, python3, sqlite3 or psql, wrk for the load part (skipped if absent).
set -euo pipefail
cd "$(dirname "$0")/.."
QUICK=0
if [ "${1:-}" = "--quick" ]; then QUICK=1; shift; fi
if [ "$QUICK" = 1 ]; then FIRMS=20000; INDICATORS=40; YEARS=20; VERSIONS=2; else FIRMS=1000000; INDICATORS=1000; YEARS=50; VERSIONS=8; fi
# JIQUN names a binary already built (CI's smoke uses the debug build it tested); else a release build.
if [ -n "${JIQUN:-}" ]; then BIN=$JIQUN; else cargo build --release -q -p jiqun; BIN=${CARGO_TARGET_DIR:-target}/release/jiqun; fi
PORT=${BENCH_PORT:-18097}
WORK=$(mktemp -d)
DB=${1:-sqlite://$WORK/scale.db}
export JIQUN_KEY_FILE="$WORK/bench.keys"
NAME=
if [[ "$DB" == postgres* ]]; then
  NAME="jiqun_scale_$$"
  DB="${DB%/*}/$NAME"
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE $NAME"
fi
cleanup() {
  [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null || true
  rm -rf "$WORK"
  if [ -n "$NAME" ]; then psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $NAME" || true; fi
}
trap cleanup EXIT
sql() { # runs SQL on the benchmark's database, prints the result unaligned
  if [ -n "$NAME" ]; then psql -q -At -h 127.0.0.1 -U postgres -d "$NAME" -c "$1"; else sqlite3 "${DB#sqlite://}" "$1"; fi
}
wait_up() { for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "server did not start" >&2; cat "$WORK/serve.log" >&2; exit 1; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$PID/status"; }

# The demo's plan and users, then the synthetic bulk.
$BIN demo --db "$DB" --addr "127.0.0.1:$PORT" >"$WORK/demo.log" 2>&1 & PID=$!
wait_up; kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
T0=$(date +%s.%N)
$BIN demo-data enterprises --count "$FIRMS" --seed 5 --output "$WORK/firms.csv" >/dev/null
/usr/bin/time -f "%e %M" -o "$WORK/import.time" $BIN import --db "$DB" "$WORK/firms.csv" >/dev/null
$BIN demo-data scale --db "$DB" --indicators "$INDICATORS" --years "$YEARS" >/dev/null
# Earlier versions of every figure (corrections over time), so that most rows are history.
sql "INSERT INTO observations (indicator_id, period, period_key, region, value, source, is_current, entered_by, entered_at)
     SELECT o.indicator_id, o.period, o.period_key, o.region, o.value * (1 - v.k / 100.0), o.source, 0, o.entered_by, o.entered_at - v.k
     FROM observations o, (SELECT 1 AS k $(for k in $(seq 2 "$VERSIONS"); do printf 'UNION ALL SELECT %d ' "$k"; done)) v
     WHERE o.is_current = 1"
# PostgreSQL: what autovacuum would do after a bulk load (the visibility map lets index-only scans skip the table).
if [ -n "$NAME" ]; then sql "VACUUM ANALYZE" >/dev/null; else sql "ANALYZE" >/dev/null; fi
LOADED=$(date +%s.%N)
read -r IMPORT_S IMPORT_KB < "$WORK/import.time"
N_FIRMS=$(sql "SELECT COUNT(*) FROM enterprises")
N_FIGURES=$(sql "SELECT COUNT(*) FROM enterprise_figures")
N_OBS=$(sql "SELECT COUNT(*) FROM observations")
IND=$(sql "SELECT MAX(indicator_id) FROM observations")

$BIN serve --db "$DB" --addr "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 & PID=$!
wait_up
TOKEN=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"username":"owner","password":"Demo@2025"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')
AUDITOR=$(curl -fs -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"username":"auditor","password":"Demo@2025"}' | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')
PLAN=$(curl -fs "http://127.0.0.1:$PORT/api/v1/plans" -H "Authorization: Bearer $TOKEN" | python3 -c 'import sys,json; d=json.load(sys.stdin); d=d.get("items", d) if isinstance(d, dict) else d; print(d[0]["id"])')
RSS_REST=$(rss_mb)

# Each route: 7 requests after one to warm, the median and the slowest of the 7, and the body's size.
ROUTES=(
  "enterprises, first page|/api/v1/enterprises?limit=100"
  "enterprises, the middle page|/api/v1/enterprises?limit=100&offset=$((FIRMS / 2))"
  "enterprises of one city|/api/v1/enterprises?city=%E6%B7%B1%E5%9C%B3&limit=100"
  "enterprise search by name|/api/v1/enterprises?q=%E7%A4%BA%E4%BE%8B%E4%BC%81%E4%B8%9A0012345&limit=100"
  "enterprise search by USCC prefix|/api/v1/enterprises?q=914403&limit=100"
  "one enterprise|/api/v1/enterprises/$((FIRMS / 3))"
  "indicators of the plan|/api/v1/indicators?plan=$PLAN"
  "observations of one indicator, newest 100|/api/v1/indicators/$IND/observations?limit=100"
  "assignments|/api/v1/supervision/assignments"
  "audit trail, first page (as the auditor)|/api/v1/audit"
  "projects|/api/v1/projects"
)
echo
echo "Scale benchmark — $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), database ${DB%%://*}, commit $(git rev-parse --short HEAD)"
echo "Loaded: $N_FIRMS enterprises ($N_FIGURES sealed figures; their import took $IMPORT_S s, peak $((IMPORT_KB / 1024)) MB), $N_OBS observations; loading took $(python3 -c "print(round($LOADED - $T0))") s in all; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| route | median ms | slowest ms | bytes | status |"
echo "|---|---:|---:|---:|---:|"
for r in "${ROUTES[@]}"; do
  label=${r%%|*}; path=${r#*|}
  T=$TOKEN; [[ "$label" == *auditor* ]] && T=$AUDITOR
  curl -s -o /dev/null "http://127.0.0.1:$PORT$path" -H "Authorization: Bearer $T"
  for _ in 1 2 3 4 5 6 7; do
    curl -s -o /dev/null -w '%{time_total} %{size_download} %{http_code}\n' "http://127.0.0.1:$PORT$path" -H "Authorization: Bearer $T"
  done > "$WORK/t"
  python3 - "$label" "$WORK/t" <<'PY'
import statistics, sys
label, f = sys.argv[1], sys.argv[2]
rows = [l.split() for l in open(f) if l.strip()]
t = sorted(float(r[0]) * 1000 for r in rows)
codes = sorted({r[2] for r in rows})
print(f"| {label} | {statistics.median(t):.1f} | {t[-1]:.1f} | {int(rows[-1][1]):,} | {','.join(codes)} |")
if codes != ["200"]:
    open(f + ".bad", "w").write(label)
PY
done
if ls "$WORK"/t.bad >/dev/null 2>&1; then echo "a route did not answer 200: $(cat "$WORK"/t.bad)" >&2; exit 1; fi
if command -v wrk >/dev/null; then
  D=$([ "$QUICK" = 1 ] && echo 1s || echo 8s)
  wrk -t2 -c64 -d"$D" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/enterprises?city=%E5%B9%BF%E5%B7%9E&limit=100" > "$WORK/wrk" 2>&1 &
  WRK=$!
  PEAK=0
  while kill -0 "$WRK" 2>/dev/null; do r=$(rss_mb); [ "$r" -gt "$PEAK" ] && PEAK=$r; sleep 0.2; done
  RPS=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk")
  echo
  echo "Resident memory of the server: $RSS_REST MB at rest; at most $PEAK MB under wrk -t2 -c64 -d$D on a city's page of firms ($RPS requests/s)"
else
  echo
  echo "Resident memory of the server: $RSS_REST MB at rest (wrk not installed: no load part)"
fi

# The plans the database chose for the list queries (the store's own SQL, with sample values).
echo
echo "Query plans:"
# The province's order of cities as the store writes it (crates/store/src/enterprises.rs, city_order; the
# test query_plans in crates/store/tests keeps the store's own statements on their indexes).
ORDER="CASE city"; i=0
for c in 广州 深圳 珠海 佛山 惠州 东莞 中山 江门 肇庆 汕头 汕尾 潮州 揭阳 湛江 茂名 阳江 韶关 河源 梅州 清远 云浮; do
  ORDER="$ORDER WHEN '$c' THEN $i"; i=$((i + 1))
done
ORDER="$ORDER ELSE 21 END"
# The search by part of a name, or the start of a USCC: the indexes of migration 19 on each database.
if [ -n "$NAME" ]; then
  SEARCH="SELECT COUNT(*) FROM enterprises WHERE (name ILIKE '%示例企业0012345%' ESCAPE '\\' OR (uscc COLLATE \"C\" >= '914403' AND uscc COLLATE \"C\" < '914404'))"
else
  SEARCH="SELECT COUNT(*) FROM enterprises WHERE (id IN (SELECT rowid FROM enterprises_search WHERE enterprises_search MATCH '\"914403\"') OR (uscc >= '914403' AND uscc < '914404'))"
fi
PLANS=(
  "SELECT name FROM enterprises WHERE id IN (SELECT id FROM enterprises ORDER BY $ORDER, name, id LIMIT 100 OFFSET $((FIRMS / 2))) ORDER BY $ORDER, name, id"
  "SELECT name FROM enterprises WHERE id IN (SELECT id FROM enterprises WHERE city = '深圳' ORDER BY name, id LIMIT 100 OFFSET 0) ORDER BY name, id"
  "$SEARCH"
  "SELECT id FROM enterprise_figures WHERE year = 2024 AND is_current IN (0, 1) AND enterprise_id = 7 ORDER BY id"
  "SELECT id FROM enterprise_figures WHERE enterprise_id = 7 AND is_current = 1 ORDER BY year, id"
  "SELECT id FROM observations WHERE indicator_id = $IND AND is_current = 1 ORDER BY period_key"
)
for q in "${PLANS[@]}"; do
  echo "- \`$q\`"
  if [ -n "$NAME" ]; then sql "EXPLAIN $q" | sed 's/^/    /'; else sql "EXPLAIN QUERY PLAN $q" | sed 's/^/    /'; fi
done
