#!/usr/bin/env bash
# What keeping the search index in step costs a write: the same writes with the index's
# triggers on and off, over HTTP (what a person waits for) and in SQL alone (the database's
# share), on `hindsight demo` data.
#
#   HTTP: POST /incidents/{id}/timeline (one entry) and POST /incidents/{id}/actions (one item),
#         one at a time, each to another postmortem, in alternating blocks with the triggers on
#         and off so drift in the machine's load falls on both alike. p50 and mean in ms.
#   SQL:  pgbench, one client: a transaction that rewrites one section of a random postmortem
#         (what a form save does to the text), and one that adds a timeline entry after its
#         latest, triggers on and off. Mean latency in ms.
#
# Usage: tests/load/search_writes.sh   (INCIDENTS demo postmortems, default 1000; ROUNDS blocks of
#        BLOCK requests a kind and setting, default 4 × 50; SECONDS_SQL per pgbench run, default 20)
# HINDSIGHT_BIN picks the binary (default: a release build of this checkout).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/load/lib.sh
trap load_cleanup EXIT
load_require curl psql pgbench
load_binary
rounds=${ROUNDS:-4}
block=${BLOCK:-50}
seconds_sql=${SECONDS_SQL:-20}

load_create_db "hindsight_search_writes_$$" "$load_admin_url"
url=$load_new_url
load_fill "$url"
load_start "$url" "" "$load_tmp/server.log"
load_sign_in

# The index's triggers: the statement triggers that note a changed postmortem, and the one on a
# new title. Off, nothing is noted and no document is made at commit.
triggers() {
  local action=$1
  load_psql "$url" "DO \$\$ DECLARE t record; BEGIN
    FOR t IN SELECT c.relname, g.tgname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
             WHERE g.tgname LIKE '%search%' AND NOT g.tgisinternal AND c.relname <> 'search_pending' LOOP
      EXECUTE format('ALTER TABLE %I $action TRIGGER %I', t.relname, t.tgname);
    END LOOP; END \$\$" >/dev/null
}

# Appends BLOCK latencies (ms) of one kind of write to $load_tmp/$kind-$setting.
next_id=$load_first
write_block() {
  local kind=$1 setting=$2 i id
  for i in $(seq "$block"); do
    id=$next_id
    next_id=$(( next_id >= load_last ? load_first : next_id + 1 ))
    case $kind in
      timeline) data="time=%2B5m&body=Search+write+cost+probe+$i" ;;
      actions) data="body=Probe+the+search+write+cost+$i&owner=Load" ;;
    esac
    curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: $load_cookie" \
      -H 'Content-Type: application/x-www-form-urlencoded' --data "$data" "$load_base/incidents/$id/$kind"
  done | awk '{ print $1 * 1000 }' >>"$load_tmp/$kind-$setting"
}

stats() {
  sort -n "$1" | awk '{ t[NR] = $1; s += $1 } END { printf "%.2f %.2f\n", t[int(NR * 0.5 + 0.5)], s / NR }'
}

load_say "HTTP: $rounds rounds of $block writes a kind, triggers on and off"
for _ in $(seq "$rounds"); do
  for setting in on off; do
    if [ "$setting" = on ]; then triggers ENABLE; else triggers DISABLE; fi
    write_block timeline "$setting"
    write_block actions "$setting"
  done
done
triggers ENABLE

load_say "SQL: pgbench, ${seconds_sql}s a kind and setting"
cat >"$load_tmp/section.sql" <<SQL
\\set id random($load_first, $load_last)
BEGIN;
UPDATE incident_texts SET body = body || ' probe' WHERE incident_id = :id AND section = 'root_cause';
COMMIT;
SQL
# A timeline entry five minutes after the latest (what the form's "+5m" adds).
cat >"$load_tmp/entry.sql" <<SQL
\\set id random($load_first, $load_last)
BEGIN;
INSERT INTO timeline_entries (incident_id, occurred_at, body)
SELECT :id, coalesce(max(occurred_at), now()) + interval '5 minutes', 'Probe the search write cost'
FROM timeline_entries WHERE incident_id = :id;
COMMIT;
SQL
declare -A sql_ms
for setting in on off on off; do
  if [ "$setting" = on ]; then triggers ENABLE; else triggers DISABLE; fi
  for kind in section entry; do
    load_psql "$url" "VACUUM" >/dev/null # autovacuum may be off: each run starts from the same bloat
    ms=$(pgbench -n -M prepared -c 1 -T "$seconds_sql" -f "$load_tmp/$kind.sql" "$url" 2>/dev/null \
      | sed -n 's/^latency average = \([0-9.]*\) ms/\1/p')
    sql_ms[$kind-$setting]="${sql_ms[$kind-$setting]:-} $ms"
  done
done
triggers ENABLE

echo
printf '%-34s %17s %17s %8s\n' "write" "on: p50 / mean" "off: p50 / mean" "cost"
for kind in timeline actions; do
  read -r on50 onmean < <(stats "$load_tmp/$kind-on")
  read -r off50 offmean < <(stats "$load_tmp/$kind-off")
  printf '%-34s %8s / %6s %8s / %6s %7s%%\n' "POST /incidents/{id}/$kind (HTTP)" "$on50" "$onmean" "$off50" "$offmean" \
    "$(awk -v a="$onmean" -v b="$offmean" 'BEGIN { printf "%+.0f", (a / b - 1) * 100 }')"
done
mean() { echo "$1" | awk '{ for (i = 1; i <= NF; i++) s += $i; printf "%.3f", s / NF }'; }
for kind in section entry; do
  on=$(mean "${sql_ms[$kind-on]}"); off=$(mean "${sql_ms[$kind-off]}")
  case $kind in section) label="a section rewritten (SQL, mean)" ;; entry) label="an entry added (SQL, mean)" ;; esac
  printf '%-34s %17s %17s %7s%%\n' "$label" "$on" "$off" "$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%+.0f", (a / b - 1) * 100 }')"
done
