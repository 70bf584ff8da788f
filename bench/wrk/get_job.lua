-- GET /jobs/{id} with an id drawn uniformly from the seeded ones (1..N).
-- Usage: wrk ... -s get_job.lua http://HOST:PORT -- N
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local requests = {}

function init(args)
   -- Pre-format every request once so request() costs one table lookup and
   -- wrk's own CPU use (it shares the cores with the service) stays small.
   for id = 1, bench.seeded_count(args) do
      requests[id] = wrk.format("GET", "/jobs/" .. id)
   end
   bench.seed_random()
end

function request()
   return requests[math.random(#requests)]
end
