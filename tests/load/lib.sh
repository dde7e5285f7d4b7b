# shellcheck shell=bash disable=SC2034 # the variables set here are read by the scripts that source it
# Shared by capacity.sh and overload.sh (sourced, never run): checking tools, the binary, scratch
# databases, starting and stopping the Hindsight under test, signing in, running wrk with
# mixed.lua and reading its RESULT line, and the knee. Expects the repository's root as the
# working directory and `set -euo pipefail`.
#
# Knobs read here: HINDSIGHT_BIN (default: cargo build --release, then target/release/hindsight),
# HINDSIGHT_LOAD_PORT, PG_ADMIN_URL (where scratch databases are made, default
# postgres://postgres@127.0.0.1:5432/postgres), HINDSIGHT_ARGS (extra flags for the server, split
# on spaces), WRK_THREADS (default 2), INCIDENTS (demo postmortems in a new database, default 1000),
# KEEP_LOGS (set: keep the temp folder with the server logs and wrk outputs).

load_email=load@example.com
load_password="load test passphrase"
load_server=""          # pid of the Hindsight under test, while it runs
load_background=()      # pids of wrk runs in the background, stopped on exit
load_created_dbs=()     # scratch databases this run made, dropped on exit
load_tmp=$(mktemp -d "/tmp/hindsight-$(basename "$0" .sh).XXXXXX")
load_port=${HINDSIGHT_LOAD_PORT:-3997}
load_base="http://127.0.0.1:$load_port"
load_admin_url=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}

load_die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

load_say() {
  echo "== $*" >&2
}

# Every tool named must be on PATH.
load_require() {
  local tool package
  for tool in "$@"; do
    case $tool in psql) package=postgresql-client ;; *) package=$tool ;; esac
    command -v "$tool" >/dev/null || load_die "$tool is needed: apt-get install -y $package"
  done
}

# Sets `bin`: HINDSIGHT_BIN as given, or a release build of this checkout (a no-op when up to date).
load_binary() {
  if [ -n "${HINDSIGHT_BIN:-}" ]; then
    bin=$HINDSIGHT_BIN
  else
    load_require cargo
    load_say "cargo build --release"
    cargo build --release --quiet || load_die "cargo build --release failed"
    bin=${CARGO_TARGET_DIR:-target}/release/hindsight
  fi
  [ -x "$bin" ] || load_die "no Hindsight binary at $bin (build it, or set HINDSIGHT_BIN)"
}

# The database name in a postgres:// URL.
load_url_db() {
  local rest=${1%%\?*}
  rest=${rest#*://}
  [[ $rest == */* ]] || load_die "cannot find the database name in $1 (expected postgres://USER@HOST:PORT/NAME)"
  printf '%s\n' "${rest##*/}"
}

# The same URL naming another database on the same server.
load_url_with_db() {
  local url=$1 name=$2 query="" scheme rest
  [[ $url == *\?* ]] && query="?${url#*\?}"
  url=${url%%\?*}
  scheme=${url%%://*}
  rest=${url#*://}
  printf '%s://%s/%s%s\n' "$scheme" "${rest%%/*}" "$name" "$query"
}

load_psql() {
  psql "$1" -X -q -A -t -v ON_ERROR_STOP=1 -c "$2"
}

# Makes an empty database $1 through the maintenance URL $2, to drop on exit; sets load_new_url.
# (Not called in $(...): the list of databases to drop must be this shell's.)
load_create_db() {
  local name=$1 admin=$2
  load_psql "$admin" "CREATE DATABASE \"$name\"" >/dev/null \
    || load_die "could not create database $name through $admin (is PostgreSQL running? set PG_ADMIN_URL)"
  load_created_dbs+=("$admin|$name")
  load_new_url=$(load_url_with_db "$admin" "$name")
}

# Copies the database at URL $1 as $2, to drop on exit; sets load_new_url. Fails quietly when
# PostgreSQL refuses (someone else is connected to the original, or no CREATEDB right).
load_clone_db() {
  local source=$1 name=$2 admin
  admin=$(load_url_with_db "$source" postgres)
  load_psql "$admin" "DROP DATABASE IF EXISTS \"$name\"" >/dev/null 2>&1 || return 1
  load_psql "$admin" "CREATE DATABASE \"$name\" TEMPLATE \"$(load_url_db "$source")\"" >/dev/null 2>&1 || return 1
  load_created_dbs+=("$admin|$name")
  load_new_url=$(load_url_with_db "$source" "$name")
}

load_drop_db() {
  local admin=${1%%|*} name=${1#*|} kept=() entry
  psql "$admin" -X -q -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null 2>&1 \
    || echo "$(basename "$0"): could not drop scratch database $name; drop it by hand" >&2
  for entry in "${load_created_dbs[@]}"; do [ "$entry" = "$1" ] || kept+=("$entry"); done
  load_created_dbs=("${kept[@]+"${kept[@]}"}")
}

# Fills the database at $1 with INCIDENTS demo postmortems unless it has some already, and adds
# the load test's admin account (kept as is if it exists). Sets load_first and load_last: the
# range of postmortem ids the traffic reads and changes.
load_fill() {
  local url=$1 count range
  count=$(load_psql "$url" "SELECT count(*) FROM incidents" 2>/dev/null || echo 0)
  if [ "$count" = 0 ]; then
    load_say "demo data: ${INCIDENTS:-1000} postmortems"
    DATABASE_URL=$url "$bin" demo --incidents "${INCIDENTS:-1000}" >"$load_tmp/demo.log" 2>&1 \
      || { tail -5 "$load_tmp/demo.log" >&2; load_die "hindsight demo failed (log above)"; }
  else
    load_say "the database already has $count postmortems: using them as they are"
  fi
  echo "$load_password" | DATABASE_URL=$url "$bin" user add --admin "$load_email" --password-stdin \
    >>"$load_tmp/demo.log" 2>&1 || true
  range=$(load_psql "$url" "SELECT min(id) || ' ' || max(id) FROM incidents")
  read -r load_first load_last <<<"$range"
  [ -n "$load_last" ] || load_die "no postmortems in the database"
}

# Starts Hindsight on database $1 with pool size $2 (empty: its default), logging to (the end of)
# $3, and waits until it is ready.
load_start() {
  local url=$1 pool=$2 log=$3 args
  load_db_url=$url
  if curl -s -o /dev/null "$load_base/healthz"; then
    load_die "something already answers on $load_base: stop it or set HINDSIGHT_LOAD_PORT"
  fi
  args=(--database-url "$url" --listen "127.0.0.1:$load_port")
  [ -z "$pool" ] || args+=(--pool-size "$pool")
  # shellcheck disable=SC2206 # split on spaces on purpose
  [ -z "${HINDSIGHT_ARGS:-}" ] || args+=($HINDSIGHT_ARGS)
  # Default logging (one info line per request) to a file, as an operator would run it.
  "$bin" "${args[@]}" >>"$log" 2>&1 &
  load_server=$!
  for _ in $(seq 150); do
    curl -sf -o /dev/null "$load_base/readyz" && return 0
    kill -0 "$load_server" 2>/dev/null || { tail -5 "$log" >&2; load_server=""; load_die "Hindsight exited at start (log above)"; }
    sleep 0.2
  done
  load_die "Hindsight was not ready on $load_base after 30 s (log: $log)"
}

# Stops the Hindsight under test: SIGTERM (in-flight requests finish), SIGKILL after 20 s.
load_stop() {
  [ -n "$load_server" ] || return 0
  kill -TERM "$load_server" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$load_server" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL "$load_server" 2>/dev/null || true
  wait "$load_server" 2>/dev/null || true
  load_server=""
}

# Signs in as the load test's account; sets load_cookie.
load_sign_in() {
  load_cookie=$(curl -s -o /dev/null -D - "$load_base/login" --data-urlencode "email=$load_email" \
    --data-urlencode "password=$load_password" | sed -n 's/^set-cookie: \([^;]*\).*/\1/Ip')
  [ -n "$load_cookie" ] || load_die "could not sign in as $load_email (if the database was given, its account may have another password)"
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $load_cookie" "$load_base/incidents/$load_first")
  [ "$status" = 200 ] || load_die "signed in, but GET /incidents/$load_first answered $status"
}

# CPU time the whole machine has spent busy, in ticks (1/CLK_TCK s): user, nice, system, irq,
# softirq and steal.
load_ticks_machine() {
  awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

# CPU ticks process $1 has used, all threads (0 once it is gone).
load_ticks_pid() {
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# The PostgreSQL backends serving the database under test (the server's pool).
load_backends() {
  load_psql "$load_db_url" "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" 2>/dev/null || true
}

# CPU seconds used by this shell's finished children, as written by `times` to file $1. (`times`
# itself must run in the shell that ran them, not in a pipe or $(...): a forked shell counts no
# children.)
load_children_seconds() {
  awk 'NR == 2 { gsub(/s/, ""); split($1, u, "m"); split($2, s, "m"); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$1"
}

# Runs wrk with mixed.lua: $1 connections for $2 (wrk duration, e.g. 15s), socket timeout $3,
# wrk's output to file $4, more mixed.lua arguments after that (writes=0). Prints the RESULT
# line's key=value pairs (nothing if wrk failed), then pg_active and pg_lock_waits (the database's
# backends running a query, and waiting for a lock, on average over once-a-second samples), then
# where the CPU went while it ran, in % of the whole machine: cpu_server (the Hindsight under
# test), cpu_pg (PostgreSQL's backends for its database), cpu_wrk (the load generator and the
# sampler), cpu_other (everything else: other programs on the machine, PostgreSQL's background
# processes; a high figure means the point is disturbed).
load_mixed() {
  local connections=$1 duration=$2 timeout=$3 out=$4 threads=${WRK_THREADS:-2} pid line
  shift 4
  ((threads <= connections)) || threads=$connections
  ((connections % threads == 0)) || threads=1
  local -A pg_before=()
  for pid in $(load_backends); do pg_before[$pid]=$(load_ticks_pid "$pid"); done
  local machine_before server_before wrk_before started
  machine_before=$(load_ticks_machine)
  server_before=$(load_ticks_pid "$load_server")
  times >"$load_tmp/times-before"
  wrk_before=$(load_children_seconds "$load_tmp/times-before")
  started=$(awk '{ print $1 }' /proc/uptime)

  # Once a second, what the database's backends are doing: running a query, or waiting for a lock
  # another transaction holds (row locks: two saves to one postmortem, or to one shared row).
  local samples="$out.pg" sampler
  : >"$samples"
  (
    while sleep 1; do
      load_psql "$load_db_url" "SELECT count(*) FILTER (WHERE state = 'active'), count(*) FILTER (WHERE wait_event_type = 'Lock')
        FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" >>"$samples" 2>/dev/null || true
    done
  ) &
  sampler=$!

  wrk -t"$threads" -c"$connections" -d"$duration" --timeout "$timeout" -H "Cookie: $load_cookie" \
    -s tests/load/mixed.lua "$load_base" -- "first=$load_first" "last=$load_last" "threads=$threads" "$@" \
    >"$out" 2>&1 || true
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true

  local machine server wrk_seconds elapsed pg=0
  machine=$(( $(load_ticks_machine) - machine_before ))
  server=$(( $(load_ticks_pid "$load_server") - server_before ))
  times >"$load_tmp/times-after"
  wrk_seconds=$(awk -v a="$(load_children_seconds "$load_tmp/times-after")" -v b="$wrk_before" 'BEGIN { print a - b }')
  elapsed=$(awk -v a="$(awk '{ print $1 }' /proc/uptime)" -v b="$started" 'BEGIN { print a - b }')
  for pid in $(load_backends); do pg=$(( pg + $(load_ticks_pid "$pid") - ${pg_before[$pid]:-0} )); done
  line=$(sed -n 's/^RESULT //p' "$out")
  [ -n "$line" ] || return 0
  local pg_busy
  pg_busy=$(awk -F'|' 'NF == 2 { a += $1; l += $2; n++ } END { if (n) printf "pg_active=%.1f pg_lock_waits=%.1f", a / n, l / n; else print "pg_active=0 pg_lock_waits=0" }' "$samples")
  line+=" $pg_busy"
  awk -v line="$line" -v m="$machine" -v s="$server" -v p="$pg" -v w="$wrk_seconds" -v e="$elapsed" \
    -v hz="$(getconf CLK_TCK)" -v n="$(nproc)" 'BEGIN {
      all = e * hz * n / 100                      # ticks in 1 % of the machine
      if (all <= 0) all = 1
      w = w * hz
      other = m - s - p - w
      if (other < 0) other = 0
      printf "%s cpu_total=%.0f cpu_server=%.0f cpu_pg=%.0f cpu_wrk=%.0f cpu_other=%.0f\n", line, m / all, s / all, p / all, w / all, other / all
    }'
}

# Waits, at most $1 seconds, until the machine is quiet (under 10 % busy over 2 s: nothing else
# is running), so that a point measures Hindsight rather than whatever else shares the cores.
# Prints how many seconds it waited.
load_wait_quiet() {
  local limit=$1 waited=0 before busy
  while ((waited < limit)); do
    before=$(load_ticks_machine)
    sleep 2
    busy=$(( ($(load_ticks_machine) - before) * 100 / (2 * $(getconf CLK_TCK) * $(nproc)) ))
    ((busy >= 10)) || break
    waited=$((waited + 2))
  done
  echo "$waited"
}

# The value of KEY in a line of key=value pairs.
load_get() {
  tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"
}

# The knee of a sweep read from standard input, one point a line: concurrency, throughput
# (goodput), p99, in ascending concurrency. The knee is the first concurrency C whose throughput no
# later point beats by more than 5 % while the p99 at the next point is higher than at C: past it,
# more clients only wait longer. Prints "C THROUGHPUT P99 reached", or, when throughput still rises
# at the end of the sweep, the last point and "not-reached".
load_knee() {
  awk '
    { c[n] = $1; x[n] = $2; p[n] = $3; n++ }
    END {
      if (n == 0) exit 1
      for (i = 0; i < n - 1; i++) {
        best = 0
        for (j = i + 1; j < n; j++) if (x[j] > best) best = x[j]
        if (best <= 1.05 * x[i] && p[i + 1] > p[i]) { print c[i], x[i], p[i], "reached"; exit }
      }
      print c[n - 1], x[n - 1], p[n - 1], "not-reached"
    }'
}

load_cleanup() {
  local entry
  for entry in "${load_background[@]+"${load_background[@]}"}"; do kill "$entry" 2>/dev/null || true; done
  load_stop
  for entry in "${load_created_dbs[@]+"${load_created_dbs[@]}"}"; do load_drop_db "$entry"; done
  if [ -n "${KEEP_LOGS:-}" ]; then
    echo "$(basename "$0"): logs kept in $load_tmp" >&2
  else
    rm -rf "$load_tmp"
  fi
}
trap load_cleanup EXIT
trap 'exit 130' INT TERM
