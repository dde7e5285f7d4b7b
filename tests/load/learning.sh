#!/usr/bin/env bash
# The pages that learn across postmortems at several sizes: a service's page (the most and the
# least named service), the services list, the themes page (90 days and a year), postmortem
# pages with their similar incidents, and the search through the service, factor and tag
# filters. For each: the first request (nothing kept by the instance yet) and p50 / p95 of the
# next ones, unloaded (one request at a time), against `hindsight demo` data. The 2x rule: each
# page's p50 at the largest size is at most twice its p50 at the smallest (the postmortem pages
# are reported beside it: the issue's rule names the index, services and themes).
# Usage: tests/load/learning.sh [SIZE...]   (default: 1000 100000)
#   Each size gets the database hindsight_learning_load_SIZE on PG_ADMIN_URL's server, filled
#   once with `hindsight demo --incidents SIZE` and kept for the next run (DROP it to refill).
#   Only the demo's first transaction (postmortems, services, factors, search) is waited for.
# HINDSIGHT_BIN picks the binary (default: a release build of this checkout); REQUESTS the
# requests a page (default 30).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/load/lib.sh
trap load_cleanup EXIT
load_require curl psql
load_binary
requests=${REQUESTS:-30}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 100000)

# ms of one GET $1.
once() {
  curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: $cookie" "$load_base$1" | awk '{ printf "%.1f\n", $1 * 1000 }'
}

# p50 and p95 in ms of GET $1, $requests times, one at a time.
percentiles() {
  local path=$1 i
  for i in $(seq "$requests"); do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: $cookie" "$load_base$path"
  done | sort -n | awk '{ t[NR] = $1 * 1000 } END { printf "%.1f %.1f\n", t[int(NR * 0.5 + 0.5)], t[int(NR * 0.95 + 0.5)] }'
}

names=("services list" "service, most named" "service, least named" "themes, 90 days" "themes, a year"
       "postmortem, newest" "postmortem, middle" "postmortem, oldest" "search service=" "search factor=" "search tag=")
declare -A first p50 p95
for size in "${sizes[@]}"; do
  db=hindsight_learning_load_$size
  url=$(load_url_with_db "$load_admin_url" "$db")
  if [ "$(load_psql "$load_admin_url" "SELECT count(*) FROM pg_database WHERE datname = '$db'")" = 0 ]; then
    load_psql "$load_admin_url" "CREATE DATABASE $db" >/dev/null
    load_say "hindsight demo --incidents $size into $db"
    DATABASE_URL=$url "$bin" demo --incidents "$size" >"$load_tmp/demo-$size.log" 2>&1 &
    demo=$!
    until grep -q "Wrote the demo data" "$load_tmp/demo-$size.log"; do
      kill -0 $demo 2>/dev/null || load_die "demo failed: $(tail -3 "$load_tmp/demo-$size.log")"
      sleep 1
    done
    kill -TERM $demo; wait $demo 2>/dev/null || true
  fi
  q() { load_psql "$url" "$1"; }
  most=$(q "SELECT service_id FROM incident_services GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
  least=$(q "SELECT service_id FROM incident_services GROUP BY 1 ORDER BY count(*), 1 LIMIT 1")
  factor=$(q "SELECT factor_id FROM incident_factors GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
  newest=$(q "SELECT id FROM incidents ORDER BY started_at DESC LIMIT 1")
  middle=$(q "SELECT id FROM incidents ORDER BY started_at DESC OFFSET (SELECT count(*) / 2 FROM incidents) LIMIT 1")
  oldest=$(q "SELECT id FROM incidents ORDER BY started_at LIMIT 1")
  year_ago=$(date -u -d '364 days ago' +%F); today=$(date -u +%F)
  paths=("/services" "/services/$most" "/services/$least" "/themes" "/themes?from=$year_ago&to=$today"
         "/incidents/$newest" "/incidents/$middle" "/incidents/$oldest" "/search?service=$most"
         "/search?factor=$factor" "/search?tag=security")
  echo "$load_password" | DATABASE_URL=$url "$bin" user add --admin "$load_email" --password-stdin >/dev/null 2>&1 || true
  DATABASE_URL=$url "$bin" --listen "127.0.0.1:$load_port" 2>"$load_tmp/server-$size.log" &
  load_server=$!
  for _ in $(seq 100); do curl -sf "$load_base/readyz" >/dev/null && break; sleep 0.2; done
  cookie=$(curl -s -o /dev/null -D - "$load_base/login" --data-urlencode "email=$load_email" \
    --data-urlencode "password=$load_password" | sed -n 's/^set-cookie: \([^;]*\).*/\1/p')
  [ -n "$cookie" ] || load_die "could not sign in to $db"
  for i in "${!paths[@]}"; do
    first["$size|$i"]=$(once "${paths[$i]}")
    curl -sf -o /dev/null -H "Cookie: $cookie" "$load_base${paths[$i]}" || load_die "${paths[$i]} failed at $size"
    read -r a b < <(percentiles "${paths[$i]}")
    p50["$size|$i"]=$a; p95["$size|$i"]=$b
  done
  kill -TERM $load_server; wait $load_server 2>/dev/null || true; load_server=""
done

printf '%-24s' "first, p50 / p95 ms"; for size in "${sizes[@]}"; do printf '%26s' "$size"; done; echo
worst=0 pages=0
for i in "${!names[@]}"; do
  printf '%-24s' "${names[$i]}"
  for size in "${sizes[@]}"; do printf '%26s' "${first["$size|$i"]}, ${p50["$size|$i"]} / ${p95["$size|$i"]}"; done; echo
  # The 2x rule is the index's, the services' and the themes' pages'; a postmortem page's
  # similar incidents are reported beside it.
  if [ ${#sizes[@]} -gt 1 ]; then
    ratio=$(awk -v a="${p50["${sizes[0]}|$i"]}" -v b="${p50["${sizes[-1]}|$i"]}" 'BEGIN { print b / a }')
    if [[ ${names[$i]} == postmortem* ]]; then
      pages=$(awk -v w="$pages" -v r="$ratio" 'BEGIN { print (r > w ? r : w) }')
    else
      worst=$(awk -v w="$worst" -v r="$ratio" 'BEGIN { print (r > w ? r : w) }')
    fi
  fi
done
if [ ${#sizes[@]} -gt 1 ]; then
  echo "largest p50 ratio ${sizes[-1]} / ${sizes[0]}: $(printf '%.2f' "$worst") (goal: under 2)"
  echo "postmortem pages with their similar incidents: $(printf '%.2f' "$pages")"
fi
exit 0
