#!/usr/bin/env bash
# Search latency at several sizes: p50 and p95 of two-word searches, of one word with a filter,
# and of the filters alone (the postmortem list through one filter), unloaded (one request at
# a time), against `hindsight demo` data. The 2x rule: each filter's time at the largest size
# is at most twice its time at the smallest.
# Usage: tests/load/search.sh [SIZE...]   (default: 1000 10000 100000)
#   Each size gets the database hindsight_search_load_SIZE on PG_ADMIN_URL's server, filled
#   once with `hindsight demo --incidents SIZE` and kept for the next run (DROP it to refill).
#   The demo runs to its end (first revisions included) before anything is measured.
# HINDSIGHT_BIN picks the binary (default: a release build of this checkout); REQUESTS the
# requests a query (default 40).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/load/lib.sh
trap load_cleanup EXIT
load_require curl psql
load_binary
requests=${REQUESTS:-40}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
queries=("q=database+timeout" "q=certificate+expiry" "q=redis+cluster" "q=rolled+back" "q=payment+gateway"
         "q=disk+full" "q=failed+over" "q=%22connection+pool%22" "q=outage+-redis" "q=datenbankverbindung")
filtered=("q=latency&severity=SEV1" "q=database&status=published" "q=outage&open=1")
# @SERVICE@, @FACTOR@ and @TEAM@ stand for the least named service, factor kind and team at each
# size: the filters whose rows are rarest, which a walk of every postmortem would pay for most.
browse=("severity=SEV2" "status=in_review" "open=1&order=severity" "from=2026-06-01&to=2026-06-30"
        "order=duration" "service=@SERVICE@" "factor=@FACTOR@" "tag=security" "team=@TEAM@")

# p50 and p95 in ms of GET $1, $requests times, one at a time.
percentiles() {
  local path=$1 i
  for i in $(seq "$requests"); do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: $cookie" "$load_base$path"
  done | sort -n | awk '{ t[NR] = $1 * 1000 } END { printf "%.1f %.1f\n", t[int(NR * 0.5 + 0.5)], t[int(NR * 0.95 + 0.5)] }'
}

declare -A p50 p95
for size in "${sizes[@]}"; do
  db=hindsight_search_load_$size
  url=$(load_url_with_db "$load_admin_url" "$db")
  if [ "$(load_psql "$load_admin_url" "SELECT count(*) FROM pg_database WHERE datname = '$db'")" = 0 ]; then
    load_psql "$load_admin_url" "CREATE DATABASE $db" >/dev/null
    load_say "hindsight demo --incidents $size into $db"
    # The whole demo, first revisions included (about 15 ms a postmortem, so most of half an
    # hour at 100k, once): a server started before they are all recorded records the rest in
    # the background, and would be measured while it does.
    DATABASE_URL=$url "$bin" demo --incidents "$size" >"$load_tmp/demo-$size.log" 2>&1 \
      || load_die "demo failed: $(tail -3 "$load_tmp/demo-$size.log")"
  fi
  echo "$load_password" | DATABASE_URL=$url "$bin" user add --admin "$load_email" --password-stdin >/dev/null 2>&1 || true
  DATABASE_URL=$url "$bin" --listen "127.0.0.1:$load_port" 2>"$load_tmp/server-$size.log" &
  load_server=$!
  for _ in $(seq 100); do curl -sf "$load_base/readyz" >/dev/null && break; sleep 0.2; done
  cookie=$(curl -s -o /dev/null -D - "$load_base/login" --data-urlencode "email=$load_email" \
    --data-urlencode "password=$load_password" | sed -n 's/^set-cookie: \([^;]*\).*/\1/p')
  [ -n "$cookie" ] || load_die "could not sign in to $db"
  least() { load_psql "$url" "SELECT $1 FROM $2 WHERE $1 IS NOT NULL GROUP BY 1 ORDER BY count(*), 1 LIMIT 1"; }
  service=$(least service_id incident_services); factor=$(least factor_id incident_factors); team=$(least team_id action_items)
  for query in "${queries[@]}" "${filtered[@]}" "${browse[@]}"; do
    path=$(printf '%s' "/search?$query" | sed "s/@SERVICE@/$service/; s/@FACTOR@/$factor/; s/@TEAM@/$team/")
    curl -sf -o /dev/null -H "Cookie: $cookie" "$load_base$path" || load_die "$path failed"
    read -r a b < <(percentiles "$path")
    p50["$size|$query"]=$a; p95["$size|$query"]=$b
  done
  kill -TERM $load_server; wait $load_server 2>/dev/null || true; load_server=""
done

printf '%-40s' "p50 / p95 ms"; for size in "${sizes[@]}"; do printf '%18s' "$size"; done; echo
worst=0
for query in "${queries[@]}" "${filtered[@]}" "${browse[@]}"; do
  printf '%-40s' "/search?$query"
  for size in "${sizes[@]}"; do printf '%18s' "${p50["$size|$query"]} / ${p95["$size|$query"]}"; done; echo
  # The 2x rule is the index's: a filter without words (searches with words answer to the
  # 100 ms goal instead).
  if [ ${#sizes[@]} -gt 1 ] && [[ $query != q=* ]]; then
    first=${sizes[0]}; last=${sizes[-1]}
    worst=$(awk -v w="$worst" -v a="${p50["$first|$query"]}" -v b="${p50["$last|$query"]}" 'BEGIN { r = b / a; print (r > w ? r : w) }')
  fi
done
all95=$(for query in "${queries[@]}"; do echo "${p95["${sizes[-1]}|$query"]}"; done | sort -n | tail -1)
echo "two-word searches at ${sizes[-1]}: worst p95 ${all95} ms (goal: under 100)"
[ ${#sizes[@]} -gt 1 ] && echo "largest filter p50 ratio ${sizes[-1]} / ${sizes[0]}: $(printf '%.2f' "$worst") (goal: under 2 for each filter without words)"
exit 0
