#!/usr/bin/env bash
# GET /stats on a big SQLite file (issue #16: "fast on 10,000,000 runs"; decision 0013).
#
# Seeds a migrated SQLite file with BENCH_JOBS jobs (in 10 namespaces) and BENCH_RUNS runs
# spread evenly over the 7 days before now (90% succeeded, 5% failed, 2% timed out, 1% skipped,
# 2% cancelled; start lateness 0 to 2.5 s), in straight SQL: the roll-up tables and triggers of
# migration 0021 are dropped first and 0021 marked unapplied, so that `jobsched migrate` then
# applies it as an upgrade would, backfilling the roll-ups from the runs (its time is printed).
# Then stats_bench times JobStore::Stats for the 1h, 24h and 7d windows, uncached (the store
# call itself: api/stats_cache is not in the way), BENCH_ROUNDS times each, for every namespace
# and for one.
#
# Usage: bash bench/stats.sh
#   BENCH_RUNS=1000000 bash bench/stats.sh       # a smaller, quicker file
# Environment:
#   JOBSCHED_BINARY   use this binary instead of build/jobsched (stats_bench is next to the build's)
#   BENCH_RUNS        runs seeded                       (default 10000000)
#   BENCH_JOBS        jobs seeded                       (default 10000)
#   BENCH_ROUNDS      reads per window                  (default 50)
#   BENCH_KEEP_TMP=1  keep the temporary directory (the seeded file, to run stats_bench again)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
BUILD="${BUILD_DIR:-$ROOT/build}"
BINARY="${JOBSCHED_BINARY:-$BUILD/jobsched}"
STATS_BENCH="$BUILD/bench/stats_bench"
RUNS="${BENCH_RUNS:-10000000}"
JOBS="${BENCH_JOBS:-10000}"
ROUNDS="${BENCH_ROUNDS:-50}"

if [[ -z "${JOBSCHED_BINARY:-}" ]]; then
  cmake --build "$BUILD" -j2 --target jobsched stats_bench >/dev/null
fi
TMP="$(mktemp -d)"
if [[ "${BENCH_KEEP_TMP:-0}" != 1 ]]; then trap 'rm -rf "$TMP"' EXIT; else echo "keeping $TMP"; fi
DB="$TMP/stats.db"
NOW_MS=$(($(date +%s) * 1000))
WEEK_MS=604800000

"$BINARY" migrate --db "sqlite:$DB" --log-level warn
echo "seeding $JOBS jobs and $RUNS runs over 7 days ..."
start=$(date +%s)
sqlite3 "$DB" <<SQL
PRAGMA synchronous = OFF;
PRAGMA cache_size = -262144;
DROP TRIGGER run_stats_insert; DROP TRIGGER run_stats_end;
DROP TRIGGER run_lateness_insert; DROP TRIGGER run_lateness_start; DROP TRIGGER run_lateness_unstart;
DROP TABLE run_stats; DROP TABLE run_lateness; DROP TABLE run_rollup_widths;
DELETE FROM schema_migrations WHERE version = 21;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $JOBS)
INSERT INTO jobs (name, schedule_kind, schedule_expr, created_at, updated_at, namespace, next_run)
SELECT 'job-' || i, 'every', '10m', $NOW_MS - $WEEK_MS, $NOW_MS - $WEEK_MS, 'ns' || (i % 10),
       $NOW_MS + i * 60 FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $RUNS),
  r AS (SELECT i, $NOW_MS - $WEEK_MS + i * $WEEK_MS / $RUNS AS due, i % 100 AS kind,
               (i * 7919) % 2500 AS late FROM n)
INSERT INTO runs (job_id, scheduled_for, trigger, state, attempt, created_at, started_at, finished_at, duration_ms)
SELECT i % $JOBS + 1, due, 'schedule',
       CASE WHEN kind < 90 THEN 'succeeded' WHEN kind < 95 THEN 'failed' WHEN kind < 97 THEN 'timed_out'
            WHEN kind < 98 THEN 'skipped' ELSE 'cancelled' END, 1, due,
       CASE WHEN kind < 97 THEN due + late END,
       CASE WHEN kind < 97 THEN due + late + 100 + i % 900 ELSE due END,
       CASE WHEN kind < 97 THEN 100 + i % 900 END
FROM r;
COMMIT;
SQL
echo "seeded in $(($(date +%s) - start)) s; $(du -h "$DB" | cut -f1)"
start=$(date +%s.%N)
"$BINARY" migrate --db "sqlite:$DB" --log-level warn
echo "migration 0021 (backfill of the roll-ups) took $(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)") s"
sqlite3 "$DB" "SELECT 'run_stats rows: ' || count(*) FROM run_stats; SELECT 'run_lateness rows: ' || count(*) FROM run_lateness;"
echo "== every namespace"
"$STATS_BENCH" "$DB" "$NOW_MS" "$ROUNDS"
echo "== namespace ns3"
"$STATS_BENCH" "$DB" "$NOW_MS" "$ROUNDS" ns3
