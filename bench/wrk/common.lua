-- Shared by the bench/api.sh scenario scripts (loaded with dofile).
--
-- wrk runs one Lua state per thread plus one "main" state: setup() and done()
-- run in the main state, init()/request()/response() in the thread states.
-- So counters kept by response() live in the threads and done() collects them
-- through the thread handles saved in setup().
--
-- wrk's own "Non-2xx or 3xx responses" line is easy to miss and is not
-- available as a total with socket errors, so every scenario counts status >= 400
-- itself and done() prints one machine-readable BENCH_RESULT line that
-- bench/api.sh parses.

bench = {}

local threads = {}

function setup(thread)
   thread:set("thread_index", #threads)
   table.insert(threads, thread)
end

-- Thread-state counters; globals so the main state can read them with thread:get.
error_responses = 0
error_statuses = ""   -- e.g. "503 500": the distinct statuses, for the report

function response(status, headers, body)
   if status >= 400 then
      error_responses = error_responses + 1
      if not error_statuses:find(tostring(status), 1, true) then
         error_statuses = error_statuses .. " " .. status
      end
   end
end

-- The number of seeded jobs, passed after `--` on the wrk command line.
function bench.seeded_count(args)
   local count = tonumber(args[1])
   if not count or count < 1 then
      error("pass the number of seeded jobs after --, e.g. wrk ... -- 10000")
   end
   return math.floor(count)
end

-- Each thread must draw a different id sequence, or all threads would hit the
-- same rows in the same order.
function bench.seed_random()
   math.randomseed(os.time() * 1000 + (thread_index or 0) * 7919)
   for _ = 1, 10 do math.random() end  -- the first draws after seeding are poorly mixed
end

function done(summary, latency, requests)
   local error_responses_total, statuses, seen = 0, {}, {}
   for _, thread in ipairs(threads) do
      error_responses_total = error_responses_total + (thread:get("error_responses") or 0)
      for status in (thread:get("error_statuses") or ""):gmatch("%d+") do
         if not seen[status] then
            seen[status] = true
            table.insert(statuses, status)
         end
      end
   end
   local e = summary.errors
   local socket_errors = e.connect + e.read + e.write + e.timeout
   local seconds = summary.duration / 1e6
   local rps = seconds > 0 and summary.requests / seconds or 0
   -- latency values are microseconds.
   local p50 = latency:percentile(50) / 1000
   local p99 = latency:percentile(99) / 1000
   local status_list = table.concat(statuses, " ")

   io.write(string.format(
      "  scenario: %.1f req/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms; " ..
      "errors %d (socket: connect %d, read %d, write %d, timeout %d; HTTP >= 400: %d%s)\n",
      rps, p50, p99, latency.max / 1000, socket_errors + error_responses_total,
      e.connect, e.read, e.write, e.timeout, error_responses_total,
      status_list ~= "" and (", statuses " .. status_list) or ""))
   io.write(string.format(
      "BENCH_RESULT rps=%.1f p50_ms=%.2f p99_ms=%.2f errors=%d socket_errors=%d http_errors=%d requests=%d\n",
      rps, p50, p99, socket_errors + error_responses_total, socket_errors,
      error_responses_total, summary.requests))
end
