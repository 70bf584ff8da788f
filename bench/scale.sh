#!/usr/bin/env bash
# Scale benchmark for jobsched (issue #19): one service holding many jobs, on SQLite.
# bench/scale.py does the work (see its header). For BENCH_SMALL_JOBS (the reference), then
# BENCH_JOBS, on a fresh SQLite file each:
#
#   seed     the jobs through POST /jobs under wrk (wrk/labels_seed.lua: names, namespaces and
#            labels varied, noop tasks, `every 1h` with phases spread evenly over the hour, so
#            N/3600 runs are due each second from their creation on): time, database size, RSS
#   restart  SIGTERM and start again BENCH_RESTARTS times: time to the first 200 of /readyz, RSS
#   latency  GET /jobs/{id}, list pages, filters, name search, GET /stats: p50/p99/max
#   firing   BENCH_FIRE_MINUTES minutes watched: per minute the runs due and started, their
#            lateness p50/p99/max, RSS, the largest WAL, the load average
#
# and prints both job counts side by side. The service is `jobsched serve` on 127.0.0.1
# (`--rate-limit 0 --access-log off --max-jobs-per-namespace 0`), stopped by its PID.
# 25 to 45 minutes with the defaults on 2 busy cores (seeding 1,000,000 jobs takes 3 to 10).
#
# Usage: bash bench/scale.sh
#   BENCH_JOBS=20000 BENCH_SMALL_JOBS=2000 BENCH_FIRE_MINUTES=2 bash bench/scale.sh   # a quick try
# Environment:
#   JOBSCHED_BINARY       use this binary instead of building build/jobsched
#   BENCH_JOBS            jobs seeded                                        (default 1000000)
#   BENCH_SMALL_JOBS      the reference's jobs, run first; 0 for none        (default 100000)
#   BENCH_FIRE_MINUTES    minutes of firing watched at each count            (default 10)
#   BENCH_RESTARTS        restarts timed at each count                       (default 5)
#   BENCH_REQUESTS        timed requests per kind of GET                     (default 300)
#   BENCH_KEEP_TMP=1      keep the temporary directory (databases, service logs)
# Exit status: 0 when it ran (nothing is enforced), 1 otherwise.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_require wrk python3
bench_binary
bench_tmp scale
trap 'exit 130' INT TERM

bench_banner scale
python3 "$SCRIPT_DIR/scale.py" --binary "$BIN" --dir "$TMP" --jobs "${BENCH_JOBS:-1000000}" \
  --small-jobs "${BENCH_SMALL_JOBS:-100000}" --fire-minutes "${BENCH_FIRE_MINUTES:-10}" \
  --restarts "${BENCH_RESTARTS:-5}" --requests "${BENCH_REQUESTS:-300}"
