#!/usr/bin/env bash
# Interleaved A/B of the no-op Submit + Result loop, all variants in one process: the library as of the commit before
# tracing existed (A), a second copy of A as the control, the working tree as built (B, ReadyToRun), the working tree
# as IL like A (B as IL), and that build with the tracing hooks compiled out (JuggleTracingHooks=false).
# Usage:
#   bench/tracing-ab/run.sh [ROUNDS=100] [TASKS=100000] [WARMUP=5] [DOC.md]
#       time: CPU and wall time per task, the process pinned to one core; B traced (every span recorded) as well.
#   bench/tracing-ab/run.sh --instructions [ROUNDS=9] [TASKS=10000] [WARMUP=1] [DOC.md]
#       instructions executed per task, counted by callgrind (valgrind): independent of the machine's load.
# DOC.md: write the tables into that file between <!-- tracing-ab:begin --> and <!-- tracing-ab:end --> (time) or
# <!-- tracing-ab-instructions:begin --> and <!-- tracing-ab-instructions:end --> (instructions).
# JUGGLE_AB_CPU picks the core both runs are pinned to (default: the last one).
# JUGGLE_AB_KEEP=1 keeps the build and callgrind folder in /tmp (its path is printed) and, with --instructions, has
# callgrind count per instruction and the runtime write /tmp/perf-PID.map, so bench/tracing-ab/annotate.py can name
# the managed methods a dump spent its instructions in.
set -euo pipefail
mode=time
if [ "${1:-}" = "--instructions" ]; then mode=instructions; shift; fi
if [ "$mode" = instructions ]; then
  rounds="${1:-9}" tasks="${2:-10000}" warmup="${3:-1}"
else
  rounds="${1:-100}" tasks="${2:-100000}" warmup="${3:-5}"
fi
repo="$(cd "$(dirname "$0")/../.." && pwd)"
before="$(git -C "$repo" log --format=%H --diff-filter=A -- src/Juggle/Internal/TaskTrace.cs | tail -1)^"
work="$(mktemp -d /tmp/juggle-tracing-ab.XXXXXX)"
if [ "${JUGGLE_AB_KEEP:-}" = 1 ]; then echo "keeping $work"; else trap 'rm -rf "$work"' EXIT; fi
git -C "$repo" archive --format=tar "$before" | tar -x -C "$work"
echo "A = $(git -C "$repo" log -1 --format='%h %s' "$before")"
echo "B = working tree at $(git -C "$repo" log -1 --format='%h %s')"
dotnet build "$work/src/Juggle/Juggle.csproj" -c Release -o "$work/a" -nologo -v q
dotnet build "$repo/src/Juggle/Juggle.csproj" -c Release -o "$work/b" -nologo -v q
# The IL builds come from copies of the working tree: one project built twice with other properties in one tree
# would share its obj/ folder.
for variant in il bare; do
  mkdir -p "$work/$variant-src"
  (cd "$repo" && tar -c --exclude=bin --exclude=obj .editorconfig README.md Directory.Build.props Directory.Build.targets Directory.Packages.props build src/Juggle src/Juggle.Worker) | tar -x -C "$work/$variant-src"
done
dotnet build "$work/il-src/src/Juggle/Juggle.csproj" -c Release -p:JuggleReadyToRun=false -o "$work/b-il" -nologo -v q
dotnet build "$work/bare-src/src/Juggle/Juggle.csproj" -c Release -p:JuggleReadyToRun=false -p:JuggleTracingHooks=false -o "$work/b-bare" -nologo -v q
dotnet build "$repo/bench/tracing-ab/Juggle.TracingAB.Benchmarks.csproj" -c Release -o "$work/host" -nologo -v q
git -C "$repo" rev-parse --short "$before" > "$work/a/commit.txt"
dirty=""
if [ -n "$(git -C "$repo" status --porcelain -- src/Juggle)" ]; then dirty=" + uncommitted changes"; fi
for dir in b b-il b-bare; do echo "$(git -C "$repo" rev-parse --short HEAD)$dirty" > "$work/$dir/commit.txt"; done
doc=""
if [ -n "${4:-}" ]; then doc="$(cd "$(dirname "$4")" && pwd)/$(basename "$4")"; fi
if [ "$mode" = instructions ]; then command="bench/tracing-ab/run.sh --instructions $rounds $tasks"; else command="bench/tracing-ab/run.sh $rounds $tasks"; fi
host=(dotnet "$work/host/Juggle.TracingAB.Benchmarks.dll" "$work/a" "$work/b" "$rounds" "$tasks" "$warmup" "$doc"
  --b-il "$work/b-il" --b-bare "$work/b-bare" --command "$command")
# Tiered compilation off: every variant runs fully optimised code from its first call (and B as built keeps its
# ReadyToRun code, which is never recompiled), instead of tiering up at moments that differ between load contexts.
export DOTNET_TieredCompilation=0
cpu="${JUGGLE_AB_CPU:-$(($(nproc) - 1))}"
if [ "$mode" = instructions ]; then
  # callgrind counts every instruction the process executes once instrumentation starts (the benchmark starts it
  # after start-up and JIT compilation, and zeroes and dumps the counters around each loop through marks.so).
  # Pinned to one core like the time run: the runtime then sees one processor, and its spin-waits yield the core at
  # once instead of spinning for as long as valgrind (which runs one thread at a time) leaves the thread on. JIT-written
  # code needs the self-modifying-code check, and the runtime's W^X double mapping is turned off for valgrind.
  gcc -O2 -shared -fPIC -o "$work/marks.so" "$repo/bench/tracing-ab/marks.c"
  mkdir -p "$work/callgrind"
  keep=()
  if [ "${JUGGLE_AB_KEEP:-}" = 1 ]; then keep=(--dump-instr=yes); export DOTNET_PerfMapEnabled=1; fi
  # A fixed, large first generation (256 MiB): no collection falls inside a measured loop (the benchmark collects
  # before each), so the count does not jump by a collection's worth from one round to the next; what a task
  # allocates is the same 128 bytes in every build (the time run reports it).
  DOTNET_GCgen0size=0x10000000 DOTNET_EnableWriteXorExecute=0 taskset -c "$cpu" valgrind --tool=callgrind --instr-atstart=no --smc-check=all-non-file "${keep[@]}" \
    --callgrind-out-file="$work/callgrind/out" --log-file="$work/valgrind.log" \
    "${host[@]}" --instructions "$work/marks.so" --dumps "$work/callgrind/out"
else
  # One core: the submitter and both pool workers share it, so the process's CPU time is the work done, not how it
  # happened to spread over cores.
  taskset -c "$cpu" "${host[@]}"
fi
