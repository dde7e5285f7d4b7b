#!/usr/bin/env bash
# Wiki sync at size: `hindsight publish --all` writing every published postmortem of a
# `hindsight demo` database into a fresh bare repository (wall time, peak memory, the
# repository's size), then a running server committing one change at a time to that big wiki
# (from the revision being recorded to its job done, p50 / max over CHANGES changes).
# Usage: tests/load/wiki.sh [SIZE]   (default: 2000 postmortems)
#   The database hindsight_wiki_load_SIZE is filled once with `hindsight demo` and kept (DROP it
#   to refill); the repository is made afresh in a temp folder each run.
# HINDSIGHT_BIN picks the binary (default: a release build of this checkout); CHANGES the
# changes timed (default 20).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/load/lib.sh
trap load_cleanup EXIT
load_require curl psql git /usr/bin/time
load_binary
size=${1:-2000}
changes=${CHANGES:-20}
url=$(load_url_with_db "$load_admin_url" "hindsight_wiki_load_$size")
if ! load_psql "$url" "SELECT 1" >/dev/null 2>&1; then
  load_psql "$load_admin_url" "CREATE DATABASE \"hindsight_wiki_load_$size\"" >/dev/null
fi
INCIDENTS=$size load_fill "$url"
load_psql "$url" "DELETE FROM wiki_destinations" >/dev/null
repo="$load_tmp/wiki.git"
git init -q --bare -b main "$repo"
load_psql "$url" "INSERT INTO wiki_destinations (name, url, branch, folder, file_pattern, index_name, auth)
                  VALUES ('Load', 'file://$repo', 'main', 'postmortems', '{date}-{slug}.md', 'index.md', 'none')" >/dev/null
published=$(load_psql "$url" "SELECT count(*) FROM incidents WHERE status = 'published'")

load_say "publish --all: $published published postmortems"
export HINDSIGHT_WIKI_ALLOW_FILE_URLS=true
/usr/bin/time -f '%e %M' -o "$load_tmp/time" env DATABASE_URL="$url" RUST_LOG=warn "$bin" publish --all \
  >"$load_tmp/publish.log" 2>&1 || { cat "$load_tmp/publish.log" >&2; load_die "publish --all failed"; }
read -r seconds kilobytes <"$load_tmp/time"
files=$(git --git-dir="$repo" ls-tree -r --name-only main | wc -l)

load_say "one change at a time, through a running server"
load_start "$url" "" "$load_tmp/server.log"
# The server records the first revision of postmortems that have none (their jobs find the wiki
# already holds them): let that backlog drain first, and say how long it took.
drain_started=$(date +%s)
incident=$(load_psql "$url" "SELECT min(id) FROM incidents WHERE status = 'published'")
for _ in $(seq 1800); do
  [ "$(load_psql "$url" "SELECT count(*) FROM revisions WHERE incident_id = $incident")" != 0 ] \
    && [ "$(load_psql "$url" "SELECT count(*) FROM wiki_jobs WHERE state = 'pending'")" = 0 ] && break
  sleep 0.5
done
backlog=$(load_psql "$url" "SELECT count(*) FROM wiki_jobs WHERE kind = 'revision'")
drained=$(( $(date +%s) - drain_started ))
for n in $(seq "$changes"); do
  # A new revision of a published postmortem, as an edit records it: the trigger queues it.
  load_psql "$url" "INSERT INTO revisions (incident_id, number, markdown, html, rendered_with, published)
                    SELECT incident_id, number + 1, markdown || E'\nChange $n.\n', html, rendered_with, false
                    FROM revisions WHERE incident_id = $incident ORDER BY number DESC LIMIT 1" >/dev/null
  started=$(date +%s%N)
  until [ "$(load_psql "$url" "SELECT count(*) FROM wiki_jobs WHERE state = 'pending'")" = 0 ]; do sleep 0.02; done
  echo $(( ($(date +%s%N) - started) / 1000000 ))
done | sort -n >"$load_tmp/latencies"
load_stop
p50=$(awk '{ t[NR] = $1 } END { print t[int(NR * 0.5 + 0.5)] }' "$load_tmp/latencies")
max=$(tail -1 "$load_tmp/latencies")
commits=$(git --git-dir="$repo" rev-list --count main)

echo "postmortems published: $published; files in the wiki: $files (the index included)"
echo "publish --all: ${seconds} s, peak RSS $((kilobytes / 1024)) MB; repository $(du -sh "$repo" | cut -f1)"
echo "backlog at start: $backlog revision jobs (the wiki already had them) drained in ${drained} s"
echo "one change, recorded to pushed (the worker polls every second): p50 ${p50} ms, max ${max} ms over $changes"
echo "commits: $commits (1 rebuild + $changes changes expected)"
