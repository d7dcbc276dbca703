#!/usr/bin/env bash
# ONE command regenerates every generated benchmark document:
#
#   bench/run-all.sh [OUT_DIR]        (raw output kept in OUT_DIR, default /tmp/juggle-bench-<UTC timestamp>)
#
# It builds once, runs the steps in STEPS (each logged with the load average before and after it), writes
#   docs/benchmarks.md            from bdn peak1 peak100 shutdown sbs async cold   (bench/report.py)
#   docs/benchmarks-processes.md  from processes                                  (bench/processes/run.py)
#   docs/benchmarks-cli.md        from cli, when asked                            (bench/cli/run.py)
#   docs/benchmarks-cluster.md    from cluster, when asked                        (bench/cluster/run.py)
# and prints how long it all took. Hand-written sections of a document (between "<!-- kept: ... -->" and
# "<!-- /kept -->") are carried over. A document is only rewritten when every step it is made of ran; a partial run
# (say STEPS="cold processes") writes its report into OUT_DIR/docs/ instead, unless DOCS=always.
#
# Knobs (environment): STEPS (default: "bdn peak1 peak100 shutdown sbs async cold processes"; add cli and cluster to
# run those too, e.g. STEPS="$DEFAULT cli cluster"), FILTER (BenchmarkDotNet filter, default *), COLD_RUNS (default
# 10), PROC_ARGS (extra arguments of bench/processes/run.py, e.g. "--repeats 3 --cold-rounds 3"), CLI_ARGS (extra
# arguments of bench/cli/run.py), CLUSTER_ARGS (extra arguments of bench/cluster/run.py, e.g. --quick), ARTIFACTS (dotnet --artifacts-path, default ./artifacts), DOCS (auto | always | never).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:-${TMPDIR:-/tmp}/juggle-bench-$(date -u +%Y%m%dT%H%M%SZ)}"
ARTIFACTS="${ARTIFACTS:-$ROOT/artifacts}"
MAIN_STEPS="bdn peak1 peak100 shutdown sbs async cold"
KNOWN="$MAIN_STEPS processes cli cluster"
STEPS="${STEPS:-$MAIN_STEPS processes}"
DOCS="${DOCS:-auto}"
for step in $STEPS; do
  case " $KNOWN " in *" $step "*) ;; *) echo "unknown step '$step' (known: $KNOWN)" >&2; exit 2 ;; esac
done
has() { case " $STEPS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
# Where a document goes: docs/ when every step it is made of ran (or DOCS=always), else OUT/docs/.
doc_path() {
  local name=$1; shift
  local all=1
  for s in "$@"; do has "$s" || all=0; done
  if [[ "$DOCS" == always || ( "$DOCS" == auto && $all == 1 ) ]]; then echo "$ROOT/docs/$name"; else echo "$OUT/docs/$name"; fi
}
START=$(date +%s)
mkdir -p "$OUT/docs"
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
  echo "steps: $STEPS"
} > "$OUT/machine.txt"
echo "building bench/Juggle.Benchmarks ($(date -u +%H:%M:%S) UTC); raw output in $OUT" >&2
dotnet build bench/Juggle.Benchmarks -c Release --artifacts-path "$ARTIFACTS" -v q --nologo > "$OUT/build.txt" 2>&1
BENCH=(dotnet run -c Release --no-build --project bench/Juggle.Benchmarks --artifacts-path "$ARTIFACTS" --)
run() {
  local name=$1; shift
  echo "== $name: $*" >> "$OUT/log.txt"
  echo "   load before: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/log.txt"
  echo "step $name ($(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1 /proc/loadavg))" >&2
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
    # shellcheck disable=SC2086  # PROC_ARGS and CLI_ARGS are word lists
    processes) run processes python3 bench/processes/run.py --artifacts-path "$ARTIFACTS" --skip-build \
                 --doc "$(doc_path benchmarks-processes.md processes)" ${PROC_ARGS:-} ;;
    cli) run cli python3 bench/cli/run.py --artifacts-path "$ARTIFACTS/cli" --doc "$(doc_path benchmarks-cli.md cli)" ${CLI_ARGS:-} ;;
    cluster) run cluster python3 bench/cluster/run.py --doc "$(doc_path benchmarks-cluster.md cluster)" ${CLUSTER_ARGS:-} ;;
  esac
done
TOOK=$(( $(date +%s) - START ))
echo "took: $((TOOK / 60)) min $((TOOK % 60)) s ($(echo "$STEPS" | wc -w) steps, load after: $(cut -d' ' -f1-3 /proc/loadavg))" >> "$OUT/machine.txt"
MAIN_DOC="$(doc_path benchmarks.md $MAIN_STEPS)"
python3 bench/report.py "$OUT" --doc "$MAIN_DOC"
echo "wrote $MAIN_DOC" >&2
has processes && echo "wrote $(doc_path benchmarks-processes.md processes)" >&2
has cli && echo "wrote $(doc_path benchmarks-cli.md cli)" >&2
has cluster && echo "wrote $(doc_path benchmarks-cluster.md cluster)" >&2
echo "bench/run-all.sh took $((TOOK / 60)) min $((TOOK % 60)) s (steps: $STEPS; raw output: $OUT)"
