#!/usr/bin/env bash
# Installs the Debian packages jobsched needs to build, run and test.
# Idempotent: packages already present are skipped, so a second run costs
# one dpkg query. Uses apt-get only (Debian 12). Pass "test" to also install
# what the test suite and benchmarks start (PostgreSQL, SMTP server, nginx,
# HAProxy, wrk), the tools that check deploy/, what checks answers (JSON
# Schema, a headless browser) and the fuzzing compiler.
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libpq-dev libcurl4-openssl-dev libssl-dev libgmp-dev zlib1g-dev
  libfmt-dev libspdlog-dev libcli11-dev libhowardhinnant-date-dev tzdata
  prometheus-cpp-dev python3 python3-yaml
  # Header-only TOML parser for `--config` files.
  libtoml11-dev
  # YAML for the client's job files (`jobsched apply`, `job edit`, `-o yaml`).
  libyaml-cpp-dev
  # The build tree always configures its tests and benchmarks, so their
  # libraries are needed even by `make run`.
  googletest libgtest-dev libgmock-dev libbenchmark-dev
)
test_packages=(
  postgresql-15 postgresql-client-15 python3 python3-aiosmtpd
  nginx-light wrk curl sqlite3
  # tests/deploy: systemd-analyze (systemd), haproxy, promtool (prometheus).
  systemd haproxy prometheus
  # The end-to-end tests check every answer against docs/openapi.yaml, and
  # drive Swagger UI in a headless browser.
  python3-jsonschema chromium
  # `jobsched completion zsh|fish` are loaded into the real shells, and the
  # client's HTTPS is tested against a certificate openssl makes.
  zsh fish openssl
  # fuzz/: clang-14 and its compiler-rt, which carries libFuzzer
  # (-fsanitize=fuzzer) and the ASan/UBSan runtimes for clang.
  clang-14 libclang-rt-14-dev
  # The style checks of `make test` (scripts/check-format.sh, check-tidy.sh).
  clang-format-14 clang-tidy-14
)

wanted=("${build_packages[@]}")
if [[ "${1:-}" == "test" ]]; then
  wanted+=("${test_packages[@]}")
fi

missing=()
# Node.js and npm fetch Swagger UI at build time. A machine may already carry
# its own Node.js (which then also provides npm and conflicts with Debian's
# npm package), so these two are checked by command, not by package.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
for package in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "installed" ]] || missing+=("$package")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
