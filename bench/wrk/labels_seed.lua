-- Creates jobs FIRST..FIRST+N-1 with labels for bench/labels.sh as fast as the
-- connections allow, then ends wrk (seed_driver.lua says how).
-- Usage: wrk -t1 ... -s labels_seed.lua http://HOST:PORT -- N FIRST [PHASE_BASE_MS]
--
-- Job I is named as console_seed.lua names it (TEAM-VERB-OBJECT-I, namespace
-- TEAM) and carries labels that bench/labels.py selects by (it knows the same
-- rules): team (1 job in 8 per value), tier web|batch|worker (1 in 3), env
-- prod|staging (1 in 2), shard I mod 1000 (1 in 1,000), owner oI (1 job),
-- canary on every 997th job, legacy on every 10th. Every job is a noop
-- `every 1h` starting a day from now: nothing fires while the benchmark runs.
-- With PHASE_BASE_MS (a Unix time in ms; bench/scale.sh), job I starts at
-- PHASE_BASE_MS + floor((I - FIRST) * 3,600,000 / N) ms instead: the N jobs'
-- runs are due evenly over every hour from then on.
local folder = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(folder .. "common.lua")
dofile(folder .. "seed_driver.lua")

local teams = { "billing", "search", "payments", "reports", "mobile", "infra", "growth", "support" }
local verbs = { "export", "import", "sync", "rebuild", "cleanup", "notify", "backup", "refresh", "compact", "digest" }
local objects = { "invoices", "users", "orders", "sessions", "metrics", "catalog", "emails", "ledgers", "caches",
                  "images", "tokens", "audits" }
local tiers = { "web", "batch", "worker" }

local start_at, first, phase_base_ms, count

-- RFC 3339 in UTC with milliseconds.
local function instant(unix_ms)
   return os.date("!%Y-%m-%dT%H:%M:%S", math.floor(unix_ms / 1000)) .. string.format(".%03dZ", unix_ms % 1000)
end

local function body(i)
   local team = teams[i % #teams + 1]
   local verb = verbs[math.floor(i / #teams) % #verbs + 1]
   local object = objects[math.floor(i / (#teams * #verbs)) % #objects + 1]
   local labels = string.format('"team":"%s","tier":"%s","env":"%s","shard":"%d","owner":"o%d"', team,
                                tiers[i % 3 + 1], i % 2 == 0 and "prod" or "staging", i % 1000, i)
   if i % 997 == 0 then labels = labels .. ',"canary":""' end
   if i % 10 == 0 then labels = labels .. ',"legacy":""' end
   if phase_base_ms then start_at = instant(phase_base_ms + math.floor((i - first) * 3600000 / count)) end
   return string.format('{"name":"%s-%s-%s-%d","namespace":"%s","every":"1h","start_at":"%s",'
                        .. '"task":{"type":"noop"},"labels":{%s}}', team, verb, object, i, team, start_at, labels)
end

bench.seed(body, function(args)
   count = bench.seeded_count(args)
   first = math.floor(tonumber(args[2]) or 1)
   phase_base_ms = tonumber(args[3])
   start_at = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() + 86400)
end)
