#!/usr/bin/env bash
# API fuzzing with schemathesis (issue 15, docs/security.md "API fuzzing (schemathesis)").
#
# Builds `jiqun` (debug), and for each role starts a fresh demo server on its own new database, logs in as
# that role's demo user, and runs `schemathesis run` against /api/v1/openapi.json with the user's token:
# no 5xx, every status documented, every body matching its schema, schema-valid requests accepted and
# schema-violating ones refused (fuzz/schemathesis/schemathesis.toml says which statuses count as what).
# Prints a table (role, operations, test cases, failures) and exits 1 when any run failed.
#
# Usage: fuzz/schemathesis.sh [--quick] [--postgres] [--examples N] [--roles "owner viewer …"]
#   --quick      2 examples per operation, examples and fuzzing phases only: about 2 minutes on SQLite (CI)
#   --postgres   each role's database is a new PostgreSQL database on 127.0.0.1:5432, dropped afterwards
#                (PG_URL overrides the server: postgres://postgres@127.0.0.1:5432)
#   --examples   examples per operation and phase (default 25)
# Environment: SCHEMATHESIS_PORT (default 18400), SCHEMATHESIS_OUT (reports; default a temporary folder).
# Needs: schemathesis 4.x (pip install schemathesis), curl, python3; psql for --postgres.
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=0
PG=0
EXAMPLES=25
ROLES="admin owner gxt kjt shenzhen viewer auditor security qiye zhuanjia"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --postgres) PG=1 ;;
    --examples) EXAMPLES="$2"; shift ;;
    --roles) ROLES="$2"; shift ;;
    *) echo "usage: $0 [--quick] [--postgres] [--examples N] [--roles \"owner viewer …\"]" >&2; exit 2 ;;
  esac
  shift
done
command -v schemathesis >/dev/null || { echo "schemathesis is not installed (pip install schemathesis)" >&2; exit 2; }
case "$(schemathesis --version)" in
  *"version 4."*) ;;
  *) echo "schemathesis 4.x is needed, found: $(schemathesis --version)" >&2; exit 2 ;;
esac

PORT=${SCHEMATHESIS_PORT:-18400}
CONFIG=$PWD/fuzz/schemathesis/schemathesis.toml
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}
WORK=$(mktemp -d)
OUT=${SCHEMATHESIS_OUT:-$WORK/reports}
mkdir -p "$OUT"
SERVER_PID=""
DBNAME=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ -n "$DBNAME" ]; then psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS \"$DBNAME\"" >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== cargo build -p jiqun"
cargo build -q -p jiqun
BIN=${CARGO_TARGET_DIR:-target}/debug/jiqun
ADMIN_PASSWORD='Fuzz-Admin@2025'

if [ "$QUICK" = 1 ]; then
  # No coverage phase (it alone makes some 6,000 cases a role, whatever the number of examples).
  EXAMPLES=2
  PHASES=examples,fuzzing
else
  PHASES=examples,coverage,fuzzing,stateful
fi

# Excluded operations (the token must stay valid for the whole run, and these are tested by the suite):
#   POST /api/v1/auth/login     fuzzed logins with wrong passwords lock accounts (5 failures → 423)
#   POST /api/v1/auth/logout    ends the very session the run uses
#   POST /api/v1/auth/password  a successful change ends the user's other sessions, this one included
EXCLUDE='^/api/v1/auth/(login|logout|password)$'

login() {  # user password → token
  curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$2\"}" | python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])'
}

FAILED=0
SUMMARY=$WORK/summary
: >"$SUMMARY"
for role in $ROLES; do
  if [ "$PG" = 1 ]; then
    DBNAME="jiqun_schemathesis_${role}_$$"
    psql -q "$PG_URL/postgres" -c "CREATE DATABASE \"$DBNAME\"" >/dev/null
    DB="$PG_URL/$DBNAME"
  else
    DB="sqlite://$WORK/$role.db"
  fi
  JIQUN_KEY_FILE="$WORK/$role.keys" JIQUN_BOOTSTRAP_PASSWORD="$ADMIN_PASSWORD" \
    "$BIN" demo --db "$DB" --addr "127.0.0.1:$PORT" >"$OUT/$role.server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.5
  done
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || { cat "$OUT/$role.server.log" >&2; echo "the demo server did not start" >&2; exit 1; }
  password='Demo@2025'
  [ "$role" = admin ] && password=$ADMIN_PASSWORD
  token=$(login "$role" "$password")
  echo "== schemathesis as $role ($DB)"
  status=0
  # Run from the temporary folder: schemathesis keeps a cache of crashes (.schemathesis/) where it runs.
  (cd "$WORK" && schemathesis --no-color --config-file "$CONFIG" run \
    "http://127.0.0.1:$PORT/api/v1/openapi.json" \
    -H "Authorization: Bearer $token" \
    --exclude-path-regex "$EXCLUDE" \
    --phases "$PHASES" -n "$EXAMPLES" --seed 15 --workers 2 --max-failures 500 --generation-database none \
    --report junit --report-junit-path "$OUT/$role.xml" \
    >"$OUT/$role.txt" 2>&1) || status=$?
  if grep -q 'panicked' "$OUT/$role.server.log"; then
    echo "the server panicked as $role:" >&2; grep 'panicked' "$OUT/$role.server.log" >&2; status=1
  fi
  python3 - "$role" "$status" "$OUT/$role.xml" "$OUT/$role.txt" >>"$SUMMARY" <<'PY'
import re, sys, xml.etree.ElementTree as ET
role, status, path, text = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ops = cases = failures = 0
try:
    found = re.findall(r"(\d+) generated", open(text, encoding="utf-8", errors="replace").read())
    cases = int(found[-1]) if found else 0
except OSError:
    pass
try:
    root = ET.parse(path).getroot()
    for suite in root.iter("testsuite"):
        ops += int(suite.get("tests", 0))
        failures += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
except (OSError, ET.ParseError):
    pass
print(f"{role}\t{ops}\t{cases}\t{failures}\t{status}")
PY
  if [ "$status" != 0 ]; then
    FAILED=1
    echo "-- failures as $role (full output: $OUT/$role.txt)"
    sed -n '/^=* FAILURES =*$/,/^=* SUMMARY =*$/p' "$OUT/$role.txt" | head -n 200
  fi
  grep -E ' generated' "$OUT/$role.txt" | tail -n 1 || true
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  if [ "$PG" = 1 ]; then
    psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS \"$DBNAME\"" >/dev/null
    DBNAME=""
  fi
done

echo
echo "== schemathesis $(schemathesis --version | sed 's/.*version //'), $([ "$PG" = 1 ] && echo PostgreSQL || echo SQLite), phases $PHASES, $EXAMPLES examples per operation"
printf '%-10s %10s %10s %9s %s\n' role operations "test cases" failures result
while IFS=$'\t' read -r role ops cases failures status; do
  printf '%-10s %10s %10s %9s %s\n' "$role" "$ops" "$cases" "$failures" "$([ "$status" = 0 ] && echo ok || echo FAILED)"
done <"$SUMMARY"
if [ "$FAILED" != 0 ]; then
  echo "schemathesis found failures (reports in $OUT; set SCHEMATHESIS_OUT to keep them)" >&2
  [ -z "${SCHEMATHESIS_OUT:-}" ] && cp -r "$OUT" "/tmp/schemathesis-reports-$$" && echo "copied to /tmp/schemathesis-reports-$$" >&2
  exit 1
fi
