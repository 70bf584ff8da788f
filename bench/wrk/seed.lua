-- Creates exactly N jobs ({"name":"seed-I","every":"1h"}, I = 1..N) as fast
-- as the connections allow, then ends wrk.
-- Usage: wrk -t1 ... -s seed.lua http://HOST:PORT -- N   (one thread: the quota is per thread)
--
-- wrk cannot stop early on its own (wrk.thread:stop() ends the event loop but
-- wrk still sleeps out -d), so once every POST has been answered this script
-- prints SEED_RESULT and calls os.exit. wrk's own summary is not printed then;
-- bench/api.sh verifies the result through the API anyway.
-- After the N POSTs are sent, connections that come free send GET /healthz
-- (wrk must send something) until the last POST is answered.
--
-- wrk calls thread 0's request() once before the run only to check that it
-- returns a valid request (script_verify_request); that request is never sent.
-- Counting it would leave one job uncreated, so the first call gets the filler.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local headers = { ["Content-Type"] = "application/json" }
local quota = 0
local sent = 0
local created = 0
local failed = 0
local filler
local probe_pending = false

function init(args)
   quota = bench.seeded_count(args)
   filler = wrk.format("GET", "/healthz")
   probe_pending = (thread_index == 0)
end

function request()
   if probe_pending then
      probe_pending = false
      return filler
   end
   if sent >= quota then return filler end
   sent = sent + 1
   return wrk.format("POST", "/jobs", headers,
                     string.format('{"name":"seed-%d","every":"1h"}', sent))
end

function response(status, headers, body)
   if status == 201 then
      created = created + 1
   elseif status >= 400 then
      failed = failed + 1  -- a failed POST (or, rarely, a failed filler GET)
   else
      return  -- a filler's 200
   end
   if created + failed >= quota then
      io.write(string.format("SEED_RESULT created=%d failed=%d\n", created, failed))
      io.flush()
      os.exit(failed == 0 and 0 or 1)
   end
end

function done(summary, latency, requests)
   -- Reached only if the run hit -d before every POST was answered.
   io.write("SEED_RESULT incomplete: wrk's time limit was reached before all jobs were created\n")
end
