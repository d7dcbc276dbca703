#!/usr/bin/env bash
# Runs every benchmark of docs/benchmarks.md once and keeps the raw output:
#   bench/run-all.sh [OUT_DIR]          (default OUT_DIR: /tmp/juggle-bench-<UTC timestamp>)
# Then: python3 bench/report.py OUT_DIR > docs/benchmarks.md
# ARTIFACTS=/tmp/dir keeps this build apart from others (dotnet --artifacts-path); STEPS selects a subset.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:-${TMPDIR:-/tmp}/juggle-bench-$(date -u +%Y%m%dT%H%M%SZ)}"
ARTIFACTS="${ARTIFACTS:-$ROOT/artifacts}"
STEPS="${STEPS:-bdn peak1 peak100 shutdown sbs async cold}"
mkdir -p "$OUT"
cd "$ROOT"
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "commit: $(git log -1 --format='%h %s' 2>/dev/null || cat HEAD.txt 2>/dev/null || echo unknown)"
  echo "core: $(git log -1 --format=%h -- src/Juggle 2>/dev/null || cat CORE.txt 2>/dev/null || echo unknown)"
  echo "nproc: $(nproc)"
  echo "memory: $(free -m | awk '/^Mem:/ {printf "%.1f GiB", $2/1024}')"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "os: $(uname -srm)"
  echo "dotnet: $(dotnet --version)"
  echo "python: $(python3 --version 2>&1)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/machine.txt"
dotnet build bench/Juggle.Benchmarks -c Release --artifacts-path "$ARTIFACTS" -v q --nologo > "$OUT/build.txt" 2>&1
BENCH=(dotnet run -c Release --no-build --project bench/Juggle.Benchmarks --artifacts-path "$ARTIFACTS" --)
run() {
  local name=$1; shift
  echo "== $name: $*" >> "$OUT/log.txt"
  echo "   load before: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/log.txt"
  "$@" > "$OUT/$name.txt" 2>&1
  echo "   load after:  $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/log.txt"
}
for step in $STEPS; do
  case $step in
    bdn) run bdn "${BENCH[@]}" --filter "${FILTER:-*}" --artifacts "$OUT/BenchmarkDotNet.Artifacts" ;;
    peak1) run peak-map-chunk1 "${BENCH[@]}" peak-map 10000000 1 ;;
    peak100) run peak-map-chunk100 "${BENCH[@]}" peak-map 10000000 100 ;;
    shutdown) run shutdown-latency "${BENCH[@]}" shutdown-latency 15 ;;
    sbs) run side-by-side python3 bench/side-by-side/run.py --artifacts-path "$ARTIFACTS" ;;
    async) run async-fanout python3 bench/async/run.py --artifacts-path "$ARTIFACTS" --skip-build ;;
    cold) run cold-start python3 bench/cold-start/run.py --artifacts-path "$ARTIFACTS/cold-start" --runs "${COLD_RUNS:-10}" ;;
    *) echo "unknown step '$step' (known: bdn peak1 peak100 shutdown sbs async cold)" >&2; exit 2 ;;
  esac
done
echo "$OUT"
