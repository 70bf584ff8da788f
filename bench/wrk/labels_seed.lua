-- Creates jobs FIRST..FIRST+N-1 with labels for bench/labels.sh as fast as the
-- connections allow, then ends wrk (as seed.lua does; see there for why it exits
-- by itself). Usage: wrk -t1 ... -s labels_seed.lua http://HOST:PORT -- N FIRST
--
-- Job I is named as console_seed.lua names it (TEAM-VERB-OBJECT-I, namespace
-- TEAM) and carries labels that bench/labels.py selects by (it knows the same
-- rules): team (1 job in 8 per value), tier web|batch|worker (1 in 3), env
-- prod|staging (1 in 2), shard I mod 1000 (1 in 1,000), owner oI (1 job),
-- canary on every 997th job, legacy on every 10th. Every job is a noop
-- `every 1h` starting a day from now: nothing fires while the benchmark runs.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local teams = { "billing", "search", "payments", "reports", "mobile", "infra", "growth", "support" }
local verbs = { "export", "import", "sync", "rebuild", "cleanup", "notify", "backup", "refresh", "compact", "digest" }
local objects = { "invoices", "users", "orders", "sessions", "metrics", "catalog", "emails", "ledgers", "caches",
                  "images", "tokens", "audits" }
local tiers = { "web", "batch", "worker" }

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
   local labels = string.format('"team":"%s","tier":"%s","env":"%s","shard":"%d","owner":"o%d"', team,
                                tiers[i % 3 + 1], i % 2 == 0 and "prod" or "staging", i % 1000, i)
   if i % 997 == 0 then labels = labels .. ',"canary":""' end
   if i % 10 == 0 then labels = labels .. ',"legacy":""' end
   return string.format('{"name":"%s-%s-%s-%d","namespace":"%s","every":"1h","start_at":"%s",'
                        .. '"task":{"type":"noop"},"labels":{%s}}', team, verb, object, i, team, start_at, labels)
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
