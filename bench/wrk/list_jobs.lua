-- GET /jobs?limit=100 starting after a random cursor, so pages come from all
-- over the table rather than always the first 100 rows. Cursors stop at N-100
-- so every page is full.
-- Usage: wrk ... -s list_jobs.lua http://HOST:PORT -- N
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")

local page_size = 100
local requests = {}

function init(args)
   local last_cursor = math.max(bench.seeded_count(args) - page_size, 0)
   for cursor = 0, last_cursor do
      requests[#requests + 1] = wrk.format("GET", "/jobs?limit=" .. page_size .. "&cursor=" .. cursor)
   end
   bench.seed_random()
end

function request()
   return requests[math.random(#requests)]
end
