#!/usr/bin/env bash
# Tries deploy/nginx.conf for real, on loopback only (docs/deploy.md, "What was tested here, and how"): a PostgreSQL
# database with the demo data, two `jiqun serve` processes on it, and nginx in front with the repository's
# configuration (only ports, file paths and the certificate changed, by sed, into a copy) and a self-signed
# certificate. Then, through nginx over HTTPS: /healthz, a login, a write (an observation), the write read
# back from each server directly, requests spread over both servers (nginx's access log), the session
# cookie marked Secure and HSTS sent, a body over 16 MiB refused with 413, plain HTTP redirected.
# Prints each check; exits 1 at the first failure, 2 on a usage error.
#
#   deploy/try-nginx.sh              # ports 18310-18313 (TRY_PORT_BASE changes the first)
#
# Environment: JIQUN (binary; default target/debug/jiqun), TRY_PG (default
# postgres://postgres@127.0.0.1:5432; the script creates and drops its own database), TRY_PORT_BASE.
# Needs nginx (nginx-light), openssl, curl, jq, psql.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
JIQUN=${JIQUN:-$root/target/debug/jiqun}
PG=${TRY_PG:-postgres://postgres@127.0.0.1:5432}
base=${TRY_PORT_BASE:-18310}
https_port=$base http_port=$((base + 1)) p1=$((base + 2)) p2=$((base + 3))
for tool in nginx openssl curl jq psql; do
    command -v "$tool" >/dev/null || { echo "try-nginx: $tool is not installed" >&2; exit 2; }
done
[ -x "$JIQUN" ] || { echo "try-nginx: no jiqun binary at $JIQUN" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/jiqun-nginx.XXXXXX")
db="jiqun_try_nginx_$$"
url="$PG/$db"
export JIQUN_KEY_FILE="$work/jiqun.keys" JIQUN_JOB_STALE_SECONDS=30 LANG=C.UTF-8
pids=()
nginx_conf="$work/nginx.conf"

cleanup() {
    local rc=$?
    [ -f "$work/nginx.pid" ] && nginx -c "$nginx_conf" -s quit 2>/dev/null
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    psql -q -X "$PG/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
    exit $rc
}
trap cleanup EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }
# shellcheck source=deploy/listening.sh
. "$root/deploy/listening.sh"
ok() { echo "ok   $*"; }

start() { # start demo|serve ADDR LOG
    "$JIQUN" "$1" --db "$url" --addr "$2" >"$3" 2>&1 &
    pids+=($!)
    wait_listening "${pids[-1]}" "$3" "jiqun $1"
}

psql -q -X -v ON_ERROR_STOP=1 "$PG/postgres" -c "CREATE DATABASE $db" >/dev/null
"$JIQUN" demo --db "$url" --addr 127.0.0.1:0 >"$work/demo.log" 2>&1 &
demo=$!
for _ in $(seq 1 600); do grep -q 'Ctrl-C' "$work/demo.log" && break; sleep 0.1; done
kill "$demo"; wait "$demo" || true
ok "demo data in PostgreSQL database $db"
start serve "127.0.0.1:$p1" "$work/a.log"
start serve "127.0.0.1:$p2" "$work/b.log"
ok "two jiqun serve processes on 127.0.0.1:$p1 and 127.0.0.1:$p2, one key file"

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
mkdir -p "$work/logs" "$work/tmp"
# The repository's configuration with only its ports, paths and user changed.
sed -e "s|^user www-data;|# user: the one running this script|" \
    -e "s|/run/nginx.pid|$work/nginx.pid|" \
    -e "s|/var/log/nginx/|$work/logs/|g" \
    -e "s|server 127.0.0.1:8081 |server 127.0.0.1:$p1 |" \
    -e "s|server 127.0.0.1:8082 |server 127.0.0.1:$p2 |" \
    -e "s|listen 80;|listen 127.0.0.1:$http_port;|" \
    -e "s|listen 443 ssl http2;|listen 127.0.0.1:$https_port ssl http2;|" \
    -e "s|/etc/nginx/tls/jiqun.crt|$work/tls.crt|" \
    -e "s|/etc/nginx/tls/jiqun.key|$work/tls.key|" \
    -e "s|^http {|http {\n    client_body_temp_path $work/tmp/body; proxy_temp_path $work/tmp/proxy;\n    fastcgi_temp_path $work/tmp/fcgi; uwsgi_temp_path $work/tmp/uwsgi; scgi_temp_path $work/tmp/scgi;|" \
    "$root/deploy/nginx.conf" >"$nginx_conf"
echo "     the copy differs from deploy/nginx.conf in $(diff "$root/deploy/nginx.conf" "$nginx_conf" | grep -c '^>') lines (ports, paths, temp folders)"
nginx -t -c "$nginx_conf" -e "$work/logs/error.log" 2>&1 | sed 's/^/     /'
nginx -c "$nginx_conf" -e "$work/logs/error.log"
for _ in $(seq 1 50); do [ -f "$work/nginx.pid" ] && break; sleep 0.1; done
ok "nginx started with a copy of deploy/nginx.conf on https://127.0.0.1:$https_port"

front="https://127.0.0.1:$https_port"
c() { curl -sS --cacert "$work/tls.crt" "$@"; }

[ "$(c -o /dev/null -w '%{http_code}' "$front/healthz")" = 200 ] || fail "/healthz through nginx"
ok "/healthz through nginx: 200"

token=$(c -H 'Content-Type: application/json' -d '{"username":"owner","password":"Demo@2025"}' "$front/api/v1/auth/login" | jq -r .token)
[ -n "$token" ] && [ "$token" != null ] || fail "login through nginx"
ok "logged in as owner through nginx (bearer token)"

ind=$(c -H "Authorization: Bearer $token" "$front/api/v1/indicators" | jq -r '[(if type == "array" then . else .items end)[] | select(.derived_from == null)][0].id')
[ -n "$ind" ] && [ "$ind" != null ] || fail "no indicator entered by hand, through nginx"
value=$((RANDOM + 1000)).25
status=$(c -o "$work/write.json" -w '%{http_code}' -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"period\":\"2024\",\"value\":$value,\"source\":\"try-nginx\"}" "$front/api/v1/indicators/$ind/observations")
[ "$status" = 201 ] || fail "write through nginx: $status $(cat "$work/write.json")"
ok "write through nginx: observation $value for indicator $ind, 201"

for p in "$p1" "$p2"; do
    got=$(curl -sS -H "Authorization: Bearer $token" "http://127.0.0.1:$p/api/v1/indicators/$ind/observations" |
        jq --argjson v "$value" '[.. | objects | select(.value? == $v)] | length')
    [ "$got" -ge 1 ] || fail "server 127.0.0.1:$p does not show the observation written through nginx"
done
ok "the observation is read back from each server directly, with the same session token"

for _ in $(seq 1 20); do c -o /dev/null -H "Authorization: Bearer $token" "$front/api/v1/auth/me"; done
used=$(grep -o 'upstream=127.0.0.1:[0-9]*' "$work/logs/jiqun-access.log" | sort | uniq -c)
echo "$used" | sed 's/^/     /'
[ "$(echo "$used" | wc -l)" -ge 2 ] || fail "nginx sent every request to one server"
ok "requests went to both servers (nginx's access log, above)"

headers=$(c -o /dev/null -D - -d 'username=viewer&password=Demo@2025' "$front/login")
grep -qi '^set-cookie:.*; *secure' <<<"$headers" || fail "the session cookie is not marked Secure: $headers"
grep -qi '^strict-transport-security:' <<<"$headers" || fail "no HSTS header: $headers"
ok "a page login through nginx sets its cookie Secure; HSTS is sent"

head -c $((17 * 1024 * 1024)) /dev/zero >"$work/big"
status=$(c -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    --data-binary "@$work/big" "$front/api/v1/indicators/$ind/observations")
[ "$status" = 413 ] || fail "a 17 MiB body got $status, not 413"
ok "a 17 MiB body is refused by nginx: 413"

status=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http_port/login")
[ "$status" = 301 ] || fail "plain HTTP got $status, not 301"
ok "plain HTTP is redirected: 301"
echo "try-nginx passed"
