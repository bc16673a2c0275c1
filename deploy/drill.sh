#!/usr/bin/env bash
# Backup-and-restore drill (docs/deploy.md, "5. Backup and restore").
#
# For SQLite and PostgreSQL in turn: makes a demo database, verifies its audit chain, backs it up with
# `jiqun backup`, restores the backup into a fresh, empty database with `jiqun restore`, and checks the copy:
# every table's row count (read by sqlite3 / psql, not by jiqun) against the backup's and the source's, a
# second backup of the copy identical row for row to the first, the same exports (sealed enterprise figures
# opened with the key file), `jiqun audit verify` on the copy, a restore into a database that is not empty
# refused, and an edited audit record found. Then the backup of each database is restored into the other.
# Prints each step; exits 1 at the first mismatch, 2 on a usage error.
#
#   deploy/drill.sh --quick          # the demo data set only (CI; well under a minute with a debug build)
#   deploy/drill.sh                  # also 50 × 10 years of synthetic indicators, and a backup taken while a
#                                    # server runs on the database
#   deploy/drill.sh --sqlite-only    # without PostgreSQL
#
# Environment: JIQUN (the binary; default target/release/jiqun if built, else target/debug/jiqun),
# DRILL_PG (default postgres://postgres@127.0.0.1:5432: the drill creates and drops its own databases
# there, named jiqun_drill_*), DRILL_DIR (work folder, kept; default a new temporary one, removed at the
# end unless --keep).
set -euo pipefail

usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; }
quick=0
pg=1
keep=0
for a in "$@"; do
    case "$a" in
    --quick) quick=1 ;;
    --sqlite-only) pg=0 ;;
    --keep) keep=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "drill: unknown option $a" >&2; usage >&2; exit 2 ;;
    esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${JIQUN:-}" ]; then
    if [ -x "$root/target/release/jiqun" ]; then JIQUN="$root/target/release/jiqun"; else JIQUN="$root/target/debug/jiqun"; fi
fi
[ -x "$JIQUN" ] || { echo "drill: no jiqun binary at $JIQUN (cargo build first, or set JIQUN)" >&2; exit 2; }
PG=${DRILL_PG:-postgres://postgres@127.0.0.1:5432}
if [ -n "${DRILL_DIR:-}" ]; then
    work=$DRILL_DIR # the caller's folder: kept
    mkdir -p "$work"
    keep=1
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/jiqun-drill.XXXXXX")
fi
export JIQUN_KEY_FILE="$work/jiqun.keys"
export LANG=C.UTF-8
tag="$$_$(date +%s)"
server_pid=

cleanup() {
    local rc=$?
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    # new_db runs in a subshell ($(…)), so the databases it made are listed in a file.
    [ -f "$work/pg_dbs" ] && while read -r d; do
        psql -q -X "$PG/postgres" -c "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null 2>&1 ||
            echo "drill: could not drop database $d" >&2
    done <"$work/pg_dbs"
    if [ "$keep" = 1 ]; then echo "drill: work folder kept: $work"; else rm -rf "$work"; fi
    exit $rc
}
trap cleanup EXIT

t0=$(date +%s)
step() { printf '[%3ss] %s\n' "$(($(date +%s) - t0))" "$*"; }
fail() { echo "DRILL FAILED: $*" >&2; exit 1; }
# shellcheck source=deploy/listening.sh
. "$root/deploy/listening.sh"
# Runs a jiqun command, printing its one-line answer; fails the drill on a non-zero exit.
run() {
    local out
    if ! out=$("$JIQUN" "$@" 2>&1); then fail "jiqun $* exited non-zero: $out"; fi
    printf '        %s\n' "$(tail -n 1 <<<"$out")"
}

new_db() { # new_db sqlite|postgres NAME -> URL of a database that does not exist yet / is empty
    case "$1" in
    sqlite) echo "sqlite://$work/$2.db" ;;
    postgres)
        local d="jiqun_drill_${2}_$tag"
        psql -q -X -v ON_ERROR_STOP=1 "$PG/postgres" -c "CREATE DATABASE $d" >/dev/null || fail "CREATE DATABASE $d on $PG"
        echo "$d" >>"$work/pg_dbs"
        echo "$PG/$d"
        ;;
    esac
}

# Row count of one table, asked of the database itself (not through jiqun).
count() { # count URL TABLE
    case "$1" in
    sqlite://*) sqlite3 "${1#sqlite://}" "SELECT COUNT(*) FROM $2" ;;
    *) psql -q -X -t -A "$1" -c "SELECT COUNT(*) FROM $2" ;;
    esac
}

# "table rows" for each table named on stdin, in one query, asked of the database itself.
count_all() { # count_all URL < tables
    local sql
    sql=$(awk '{printf "%sSELECT '"'"'%s'"'"' || '"'"' '"'"' || COUNT(*) FROM %s", (NR > 1 ? " UNION ALL " : ""), $1, $1}')
    case "$1" in
    sqlite://*) sqlite3 "${1#sqlite://}" "$sql" ;;
    *) psql -q -X -t -A -v ON_ERROR_STOP=1 "$1" -c "$sql" ;;
    esac
}

# "table rows" for every table of a backup file, from its table headers.
backup_counts() {
    grep '^{"columns"' "$1" | sed -E 's/.*"rows":([0-9]+).*"table":"([a-z_0-9]+)".*/\2 \1/'
}

# Compares every table's rows in the backup with the database's own count.
check_counts() { # check_counts BACKUP URL WHAT
    local want have
    want=$(backup_counts "$1")
    [ -n "$want" ] || fail "no table headers in $1"
    have=$(cut -d' ' -f1 <<<"$want" | count_all "$2") || fail "counting the tables of $3"
    if [ "$want" != "$have" ]; then
        fail "$3: row counts differ from the backup's (table backup database): $(join <(sort <<<"$want") <(sort <<<"$have") | awk '$2 != $3' | tr '\n' ';')"
    fi
    echo "        $(wc -l <<<"$want") tables, $(awk '{s += $2} END {print s}' <<<"$want") rows: every count equal"
}

# Starts a server on the database (seeding it when the command is demo), waits until it listens.
start_server() { # start_server demo|serve URL LOG
    "$JIQUN" "$1" --db "$2" --addr 127.0.0.1:0 >"$3" 2>&1 &
    server_pid=$!
    wait_listening "$server_pid" "$3" "jiqun $1 --db $2"
}
stop_server() {
    kill "$server_pid"
    wait "$server_pid" || true
    server_pid=
}

drill() { # drill sqlite|postgres
    local kind=$1 src dst b1 b2
    echo "== $kind"
    src=$(new_db "$kind" src)
    step "make the demo data set: jiqun demo --db $src (stopped once it listens)"
    start_server demo "$src" "$work/$kind-demo.log"
    stop_server
    if [ "$quick" = 0 ]; then
        step "add 50 synthetic indicators × 10 years for the province and every city: jiqun demo-data scale"
        run demo-data scale --db "$src" --indicators 50 --years 10
    fi
    step "verify the source's audit chain: jiqun audit verify --db $src"
    run audit verify --db "$src"
    b1="$work/$kind.backup"
    if [ "$quick" = 0 ]; then
        step "back up while a server runs on the source: jiqun backup --db $src --output $b1"
        start_server serve "$src" "$work/$kind-serve.log"
        run backup --db "$src" --output "$b1"
        stop_server
    else
        step "back up: jiqun backup --db $src --output $b1"
        run backup --db "$src" --output "$b1"
    fi
    head -n 1 "$b1" | grep -q '"format":"jiqun-backup"' || fail "$b1 does not start with the backup header"
    step "the source against the backup, table by table"
    check_counts "$b1" "$src" "source $kind"

    dst=$(new_db "$kind" dst)
    step "restore into a fresh database: jiqun restore --input $b1 --db $dst"
    run restore --input "$b1" --db "$dst"
    step "verify the copy's audit chain: jiqun audit verify --db $dst"
    run audit verify --db "$dst"
    step "the copy against the backup, table by table (counted by $([ "$kind" = sqlite ] && echo sqlite3 || echo psql))"
    check_counts "$b1" "$dst" "restored $kind"
    step "a backup of the copy equals the first, row for row"
    b2="$work/$kind-copy.backup"
    run backup --db "$dst" --output "$b2"
    cmp -s <(tail -n +2 "$b1") <(tail -n +2 "$b2") || fail "the copy's backup differs from the original's: diff $b1 $b2"
    echo "        $(($(wc -l <"$b1") - 1)) lines identical"
    step "exports of the source and the copy are the same (sealed figures opened with the key file)"
    for t in enterprises indicators reports projects; do
        "$JIQUN" export --db "$src" --table "$t" --format csv --output "$work/$kind-src-$t.csv" >/dev/null 2>&1 ||
            fail "export $t from the source"
        "$JIQUN" export --db "$dst" --table "$t" --format csv --output "$work/$kind-dst-$t.csv" >/dev/null 2>&1 ||
            fail "export $t from the copy"
        cmp -s "$work/$kind-src-$t.csv" "$work/$kind-dst-$t.csv" || fail "export of $t differs after the restore"
        echo "        $t: $(($(wc -l <"$work/$kind-src-$t.csv") - 1)) rows, identical"
    done
    step "a restore into a database that is not empty is refused"
    if "$JIQUN" restore --input "$b1" --db "$dst" >"$work/$kind-refused.log" 2>&1; then
        fail "restore into the non-empty $dst succeeded"
    fi
    echo "        refused: $(tail -n 1 "$work/$kind-refused.log")"
    step "an edited audit record is found by audit verify"
    local mid
    mid=$(($(count "$dst" audit_log) / 2 + 1))
    case "$dst" in
    sqlite://*) sqlite3 "${dst#sqlite://}" "UPDATE audit_log SET detail = detail || ' ' WHERE id = (SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET $((mid - 1)))" ;;
    *) psql -q -X "$dst" -c "UPDATE audit_log SET detail = detail || ' ' WHERE id = (SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET $((mid - 1)))" ;;
    esac
    if "$JIQUN" audit verify --db "$dst" >"$work/$kind-tampered.log" 2>&1; then
        fail "audit verify passed on a copy whose audit record $mid was edited"
    fi
    echo "        found: $(tail -n 1 "$work/$kind-tampered.log")"
    eval "backup_$kind=\$b1"
}

# The backup of one database restored into the other kind.
across() { # across FROM TO
    local from=$1 to=$2 b dst
    eval "b=\$backup_$from"
    echo "== $from backup into $to"
    dst=$(new_db "$to" "from_$from")
    step "jiqun restore --input $b --db $dst"
    run restore --input "$b" --db "$dst"
    step "verify its audit chain"
    run audit verify --db "$dst"
    step "counts against the backup"
    check_counts "$b" "$dst" "$from backup restored into $to"
}

command -v sqlite3 >/dev/null || fail "sqlite3 is not installed (apt-get install sqlite3): the drill counts rows with it"
if [ "$pg" = 1 ]; then
    command -v psql >/dev/null || fail "psql is not installed; use --sqlite-only to drill SQLite alone"
    psql -q -X "$PG/postgres" -c 'SELECT 1' >/dev/null 2>&1 || fail "PostgreSQL is not reachable at $PG (set DRILL_PG, or --sqlite-only)"
fi
echo "drill: $JIQUN, work folder $work, key file $JIQUN_KEY_FILE, $([ "$quick" = 1 ] && echo quick || echo full) mode"
drill sqlite
if [ "$pg" = 1 ]; then
    drill postgres
    across sqlite postgres
    across postgres sqlite
fi
echo "drill passed in $(($(date +%s) - t0)) s"
