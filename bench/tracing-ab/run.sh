#!/usr/bin/env bash
# Interleaved A/B of the no-op Submit + Result loop: the library as of the commit before tracing existed (A) vs the
# working tree (B), and B with every span recorded, in one process. Usage: bench/tracing-ab/run.sh [ROUNDS] [TASKS]
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
dotnet "$work/host/Juggle.TracingAB.Benchmarks.dll" "$work/a" "$work/b" "${1:-15}" "${2:-200000}"
