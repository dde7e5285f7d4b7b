#!/usr/bin/env bash
# Median latency of the postmortem page and of its Markdown export, over 1,000 requests each,
# measured with wrk against a release build on a private PostgreSQL in a temp folder; then of
# signing in (one Argon2id hash each), and of the page while sign-ins run alongside.
# Usage: tests/load/latency.sh [CONNECTIONS]   (default 1: one request at a time)
set -euo pipefail
cd "$(dirname "$0")/../.."
connections=${1:-1}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }

cargo build --release --quiet
data=$(mktemp -d /tmp/hindsight-load.XXXXXX)
chmod 755 "$data"   # when run as root, PostgreSQL runs as an unprivileged user that must reach it
port=${HINDSIGHT_LOAD_PORT:-3999}
base="http://127.0.0.1:$port"
# An account to measure with, made before the server starts (the cluster has one owner at a time).
password="load test passphrase"
echo "$password" | env -u DATABASE_URL ./target/release/hindsight --data-dir "$data" \
  user add --admin load@example.com --password-stdin 2>"$data/setup.log" >/dev/null
# Default logging (one info line per request), written to a file as an operator would.
env -u DATABASE_URL ./target/release/hindsight --data-dir "$data" --listen "127.0.0.1:$port" 2>"$data/hindsight.log" &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.2; done
# Sign in; every request below sends the session cookie, as a browser would.
cookie=$(curl -s -o /dev/null -D - "$base/login" --data-urlencode email=load@example.com \
  --data-urlencode "password=$password" | sed -n 's/^set-cookie: \([^;]*\).*/\1/p')
[ -n "$cookie" ] || { echo "could not sign in" >&2; exit 1; }
curl() { command curl -H "Cookie: $cookie" "$@"; }

# A postmortem the size of a typical one: every section written, 8 timeline entries, 4 action items.
paragraph="The connection pool was **exhausted** under load; see https://example.com/runbook for the \`max_connections\` change."
curl -sf -o /dev/null "$base/incidents" --data-urlencode "title=Database connection pool exhaustion" \
  -d severity=SEV2 -d status=published -d started_at=2025-03-01T10:15 -d ended_at=2025-03-01T11:05 \
  --data-urlencode utc_offset=UTC+2 \
  $(for f in summary impact root_cause resolution corrective_measures preventative_measures lessons_learned; do
      printf -- '--data-urlencode %s=%s ' "$f" "${paragraph// /%20}"; done)
for minute in 15 18 22 30 40 45 55; do
  curl -sf -o /dev/null "$base/incidents/1/timeline" -d "time=10:$minute" --data-urlencode "body=$paragraph"
done
curl -sf -o /dev/null "$base/incidents/1/timeline" -d "time=11:05" --data-urlencode "body=$paragraph"
for n in 1 2 3 4; do
  curl -sf -o /dev/null "$base/incidents/1/actions" --data-urlencode "body=Action $n: add pool metrics" \
    -d owner=Priya -d team=Platform -d due_on=2025-04-01 -d done=on
done

for path in /incidents/1 /incidents/1/export.md; do
  echo "== GET $path: 1000 requests over $connections connection(s)"
  wrk -t1 -c"$connections" -d15s --latency -H "Cookie: $cookie" -s tests/load/stop-after.lua "$base$path" -- 1000 \
    | grep -E "Latency|50%|90%|99%|requests in"
done

echo "== POST /login: 15 s over $connections connection(s)"
wrk -t1 -c"$connections" -d15s --latency -s tests/load/sign-in.lua "$base/login" | grep -E "Latency|50%|90%|99%|requests in"
echo "== GET /incidents/1 while 2 connections sign in continuously"
wrk -t1 -c2 -d20s -s tests/load/sign-in.lua "$base/login" >/dev/null &
signing_in=$!
sleep 2
wrk -t1 -c"$connections" -d15s --latency -H "Cookie: $cookie" -s tests/load/stop-after.lua "$base/incidents/1" -- 1000 \
  | grep -E "Latency|50%|90%|99%|requests in"
wait $signing_in
