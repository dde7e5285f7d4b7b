#!/usr/bin/env bash
# Capacity of one Hindsight instance on this machine: throughput and latency of realistic mixed
# traffic (tests/load/mixed.lua: 80 % reads, 17 % saves, 3 % imports, from a signed-in account) for
# each pool size × number of concurrent clients, written up as docs/capacity.md: a table per pool
# size, the knee, the recommended pool size, the machine, and why a bigger pool does not help.
# Usage: tests/load/capacity.sh [DATABASE_URL]
#   Without DATABASE_URL, a scratch database is made through PG_ADMIN_URL (default
#   postgres://postgres@127.0.0.1:5432/postgres), filled with INCIDENTS demo postmortems (1000) and
#   dropped at the end. With it, that database is used and never changed (filled with demo data
#   first if it has no postmortems).
# Every point (pool size, clients) starts from the same data and a fresh Hindsight: the database
# is copied (CREATE DATABASE ... TEMPLATE, next to the original; dropped after the point), Hindsight
# is started on the copy with --pool-size, signed in to and warmed up with WARMUP s of the mix's
# reads, then measured for DURATION s. (Saves and imports add to the data quickly, and the pages
# slow down with it: without the copies, later points would measure a bigger database. If
# PostgreSQL refuses to copy, because someone else is connected to the original or the role may
# not create databases, the points run on the original in turn, and the report says so.)
# Before each point the script waits, at most QUIET_WAIT s, until the machine is idle; the report
# shows for every point how much CPU went to Hindsight, PostgreSQL, wrk and everything else.
# Knobs (environment):
#   POOLS        pool sizes                                                   ("2 4 8 16 32")
#   CONCURRENCY  concurrent clients (wrk connections), in ascending order     ("1 2 4 8 16 32 64 128 256")
#   DURATION     seconds of traffic a point (15); WARMUP seconds of reads before it (3);
#   QUIET_WAIT   most seconds to wait for an idle machine before a point (15; 0: do not wait)
#   OUT          the report (docs/capacity.md); HINDSIGHT_BIN the binary (default: cargo build --release)
#   and those of tests/load/lib.sh: HINDSIGHT_ARGS (more server flags), HINDSIGHT_LOAD_PORT (3997),
#   PG_ADMIN_URL, INCIDENTS, WRK_THREADS (2), KEEP_LOGS (keep server logs and wrk outputs).
# Wall time: about POOLS × CONCURRENCY × (DURATION + WARMUP + 6 s) plus 20 s to set up: with the
# defaults 5 × 9 × 24 s ≈ 18 minutes; up to QUIET_WAIT more a point on a busy machine.
# Needs wrk, curl and psql. wrk runs on the same machine as Hindsight and PostgreSQL and takes a
# share of its cores; the report says how much.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=tests/load/lib.sh
source tests/load/lib.sh
load_require wrk curl psql awk git

read -r -a pools <<<"${POOLS:-2 4 8 16 32}"
read -r -a concurrency <<<"${CONCURRENCY:-1 2 4 8 16 32 64 128 256}"
duration=${DURATION:-15}
duration=${duration%s}
warmup=${WARMUP:-3}
quiet_wait=${QUIET_WAIT:-15}
out=${OUT:-docs/capacity.md}
for n in "${pools[@]}" "${concurrency[@]}" "$duration" "$warmup" "$quiet_wait"; do
  [[ $n =~ ^[0-9]+$ ]] || load_die "POOLS, CONCURRENCY, DURATION, WARMUP and QUIET_WAIT take whole numbers, not '$n'"
done
((duration > 0)) || load_die "DURATION must be at least 1"
((${#pools[@]} > 0 && ${#concurrency[@]} > 0)) || load_die "POOLS and CONCURRENCY must not be empty"
mkdir -p "$(dirname "$out")"
# Generous: a slow response is measured, not dropped.
timeout=30s

started=$(date +%s)
estimate=$(( (${#pools[@]} * ${#concurrency[@]} * (duration + warmup + 6) + 20 + 59) / 60 ))
load_say "sweeping pools (${pools[*]}) × clients (${concurrency[*]}), ${duration} s a point: about $estimate minutes"
load_binary

given=""
if [ $# -ge 1 ]; then
  source_url=$1
  given=1
  load_url_db "$source_url" >/dev/null
  load_psql "$source_url" "SELECT 1" >/dev/null || load_die "cannot connect to $source_url"
else
  load_create_db "hindsight_capacity_$$" "$load_admin_url"
  source_url=$load_new_url
fi
load_fill "$source_url"
incidents=$(load_psql "$source_url" "SELECT count(*) FROM incidents")
action_items=$(load_psql "$source_url" "SELECT count(*) FROM action_items")
pg_version=$(load_psql "$source_url" "SHOW server_version")
pg_max_connections=$(load_psql "$source_url" "SHOW max_connections")

results=$load_tmp/results.tsv     # pool, clients, then the RESULT line's values in the order below
raw=$load_tmp/raw.txt             # the RESULT lines as printed
keys=(requests rps goodput_rps p50_ms p90_ms p99_ms max_ms shed s503 fail5xx s4xx timeouts socket_errors signed_out
  pg_active pg_lock_waits cpu_total cpu_server cpu_pg cpu_wrk cpu_other)
: >"$results"
: >"$raw"
copies_refused=0
quiet_waited=0
printf '%6s %7s %9s %9s %9s %9s %7s %6s %18s\n' pool clients req/s good/s p50_ms p99_ms shed 5xx "cpu% srv/pg/wrk/oth" >&2

for pool in "${pools[@]}"; do
  log="$load_tmp/hindsight-pool$pool.log"
  : >"$log"
  for clients in "${concurrency[@]}"; do
    copy="$(load_url_db "$source_url")_load$$"
    if load_clone_db "$source_url" "$copy"; then
      url=$load_new_url
    else
      ((copies_refused)) || load_say "PostgreSQL refused to copy the database: the points run on it directly, one after another"
      copies_refused=1
      url=$source_url
    fi
    # Nothing of ours runs now: anything keeping the machine busy is someone else's.
    if ((quiet_wait > 0)); then
      waited=$(load_wait_quiet "$quiet_wait")
      quiet_waited=$((quiet_waited + waited))
      ((waited == 0)) || load_say "waited $waited s for the machine to be idle"
    fi
    load_start "$url" "$pool" "$log"
    load_sign_in
    load_mixed 4 "${warmup}s" "$timeout" "$load_tmp/warmup.txt" writes=0 >/dev/null
    wrk_out="$load_tmp/pool$pool-c$clients.txt"
    line=$(load_mixed "$clients" "${duration}s" "$timeout" "$wrk_out")
    load_stop
    [ "$url" = "$source_url" ] || load_drop_db "$(load_url_with_db "$source_url" postgres)|$copy"
    if [ -z "$line" ]; then
      echo "pool $pool, $clients clients: wrk gave no result:" >&2
      tail -5 "$wrk_out" >&2
      continue
    fi
    [ "$(load_get "$line" signed_out)" = 0 ] || load_die "pool $pool, $clients clients: requests were sent to sign in: the session was lost"
    echo "pool=$pool clients=$clients $line" >>"$raw"
    row="$pool	$clients"
    for key in "${keys[@]}"; do row+="	$(load_get "$line" "$key")"; done
    echo "$row" >>"$results"
    printf '%6s %7s %9s %9s %9s %9s %7s %6s %18s\n' "$pool" "$clients" "$(load_get "$line" rps)" \
      "$(load_get "$line" goodput_rps)" "$(load_get "$line" p50_ms)" "$(load_get "$line" p99_ms)" \
      "$(load_get "$line" shed)" "$(load_get "$line" fail5xx)" \
      "$(load_get "$line" cpu_server)/$(load_get "$line" cpu_pg)/$(load_get "$line" cpu_wrk)/$(load_get "$line" cpu_other)" >&2
  done
  # Errors the server logged (the 5xx column's causes, among others), ANSI colours or not.
  echo "$pool	$(grep -c 'ERROR' "$log" || true)" >>"$load_tmp/server-errors.tsv"
done
[ -s "$results" ] || load_die "no point gave a result"

# ---- The report ---------------------------------------------------------------------------------

# Column numbers in results.tsv.
col() {
  local i
  for i in "${!keys[@]}"; do [ "${keys[$i]}" = "$1" ] && { echo $((i + 3)); return; }; done
  load_die "no column $1"
}
c_rps=$(col rps) c_good=$(col goodput_rps) c_p50=$(col p50_ms) c_p99=$(col p99_ms) c_max=$(col max_ms)
c_shed=$(col shed) c_fail=$(col fail5xx) c_4xx=$(col s4xx) c_timeouts=$(col timeouts)
c_sock=$(col socket_errors) c_out=$(col signed_out) c_cpu_server=$(col cpu_server) c_cpu_pg=$(col cpu_pg)
c_cpu_wrk=$(col cpu_wrk) c_cpu_other=$(col cpu_other) c_cpu_total=$(col cpu_total) c_active=$(col pg_active)
c_locks=$(col pg_lock_waits)
# The value in column $3 at pool $1 and $2 clients.
at() {
  awk -F'\t' -v p="$1" -v c="$2" -v k="$3" '$1 == p && $2 == c { print $k }' "$results"
}
# "c goodput p99" lines of pool $1, for load_knee.
sweep() {
  awk -F'\t' -v p="$1" -v g="$c_good" -v q="$c_p99" '$1 == p { print $2, $g, $q }' "$results"
}
pct() { awk -v x="$1" 'BEGIN { printf "%.1f %%", 100 * x }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
change() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%+.0f %%", 100 * (a / b - 1); else print "n/a" }'; }

measured_pools=$(cut -f1 "$results" | sort -n -u)
best_good=0 best_pool="" best_clients=""
declare -A pool_best pool_best_at pool_knee
for pool in $measured_pools; do
  read -r clients good < <(awk -F'\t' -v p="$pool" -v g="$c_good" \
    '$1 == p && $g + 0 > best + 0 { best = $g; at = $2 } END { print at, best }' "$results")
  pool_best[$pool]=$good
  pool_best_at[$pool]=$clients
  pool_knee[$pool]=$(sweep "$pool" | load_knee)
  if awk -v a="$good" -v b="$best_good" 'BEGIN { exit !(a > b) }'; then
    best_good=$good best_pool=$pool best_clients=$clients
  fi
done
recommended=""
for pool in $measured_pools; do
  if awk -v a="${pool_best[$pool]}" -v b="$best_good" 'BEGIN { exit !(a >= 0.95 * b) }'; then
    recommended=$pool
    break
  fi
done
largest=$(tail -n1 <<<"$measured_pools")
top=$(cut -f2 "$results" | sort -n | tail -n1)   # the most clients measured
read -r knee_clients knee_good knee_p99 knee_state <<<"${pool_knee[$recommended]}"

commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- src templates migrations static Cargo.toml Cargo.lock 2>/dev/null)" ]; then
  commit+=" (with uncommitted changes to the server)"
fi
[ -z "${HINDSIGHT_BIN:-}" ] || commit+=", binary $HINDSIGHT_BIN"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n1)
memory=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
elapsed=$(( ($(date +%s) - started + 30) / 60 ))
tot_fail=$(awk -F'\t' -v k="$c_fail" '{ s += $k } END { print s + 0 }' "$results")
tot_4xx=$(awk -F'\t' -v k="$c_4xx" '{ s += $k } END { print s + 0 }' "$results")
tot_out=$(awk -F'\t' -v k="$c_out" '{ s += $k } END { print s + 0 }' "$results")
tot_timeouts=$(awk -F'\t' -v a="$c_timeouts" -v b="$c_sock" '{ s += $a + $b } END { print s + 0 }' "$results")
shed_points=$(awk -F'\t' -v k="$c_shed" '$k > 0 { n++ } END { print n + 0 }' "$results")
server_errors_total=$(awk -F'\t' '{ s += $2 } END { print s + 0 }' "$load_tmp/server-errors.tsv")
# Points where something else took more than 10 % of the machine: their figures are disturbed.
disturbed=$(awk -F'\t' -v k="$c_cpu_other" '$k > 10 { n++ } END { print n + 0 }' "$results")
points=$(wc -l <"$results")

{
  echo "# Capacity of one Hindsight instance"
  echo
  echo "Generated by \`tests/load/capacity.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC') from commit $commit, in"
  echo "$elapsed minutes. Do not edit by hand: run the script again (it overwrites this file)."
  echo
  echo "## Headline"
  echo
  echo "- Best throughput: **${best_good} req/s** answered (2xx/3xx) with a pool of $best_pool connections and $best_clients concurrent clients."
  echo "- Recommended pool size on this machine: **$recommended** (the smallest pool reaching 95 % of the best throughput; its best is ${pool_best[$recommended]} req/s at ${pool_best_at[$recommended]} clients)."
  if [ "$knee_state" = reached ]; then
    echo "- Knee with that pool: **$knee_clients concurrent clients**, at $knee_good req/s and a p99 of $knee_p99 ms; beyond it more clients only wait longer."
  else
    echo "- Knee with that pool: not reached: throughput still rose at $knee_clients clients (the most measured)."
  fi
  at_top="- At $top concurrent clients: pool $recommended: $(at "$recommended" "$top" "$c_good") req/s, p99 $(at "$recommended" "$top" "$c_p99") ms, shed $(pct "$(at "$recommended" "$top" "$c_shed")")"
  [ "$largest" = "$recommended" ] \
    || at_top+="; pool $largest: $(at "$largest" "$top" "$c_good") req/s, p99 $(at "$largest" "$top" "$c_p99") ms, shed $(pct "$(at "$largest" "$top" "$c_shed")")"
  echo "$at_top."
  echo "- Over all $points points: $tot_fail failed 5xx (other than 503), $shed_points points with some 503 (shed), $tot_timeouts socket timeouts or errors, $tot_4xx 4xx, $tot_out redirects to sign-in; $server_errors_total ERROR lines in the server logs."
  if ((disturbed > 0)); then
    echo "- **$disturbed of $points points were disturbed**: something else on the machine took more than 10 % of its CPU while they ran (marked ⚠ below; the script waited $quiet_waited s in all for quiet). Their figures are low; compare runs with care."
  else
    echo "- No point was disturbed by other work on the machine (none took more than 10 % of its CPU; the script waited $quiet_waited s in all for quiet)."
  fi
  echo
  echo "## Machine"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| CPU cores (\`nproc\`) | $(nproc) |"
  echo "| CPU | ${cpu:-unknown} |"
  echo "| Memory | ${memory:-unknown} |"
  echo "| Kernel | $(uname -sr) |"
  echo "| PostgreSQL | $pg_version (max_connections $pg_max_connections), on the same machine |"
  echo "| Load generator | $(wrk -v 2>&1 | head -n1 | awk '{ print $1, $2 }'), on the same machine: it competes for the same cores |"
  echo
  echo "## Method"
  echo
  echo "- Data: $incidents postmortems and $action_items action items ($( [ -n "$given" ] && echo "the given database" || echo "\`hindsight demo --incidents ${INCIDENTS:-1000}\`" ))."
  if [ "$copies_refused" = 0 ]; then
    echo "  Every point starts from a fresh copy of it: saves and imports add to the data fast (3 % imports at 600 req/s is"
    echo "  18 new postmortems a second) and the pages slow down with it, so without copies later points would measure a bigger database."
  else
    echo "  **PostgreSQL refused to copy it, so the points ran on it one after another: each point saw the saves and imports of"
    echo "  all the points before it, and later points measured a bigger database.**"
  fi
  echo "- Traffic: \`tests/load/mixed.lua\` as one signed-in admin: 80 % reads (a postmortem page 44, the index 12, the action-item"
  echo "  ledger under eight filters 14, teams 4, a team 6), 17 % saves (a timeline entry 7, an action item 6, ticking one done"
  echo "  or reopening it 4), 3 % imports of a short Markdown postmortem; postmortem ids $load_first–$load_last, each wrk thread its own."
  echo "- Each point: Hindsight started on the copy with \`--pool-size N\`${HINDSIGHT_ARGS:+ and \`$HINDSIGHT_ARGS\`} (other flags at their defaults,"
  echo "  logging one line per request to a file), signed in to, warmed up with $warmup s of the mix's reads from 4 clients, then"
  echo "  \`wrk -t2 -cC -d${duration}s --timeout $timeout\` (one thread when C is 1). Every client sends its next request as soon as"
  echo "  the previous one is answered (a closed loop): req/s is what the server sustained, not an offered rate."
  echo "- Columns: **req/s** all responses a second; **good/s** 2xx and 3xx a second (throughput); **p50**, **p99**, **max**"
  echo "  latency over all responses, shed ones included; **shed** the share of responses that were 503 (refused for want"
  echo "  of capacity, not a failure); **5xx** responses with a 5xx status other than 503 (failures); **4xx** should be 0;"
  echo "  **timeouts** wrk's socket timeouts and errors; **PG busy / lock** the database's backends running a query, and"
  echo "  waiting for a lock another transaction holds, on average (sampled once a second); **CPU %** where the machine's"
  echo "  CPU went during the point, in % of all $(nproc) cores: Hindsight / PostgreSQL's backends for its database / wrk /"
  echo "  everything else (⚠ when over 10 %: other work on the machine disturbed the point, and its figures are low)."
  echo "- **Knee**: the first concurrency C whose throughput no larger concurrency beats by more than 5 %, while the p99"
  echo "  at the next concurrency is higher than at C. Past the knee, more clients only queue: latency grows, throughput does not."
  echo "- **Recommended pool size**: the smallest pool whose best throughput (at any concurrency) is at least 95 % of the"
  echo "  best throughput of any pool."
  echo
  echo "## Results by pool size"
  for pool in $measured_pools; do
    read -r k_clients k_good k_p99 k_state <<<"${pool_knee[$pool]}"
    echo
    echo "### Pool of $pool connections"
    echo
    echo "| clients | req/s | good/s | p50 ms | p99 ms | max ms | shed | 5xx | 4xx | timeouts | PG busy / lock | CPU % H / PG / wrk / other |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    awk -F'\t' -v p="$pool" -v r="$c_rps" -v g="$c_good" -v a="$c_p50" -v b="$c_p99" -v m="$c_max" \
      -v s="$c_shed" -v f="$c_fail" -v q="$c_4xx" -v t="$c_timeouts" -v o="$c_sock" -v ac="$c_active" -v lk="$c_locks" \
      -v cs="$c_cpu_server" -v cp="$c_cpu_pg" -v cw="$c_cpu_wrk" -v co="$c_cpu_other" '
      $1 == p { printf "| %s | %.0f | %.0f | %s | %s | %s | %.1f %% | %s | %s | %s | %s / %s | %s / %s / %s / %s%s |\n", $2, $r, $g, $a, $b, $m,
                100 * $s, $f, $q, $t + $o, $ac, $lk, $cs, $cp, $cw, $co, ($co > 10 ? " ⚠" : "") }' "$results"
    echo
    if [ "$k_state" = reached ]; then
      echo "Knee: $k_clients clients ($k_good req/s, p99 $k_p99 ms). Best: ${pool_best[$pool]} req/s at ${pool_best_at[$pool]} clients."
    else
      echo "Knee: not reached by $k_clients clients. Best: ${pool_best[$pool]} req/s at ${pool_best_at[$pool]} clients."
    fi
  done
  echo
  echo "## Across pool sizes"
  echo
  echo "| pool | best good/s | at clients | knee (clients) | good/s at $top clients | p99 ms at $top | shed at $top | ERROR lines logged |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
  for pool in $measured_pools; do
    read -r k_clients _ _ k_state <<<"${pool_knee[$pool]}"
    [ "$k_state" = reached ] || k_clients="> $k_clients"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$pool" "${pool_best[$pool]}" "${pool_best_at[$pool]}" "$k_clients" \
      "$(at "$pool" "$top" "$c_good")" "$(at "$pool" "$top" "$c_p99")" "$(pct "$(at "$pool" "$top" "$c_shed")")" \
      "$(awk -F'\t' -v p="$pool" '$1 == p { print $2 }' "$load_tmp/server-errors.tsv")"
  done
  echo
  echo "## Why \"increase max connections\" does not help"
  echo
  g_r=$(at "$recommended" "$top" "$c_good") p_r=$(at "$recommended" "$top" "$c_p99")
  g_l=$(at "$largest" "$top" "$c_good") p_l=$(at "$largest" "$top" "$c_p99")
  cpu_r=$(at "$recommended" "$top" "$c_cpu_total")
  # The three largest concurrencies, where the difference shows.
  tops=$(cut -f2 "$results" | sort -n -u | tail -n3)
  echo "The seed postmortem's first fix was to increase the maximum number of database connections. Measured here, the"
  echo "recommended pool against the largest, at the most concurrent clients (the recommended pool's knee is $knee_clients):"
  echo
  echo "| clients | pool | good/s | p50 ms | p99 ms | max ms | shed | PG busy / lock | CPU % other |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for clients in $tops; do
    for pool in $(printf '%s\n' "$recommended" "$largest" | sort -n -u); do
      [ -n "$(at "$pool" "$clients" "$c_good")" ] || continue
      other=$(at "$pool" "$clients" "$c_cpu_other")
      printf '| %s | %s | %s | %s | %s | %s | %s | %s / %s | %s%s |\n' "$clients" "$pool" "$(at "$pool" "$clients" "$c_good")" \
        "$(at "$pool" "$clients" "$c_p50")" "$(at "$pool" "$clients" "$c_p99")" "$(at "$pool" "$clients" "$c_max")" \
        "$(pct "$(at "$pool" "$clients" "$c_shed")")" "$(at "$pool" "$clients" "$c_active")" "$(at "$pool" "$clients" "$c_locks")" \
        "$other" "$( ((other > 10)) && echo " ⚠" )"
    done
  done
  echo
  if [ "$recommended" = "$largest" ]; then
    echo "Here the largest pool measured is also the smallest that reaches 95 % of the best throughput, so this sweep cannot"
    echo "show what more connections would do: run it again with larger POOLS."
  else
    echo "At $top clients, $(ratio "$largest" "$recommended")× the connections changed throughput by $(change "$g_l" "$g_r") and the p99 by a factor of $(ratio "$p_l" "$p_r")."
    if awk -v a="$g_l" -v b="$g_r" 'BEGIN { exit !(a <= 1.05 * b) }'; then
      echo "Throughput did not rise because it is bounded by the $(nproc) CPU cores that Hindsight, PostgreSQL and the load"
      echo "generator share ($cpu_r % of them busy at $top clients with pool $recommended, most of it PostgreSQL), not by the"
      echo "number of connections. Across pool sizes the best throughput was $best_good req/s (pool $best_pool); pool $largest's best was"
      locks_l=$(at "$largest" "$top" "$c_locks")
      if awk -v l="$locks_l" 'BEGIN { exit !(l >= 0.5) }'; then
        echo "${pool_best[$largest]} req/s. More connections let more queries run at once on the same cores, each slower, and let"
        echo "more transactions wait at once for locks other transactions hold (the **lock** column: $locks_l backends waiting, on"
        echo "average, at pool $largest): the queue moves from the pool into PostgreSQL, where Hindsight cannot see it or refuse it."
      else
        echo "${pool_best[$largest]} req/s. More connections let more queries run at once on the same cores, each slower (few"
        echo "waited for locks: $locks_l backends on average at pool $largest, the **lock** column): the queue moves from the pool"
        echo "into PostgreSQL, where Hindsight cannot see it or refuse it."
      fi
      if awk -v a="$p_l" -v b="$p_r" 'BEGIN { exit !(a > 1.1 * b) }'; then
        echo "That is why the tail got worse, not better."
      fi
      echo "What helps past the knee is a short queue at the door and refusing what it cannot serve in time (503 with"
      echo "Retry-After), shortening what each request holds"
      echo "(connections, locks), and making each request cheaper, not a longer queue inside the database."
    else
      echo "Here the larger pool did raise throughput by more than 5 %: on this machine the recommended pool leaves some"
      echo "capacity unused at $top clients. Compare the p99 before concluding that more connections are worth it."
    fi
    if awk -F'\t' -v t="$top" -v a="$recommended" -v b="$largest" -v k="$c_cpu_other" \
      '$2 == t && ($1 == a || $1 == b) && $k > 10 { bad = 1 } END { exit !bad }' "$results"; then
      echo "(At $top clients one of the two points was disturbed by other work on the machine (⚠): read the rows above it too.)"
    fi
  fi
  echo
  echo "## Raw results"
  echo
  echo "Each point's RESULT line from \`tests/load/mixed.lua\` (latencies in ms, shed as a fraction), with the CPU split"
  echo "(\`cpu_*\`, in % of the machine) measured around it by \`tests/load/lib.sh\`."
  echo
  echo '```'
  cat "$raw"
  echo '```'
} >"$out"
load_say "wrote $out in $elapsed minutes: best $best_good req/s (pool $best_pool, $best_clients clients); recommended pool $recommended; knee ${knee_clients} clients ($knee_state); $disturbed disturbed points"
