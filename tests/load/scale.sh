#!/usr/bin/env bash
# Median latency of the pages that read across every postmortem (the index, the action-item ledger, its
# overdue filter, the teams overview and a team's page) at two sizes, to check that a
# hundred times more data costs at most twice the time.
# Usage: tests/load/scale.sh SMALL_DATABASE_URL LARGE_DATABASE_URL
#   Fill each empty database first: hindsight demo --incidents 100 (and 10000).
# HINDSIGHT_BIN picks the binary (default target/release/hindsight, built here); REQUESTS the requests
# a page (200); DURATION how long a page may take (60s: wrk waits that long even when it has its requests).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
bin=${HINDSIGHT_BIN:-target/release/hindsight}
[ -n "${HINDSIGHT_BIN:-}" ] || cargo build --release --quiet
requests=${REQUESTS:-200}
port=${HINDSIGHT_LOAD_PORT:-3998}
base="http://127.0.0.1:$port"
password="scale test passphrase"
pages=(/incidents "/incidents?status=in_review" /action-items "/action-items?overdue=1" "/action-items?sort=priority&page=3" /teams /teams/FIRST /action-items/mine)

printf '%-40s' "page"; for url in "$@"; do printf '%14s' "$(basename "$url")"; done; echo
declare -A medians
for url in "$@"; do
  echo "$password" | DATABASE_URL=$url "$bin" user add --admin "scale-$port@example.com" --password-stdin >/dev/null 2>&1 || true
  DATABASE_URL=$url "$bin" --listen "127.0.0.1:$port" 2>/dev/null &
  server=$!
  for _ in $(seq 100); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.2; done
  cookie=$(curl -s -o /dev/null -D - "$base/login" --data-urlencode "email=scale-$port@example.com" \
    --data-urlencode "password=$password" | sed -n 's/^set-cookie: \([^;]*\).*/\1/p')
  [ -n "$cookie" ] || { echo "could not sign in to $url" >&2; kill $server; exit 1; }
  # The first team on the overview stands for "a team's page".
  team=$(curl -sf -H "Cookie: $cookie" "$base/teams" | grep -o 'href="/teams/[0-9]*"' | head -1 | grep -o '[0-9]*')
  for page in "${pages[@]}"; do
    url_path=${page/FIRST/$team}
    curl -sf -o /dev/null -H "Cookie: $cookie" "$base$url_path" || { echo "$url_path failed" >&2; kill $server; exit 1; }
    median=$(wrk -t1 -c1 -d"${DURATION:-60s}" --latency -H "Cookie: $cookie" -s tests/load/stop-after.lua "$base$url_path" -- "$requests" \
      | awk '$1 == "50%" { print $2 }')
    medians["$url|$page"]=$median
  done
  kill -TERM $server; wait $server 2>/dev/null || true
done
for page in "${pages[@]}"; do
  printf '%-40s' "$page"; for url in "$@"; do printf '%14s' "${medians["$url|$page"]}"; done; echo
done
