-- wrk script: GETs the URL given to wrk every INTERVAL milliseconds (a health probe, e.g. /healthz,
-- run beside mixed.lua: paced, so that it measures the server rather than loading it), counting
-- responses by status. done() prints a RESULT line with the same keys as mixed.lua's, so the same
-- tools read both.
-- Usage: wrk -t1 -c1 -dD --timeout S -s tests/load/probe.lua http://HOST:PORT/healthz -- [INTERVAL]
--   INTERVAL: milliseconds between a response and the next request (default 10; 0: no pause)

local threads = {}
local interval = 10

function init(args)
  if args[1] then interval = tonumber(args[1]) or error("probe.lua: INTERVAL is a number of milliseconds") end
end

function delay()
  return interval
end

function setup(thread)
  table.insert(threads, thread)
end

counts = {}   -- status -> responses, read back by done()

function response(status)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local by_status, class, statuses = {}, { 0, 0, 0, 0, 0 }, {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts") or {}) do by_status[status] = (by_status[status] or 0) + n end
  end
  for status, n in pairs(by_status) do
    local c = math.floor(status / 100)
    if c >= 1 and c <= 5 then class[c] = class[c] + n end
    statuses[#statuses + 1] = status
  end
  table.sort(statuses)
  local parts = {}
  for _, status in ipairs(statuses) do parts[#parts + 1] = status .. "=" .. by_status[status] end
  io.write("STATUS ", table.concat(parts, " "), "\n")

  local seconds = summary.duration / 1e6
  local total = summary.requests
  local s503 = by_status[503] or 0
  local e = summary.errors
  local function ms(us) return string.format("%.1f", us / 1000) end
  io.write(string.format(
    "RESULT requests=%d duration_s=%.2f rps=%.1f goodput_rps=%.1f p50_ms=%s p90_ms=%s p99_ms=%s max_ms=%s " ..
    "s2xx=%d s3xx=%d s4xx=%d s5xx=%d s500=%d s503=%d fail5xx=%d shed=%.4f timeouts=%d socket_errors=%d signed_out=0\n",
    total, seconds, total / seconds, (class[2] + class[3]) / seconds,
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(99)), ms(latency.max),
    class[2], class[3], class[4], class[5], by_status[500] or 0, s503, class[5] - s503,
    total > 0 and s503 / total or 0, e.timeout, e.connect + e.read + e.write))
end
