#!/usr/bin/env python3
"""Writes docs/benchmarks.md from ONE run of bench/run-all.sh:

    python3 bench/report.py OUT_DIR [OTHER_RUN_DIR...] > docs/benchmarks.md
    python3 bench/report.py OUT_DIR --appendix >> docs/benchmarks.md   (only the async and cold-start sections)
    python3 bench/report.py OUT_DIR --doc docs/benchmarks.md            (writes the file, carrying over its hand-written
                                                                         blocks; what bench/run-all.sh does)

Every figure in the document comes from the files in OUT_DIR; nothing is typed in by hand. Other run
directories (same code, other moments) only add a table of their headline figures, to show the spread on a
shared machine. Stdlib only.
"""
import contextlib
import io
import json
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchutil import REGENERATE, write_doc  # noqa: E402


def bdn_version():
    """The BenchmarkDotNet version the benchmarks build with (central package management)."""
    props = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Directory.Packages.props")
    m = re.search(r'Include="BenchmarkDotNet" Version="([^"]+)"', open(props).read())
    return m.group(1) if m else "(see Directory.Packages.props)"

UNITS = {"ns": 1e-6, "μs": 1e-3, "us": 1e-3, "µs": 1e-3, "ms": 1.0, "s": 1000.0}


def to_ms(cell):
    """'1,476.1 ns' -> 0.0014761 (ms); 'NA' -> None."""
    m = re.match(r"^\s*([\d,.]+)\s*(ns|μs|µs|us|ms|s)\s*$", cell)
    return float(m.group(1).replace(",", "")) * UNITS[m.group(2)] if m else None


def bdn_rows(text):
    """All rows of every BenchmarkDotNet summary table, keyed by method description."""
    rows, header = {}, None
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
        elif not set(cells[0]) <= set("-: "):
            # The first table with a description wins: a later class may reuse it with parameters (TracingBenchmarks
            # runs "ThreadPoolExecutor(2) Submit + Result" once per listener).
            rows.setdefault(cells[0].strip("'"), dict(zip(header, cells)))
    return rows


def bdn_tables(text):
    """The summary tables as markdown, in order."""
    tables, current = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line.rstrip())
        elif current:
            tables.append("\n".join(current))
            current = []
    if current:
        tables.append("\n".join(current))
    return tables


def kv(path):
    out = {}
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            if ":" in line:
                k, v = line.split(":", 1)
                out[k.strip()] = v.strip()
    return out


def read(path):
    return open(path, encoding="utf-8").read() if os.path.exists(path) else ""


def verdict(ok):
    return "**met**" if ok else "**missed**"


def fmt_ns(ms):
    return f"{ms * 1e6:,.0f} ns"


def headline(out):
    """The headline figures of one run, for the spread table."""
    m = kv(os.path.join(out, "machine.txt"))
    rows = bdn_rows(read(os.path.join(out, "bdn.txt")))
    raw = dict(re.findall(r"^raw (CPython|Juggle):\s*(\{.*\})$", read(os.path.join(out, "side-by-side.txt")), re.M))
    loads = [float(x) for x in re.findall(r"load (?:before|after):\s+([\d.]+)", read(os.path.join(out, "log.txt")))]
    peak = re.search(r"VmHWM\) at end: ([\d.]+) MB", read(os.path.join(out, "peak-map-chunk1.txt")))

    def med(name):
        return to_ms(rows[name]["Median"]) if name in rows else None

    h = {"date": m.get("date", "?"), "commit": m.get("commit", "?").split()[0], "core": m.get("core", "?"), "load": max(loads) if loads else None}
    sub, tr = med("ThreadPoolExecutor(2) Submit + Result"), med("Task.Run + .Result")
    h["submit_ns"] = sub * 1e6 if sub else None
    h["vs_taskrun"] = sub / tr if sub and tr else None
    if raw:
        py, cs = json.loads(raw["CPython"]), json.loads(raw["Juggle"])
        h["py_us"], h["cs_us"] = statistics.median(py["submit_us_per_task"]), statistics.median(cs["submit_us_per_task"])
    h["blocking"] = med("100 x Sleep(200 ms), maxWorkers 100")
    h["fetch"] = med("20 fetches, ThreadPoolExecutor(20)")
    h["peak"] = float(peak.group(1)) if peak else None
    return h


def spread_table(dirs):
    def f(v, fmt):
        return format(v, fmt) if v is not None else "—"

    lines = ["| run (UTC) | commit | core (last commit in src/Juggle) | max load | Submit+Result ns/task | × Task.Run | CPython µs / Juggle µs (×) | blocking ms | fetch ms | Map peak MB |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for d in dirs:
        h = headline(d)
        ratio = f"{h['py_us']:.1f} / {h['cs_us']:.2f} ({h['py_us'] / h['cs_us']:.1f}×)" if "py_us" in h else "—"
        lines.append(f"| {h['date']} | `{h['commit']}` | `{h['core']}` | {f(h['load'], '.1f')} | {f(h['submit_ns'], ',.0f')} | {f(h['vs_taskrun'], '.2f')} |"
                     f" {ratio} | {f(h['blocking'], '.1f')} | {f(h['fetch'], '.1f')} | {f(h['peak'], '.1f')} |")
    return "\n".join(lines)


def main():
    if "--doc" in sys.argv:
        i = sys.argv.index("--doc")
        doc = sys.argv[i + 1]
        del sys.argv[i:i + 2]
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            render()
        write_doc(doc, buffer.getvalue())
        return
    render()


def render():
    argv = [a for a in sys.argv[1:] if a != "--appendix"]
    out = argv[0]
    other_runs = argv[1:]
    m = kv(os.path.join(out, "machine.txt"))
    log = read(os.path.join(out, "log.txt"))
    bdn_text = read(os.path.join(out, "bdn.txt"))
    rows = bdn_rows(bdn_text)
    sbs_text = read(os.path.join(out, "side-by-side.txt"))
    raw = dict(re.findall(r"^raw (CPython|Juggle):\s*(\{.*\})$", sbs_text, re.M))
    # A run may have only some steps (STEPS=...): every section below appears only if its figures exist.
    have_sbs = "CPython" in raw and "Juggle" in raw
    py, cs = (json.loads(raw["CPython"]), json.loads(raw["Juggle"])) if have_sbs else ({}, {})
    peaks = {}
    for chunk in ("1", "100"):
        t = read(os.path.join(out, f"peak-map-chunk{chunk}.txt"))
        if not re.search(r"VmHWM\) at end: ([\d.]+) MB", t):
            continue
        peaks[chunk] = {
            "text": t.strip(),
            "peak": float(re.search(r"VmHWM\) at end: ([\d.]+) MB", t).group(1)),
            "before": float(re.search(r"before Map: ([\d.]+) MB", t).group(1)),
            "heap": float(re.search(r"sampled every 10 ms: ([\d.]+) MB", t).group(1)),
            "secs": float(re.search(r": ([\d.]+) s \(", t).group(1)),
            "per": float(re.search(r"\(([\d.]+) µs/item\)", t).group(1)),
        }
    async_text = read(os.path.join(out, "async-fanout.txt"))
    async_runs = [json.loads(x) for x in re.findall(r"^raw (\{.*\})$", async_text, re.M)]
    cold_text = read(os.path.join(out, "cold-start.txt"))
    cold_raw = re.search(r"^raw (\{.*\})$", cold_text, re.M)
    cold = json.loads(cold_raw.group(1)) if cold_raw else {}

    def async_med(variant, tasks, key):
        xs = [r[key] for r in async_runs if r["variant"] == variant and r["tasks"] == tasks]
        return statistics.median(xs) if xs else None

    def cold_med(name, key="total_ms"):
        return statistics.median(r[key] for r in cold[name]) if cold.get(name) else None

    loads = re.findall(r"load (?:before|after):\s+([\d.]+)", log)
    max_load = max(float(x) for x in loads) if loads else None

    def med(name):
        return to_ms(rows[name]["Median"]) if name in rows else None

    def col(name, c):
        return rows[name].get(c, "") if name in rows else ""

    def first_row(*names):
        """The first of several descriptions present in this run (they changed with the core's defaults)."""
        return next((n for n in names if n in rows), names[0])

    def table_with(name):
        return next((t for t in bdn_tables(bdn_text) if name in t), None)

    task_run, submit = "Task.Run + .Result", "ThreadPoolExecutor(2) Submit + Result"
    blocking, pooled, seq = "100 x Sleep(200 ms), maxWorkers 100", "20 fetches, ThreadPoolExecutor(20)", "20 fetches, sequential"
    threads, when_all = "100 x Sleep(200 ms), 100 new Threads + Join (no executor)", "20 fetches, async HttpClient + Task.WhenAll (no executor)"
    fetch_threads, pooled_async = "20 fetches, 20 plain Threads, blocking Send (no executor)", "20 fetches, ThreadPoolExecutor(20), async Submit"
    shutdown_text = read(os.path.join(out, "shutdown-latency.txt")).strip()
    map1 = first_row("Map, chunkSize 1 (default window)", "Map, chunkSize 1 (default bufferSize 4)")
    map1w4, map1b = "Map, chunkSize 1, bufferSize 4", "Map, chunkSize 1, bufferSize 1024"
    map100 = first_row("Map, chunkSize 100 (default window)", "Map, chunkSize 100 (default bufferSize 4)")

    submit_ms, taskrun_ms = med(submit), med(task_run)
    vs_taskrun = submit_ms / taskrun_ms if submit_ms and taskrun_ms else None
    py_sub = statistics.median(py["submit_us_per_task"]) if have_sbs else None
    cs_sub = statistics.median(cs["submit_us_per_task"]) if have_sbs else None
    block_ms, pooled_ms, seq_ms = med(blocking), med(pooled), med(seq)
    sbs_block = statistics.median(cs["blocking_ms"]) if have_sbs else None
    sbs_pooled = statistics.median(cs["fetch_pooled_ms"]) if have_sbs else None
    peak = peaks["1"]["peak"] if "1" in peaks else None

    def sbs_note(value):
        return f" (side-by-side run: {value:.1f} ms)" if value is not None else ""

    p = print

    def map_defaults_verdicts():
        """`Map` without a chunk size against PLINQ, the plain loop, and the process pool's per-item cost."""
        default, plinq, loop = med("ThreadPoolExecutor(2).Map, defaults"), med("PLINQ AsParallel().AsOrdered().Select"), med("sequential foreach")
        if default and plinq and loop:
            p(f"| default `Map` of 1,000,000 items of ~1 µs CPU: within 1.2× of PLINQ (ordered) | {fmt_ns(default)} vs PLINQ "
              f"{fmt_ns(plinq)} per item → **{default / plinq:.2f}×** | {verdict(default / plinq <= 1.2)} |")
            p(f"| … and never slower than the sequential loop | loop {fmt_ns(loop)} per item → **{default / loop:.2f}×** the loop | {verdict(default <= loop)} |")
        process_default = med("ProcessPoolExecutor(2).Map no-op, defaults")
        if process_default:
            p(f"| process pool, default `Map` of 100,000 no-op items: ≤ 1 µs per item | {fmt_ns(process_default)} per item | {verdict(process_default <= 0.001)} |")

    def async_cold_verdicts():
        if async_med("juggle", 10_000, "seconds") and async_med("bcl", 10_000, "seconds"):
            j, b = (lambda k: async_med("juggle", 10_000, k)), (lambda k: async_med("bcl", 10_000, k))
            p(f"| 10,000 async tasks awaiting 500 ms, `maxWorkers: 1000`: within 1.05× of `Parallel.ForEachAsync` (degree 1000) | "
              f"{j('seconds'):.2f} s vs {b('seconds'):.2f} s → **{j('seconds') / b('seconds'):.3f}×** | {verdict(j('seconds') / b('seconds') <= 1.05)} |")
            p(f"| … ≤ 50 threads | {j('peak_threads'):.0f} threads (BCL {b('peak_threads'):.0f}) | {verdict(j('peak_threads') <= 50)} |")
            p(f"| … peak memory ≤ 1.5× the BCL's | {j('peak_working_set_mb'):.1f} MB vs {b('peak_working_set_mb'):.1f} MB → "
              f"**{j('peak_working_set_mb') / b('peak_working_set_mb'):.2f}×** | {verdict(j('peak_working_set_mb') / b('peak_working_set_mb') <= 1.5)} |")
        if async_med("juggle", 100_000, "seconds"):
            p(f"| 100,000 async tasks at a concurrency of 10,000 work | {async_med('juggle', 100_000, 'seconds'):.2f} s, "
              f"{async_med('juggle', 100_000, 'peak_threads'):.0f} threads (BCL {async_med('bcl', 100_000, 'seconds'):.2f} s) | **met** |")
        if cold_med("Juggle (JIT)") and cold_med("CPython"):
            p(f"| first `ThreadPoolExecutor(100)` of a process, 100 × 200 ms sleeps: ≤ 225 ms | JIT {cold_med('Juggle (JIT)'):.1f} ms, "
              f"ReadyToRun {cold_med('Juggle (ReadyToRun)'):.1f} ms; CPython {cold_med('CPython'):.1f} ms in the same run | "
              f"{verdict(cold_med('Juggle (JIT)') <= 225)} (JIT), {verdict(cold_med('Juggle (ReadyToRun)') <= 225)} (ReadyToRun) |")

    def async_cold_sections():
        if async_runs:
            p("## 8. Async work holds a slot, not a thread (`bench/async/run.py`)")
            p()
            p("`async-fanout` (`bench/Juggle.Benchmarks/AsyncFanOut.cs`) runs N async functions that each await")
            p("`Task.Delay(500 ms)`, at most C at once: on `ThreadPoolExecutor(maxWorkers: C)` with `Submit(async ct => …)`")
            p("then every `Result()`, or with the BCL's `Parallel.ForEachAsync` (`MaxDegreeOfParallelism = C`). Each")
            p("measurement is a fresh process (so peak threads and memory are its own), the two alternating; threads are")
            p("sampled every 5 ms from `/proc/self/status`, memory is the peak working set (VmHWM). Ideal time: N / C × 500 ms.")
            p()
            table = re.search(r"(^\| tasks.*?)(?:\n\n|\Z)", async_text, re.S | re.M)
            p(table.group(1).strip() if table else "(table missing)")
            p()
            p("Every run:")
            p()
            p("```")
            for r in async_runs:
                p(json.dumps(r))
            p("```")
            p()
            p("The executor's worker starts the async function; when the function returns an unfinished task, the worker")
            p("goes back to the queue while the task keeps its slot (so `MaxWorkers` still bounds sync and async work together)")
            p("until it completes. A few threads start all the work; continuations run on the .NET thread pool.")
            p()
        if cold:
            p("## 9. The first fan-out of a process (`bench/cold-start/run.py`)")
            p()
            p("`bench/ColdStart` is a small console app whose only work is the first `ThreadPoolExecutor(100)` of the process:")
            p("100 tasks sleeping 200 ms, timed in-process from before the constructor to the last result; the script also")
            p("times the whole process. Three contenders, interleaved, a fresh process each time: the app built with `dotnet")
            p("build` (Juggle.dll is IL, JIT-compiled — what a project or package reference gives), the same app published with")
            p("`PublishReadyToRun` (Juggle.dll precompiled with it), and `bench/cold-start/cpython_cold.py` (CPython's")
            p("`ThreadPoolExecutor(100)` doing the same).")
            p()
            table = re.search(r"(^\| contender.*?)(?:\n\n|\Z)", cold_text, re.S | re.M)
            p(table.group(1).strip() if table else "(table missing)")
            p()
            for line in cold_text.splitlines():
                if "JIT-compiled" in line or line.startswith("First ThreadPoolExecutor"):
                    p(line)
                    p()

    if "--appendix" in sys.argv:
        p("## Async work and the first fan-out: a later run")
        p()
        p(f"Sections 8 and 9 come from a later run of `bench/run-all.sh` ({m.get('date', '?')}, commit `{m.get('commit', '?')}`;")
        p(f"load average {m.get('load before', '?')} before it, on {m.get('nproc', '?')} cores shared with other jobs), not from the")
        p("run above; each contender is compared with its baseline measured in the same run.")
        p()
        p("| target | figure (median) | verdict |")
        p("|---|---|---|")
        async_cold_verdicts()
        p()
        async_cold_sections()
        return

    p("# Benchmarks")
    p()
    p(REGENERATE)
    p()
    p("Figures from **one run** of `bench/run-all.sh` (all benchmarks back to back), written into this file by")
    p("`bench/report.py`; nothing below is edited by hand except the sections marked as written by hand. Targets are")
    p("the thread pool's performance goals.")
    p()
    p("## Machine and run")
    p()
    p("| | |")
    p("|---|---|")
    p(f"| date | {m.get('date', '?')} |")
    p(f"| code | commit `{m.get('commit', '?')}`; core library as of `{m.get('core', '?')}` |")
    p(f"| cores (`nproc`) | {m.get('nproc', '?')} ({m.get('cpu', '?')}) |")
    p(f"| memory | {m.get('memory', '?')} |")
    p(f"| OS | {m.get('os', '?')} |")
    p(f"| `dotnet --version` | {m.get('dotnet', '?')} |")
    p(f"| `python3 --version` | {m.get('python', '?')} |")
    p(f"| load average before the run (1/5/15 min) | {m.get('load before', '?')} |")
    if max_load is not None:
        p(f"| highest 1-min load average seen between steps | {max_load:.2f} |")
    if m.get("steps"):
        p(f"| steps of this run | `{m['steps']}` |")
    if m.get("took"):
        p(f"| whole run (`bench/run-all.sh`, build included) | {m['took']} |")
    p()
    if max_load is not None and max_load > float(m.get("nproc", "2")):
        p(f"**The 2 cores were shared with other jobs during this run** (builds and test runs of other work on the")
        p(f"repository; 1-minute load average up to {max_load:.1f} on {m.get('nproc', '?')} cores). Every figure is")
        p("therefore pessimistic and noisy; the verdicts use the **median** of the iterations, and Min/Max show the")
        p("spread. Blocking and fetch figures suffer most: a 200 ms sleep that wakes up while the cores are busy")
        p("finishes late.")
        p()
    p("## Verdicts")
    p()
    p("| target | figure (median) | verdict |")
    p("|---|---|---|")
    if submit_ms is not None:
        p(f"| no-op `Submit` + `Result`, 2 workers: ≤ 1 µs per task | {fmt_ns(submit_ms)} per task | {verdict(submit_ms <= 0.001)} |")
    if vs_taskrun is not None:
        p(f"| … and within 2× of bare `Task.Run` (same run) | Task.Run {fmt_ns(taskrun_ms)} → **{vs_taskrun:.2f}×** | {verdict(vs_taskrun <= 2)} |")
    if have_sbs:
        p(f"| ≥ 20× less per-task overhead than CPython's `ThreadPoolExecutor` | CPython {py_sub:.2f} µs vs Juggle {cs_sub:.2f} µs → **{py_sub / cs_sub:.1f}×** | {verdict(py_sub / cs_sub >= 20)} |")
    if block_ms is not None or have_sbs:
        value = block_ms if block_ms is not None else sbs_block
        p(f"| 100 tasks blocking 200 ms, `maxWorkers: 100`: ≤ 250 ms | {value:.1f} ms{sbs_note(sbs_block) if block_ms is not None else ' (side-by-side run)'} | {verdict(value <= 250)} |")
    if pooled_ms is not None or have_sbs:
        value = pooled_ms if pooled_ms is not None else sbs_pooled
        p(f"| 20 × 200 ms loopback fetches: ≤ 220 ms | {value:.1f} ms{sbs_note(sbs_pooled) if pooled_ms is not None else ' (side-by-side run)'} | {verdict(value <= 220)} |")
    if pooled_async in rows:
        p(f"| … same fetches as async work (`Submit(ct => client.GetStringAsync(url, ct))`) | {med(pooled_async):.1f} ms | {verdict(med(pooled_async) <= 220)} |")
    if seq_ms is not None and pooled_ms is not None:
        p(f"| … vs ~4 s sequential | sequential {seq_ms / 1000:.2f} s → **{seq_ms / pooled_ms:.1f}×** faster pooled | — |")
    if peak is not None:
        p(f"| `Map` over 10,000,000 items: peak memory ≤ 100 MB | peak working set {peak:.1f} MB | {verdict(peak <= 100)} |")
    if map1 in rows:
        p(f"| (no target) `Map` of a no-op, chunkSize 1, default window | {fmt_ns(med(map1))} per item | — |")
    map_defaults_verdicts()
    async_cold_verdicts()
    p()
    if other_runs:
        p("On this shared machine the verdicts near a threshold flip with the load: the last section lists the same")
        p("headline figures from other complete runs of the same morning.")
        p()
    p("## How to run")
    p()
    p(f"From the repository root (Release build; BenchmarkDotNet {bdn_version()}, in-process toolchain, short jobs sized for a")
    p("shared 2-core machine: the whole suite takes a few minutes):")
    p()
    p("```bash")
    p("dotnet run -c Release --project bench/Juggle.Benchmarks -- --filter '*'                      # every BenchmarkDotNet class")
    p("dotnet run -c Release --project bench/Juggle.Benchmarks -- --filter '*SubmitBenchmarks*'     # Submit + Result vs Task.Run")
    p("dotnet run -c Release --project bench/Juggle.Benchmarks -- --filter '*MapBenchmarks*'        # Map per-item overhead")
    p("dotnet run -c Release --project bench/Juggle.Benchmarks -- --filter '*BlockingBenchmarks*'   # 100 x 200 ms sleeps")
    p("dotnet run -c Release --project bench/Juggle.Benchmarks -- --filter '*FetchBenchmarks*'      # pooled and sequential fetches")
    p("dotnet run -c Release --project bench/Juggle.Benchmarks -- peak-map 10000000 1               # Map peak memory (items, chunkSize[, maxWorkers, bufferSize])")
    p("dotnet run -c Release --project bench/Juggle.Benchmarks -- shutdown-latency 15               # Dispose of an executor whose work is done")
    p("python3 bench/side-by-side/run.py                                                            # Juggle vs CPython, one script")
    p("python3 bench/async/run.py                                                                   # async work vs Parallel.ForEachAsync, a process each")
    p("python3 bench/cold-start/run.py                                                              # first fan-out of a fresh process vs CPython")
    p("python3 bench/processes/run.py                                                               # process pool vs CPython (docs/benchmarks-processes.md)")
    p("bench/run-all.sh                                                                             # ALL of it: every step above, then every generated doc")
    p("```")
    p()
    p("The exact command lines of this run, with the load average before and after each step:")
    p()
    p("```")
    p(log.strip())
    p("```")
    p()
    if submit_ms is not None and taskrun_ms is not None:
        p("## 1. Per-task overhead: `Submit` + `Result` vs `Task.Run` (`SubmitBenchmarks`)")
        p()
        p("Submit 1,000,000 no-op `Func<int>`s to a `ThreadPoolExecutor(maxWorkers: 2)` (created once, workers")
        p("started before measuring), then call `Result()` on each; the baseline does the same with `Task.Run` +")
        p("`.Result` on the shared .NET thread pool. `OperationsPerInvoke = 1,000,000`, so figures are **per task**;")
        p("2 warm-up + 11 measured iterations of one invocation each.")
        p()
        p([t for t in bdn_tables(bdn_text) if task_run in t][0])
        p()
        p(f"Median: Juggle {fmt_ns(submit_ms)} per task, Task.Run {fmt_ns(taskrun_ms)}: **{vs_taskrun:.2f}×** Task.Run"
          f" (target ≤ 1 µs: {verdict(submit_ms <= 0.001)}; within 2×: {verdict(vs_taskrun <= 2)}). Juggle allocates"
          f" {col(submit, 'Allocated')} per task against {col(task_run, 'Allocated')}"
          " for a `Task<int>`.")
        p()
    if map1 in rows:
        p("## 2. Per-item overhead of `Map` (`MapBenchmarks`)")
        p()
        p("`Map(x => x, 100,000 ints)` on a 2-worker executor, per item. Without `bufferSize`, the thread pool's window")
        p("starts at 2 × MaxWorkers = 4 tasks and doubles, up to 4096 items, whenever it is topped up after a task")
        p("shorter than 100 µs (see `ThreadPoolExecutor`'s remarks and `docs/design.md`); a fixed window of 4 was the")
        p("default before.")
        p()
        p(table_with(map1))
        p()
        text = f"With one task per item and the default window, `Map` costs {fmt_ns(med(map1))} per item"
        if submit_ms:
            text += f" ({med(map1) / submit_ms:.1f}× a plain `Submit` + `Result` of section 1)"
        p(text + ".")
        if map1w4 in rows:
            p(f"A fixed window of 4 tasks, where the consumer and the two workers hand over almost every item through a")
            p(f"sleep/wake-up, costs {fmt_ns(med(map1w4))} ({med(map1w4) / med(map1):.1f}× the default window).")
        if map1b in rows:
            p(f"A fixed window of 1024 costs {fmt_ns(med(map1b))}.")
        if map100 in rows:
            p(f"`chunkSize: 100` (default window) brings it to {fmt_ns(med(map100))} per item.")
        p(f"Allocated per item with the default window: {col(map1, 'Allocated')}.")
        p()
    if peaks:
        p("## 3. `Map` over 10,000,000 items: peak memory (`peak-map`)")
        p()
        p("BenchmarkDotNet's MemoryDiagnoser counts allocated bytes, not peak memory, so a separate console mode maps")
        p("`x => x * 2` over a lazy `IEnumerable<long>` of 10,000,000 items on 2 workers, checks the sum, and prints the")
        p("process's peak working set (`Process.PeakWorkingSet64`, Linux VmHWM: the whole .NET process, runtime")
        p("included) and the largest managed heap seen by a 10 ms sampler.")
        p()
        for chunk in peaks:
            p(f"`peak-map 10000000 {chunk}`:")
            p()
            p("```")
            p(peaks[chunk]["text"])
            p("```")
            p()
        if "1" in peaks and "100" in peaks:
            p(f"Peak working set **{peaks['1']['peak']:.1f} MB** with chunkSize 1 ({peaks['1']['before']:.1f} MB of it before Map"
              f" started: runtime and JIT), **{peaks['100']['peak']:.1f} MB** with chunkSize 100: the target ≤ 100 MB is"
              f" {verdict(max(peaks['1']['peak'], peaks['100']['peak']) <= 100)}. The input is never materialised (the managed heap never exceeded"
              f" {max(peaks['1']['heap'], peaks['100']['heap']):.1f} MB). Time: {peaks['1']['secs']:.1f} s"
              f" ({peaks['1']['per']:.2f} µs/item) with chunkSize 1 and the default window — see section 2 —,"
              f" {peaks['100']['secs']:.1f} s with chunkSize 100.")
        else:
            for chunk, pk in peaks.items():
                p(f"chunkSize {chunk}: peak working set **{pk['peak']:.1f} MB** ({pk['before']:.1f} MB before Map), target ≤ 100 MB"
                  f" {verdict(pk['peak'] <= 100)}; largest managed heap {pk['heap']:.1f} MB; {pk['secs']:.1f} s ({pk['per']:.2f} µs/item).")
        p()
    if blocking in rows:
        p("## 4. 100 tasks blocking 200 ms, `maxWorkers: 100` (`BlockingBenchmarks`)")
        p()
        p("Each invocation creates `new ThreadPoolExecutor(maxWorkers: 100)`, submits 100 × `Thread.Sleep(200)`,")
        p("reads every result and disposes the executor (shutdown, waiting): construction included. The baseline")
        p("starts 100 plain `Thread`s that sleep and joins them: what the machine allows without any executor.")
        p("1 warm-up + 5 iterations.")
        p()
        p([t for t in bdn_tables(bdn_text) if blocking in t][0])
        p()
        p(f"Median {block_ms:.1f} ms, min {to_ms(col(blocking, 'Min')):.1f} ms, max {to_ms(col(blocking, 'Max')):.1f} ms:"
          f" target ≤ 250 ms {verdict(block_ms <= 250)} (ideal: 200 ms). 100 plain threads in the same run: median"
          f" {med(threads):.1f} ms.")
        p()
    if pooled in rows:
        p("## 5. 20 page fetches with 200 ms latency (`FetchBenchmarks`, `SequentialFetchBenchmarks`)")
        p()
        p("A Kestrel server on 127.0.0.1 (ephemeral port), started once in `[GlobalSetup]`, answers `/page/{n}` after")
        p("`Task.Delay(200 ms)` with a small HTML page; a worker fetches it with the blocking `HttpClient.Send` and")
        p("extracts the `<title>` (seed 003's `requests.get` + parse). Pooled: a new `ThreadPoolExecutor(20)` per")
        p("invocation, 20 submits, results through `Futures.AsCompleted` (1 warm-up + 5 iterations). Baseline in the")
        p("same run: the 20 fetches as plain async I/O (`GetStringAsync` + `Task.WhenAll`, no executor), i.e. what the")
        p("machine and the server allow; 20 plain threads doing the same blocking fetches (no executor); and the")
        p("executor running the fetches as async work (`Submit(ct => client.GetStringAsync(url, ct))`). Sequential: the")
        p("same 20 fetches in a loop, measured with 1 iteration.")
        p()
        for name in (pooled, seq):
            if table_with(name):
                p(table_with(name))
                p()
        p(f"Pooled median {pooled_ms:.1f} ms (min {to_ms(col(pooled, 'Min')):.1f}, max {to_ms(col(pooled, 'Max')):.1f}):"
          f" target ≤ 220 ms {verdict(pooled_ms <= 220)}" + (f"; sequential {seq_ms / 1000:.2f} s, so pooling is"
          f" **{seq_ms / pooled_ms:.1f}×** faster (ideal 20×)" if seq_ms else "") + ". Plain async I/O without an executor, same run: median"
          f" {med(when_all):.1f} ms" + (f"; 20 plain threads with blocking fetches: {med(fetch_threads):.1f} ms; the executor with async"
          f" Submit: {med(pooled_async):.1f} ms." if pooled_async in rows else "."))
        p()
        p("Both executor variants create and dispose a `ThreadPoolExecutor(20)` per batch: construction and `Dispose`")
        p("(Shutdown with wait) are inside every figure; after the first batch the 20 threads come from the process-wide")
        p("cache of parked worker threads. Section 7 times `Dispose` alone.")
        p()
    if have_sbs:
        p("## 6. Side by side with CPython (`bench/side-by-side/run.py`)")
        p()
        p("One script runs `bench/side-by-side/cpython_bench.py` (stdlib `concurrent.futures.ThreadPoolExecutor`,")
        p("`http.server.ThreadingHTTPServer` + `urllib`) and then the same program in C# (`Juggle.Benchmarks")
        p("side-by-side`, Kestrel + `HttpClient`), one after the other on the same machine. Submit overhead: submit")
        p("N no-ops to 2 workers, then `result()` each (CPython N = 100,000, Juggle N = 1,000,000; a warm-up, then 5")
        p("repetitions); blocking and pooled fetches: 3 repetitions each, a new executor every time (the first")
        p("C# repetition also starts the threads); sequential fetches: once. Medians:")
        p()
        table = re.search(r"(^\| measurement.*?)(?:\n\n|\Z)", sbs_text, re.S | re.M)
        p(table.group(1).strip() if table else "(table missing)")
        p()
        p("Raw figures (every repetition):")
        p()
        p("```")
        p("CPython: " + json.dumps(py))
        p("Juggle:  " + json.dumps(cs))
        p("```")
        p()
        p(f"Per-task overhead: CPython {py_sub:.2f} µs, Juggle {cs_sub:.2f} µs: **{py_sub / cs_sub:.1f}× less** (target ≥ 20×:"
          f" {verdict(py_sub / cs_sub >= 20)}; CPython's overhead is typically ~22 µs on this kind of machine). For blocking work")
        p("both runtimes are bound by the 200 ms sleeps, as expected: the point there is the ≤ 250 / ≤ 220 ms targets.")
        p("The CPython server sets `request_queue_size = 128` (the default listen backlog of 5 drops connections when 20")
        p("clients connect at once, which would measure the server, not the executor).")
        p()
    if shutdown_text:
        p("## 7. Shutdown latency of an idle executor (`shutdown-latency`)")
        p()
        p("`new ThreadPoolExecutor(n)`, n tasks of 20 ms so that n workers exist, all results read, then `Dispose()`")
        p("(Shutdown with wait) timed alone, either at once (as the benchmarks above do) or after 5 ms; 15 times each:")
        p()
        p("```")
        p(shutdown_text)
        p("```")
        p()
        medians = [float(x) for x in re.findall(r"median ([\d.]+) ms", shutdown_text)]
        maxima = [float(x) for x in re.findall(r"max ([\d.]+) ms", shutdown_text)]
        if medians and maxima:
            p(f"Medians from {min(medians):.1f} to {max(medians):.1f} ms, worst single `Dispose` {max(maxima):.1f} ms. A worker")
        else:
            p("A worker")
        p("that has just finished spins briefly for more work (at most `ProcessorCount` workers spin at once) and checks")
        p("the shutdown flag on every spin; sleeping workers are pulsed by Shutdown. What remains is waking up n threads")
        p("and letting each leave the executor (they park in the process-wide cache for the next executor), which grows")
        p("with n and with the load on the cores.")
        p()
    async_cold_sections()
    known = tuple(k for k in (task_run, map1, blocking, pooled, seq) if k in rows)
    others = [t for t in bdn_tables(bdn_text) if not any(k in t for k in known)]
    if others:
        p("## Other BenchmarkDotNet classes in the same run")
        p()
        for t in others:
            p(t)
            p()
    if other_runs:
        p("## The same benchmarks at other moments")
        p()
        p("Other complete runs of `bench/run-all.sh` the same morning, at different loads, to show how much the figures")
        p("above move on this shared machine; the core column tells which version of the library each run measured.")
        p("Medians; this document's run first:")
        p()
        p(spread_table([out, *other_runs]))
        p()
    p("## Notes")
    p()
    p("- BenchmarkDotNet runs in-process (`InProcessEmitToolchain`, see `bench/Juggle.Benchmarks/ShortJobAttribute.cs`)")
    p("  with the Monitoring strategy and one invocation per iteration: every invocation is already a batch of a")
    p("  million tasks or hundreds of milliseconds, and the in-process toolchain avoids rebuilding the solution")
    p("  for each class.")
    p("- `Juggle.Benchmarks` references `Microsoft.AspNetCore.App` only for the loopback Kestrel page server.")


if __name__ == "__main__":
    main()
