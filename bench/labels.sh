#!/usr/bin/env bash
# Label selector benchmark for jobsched (issue #18); bench/labels.py does the work (see its header):
# seeds BENCH_LABEL_JOBS jobs with labels into a fresh SQLite file through POST /jobs under wrk, then
# times GET /jobs?label=...&limit=50 (target: p99 < 20 ms at 1,000,000 jobs). The service is
# `jobsched serve` on 127.0.0.1 (`--rate-limit 0 --access-log off --max-jobs-per-namespace 0`),
# stopped by its PID. About 5 minutes at 1,000,000 jobs on 2 busy cores, most of it seeding.
#
# Usage: bash bench/labels.sh
#   BENCH_LABEL_JOBS=100000 bash bench/labels.sh
# Environment:
#   JOBSCHED_BINARY           use this binary instead of building build/jobsched
#   BENCH_LABEL_JOBS          jobs seeded                            (default 1000000)
#   BENCH_LABEL_REQUESTS      timed requests per kind of selector    (default 200)
#   BENCH_KEEP_TMP=1          keep the temporary directory (database, service log)
#   BENCH_LABEL_SEEDED=DIR    time the selectors on DIR/labels.db, kept by BENCH_KEEP_TMP=1 with as many
#                             jobs, instead of seeding a new one (DIR is left as it is)
# Exit status: 0 when it ran (the target is reported, not enforced), 1 otherwise.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_require wrk python3
bench_binary

seeded=()
if [[ -n "${BENCH_LABEL_SEEDED:-}" ]]; then
  [[ -f "$BENCH_LABEL_SEEDED/labels.db" ]] || die "no labels.db in BENCH_LABEL_SEEDED=$BENCH_LABEL_SEEDED"
  DIR="$BENCH_LABEL_SEEDED"
  seeded=(--seeded)
else
  bench_tmp labels
  DIR="$TMP"
fi
trap 'exit 130' INT TERM

bench_banner label
python3 "$SCRIPT_DIR/labels.py" --binary "$BIN" --dir "$DIR" --jobs "${BENCH_LABEL_JOBS:-1000000}" \
  --requests "${BENCH_LABEL_REQUESTS:-200}" "${seeded[@]}"
