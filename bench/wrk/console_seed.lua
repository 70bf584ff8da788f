-- Creates jobs FIRST..FIRST+N-1 for bench/console.sh as fast as the connections
-- allow, then ends wrk (as seed.lua does; see there for why it exits by itself).
-- Usage: wrk -t1 ... -s console_seed.lua http://HOST:PORT -- N FIRST
--
-- Job I is named TEAM-VERB-OBJECT-I in namespace TEAM, from 8 teams, 10 verbs
-- and 12 objects (bench/console_search.py knows the same lists), so that name
-- searches find many (a verb), some (verb-object) or few (-I) jobs. Every job is
-- a noop `every 1h` starting a day from now: nothing fires while the benchmark
-- runs, and each has a next run for the console to show.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local teams = { "billing", "search", "payments", "reports", "mobile", "infra", "growth", "support" }
local verbs = { "export", "import", "sync", "rebuild", "cleanup", "notify", "backup", "refresh", "compact", "digest" }
local objects = { "invoices", "users", "orders", "sessions", "metrics", "catalog", "emails", "ledgers", "caches",
                  "images", "tokens", "audits" }

local headers = { ["Content-Type"] = "application/json" }
local quota, first = 0, 1
local sent, created, failed = 0, 0, 0
local filler
local probe_pending = false
local start_at

function init(args)
   quota = bench.seeded_count(args)
   first = math.floor(tonumber(args[2]) or 1)
   filler = wrk.format("GET", "/healthz")
   probe_pending = (thread_index == 0)
   start_at = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() + 86400)
end

local function body(i)
   local team = teams[i % #teams + 1]
   local verb = verbs[math.floor(i / #teams) % #verbs + 1]
   local object = objects[math.floor(i / (#teams * #verbs)) % #objects + 1]
   return string.format('{"name":"%s-%s-%s-%d","namespace":"%s","every":"1h","start_at":"%s",'
                        .. '"task":{"type":"noop"}}', team, verb, object, i, team, start_at)
end

function request()
   if probe_pending then
      probe_pending = false
      return filler
   end
   if sent >= quota then return filler end
   sent = sent + 1
   return wrk.format("POST", "/jobs", headers, body(first + sent - 1))
end

function response(status, headers, body)
   if status == 201 then
      created = created + 1
   elseif status >= 400 then
      failed = failed + 1
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
   io.write("SEED_RESULT incomplete: wrk's time limit was reached before all jobs were created\n")
end
