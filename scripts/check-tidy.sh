#!/usr/bin/env bash
# Runs clang-tidy (the checks of .clang-tidy: bug-prone patterns, needless
# copies, missing overrides, clang's thread-safety analysis) on every source
# file under src/, with the compile commands of a configured build, and fails
# on any finding.
#
#   scripts/check-tidy.sh [BUILD_DIR] [FILE...]
#
# BUILD_DIR defaults to build (the release preset); FILE... narrows the run to
# those files (paths under src/), e.g. the ones a change touched.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${1:-build}
shift || true
tidy=$(command -v clang-tidy-14 || command -v clang-tidy || true)
[[ -n "$tidy" ]] || { echo "check-tidy: clang-tidy-14 is not installed (scripts/install-deps.sh test)" >&2; exit 1; }
[[ -f "$build_dir/compile_commands.json" ]] || {
  echo "check-tidy: no $build_dir/compile_commands.json: configure the build first (cmake --preset release)" >&2
  exit 1
}

if (($# > 0)); then
  files=("$@")
else
  mapfile -t files < <(git ls-files 'src/*.cpp')
fi

# One clang-tidy per file, as many at once as there are cores; each writes
# its findings to its own file so that they do not interleave. The
# thread-safety analysis (clang-diagnostic-thread-safety* in .clang-tidy) is
# switched on here too: the release build's compile commands are g++'s, which
# do not carry -Wthread-safety.
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%s\n' "${files[@]}" | xargs -P "$(nproc)" -I{} sh -c \
  '"$0" --quiet -p "$1" --extra-arg=-Wthread-safety --extra-arg=-Wthread-safety-beta "$2" \
     >"$3/$(echo "$2" | tr / _).log" 2>/dev/null || true' \
  "$tidy" "$build_dir" {} "$out"

findings=$(cat "$out"/*.log | grep -E '^[^ ].*:[0-9]+:[0-9]+: (warning|error):' | sort -u || true)
if [[ -n "$findings" ]]; then
  cat "$out"/*.log
  echo
  echo "check-tidy: $(wc -l <<<"$findings") finding(s) in ${#files[@]} file(s)" >&2
  exit 1
fi
echo "check-tidy: ${#files[@]} files, no findings"
