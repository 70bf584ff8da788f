-- Creates jobs FIRST..FIRST+N-1 for bench/console.sh as fast as the connections
-- allow, then ends wrk (seed_driver.lua says how).
-- Usage: wrk -t1 ... -s console_seed.lua http://HOST:PORT -- N FIRST
--
-- Job I is named TEAM-VERB-OBJECT-I in namespace TEAM, from 8 teams, 10 verbs
-- and 12 objects (bench/console_search.py knows the same lists), so that name
-- searches find many (a verb), some (verb-object) or few (-I) jobs. Every job is
-- a noop `every 1h` starting a day from now: nothing fires while the benchmark
-- runs, and each has a next run for the console to show.
local folder = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(folder .. "common.lua")
dofile(folder .. "seed_driver.lua")

local teams = { "billing", "search", "payments", "reports", "mobile", "infra", "growth", "support" }
local verbs = { "export", "import", "sync", "rebuild", "cleanup", "notify", "backup", "refresh", "compact", "digest" }
local objects = { "invoices", "users", "orders", "sessions", "metrics", "catalog", "emails", "ledgers", "caches",
                  "images", "tokens", "audits" }

local start_at

local function body(i)
   local team = teams[i % #teams + 1]
   local verb = verbs[math.floor(i / #teams) % #verbs + 1]
   local object = objects[math.floor(i / (#teams * #verbs)) % #objects + 1]
   return string.format('{"name":"%s-%s-%s-%d","namespace":"%s","every":"1h","start_at":"%s",'
                        .. '"task":{"type":"noop"}}', team, verb, object, i, team, start_at)
end

bench.seed(body, function() start_at = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() + 86400) end)
