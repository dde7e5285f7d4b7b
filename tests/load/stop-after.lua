-- wrk script: with one thread (-t1), stops after `limit` responses in all, so a run is a fixed
-- number of requests rather than a fixed duration. Usage: wrk -s stop-after.lua URL -- LIMIT
local limit, seen = 1000, 0
function init(args)
  if args[1] then limit = tonumber(args[1]) end
end
function response(status)
  if status ~= 200 then
    io.stderr:write("unexpected status " .. status .. "\n")
  end
  seen = seen + 1
  if seen >= limit then wrk.thread:stop() end
end
