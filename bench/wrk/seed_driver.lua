-- The driver the seed scripts share (seed.lua, console_seed.lua, labels_seed.lua;
-- loaded with dofile after common.lua): creates exactly N jobs, numbered
-- FIRST..FIRST+N-1, as fast as the connections allow, then ends wrk.
--
-- wrk cannot stop early on its own (wrk.thread:stop() ends the event loop but
-- wrk still sleeps out -d), so once every POST has been answered this prints
-- SEED_RESULT and calls os.exit. wrk's own summary is not printed then; the
-- benchmarks verify the result through the API anyway.
-- After the N POSTs are sent, connections that come free send GET /healthz
-- (wrk must send something) until the last POST is answered.
--
-- wrk calls thread 0's request() once before the run only to check that it
-- returns a valid request (script_verify_request); that request is never sent.
-- Counting it would leave one job uncreated, so the first call gets the filler.

-- body_of(i): the JSON body that creates job i. on_init(args), if given, runs
-- in each thread's init() first (after `--`: N, then FIRST, default 1).
function bench.seed(body_of, on_init)
   local headers = { ["Content-Type"] = "application/json" }
   local quota, first = 0, 1
   local sent, created, failed = 0, 0, 0
   local filler
   local probe_pending = false

   function init(args)
      quota = bench.seeded_count(args)
      first = math.floor(tonumber(args[2]) or 1)
      filler = wrk.format("GET", "/healthz")
      probe_pending = (thread_index == 0)
      if on_init then on_init(args) end
   end

   function request()
      if probe_pending then
         probe_pending = false
         return filler
      end
      if sent >= quota then return filler end
      sent = sent + 1
      return wrk.format("POST", "/jobs", headers, body_of(first + sent - 1))
   end

   function response(status, headers, body)
      if status == 201 then
         created = created + 1
      elseif status >= 400 then
         failed = failed + 1  -- a failed POST (or, rarely, a failed filler GET)
         if failed == 1 then io.stderr:write("first failure: ", status, " ", body, "\n") end
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
end
