-- wrk script: realistic mixed traffic from signed-in people, for capacity.sh and overload.sh.
-- Usage: wrk -tT -cC -dD --timeout S -H "Cookie: NAME=VALUE" -s tests/load/mixed.lua BASE_URL \
--          -- first=ID last=ID threads=T [idempotency=1] [writes=1]
--   first, last  the postmortem ids to read and change (the demo's ids: 1..N on a fresh database)
--   threads      the same number as wrk's -t: thread k takes ids first+k, first+k+T, ... so no two
--                threads touch the same postmortem (wrk cannot tell a script its -t)
--   idempotency  1 (default): every form post carries a fresh hidden `idempotency_key`, as the
--                forms will once Hindsight accepts one (an unknown field is ignored until then); 0: none
--   writes       1 (default): the whole mix below; 0: its reads only, in the same proportions (a
--                warm-up that leaves the data as it was)
-- The session cookie comes from -H "Cookie: ..." or, failing that, the HINDSIGHT_COOKIE variable.
--
-- The mix, in hundredths of requests (drawn at random for each request):
--   reads 80   44 GET /incidents/{id}            a postmortem page (its tick forms are remembered)
--              12 GET /incidents[?filters]        the index, unfiltered half the time
--              14 GET /action-items?...           the ledger under one of eight filters
--               4 GET /teams                      the teams overview (its team ids are remembered)
--               6 GET /teams/{team}               a team's page (the overview until one is known)
--   saves 17    7 POST /incidents/{id}/timeline  add a timeline entry
--               6 POST /incidents/{id}/actions   add an action item
--               4 POST .../actions/{item}/done   tick an item seen on a page done, or reopen it
--                                                (a page read instead until one has been seen)
--   imports 3   3 POST /import                   paste a short Markdown postmortem and save it
--
-- done() prints, besides wrk's own summary:
--   MIX     requests issued per kind (wrk cannot tell which response answered which request,
--           so statuses and latencies are for the whole mix)
--   STATUS  responses per exact status
--   RESULT  one machine-readable line of key=value pairs:
--           requests duration_s rps goodput_rps p50_ms p90_ms p99_ms max_ms
--           s2xx s3xx s4xx s5xx s500 s503 fail5xx shed timeouts socket_errors signed_out
--   503 is "shed" (refused at once for want of capacity), never a failure: shed = s503/requests;
--   fail5xx = 5xx other than 503 (any 500 is a failure); goodput = 2xx and 3xx per second;
--   signed_out = redirects to /login (a bad cookie would otherwise pass for fast 303s);
--   timeouts = wrk's socket timeouts (responses slower than --timeout, not in the latencies).
--   Latencies are in milliseconds, over every response, shed ones included.

-- ---- Main state: one entry per thread -----------------------------------------------------------

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

-- ---- Thread state -------------------------------------------------------------------------------

local WEIGHTS = {
  { "postmortem", 44 }, { "index", 12 }, { "ledger", 14 }, { "teams", 4 }, { "team", 6 },
  { "timeline", 7 }, { "action", 6 }, { "tick", 4 },
  { "import", 3 },
}

local LEDGER_FILTERS = {
  "", "?overdue=1", "?sort=priority&priority=P1", "?severity=SEV2&sort=severity",
  "?status=done&sort=newest", "?kind=corrective&sort=team", "?status=any&page=PAGE", "?team=TEAM",
}

local ids = {}            -- this thread's postmortem ids
-- The index's filters people use (a deeper page is a cursor, which a script cannot invent).
local index_filters = { "severity=SEV1", "status=in_review", "open=1", "order=duration", "severity=SEV2&order=severity" }
local idempotency = true
local headers_base = {}   -- wrk.headers, with the cookie
local ticks = {}          -- item id -> { incident id, "true" or "false" (what ticking sends), the status shown }
local tick_keys = {}      -- the item ids in `ticks`, to draw from
local teams = {}          -- team ids seen on the overview
local team_seen = {}
local serial = 0          -- this thread's writes so far, to make texts and keys unique
local import_body         -- the import form, with TITLE_SUFFIX where each import's suffix goes
local total_weight = 0
local active = {}         -- the kinds drawn from, with their weights (WEIGHTS, or its reads)
local READS = { postmortem = true, index = true, ledger = true, teams = true, team = true }

-- Globals read back by done() through thread:get (scalars and flat tables only).
counts = {}               -- status -> responses
issued = {}               -- kind -> requests
signed_out = 0

local function urlencode(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local function uuid()
  local hex = "0123456789abcdef"
  local function digits(n)
    local out = {}
    for i = 1, n do
      local d = math.random(1, 16)
      out[i] = hex:sub(d, d)
    end
    return table.concat(out)
  end
  local variant = math.random(9, 12)
  return digits(8) .. "-" .. digits(4) .. "-4" .. digits(3) .. "-" .. hex:sub(variant, variant) .. digits(3) .. "-"
    .. digits(12)
end

-- A short postmortem of our own, in the shape Hindsight exports (so it imports with a start).
local IMPORT_MARKDOWN = [[
# Load test import TITLE_SUFFIX: stale cache after a deploy

- **Severity:** SEV3
- **Status:** Draft
- **Start:** 2025-06-03 14:20 UTC
- **End:** 2025-06-03 14:48 UTC

## Summary

A deploy emptied the page cache on every instance at once, so the first requests after it all
missed and queued on the database.

## Impact

Pages took several seconds to load for 28 minutes. No data was lost.

## Timeline

All times are UTC.

- **14:20** – The deploy finished and the caches were empty.
- **14:26** – The latency alert fired; the on-call engineer started looking.
- **14:48** – The caches were warm again and latency was back to normal.

## Root Cause

Every instance refilled its cache at the same moment, each with its own queries.

## Action Items

- [ ] Warm the cache before an instance takes traffic — **Owner:** Sam · **Team:** Platform · **Due:** 2025-07-01
- [x] Alert on the p99 of each page
]]

function init(args)
  local opts = {}
  for _, arg in ipairs(args) do
    local key, value = arg:match("^([%w_]+)=(.*)$")
    if not key then error("mixed.lua: arguments are key=value (first=, last=, threads=, idempotency=, writes=), not " .. arg) end
    opts[key] = value
  end
  local first, last = tonumber(opts.first or "1"), tonumber(opts.last or "200")
  local nthreads = tonumber(opts.threads or "1")
  if not first or not last or last < first then error("mixed.lua: first= and last= must be ids, first <= last") end
  idempotency = (opts.idempotency or "1") ~= "0"
  tid = tid or 0   -- set by setup()
  math.randomseed(os.time() * 1000 + tid * 7919 + math.floor(os.clock() * 1e6))
  for _ = 1, 10 do math.random() end
  -- Thread k's postmortems: first+k, first+k+T, ... (all of them if there are fewer than threads).
  if last - first + 1 >= nthreads then
    for id = first + (tid % nthreads), last, nthreads do ids[#ids + 1] = id end
  else
    for id = first, last do ids[#ids + 1] = id end
  end

  for name, value in pairs(wrk.headers) do headers_base[name] = value end
  if not headers_base["Cookie"] then
    local cookie = os.getenv("HINDSIGHT_COOKIE")
    if not cookie or cookie == "" then
      error("mixed.lua: no session cookie: pass -H 'Cookie: NAME=VALUE' or set HINDSIGHT_COOKIE")
    end
    headers_base["Cookie"] = cookie
  end

  local writes = (opts.writes or "1") ~= "0"
  for _, w in ipairs(WEIGHTS) do
    issued[w[1]] = 0
    if writes or READS[w[1]] then
      active[#active + 1] = w
      total_weight = total_weight + w[2]
    end
  end
  import_body = "doc0-source=" .. urlencode(IMPORT_MARKDOWN) .. "&action=save"
end

local function pick_kind()
  local r = math.random(1, total_weight)
  for _, w in ipairs(active) do
    r = r - w[2]
    if r <= 0 then return w[1] end
  end
  return active[1][1]
end

local function headers(form)
  local h = {}
  for name, value in pairs(headers_base) do h[name] = value end
  if form then h["Content-Type"] = "application/x-www-form-urlencoded" end
  return h
end

local function get(path)
  return wrk.format("GET", path, headers(false), nil)
end

local function post(path, body)
  serial = serial + 1
  if idempotency then body = body .. "&idempotency_key=" .. uuid() end
  return wrk.format("POST", path, headers(true), body)
end

local function any_id()
  return ids[math.random(1, #ids)]
end

local function ledger_path()
  local filter = LEDGER_FILTERS[math.random(1, #LEDGER_FILTERS)]
  filter = filter:gsub("PAGE", tostring(math.random(1, 5)))
  if filter:find("TEAM", 1, true) then
    if #teams == 0 then return "/action-items?status=any" end
    filter = filter:gsub("TEAM", tostring(teams[math.random(1, #teams)]))
  end
  return "/action-items" .. filter
end

function request()
  local kind = pick_kind()
  -- Ticking and a team's page need ids learnt from pages already read.
  if kind == "tick" and #tick_keys == 0 then kind = "postmortem" end
  if kind == "team" and #teams == 0 then kind = "teams" end
  issued[kind] = issued[kind] + 1

  if kind == "postmortem" then
    return get("/incidents/" .. any_id())
  elseif kind == "index" then
    if math.random() < 0.5 then return get("/incidents") end
    return get("/incidents?" .. index_filters[math.random(1, #index_filters)])
  elseif kind == "ledger" then
    return get(ledger_path())
  elseif kind == "teams" then
    return get("/teams")
  elseif kind == "team" then
    return get("/teams/" .. teams[math.random(1, #teams)])
  elseif kind == "timeline" then
    local time = string.format("%02d:%02d", math.random(0, 23), math.random(0, 59))
    local text = "Load test note " .. tid .. "-" .. serial .. ": checked the queue depth on the primary; still **rising**."
    return post("/incidents/" .. any_id() .. "/timeline", "time=" .. time .. "&body=" .. urlencode(text))
  elseif kind == "action" then
    local text = "Load test action " .. tid .. "-" .. serial .. ": alert when pool waits exceed 100 ms"
    return post("/incidents/" .. any_id() .. "/actions",
      "body=" .. urlencode(text) .. "&owner=Load+Tester&team=Platform&due_on=2030-06-30")
  elseif kind == "tick" then
    local item = tick_keys[math.random(1, #tick_keys)]
    local entry = ticks[item]
    local done, from = entry[2], entry[3]
    -- The next tick of it undoes this one: from the status this one leads to.
    entry[2] = (done == "true") and "false" or "true"
    entry[3] = (done == "true") and "done" or "open"
    return post("/incidents/" .. entry[1] .. "/actions/" .. item .. "/done", "done=" .. done .. "&from=" .. from)
  else -- import
    local body = import_body:gsub("TITLE_SUFFIX", tid .. "-" .. serial)
    return post("/import", body)
  end
end

function response(status, hdrs, body)
  counts[status] = (counts[status] or 0) + 1
  if status >= 300 and status < 400 then
    local location = hdrs["location"] or hdrs["Location"] or ""
    if location:sub(1, 6) == "/login" then signed_out = signed_out + 1 end
    return
  end
  if status ~= 200 or not body then return end
  -- A postmortem page: remember its tick forms and what each would send.
  if body:find('class="tick"', 1, true) then
    -- Each tick form: the state it asks for and the status it was shown in (a tick is refused
    -- when the status changed since, as for a person).
    local pattern = 'action="/incidents/(%d+)/actions/(%d+)/done">.-name="done" value="(%a+)">%s*'
      .. '<input type="hidden" name="from" value="([%a_]+)"'
    for incident, item, done, from in body:gmatch(pattern) do
      if not ticks[item] then tick_keys[#tick_keys + 1] = item end
      ticks[item] = { incident, done, from }
    end
  -- The teams overview: remember its teams.
  elseif #teams < 200 and body:find('href="/teams/', 1, true) then
    for team in body:gmatch('href="/teams/(%d+)"') do
      if not team_seen[team] then
        team_seen[team] = true
        teams[#teams + 1] = team
      end
    end
  end
end

-- ---- Main state again: the summary --------------------------------------------------------------

function done(summary, latency, requests)
  local by_status, mix, logins = {}, {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts") or {}) do by_status[status] = (by_status[status] or 0) + n end
    for kind, n in pairs(thread:get("issued") or {}) do mix[kind] = (mix[kind] or 0) + n end
    logins = logins + (thread:get("signed_out") or 0)
  end
  local class = { 0, 0, 0, 0, 0 }
  local statuses = {}
  for status, n in pairs(by_status) do
    local c = math.floor(status / 100)
    if c >= 1 and c <= 5 then class[c] = class[c] + n end
    statuses[#statuses + 1] = status
  end
  table.sort(statuses)

  local seconds = summary.duration / 1e6
  local total = summary.requests
  local s500, s503 = by_status[500] or 0, by_status[503] or 0
  local e = summary.errors
  local function ms(us) return string.format("%.1f", us / 1000) end
  local good = class[2] + class[3]

  local parts = {}
  for _, w in ipairs(WEIGHTS) do parts[#parts + 1] = w[1] .. "=" .. (mix[w[1]] or 0) end
  io.write("MIX ", table.concat(parts, " "), "\n")
  parts = {}
  for _, status in ipairs(statuses) do parts[#parts + 1] = status .. "=" .. by_status[status] end
  io.write("STATUS ", table.concat(parts, " "), "\n")
  io.write(string.format(
    "RESULT requests=%d duration_s=%.2f rps=%.1f goodput_rps=%.1f p50_ms=%s p90_ms=%s p99_ms=%s max_ms=%s " ..
    "s2xx=%d s3xx=%d s4xx=%d s5xx=%d s500=%d s503=%d fail5xx=%d shed=%.4f timeouts=%d socket_errors=%d signed_out=%d\n",
    total, seconds, total / seconds, good / seconds,
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)), ms(latency.max),
    class[2], class[3], class[4], class[5], s500, s503, class[5] - s503,
    total > 0 and s503 / total or 0, e.timeout, e.connect + e.read + e.write, logins))
end
