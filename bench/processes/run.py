#!/usr/bin/env python3
"""ProcessPoolExecutor side by side: CPython's concurrent.futures vs Juggle, in one run.

    python3 bench/processes/run.py [--artifacts-path /tmp/art-procbench] [--repeats 5] [--skip-build]
                                   [--no-bdn] [--doc docs/benchmarks-processes.md | --no-doc]

What it does (python3 stdlib only; about 4-6 minutes on 2 cores, most of it BenchmarkDotNet and CPython's CPU loop):
 1. builds bench/Juggle.Benchmarks (Release) into a private artifacts path;
 2. runs the C# half, `dotnet Juggle.Benchmarks.dll processes REPEATS` (bench/Juggle.Benchmarks/ProcessesSideBySide.cs),
    and the CPython half, `python3 bench/processes/cpython_processes.py REPEATS`, one after the other, twice each,
    interleaved (Juggle, CPython, Juggle, CPython); each prints JSON. The figures of both rounds are pooled (the
    medians are over 2 x REPEATS measurements; startup over 2 x REPEATS cold pools);
 3. runs BenchmarkDotNet's ProcessPoolBenchmarks (`dotnet Juggle.Benchmarks.dll --filter '*ProcessPool*'`) and
    copies its table (skip with --no-bdn);
 4. writes docs/benchmarks-processes.md: machine, load average before/after, the exact command, a table
    CPython | Juggle | ratio | target | met, the raw figures.
"""
import argparse
import datetime
import glob
import json
import html
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchutil import REGENERATE, ROOT, doc_head, host_line, loadavg, log, machine, run_line, sh, write_doc  # noqa: E402  (bench/benchutil.py)

BENCH_PROJECT = os.path.join(ROOT, "bench", "Juggle.Benchmarks")
CPYTHON = os.path.join(ROOT, "bench", "processes", "cpython_processes.py")


def run_json(cmd, timeout=900):
    log("$ " + " ".join(cmd))
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT, timeout=timeout).stdout
    line = [x for x in out.splitlines() if x.startswith("{")][-1]
    data = json.loads(line)
    log(f"  done in {time.perf_counter() - t0:.0f} s")
    return data


def merge(runs):
    """Concatenates the lists of several runs of one contender."""
    out = {}
    for run in runs:
        for k, v in run.items():
            if isinstance(v, list):
                out.setdefault(k, []).extend(v)
            else:
                out.setdefault(k, v)
    return out


def med(xs):
    return statistics.median(xs)


def run_bdn(dll, art):
    bdn_art = os.path.join(art, "bdn-processes")
    cmd = ["dotnet", dll, "--filter", "*ProcessPool*", "--artifacts", bdn_art]
    log("$ " + " ".join(cmd))
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, timeout=1800)
    log(f"  done in {time.perf_counter() - t0:.0f} s")
    reports = sorted(glob.glob(os.path.join(bdn_art, "results", "*ProcessPoolBenchmarks-report-github.md")),
                     key=os.path.getmtime)
    if not reports:
        return None, cmd
    with open(reports[-1]) as f:
        text = f.read()
    # Keep the table only (BenchmarkDotNet's environment block is summarised in the Machine section).
    table = "\n".join(line for line in text.splitlines() if line.startswith("|"))
    return table, cmd


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--artifacts-path", default="/tmp/art-procbench")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--no-bdn", action="store_true")
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "benchmarks-processes.md"))
    ap.add_argument("--no-doc", action="store_true")
    ap.add_argument("--cold-rounds", type=int, default=5,
                    help="fresh processes per contender for the start-up paths (each gives one first-pool figure)")
    ap.add_argument("--cold-repeats", type=int, default=3, help="pools per process in the start-up paths")
    ap.add_argument("--recycle-tasks", type=int, default=2000, help="tasks of the maxTasksPerChild=1 run (round 1 only)")
    ap.add_argument("--no-cold", action="store_true", help="skip the start-up paths")
    ap.add_argument("--only-cold", action="store_true", help="only the start-up paths (no warm pools, no BenchmarkDotNet)")
    args = ap.parse_args()
    if args.only_cold:
        args.no_bdn = True

    started = datetime.datetime.now(datetime.timezone.utc)
    t_start = time.perf_counter()
    mach = machine(["src/Juggle", "src/Juggle.Worker", "bench/Juggle.Benchmarks", "bench/processes"])
    load_before = loadavg()
    log(f"load average before: {load_before}")
    if not args.skip_build:
        log("building bench/Juggle.Benchmarks (Release)")
        subprocess.run(["dotnet", "build", BENCH_PROJECT, "-c", "Release", "--artifacts-path", args.artifacts_path,
                        "-nologo", "-v", "q"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    dll = os.path.join(args.artifacts_path, "bin", "Juggle.Benchmarks", "release", "Juggle.Benchmarks.dll")

    juggle_runs, cpython_runs, loads = [], [], []
    for _ in range(0 if args.only_cold else 2):
        loads.append(loadavg())
        juggle_runs.append(run_json(["dotnet", dll, "processes", str(args.repeats)]))
        loads.append(loadavg())
        cpython_runs.append(run_json([sys.executable, CPYTHON, str(args.repeats)]))
    juggle, cpython = merge(juggle_runs), merge(cpython_runs)

    bdn_table, bdn_cmd = (None, None) if args.no_bdn else run_bdn(dll, args.artifacts_path)
    cold = None if args.no_cold else run_cold(args, dll)
    load_after = loadavg()
    total = time.perf_counter() - t_start

    text = render(args, mach, juggle, cpython, juggle_runs, cpython_runs, bdn_table, bdn_cmd, load_before, load_after,
                  loads, started, total, cold)
    print(text)
    if not args.no_doc:
        write_doc(args.doc, text)
        log(f"wrote {os.path.relpath(args.doc, ROOT)}")


COLD_CONTENDERS = ("CPython", "Juggle", "Juggle, worker warm-up on", "Juggle, no spare worker")
# The Juggle variants switch one start-up aid off each (environment variables, inherited by the workers).
COLD_ENV = {"Juggle": {}, "Juggle, worker warm-up on": {"JUGGLE_WORKER_WARMUP": "1"},
            "Juggle, no spare worker": {"JUGGLE_SPARE_WORKER": "0"}}


def run_cold(args, dll):
    """The start-up paths: a fresh process per round and contender, interleaved; the recycle run in round 1 only."""
    runs = {name: [] for name in COLD_CONTENDERS}
    loads = []
    for i in range(args.cold_rounds):
        recycle = [str(args.recycle_tasks if i == 0 else 0), "1"]
        loads.append(loadavg())
        for name in COLD_CONTENDERS:
            if name == "CPython":
                cmd, env = [sys.executable, CPYTHON, "cold", str(args.cold_repeats), *recycle], None
            else:
                cmd = ["dotnet", dll, "processes", "cold", str(args.cold_repeats), *recycle]
                env = {k: v for k, v in os.environ.items() if k not in ("JUGGLE_WORKER_WARMUP", "JUGGLE_SPARE_WORKER")}
                env.update(COLD_ENV[name])
            log("$ " + "".join(f"{k}={v} " for k, v in COLD_ENV.get(name, {}).items()) + " ".join(cmd))
            t0 = time.perf_counter()
            out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT, timeout=1800, env=env).stdout
            runs[name].append(json.loads([x for x in out.splitlines() if x.startswith("{")][-1]))
            log(f"  done in {time.perf_counter() - t0:.0f} s")
            if name == "Juggle":
                # The same fresh process once more, its first Map with default arguments (no chunkSize): only that
                # figure of this process is used.
                cmd = ["dotnet", dll, "processes", "cold", str(args.cold_repeats), "0", "1", "auto"]
                log("$ " + " ".join(cmd))
                out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT, timeout=1800, env=env).stdout
                auto = json.loads([x for x in out.splitlines() if x.startswith("{")][-1])
                runs[name][-1]["first_map_default_us_per_item"] = auto["first_map_default_us_per_item"]
    loads.append(loadavg())
    return {"runs": runs, "loads": loads}


def mark(ok):
    return "**met**" if ok else "**missed**"


def fmt_list(xs, digits=2):
    return ", ".join(f"{x:.{digits}f}" for x in xs)


def render(args, mach, j, c, juggle_runs, cpython_runs, bdn_table, bdn_cmd, load_before, load_after, loads, started,
           total, cold=None):
    out = []
    w = out.append
    if args.only_cold:
        render_head(args, mach, load_before, load_after, loads, started, total, w)
        render_cold(args, cold, w)
        return "\n".join(out) + "\n"
    j_map1, c_map1 = med(j["map1_us_per_item"]), med(c["map1_us_per_item"])
    j_map500, c_map500 = med(j["map500_us_per_item"]), med(c["map500_us_per_item"])
    j_seq, j_pool = med(j["cpu_sequential_ms"]), med(j["cpu_pool_ms"])
    c_seq, c_pool = med(c["cpu_sequential_ms"]), med(c["cpu_pool_ms"])
    j_speedup = statistics.median(s / p for s, p in zip(j["cpu_sequential_ms"], j["cpu_pool_ms"]))
    c_speedup = statistics.median(s / p for s, p in zip(c["cpu_sequential_ms"], c["cpu_pool_ms"]))
    j_start, c_start = med(j["startup_ms"]), med(c["startup_ms"])
    j_disp, c_disp = med(j["dispose_ms"]), med(c["dispose_ms"])
    j_rss = med(j["worker_rss_kb"]) / 1024
    c_rss = med(c["worker_rss_kb"]) / 1024
    j_anon, c_anon = med(j["worker_rss_anon_kb"]) / 1024, med(c["worker_rss_anon_kb"]) / 1024
    j_pss, c_pss = med(j["worker_pss_kb"]) / 1024, med(c["worker_pss_kb"]) / 1024

    cmd = "python3 bench/processes/run.py" + ("" if args.repeats == 5 else f" --repeats {args.repeats}") + \
        (" --no-bdn" if args.no_bdn else "")
    out += doc_head("ProcessPoolExecutor benchmarks: Juggle vs CPython", "bench/processes/run.py",
                    "stdlib Python; builds, runs both sides and BenchmarkDotNet, and writes this file", cmd)
    w(run_line(mach, started, total))
    w(host_line(mach))
    w(f"- .NET SDK {mach['dotnet']}, {mach['python']} (multiprocessing start method: {c.get('start_method', '?')})")
    w(f"- load average (1/5/15 min) before: {load_before}; before each side's rounds: {'; '.join(loads)}; after: "
      f"{load_after}. The 2 cores are shared with other jobs (builds, tests), so absolute times are noisy; "
      "both sides run interleaved in the same minutes.")
    w("")
    w("## Setup")
    w("")
    w(f"- Each side runs twice, interleaved (Juggle, CPython, Juggle, CPython), {args.repeats} repetitions of every "
      f"measurement per round; the tables give the median of the {2 * args.repeats} figures.")
    w("- Juggle: `dotnet Juggle.Benchmarks.dll processes N` (`bench/Juggle.Benchmarks/ProcessesSideBySide.cs`, "
      "`ProcessPoolExecutor(maxWorkers: 2)`, the functions of `ProcessPoolBenchmarks`). CPython: "
      "`bench/processes/cpython_processes.py N` (`ProcessPoolExecutor(max_workers=2)`).")
    w("- Map: 20,000 no-op items (`x => x`), results consumed in order; `pool.Map(NoOp, items, chunkSize: 1)` with "
      "Juggle's default window vs `pool.map(no_op, range(n), chunksize=1)`, and chunk size 500. Per item = wall time / "
      "20,000. Both pools are warm before timing (one untimed Map of the 20,000 items at chunk size 1, one at 500, "
      "4 CPU-loop tasks).")
    w("- CPU loop: seed 003's `acc += sqrt(i) * sin(i)` for 3,000,000 + k iterations, k = 0..19, 20 tasks on 2 workers "
      "vs the same 20 calls in the parent, interleaved; speed-up = sequential / pool per repetition. Each side's "
      "sequential baseline is its own language (CPython is ~50× slower per iteration; compare the speed-ups).")
    w("- Start-up: constructor → `Submit(NoOp, 1).Result()` (1 worker, a new pool each time; the first one in the "
      "process is cold), then `Dispose()` / `shutdown(wait=True)` timed separately.")
    w("- Idle memory: VmRSS (and RssAnon) from `/proc/PID/status`, Pss from `/proc/PID/smaps_rollup`, of each of the 2 "
      "workers, 0.5 s after the warm-up (idle). VmRSS counts the shared runtime files (CoreLib, coreclr, the JIT) in "
      "full in every worker; RssAnon is what each worker adds on its own, Pss splits shared pages between processes. "
      "CPython's workers are forked from the parent and share its pages copy-on-write.")
    w("")
    w("## Results (medians)")
    w("")
    w("| measurement | CPython 3.11 | Juggle | Juggle vs CPython | target | met |")
    w("|---|---:|---:|---:|---|---|")
    w(f"| Map 20k no-op, chunk size 1, per item | {c_map1:.1f} µs | {j_map1:.2f} µs | {c_map1 / j_map1:.1f}× faster | "
      f"≤ 10 µs | {mark(j_map1 <= 10)} |")
    w(f"| Map 20k no-op, chunk size 500, per item | {c_map500:.3f} µs | {j_map500:.3f} µs | "
      f"{c_map500 / j_map500:.1f}× faster | ≤ 0.5 µs | {mark(j_map500 <= 0.5)} |")
    w(f"| CPU loop ×20, 2 workers vs sequential | {c_speedup:.2f}× ({c_pool:.0f} ms vs {c_seq:.0f} ms) | "
      f"{j_speedup:.2f}× ({j_pool:.0f} ms vs {j_seq:.0f} ms) | {c_pool / j_pool:.0f}× faster wall clock | "
      f"≥ 1.8× | {mark(j_speedup >= 1.8)} |")
    w(f"| constructor → first result | {c_start:.1f} ms | {j_start:.1f} ms | {c_start / j_start:.2f}× | "
      "measure, keep small | reported |")
    w(f"| Dispose / shutdown(wait=True) after it | {c_disp:.1f} ms | {j_disp:.1f} ms | {c_disp / j_disp:.2f}× | "
      "— | — |")
    w(f"| idle memory per worker (VmRSS) | {c_rss:.1f} MB | {j_rss:.1f} MB | {j_rss / c_rss:.1f}× more | "
      "measure, keep small | reported |")
    w(f"| … of which private (RssAnon) | {c_anon:.1f} MB | {j_anon:.1f} MB | {j_anon / c_anon:.1f}× | — | — |")
    w(f"| … proportional share (Pss) | {c_pss:.1f} MB | {j_pss:.1f} MB | {j_pss / c_pss:.1f}× | — | — |")
    w("")
    w("## Raw figures")
    w("")
    w("| figure | CPython round 1 | CPython round 2 | Juggle round 1 | Juggle round 2 |")
    w("|---|---|---|---|---|")
    for key, digits in (("map1_us_per_item", 2), ("map500_us_per_item", 3), ("cpu_sequential_ms", 0),
                        ("cpu_pool_ms", 0), ("startup_ms", 1), ("dispose_ms", 1), ("worker_rss_kb", 0),
                        ("worker_rss_anon_kb", 0), ("worker_pss_kb", 0), ("parent_rss_kb", 0)):
        def cell(run):
            v = run.get(key)
            return fmt_list(v, digits) if isinstance(v, list) else (str(v) if v is not None else "")
        w(f"| {key} | {cell(cpython_runs[0])} | {cell(cpython_runs[1])} | {cell(juggle_runs[0])} | "
          f"{cell(juggle_runs[1])} |")
    w("")
    w("`startup_ms`: the first figure of each round is a cold start (first pool of the process: JIT of the pool on the "
      "C# side, imports on the Python side).")
    w("")
    if bdn_table is not None:
        w("## BenchmarkDotNet: ProcessPoolBenchmarks (same run)")
        w("")
        w("    " + " ".join(bdn_cmd[:2]).replace(os.path.dirname(bdn_cmd[1]) + "/", "") + " " +
          " ".join(f"'{a}'" if "*" in a else a for a in bdn_cmd[2:4]))
        w("")
        w("(`bench/Juggle.Benchmarks/ProcessPoolBenchmarks.cs`, ShortJob: 2 warm-up, 7 iterations; the Map rows are "
          "per item, `OperationsPerInvoke = 20,000`.)")
        w("")
        w(html.unescape(bdn_table))
        w("")
        ratio = bdn_cpu_ratio(bdn_table)
        if ratio is not None:
            w(f"CPU loop ×20 speed-up from this table (median sequential / median pool): **{ratio:.2f}×** "
              f"(target ≥ 1.8×: {mark(ratio >= 1.8)}).")
            w("")
    if cold:
        render_cold(args, cold, w)
    w("## Notes")
    w("")
    w("- BenchmarkDotNet builds a fresh pool per benchmark (`[GlobalSetup]`) and warms both workers on every measured "
      "path first (three Maps of the 20,000 items at chunk size 1 and 500, 8 CPU-loop tasks: a fresh worker's JIT "
      "needs roughly its first second of work to reach steady state), then runs 2 warm-up and 7 measured iterations. "
      "The side-by-side warms both pools too. Both are shown; the targets are judged on the side-by-side medians above.")
    w("- Juggle's defaults behind the chunk-size-1 figure: `Map` keeps 128 × MaxWorkers tasks in flight on a process "
      "pool (`DefaultMapBufferSize`), a worker whose recent tasks were tiny gets up to 64 calls queued ahead (never "
      "more than ~2 ms of expected work), calls go out in batches (one write per batch), and the worker flushes its "
      "answers before it runs the next user code (an answer is never lost with a crash) or when its input is empty.")
    w("- Start-up: most of Juggle's constructor-to-first-result time is starting a .NET runtime in the worker "
      "(`dotnet exec Juggle.Worker.dll`: the host and runtime start take most of its CPU, as for any .NET hello-world "
      "process); CPython (start method fork) clones its already-initialised parent. Juggle.dll and Juggle.Worker.dll "
      "ship precompiled (ReadyToRun, for the platform they were built on) and the values most functions take (ints, "
      "strings, doubles and their arrays, lists and string-keyed dictionaries) use precompiled JSON contracts, so "
      "neither the app's first pool nor a fresh worker JIT-compiles the pool's code path (measured with "
      "`DOTNET_JitStdOutFile` + `DOTNET_JitDisasmSummary=1`: up to the first result, a worker compiles ~30 methods "
      "instead of ~200, the app ~90 instead of ~350). The first figure of each round also includes the parent's "
      "first use of the pool.")
    w("- Where a fresh worker's CPU goes up to its first answer (timestamps and CPU time taken inside the worker, "
      "`Environment.CpuUsage`): the .NET host and runtime up to `Main` about half; System.Text.Json's first use "
      "(options, caches, contracts) was another ~20 % (~25 ms of CPU at load 10-20), now skipped for ints, longs, "
      "bools, finite doubles and plain ASCII strings (written and read by `PlainJson`, the same bytes); "
      "`Console.OpenStandardError` in the worker's set-up ~8 ms, now a plain stream on file descriptor 2; loading the "
      "function's assembly and resolving it ~10 ms. On the app's side, the spare worker's `Process.Start` ran on the "
      "thread pool, which the first pool had to start up first: it now has a thread of its own, and the next spare "
      "starts once the worker taken has booted (two runtimes booting side by side on 2 cores slowed the one the pool "
      "waited for).")
    w("- A closer timeline of the first pool (marks with wall and CPU time in the app and the worker, quiet machine): "
      "the worker's process starts ~20 ms after the constructor is called (the app loads Juggle, finds the host and "
      "the worker, and the first `Process.Start` of a process takes 10-20 ms of its own); the runtime reaches the "
      "worker's `Main` ~35 ms later; the worker's own code takes ~30 ms of CPU to its first answer, in a dozen steps of "
      "1-8 ms each (taking over its standard streams, starting its reader thread, loading the function's assembly, the "
      "first UTF-8 decoding of the process, the first reflection call). Removed from that path: the first culture of "
      "the process (an executor's name formatted with the invariant culture loaded ICU, ~5 ms of CPU: names are now "
      "written digit by digit), generic framework code over `long` that is not precompiled (`HashSet<long>`, "
      "`Enum.IsDefined`, `Array.Fill<long>`: each JIT-compiled in every fresh worker), and the UTF-8 encoder for "
      "ASCII names in frames. Same-run A/B (`processes cold 3 100 1`, 8 interleaved rounds each): first pool 121.5 → "
      "116.9 ms, `maxTasksPerChild: 1` 14.2 → 15.0 tasks/s; later pools unchanged (~57 ms: the spare taken is still "
      "booting when a pool follows another at once).")
    w("- Measured and left out (a fresh worker's CPU time to its first answer, or the first Map, same run): "
      "`DOTNET_TieredCompilation=0` in workers (first Map faster, ~40 instead of ~52 µs per item at load 10-14, but "
      "the warm Map at chunk size 1 slower, ~9-25 instead of ~6-8 µs: ReadyToRun code is never re-optimised); "
      "`DOTNET_TC_CallCountingDelayMs=0` (first Map slower); `DOTNET_TC_QuickJitForLoops=0` and `DOTNET_LTTng=0` (no "
      "change in start-up CPU); `DOTNET_EnableDiagnostics=0` (~2 ms of a hello-world's ~55 ms of CPU, not worth "
      "losing debuggers and `dotnet-trace` in workers); `DisableRuntimeMarshalling` on the worker (its P/Invoke "
      "stubs were not the cost); not creating the ActivitySource on the first Submit (no change: it runs while the "
      "worker boots); keeping a disposed pool's idle workers as spares for the next pool (would make later pools a "
      "few ms, but Dispose is documented and tested to leave no worker process).")
    w("- Memory: a worker's VmRSS is mostly the shared .NET runtime files (CoreLib, coreclr, the JIT), counted in "
      "full in every worker; what each worker adds on its own (RssAnon) is smaller than a CPython worker's.")
    w("")
    return "\n".join(out) + "\n"


def render_head(args, mach, load_before, load_after, loads, started, total, w):
    """The title and machine of a run of the start-up paths alone (--only-cold)."""
    w("# ProcessPoolExecutor start-up paths: Juggle vs CPython")
    w("")
    w(REGENERATE)
    w("")
    w(f"Generated by `bench/processes/run.py --only-cold --cold-rounds {args.cold_rounds} --cold-repeats {args.cold_repeats} "
      f"--recycle-tasks {args.recycle_tasks}` (a partial run: the start-up paths only).")
    w("")
    w(run_line(mach, started, total))
    w(f"- {mach['nproc']} cores (nproc), {mach['cpu']}, {mach['memory']} RAM, {mach['os']}; .NET SDK {mach['dotnet']}, "
      f"{mach['python']}")
    w(f"- load average (1/5/15 min) before: {load_before}; after: {load_after}")
    w("")


def render_cold(args, cold, w):
    """The start-up paths: first and later pools, maxTasksPerChild=1 recycling, the first Map; three contenders."""
    runs = cold["runs"]

    def figures(name, key, pick=None):
        xs = []
        for r in runs[name]:
            v = r.get(key) or []
            xs.extend(pick(v) if pick else v)
        return xs

    def m(name, key, pick=None):
        if key == "first_map_default_us_per_item" and name == "CPython":
            key = "first_map1_us_per_item"  # CPython's default chunksize is 1
        xs = figures(name, key, pick)
        return statistics.median(xs) if xs else None

    first, later = (lambda v: v[:1]), (lambda v: v[1:])
    c, j, nw, n = COLD_CONTENDERS
    rows = [
        ("first pool of a process: constructor → first result (ms)", "startup_ms", first, "≤ 100 ms",
         lambda x, py: x <= 100, "{:.1f}"),
        ("a later pool of the same process (ms)", "startup_ms", later, "≤ 60 ms", lambda x, py: x <= 60, "{:.1f}"),
        (f"`maxTasksPerChild: 1` / `max_tasks_per_child=1`, {args.recycle_tasks:,} no-op tasks on 2 workers (tasks/s)",
         "recycle_tasks_per_s", None, "ahead of CPython", lambda x, py: py is not None and x > py, "{:.1f}"),
        ("first Map of 20,000 no-op items right after a fresh pool's first result, chunk size 1 (µs per item)",
         "first_map1_us_per_item", None, "≤ 10 µs", lambda x, py: x <= 10, "{:.2f}"),
        ("the same first Map with default arguments (Juggle: no chunkSize, it picks one; CPython: its default, "
         "chunksize=1) (µs per item)", "first_map_default_us_per_item", None, "≤ 10 µs", lambda x, py: x <= 10, "{:.2f}"),
    ]
    w("## Start-up paths: cold pools, worker replacement, the first Map")
    w("")
    w(f"Same script, after the figures above: {args.cold_rounds} round{'s' if args.cold_rounds != 1 else ''}; in each, four fresh processes one after the "
      "other (interleaved): `python3 bench/processes/cpython_processes.py cold R T 1`, `dotnet Juggle.Benchmarks.dll "
      "processes cold R T 1` (`bench/Juggle.Benchmarks/ProcessesSideBySide.cs`, defaults: a pool's constructor starts "
      "the warm spare worker if there is none), the same with `JUGGLE_WORKER_WARMUP=1` (a new worker also rehearses its "
      "call path while it waits; off by default) and with `JUGGLE_SPARE_WORKER=0` (no spare: every worker "
      "started on demand), for an A/B of each aid in the same run. Each process creates "
      f"R = {args.cold_repeats} pools of 1 worker one after the other, timed from the constructor to the first result "
      "(the first is the first pool of the process: nothing of the pool is loaded or JIT-compiled yet), then "
      f"R pools of 2 workers whose first Map of 20,000 no-op items (chunk size 1) starts right after their first "
      f"result; in round 1 only, T = {args.recycle_tasks:,} no-op tasks on 2 workers with every task in a fresh worker. "
      "After each plain Juggle process, one more fresh process (`processes cold R 0 1 auto`) measures the first Map with "
      "default arguments instead (only that figure of it is used). "
      f"Load average (1 / 5 / 15 min) before each round and after: {'; '.join(cold['loads'])}.")
    w("")
    w(f"| measurement (median) | {c} | {j} | {nw} | {n} | Juggle vs CPython | target | met |")
    w("|---|---:|---:|---:|---:|---:|---|---|")
    for label, key, pick, target, ok, fmt in rows:
        py, ju, nwu, ns = m(c, key, pick), m(j, key, pick), m(nw, key, pick), m(n, key, pick)
        if ju is None:
            continue
        if py is None:
            ratio = "—"
        elif key == "recycle_tasks_per_s":
            ratio = f"{ju / py:.2f}× the rate"
        else:
            ratio = f"{py / ju:.2f}× ({'faster' if ju < py else 'slower'})"
        cell = (lambda v: fmt.format(v) if v is not None else "—")
        w(f"| {label} | {cell(py)} | {cell(ju)} | {cell(nwu)} | {cell(ns)} | {ratio} | {target} | {mark(ok(ju, py))} |")
    w("")
    w("Every figure (one line per process; `startup_ms` lists its pools in order):")
    w("")
    w("```")
    for name in COLD_CONTENDERS:
        for r in runs[name]:
            w(f"{name}: {json.dumps(r)}")
    w("```")
    w("")
    w("CPython's `max_tasks_per_child` makes its pool use the spawn start method (a fresh interpreter per worker); "
      "its other pools fork. A Juggle worker is always a fresh .NET process; the warm spare worker is started ahead of "
      "need and adopted by the next pool or replacement. With `maxTasksPerChild: 1` on 2 cores the rate is bounded by "
      "the CPU each worker start costs (the .NET host and runtime start, not Juggle's code): every task pays one.")
    w("")


def bdn_cpu_ratio(table):
    """Median sequential / median pool of the CPU-loop rows of BenchmarkDotNet's table, or None."""
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in table.splitlines()]
    if not rows:
        return None
    try:
        col = rows[0].index("Median")
    except ValueError:
        return None

    def value(name):
        for r in rows[2:]:
            if name in r[0]:
                number, unit = r[col].replace(",", "").split()
                return float(number) * {"ns": 1e-9, "μs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1}.get(unit, 1)
        return None

    seq, pool = value("sequential in-process"), value("process pool (2 workers)")
    return seq / pool if seq and pool else None


if __name__ == "__main__":
    main()
