-- Creates exactly N jobs ({"name":"seed-I","every":"1h"}, I = 1..N) as fast
-- as the connections allow, then ends wrk (seed_driver.lua says how).
-- Usage: wrk -t1 ... -s seed.lua http://HOST:PORT -- N   (one thread: the quota is per thread)
local folder = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(folder .. "common.lua")
dofile(folder .. "seed_driver.lua")

bench.seed(function(i) return string.format('{"name":"seed-%d","every":"1h"}', i) end)
