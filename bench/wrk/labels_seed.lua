-- Creates jobs FIRST..FIRST+N-1 with labels for bench/labels.sh as fast as the
-- connections allow, then ends wrk (seed_driver.lua says how).
-- Usage: wrk -t1 ... -s labels_seed.lua http://HOST:PORT -- N FIRST
--
-- Job I is named as console_seed.lua names it (TEAM-VERB-OBJECT-I, namespace
-- TEAM) and carries labels that bench/labels.py selects by (it knows the same
-- rules): team (1 job in 8 per value), tier web|batch|worker (1 in 3), env
-- prod|staging (1 in 2), shard I mod 1000 (1 in 1,000), owner oI (1 job),
-- canary on every 997th job, legacy on every 10th. Every job is a noop
-- `every 1h` starting a day from now: nothing fires while the benchmark runs.
local folder = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(folder .. "common.lua")
dofile(folder .. "seed_driver.lua")

local teams = { "billing", "search", "payments", "reports", "mobile", "infra", "growth", "support" }
local verbs = { "export", "import", "sync", "rebuild", "cleanup", "notify", "backup", "refresh", "compact", "digest" }
local objects = { "invoices", "users", "orders", "sessions", "metrics", "catalog", "emails", "ledgers", "caches",
                  "images", "tokens", "audits" }
local tiers = { "web", "batch", "worker" }

local start_at

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

bench.seed(body, function() start_at = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() + 86400) end)
