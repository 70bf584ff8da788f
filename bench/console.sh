#!/usr/bin/env bash
# Web console benchmark for jobsched (issue #16); bench/console.py does the work (see its header).
#
#   paint        first paint of /ui/jobs's first row over 100,000 jobs, headless chromium (target < 300 ms)
#   search       GET /jobs?q=...&limit=50 over 100,000 and 1,000,000 jobs, p99 (target < 50 ms), seeding
#                time and database size
#   subscribers  10,000 idle GET /events streams: RSS growth (target < 100 MB) and GET /jobs/{id}
#                throughput with them against without (target >= 0.9x)
#   events       run.finished latency, finished_at to a subscriber's handler, p99 (target < 50 ms),
#                to a plain subscriber and to the console's handler in chromium
#   trace        (only when named) the page loads of paint traced by chromium: the main thread's
#                CPU and wall time by kind until the first row's frame (bench/console_trace.js)
#
# Each phase starts its own `jobsched serve` on 127.0.0.1 (a fresh SQLite file, `--rate-limit 0
# --access-log off --max-jobs-per-namespace 0`), stopped by its PID. Jobs are created through
# POST /jobs under wrk. About 5 to 10 minutes on 2 busy cores.
#
# Usage: bash bench/console.sh
#   BENCH_PHASES=search BENCH_SEARCH_JOBS=300000 bash bench/console.sh
# Environment:
#   JOBSCHED_BINARY           use this binary instead of building build/jobsched
#   JOBSCHED_BINARY_B         paint: also a second binary (with its share/console), on a copy of the
#                             database, its loads alternating with the first's (A/B in one run)
#   BENCH_PAINT_PROBES        how the browser notices the painted row: console (default; nothing of
#                             playwright's in the page meanwhile), playwright (the wait used before
#                             2026-12-07), or console,playwright (both, loads in turn)
#   JOBSCHED_TOOLING_MODULES  node_modules with playwright-core (default build/tests/tooling/node_modules,
#                             installed with `cmake --build build --target test_tooling` when missing)
#   JOBSCHED_CHROMIUM         chromium to drive (default: chromium on PATH)
#   BENCH_PHASES              comma-separated subset of paint,search,subscribers,events,trace (default all
#                             but trace)
#   BENCH_PAGE_JOBS           jobs behind the page loads and the first searches   (default 100000)
#   BENCH_SEARCH_JOBS         jobs for the second searches                         (default 1000000)
#   BENCH_LOADS               page loads counted, cold and warm each               (default 10)
#   BENCH_TRACE_LOADS         traced page loads per service (trace)                 (default 10)
#   BENCH_SEARCH_REQUESTS     timed searches per kind of query                     (default 150)
#   BENCH_SUBSCRIBERS         idle event subscribers                               (default 10000)
#   BENCH_WRK_SECONDS         each GET /jobs/{id} run, wrk -t1 -c64                (default 10)
#   BENCH_WRK_ROUNDS          runs with the subscribers, each between two without (default 2)
#   BENCH_EVENT_JOBS          jobs every 1s in the latency run (= runs per second) (default 100)
#   BENCH_EVENT_SECONDS       seconds they fire                                    (default 20)
#   BENCH_KEEP_TMP=1          keep the temporary directory (databases, service logs)
# Exit status: 0 when every phase ran (targets are reported, not enforced), 1 otherwise.
set -euo pipefail

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_require wrk node python3
CHROMIUM="${JOBSCHED_CHROMIUM:-$(command -v chromium || true)}"
[[ -x "$CHROMIUM" ]] || die "no chromium (bash scripts/install-deps.sh test, or JOBSCHED_CHROMIUM)"

bench_binary

MODULES="${JOBSCHED_TOOLING_MODULES:-$ROOT/build/tests/tooling/node_modules}"
if [[ ! -d "$MODULES/playwright-core" ]]; then
  [[ -z "${JOBSCHED_TOOLING_MODULES:-}" ]] || die "no playwright-core in JOBSCHED_TOOLING_MODULES=$MODULES"
  log "installing the test tools (cmake --build build --target test_tooling)"
  (cd "$ROOT" && cmake --preset release >/dev/null && cmake --build build --target test_tooling) >&2
fi

# 10,000 subscribers are 10,000 sockets in the service and as many in the client.
ulimit -n "$(ulimit -Hn)" || true
(($(ulimit -n) >= 10500)) || log "warning: ulimit -n is $(ulimit -n); 10,000 subscribers need more"

bench_tmp console
trap 'exit 130' INT TERM

bench_banner console ", chromium $("$CHROMIUM" --version 2>/dev/null || echo '?')"
status=0
extra=()
[[ -z "${JOBSCHED_BINARY_B:-}" ]] || extra=(--binary-b "$JOBSCHED_BINARY_B")
python3 "$SCRIPT_DIR/console.py" --binary "$BIN" "${extra[@]}" --dir "$TMP" --node "$(command -v node)" --modules "$MODULES" \
  --chromium "$CHROMIUM" --phases "${BENCH_PHASES:-paint,search,subscribers,events}" \
  --page-jobs "${BENCH_PAGE_JOBS:-100000}" --search-jobs "${BENCH_SEARCH_JOBS:-1000000}" \
  --loads "${BENCH_LOADS:-10}" --paint-probes "${BENCH_PAINT_PROBES:-console}" \
  --trace-loads "${BENCH_TRACE_LOADS:-10}" --search-requests "${BENCH_SEARCH_REQUESTS:-150}" \
  --subscribers "${BENCH_SUBSCRIBERS:-10000}" --wrk-seconds "${BENCH_WRK_SECONDS:-10}" \
  --wrk-rounds "${BENCH_WRK_ROUNDS:-2}" \
  --event-jobs "${BENCH_EVENT_JOBS:-100}" --event-seconds "${BENCH_EVENT_SECONDS:-20}" || status=$?
exit "$status"
