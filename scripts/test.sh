#!/usr/bin/env bash
# Runs every Coinshard check: formatting, build (warnings are errors), all test projects, and a
# short benchmark run that proves the benchmark program works. Installs what it needs when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

log() { printf '\n== %s\n' "$*"; }

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK (dotnet) is required and is not on PATH" >&2
  exit 1
fi

# Debian packages the suites need (installed only when missing).
apt_packages=(litecoind)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi

# Node.js and npm run the real Electrum client libraries of the conformance tests (tests/Electrum.Tests/js).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  log "installing nodejs npm"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  { $sudo_cmd apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq nodejs npm; } || true
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "error: Node.js (node) and npm are required by the Electrum conformance tests and could not be installed (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
if [ ! -d tests/Electrum.Tests/js/node_modules ]; then
  log "npm ci (Electrum client libraries for the conformance tests)"
  (cd tests/Electrum.Tests/js && npm ci --no-audit --no-fund --loglevel=error)
fi

log "restore"
dotnet restore Actors.sln --verbosity quiet

log "format check"
dotnet format Actors.sln --verify-no-changes --no-restore --verbosity quiet

log "build (Release, warnings as errors)"
dotnet build Actors.sln -c Release --no-restore --verbosity quiet -nologo

# A throwaway PostgreSQL for the store's conformance suite (stopped and removed on exit, even on failure).
# shellcheck source=lib/postgres.sh
source "$root/scripts/lib/postgres.sh"
log "starting PostgreSQL"
postgres_start

log "tests"
dotnet test Actors.sln -c Release --no-build --verbosity quiet --logger "console;verbosity=minimal"

if [ -f tests/Benchmarks/Coinshard.Benchmarks.csproj ]; then
  log "benchmarks (smoke run)"
  dotnet run -c Release --no-build --project tests/Benchmarks -- --quick --json "$root/.tmp/bench-smoke.json"
fi

log "all checks passed"
