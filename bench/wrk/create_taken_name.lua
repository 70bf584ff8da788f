-- POST /jobs with one name over and over: after the first, each is answered
-- 409 (the name is taken in its namespace). Measures what a refused create
-- costs the writer, e.g. a client that re-applies its jobs as code.
-- Usage: wrk ... -s create_taken_name.lua http://HOST:PORT
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"taken","every":"1h"}'
