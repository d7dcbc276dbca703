#!/usr/bin/env bash
# Interleaved A/B of the no-op Submit + Result loop: the library as of the commit before tracing existed (A) vs the
# working tree (B), a second copy of A as the control, and B with every span recorded, in one process pinned to one
# core. Usage: bench/tracing-ab/run.sh [ROUNDS=100] [TASKS=100000] [WARMUP=5] [DOC.md]
# DOC.md: write the tables into that file between <!-- tracing-ab:begin --> and <!-- tracing-ab:end -->.
# JUGGLE_AB_CPU picks the core (default: the last one).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
before="$(git -C "$repo" log --format=%H --diff-filter=A -- src/Juggle/Internal/TaskTrace.cs | tail -1)^"
work="$(mktemp -d /tmp/juggle-tracing-ab.XXXXXX)"
trap 'rm -rf "$work"' EXIT
git -C "$repo" archive --format=tar "$before" | tar -x -C "$work"
echo "A = $(git -C "$repo" log -1 --format='%h %s' "$before")"
echo "B = working tree at $(git -C "$repo" log -1 --format='%h %s')"
dotnet build "$work/src/Juggle/Juggle.csproj" -c Release -o "$work/a" -nologo -v q
dotnet build "$repo/src/Juggle/Juggle.csproj" -c Release -o "$work/b" -nologo -v q
dotnet build "$repo/bench/tracing-ab/Juggle.TracingAB.Benchmarks.csproj" -c Release -o "$work/host" -nologo -v q
git -C "$repo" rev-parse --short "$before" > "$work/a/commit.txt"
dirty=""
if [ -n "$(git -C "$repo" status --porcelain -- src/Juggle)" ]; then dirty=" + uncommitted changes"; fi
echo "$(git -C "$repo" rev-parse --short HEAD)$dirty" > "$work/b/commit.txt"
doc=""
if [ -n "${4:-}" ]; then doc="$(cd "$(dirname "$4")" && pwd)/$(basename "$4")"; fi
cpu="${JUGGLE_AB_CPU:-$(($(nproc) - 1))}"
# One core: the submitter and both pool workers share it, so the process's CPU time is the work done, not how it
# happened to spread over cores. Tiered compilation off: every variant runs fully optimised code from its first call,
# instead of tiering up at moments that differ between load contexts.
DOTNET_TieredCompilation=0 taskset -c "$cpu" \
  dotnet "$work/host/Juggle.TracingAB.Benchmarks.dll" "$work/a" "$work/b" "${1:-100}" "${2:-100000}" "${3:-5}" "$doc"
