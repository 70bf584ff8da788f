-- POST /jobs with {"name":"bench-N","every":"1h"}. Each 201 is sent only after
-- the job is committed (fsync'd group commit), so this measures durable creates.
-- Usage: wrk ... -s create_job.lua http://HOST:PORT
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local headers = { ["Content-Type"] = "application/json" }
local sequence = 0
local name_base = 0

function init(args)
   -- Threads get disjoint name ranges so names stay unique (not required by
   -- the service, but it makes rows traceable to a thread).
   name_base = (thread_index or 0) * 1000000000
end

function request()
   sequence = sequence + 1
   local body = string.format('{"name":"bench-%d","every":"1h"}', name_base + sequence)
   return wrk.format("POST", "/jobs", headers, body)
end
