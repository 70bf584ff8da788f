-- POST /jobs with {"name":"bench-N","every":"1h"}. Each 201 is sent only after
-- the job is committed (fsync'd group commit), so this measures durable creates.
-- Usage: wrk ... -s create_job.lua http://HOST:PORT [-- PREFIX]
-- PREFIX (default "bench") starts each name, so two runs against one database
-- (a warm-up and the measured run) create distinct names instead of 409s.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local headers = { ["Content-Type"] = "application/json" }
local sequence = 0
local name_base = 0
local prefix = "bench"

function init(args)
   prefix = args[1] or prefix
   -- Threads get disjoint name ranges: names are unique per namespace, so a
   -- repeated name would be answered 409 instead of created.
   name_base = (thread_index or 0) * 1000000000
end

function request()
   sequence = sequence + 1
   local body = string.format('{"name":"%s-%d","every":"1h"}', prefix, name_base + sequence)
   return wrk.format("POST", "/jobs", headers, body)
end
