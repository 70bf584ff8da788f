# shellcheck shell=bash
# Shared by the benchmarks that start jobsched themselves in a temporary directory (console.sh,
# labels.sh, scale.sh, soak.sh): source "$(dirname "${BASH_SOURCE[0]}")/lib.sh". Sets SCRIPT_DIR
# (bench/) and ROOT (the source tree).

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
readonly SCRIPT_DIR ROOT
TMP=""

log() { printf '[bench] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# bench_require TOOL...: each on PATH, or exit.
bench_require() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (bash scripts/install-deps.sh test)"
  done
}

# Sets BIN: $JOBSCHED_BINARY, or build/jobsched built now (cmake --preset release).
bench_binary() {
  if [[ -n "${JOBSCHED_BINARY:-}" ]]; then
    BIN="$JOBSCHED_BINARY"
    [[ -x "$BIN" ]] || die "JOBSCHED_BINARY=$BIN is not an executable file"
    log "using prebuilt $BIN"
  else
    log "building the release binary (cmake --preset release)"
    (cd "$ROOT" && cmake --preset release >/dev/null && cmake --build build --target jobsched) >&2
    BIN="$ROOT/build/jobsched"
  fi
}

bench_cleanup() {
  local status=$?
  if [[ -n "$TMP" && -d "$TMP" ]]; then
    if [[ "${BENCH_KEEP_TMP:-0}" == 1 ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
  fi
  exit "$status"
}

# bench_tmp NAME: TMP, a new directory removed on exit (kept with BENCH_KEEP_TMP=1).
bench_tmp() {
  TMP="$(mktemp -d "${TMPDIR:-/tmp}/jobsched-$1.XXXXXX")"
  trap bench_cleanup EXIT
}

# bench_banner NAME [MORE]: the first lines of a summary: cores, load average, the binary and the
# source tree's commit (MORE after them).
bench_banner() {
  echo "jobsched $1 benchmark: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
  echo "binary $BIN (source tree at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown))${2:-}"
}
