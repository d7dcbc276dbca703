#!/usr/bin/env python3
"""Async work on ThreadPoolExecutor vs the BCL's Parallel.ForEachAsync, side by side in one run.

    python3 bench/async/run.py [--artifacts-path DIR] [--skip-build] [--runs 3] [--no-scale]

Each measurement is a fresh process, `dotnet Juggle.Benchmarks.dll async-fanout juggle|bcl TASKS CONCURRENCY DELAY_MS`
(bench/Juggle.Benchmarks/AsyncFanOut.cs): TASKS async functions awaiting Task.Delay(DELAY_MS), at most CONCURRENCY
at once, on ThreadPoolExecutor(maxWorkers: CONCURRENCY) or with Parallel.ForEachAsync(MaxDegreeOfParallelism =
CONCURRENCY). It prints the wall time, the most threads the process had and its peak working set. The two
contenders alternate (BCL, Juggle, BCL, Juggle, ...): RUNS times 10,000 tasks at 1,000, then once 100,000 tasks at
10,000 (skip with --no-scale). Prints a table of medians and the raw JSON; stdlib only.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchutil import ROOT, loadavg, log  # noqa: E402

BENCH_PROJECT = os.path.join(ROOT, "bench", "Juggle.Benchmarks")
NAMES = {"bcl": "Parallel.ForEachAsync", "juggle": "ThreadPoolExecutor Submit(async ct => ...)"}


def run(dll, variant, tasks, concurrency, delay_ms):
    cmd = ["dotnet", dll, "async-fanout", variant, str(tasks), str(concurrency), str(delay_ms)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT, timeout=600).stdout
    return json.loads([x for x in out.splitlines() if x.startswith("{")][-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--artifacts-path", default=os.path.join(ROOT, "artifacts"))
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-scale", action="store_true")
    args = ap.parse_args()
    art = os.path.abspath(args.artifacts_path)
    if not args.skip_build:
        subprocess.run(["dotnet", "build", BENCH_PROJECT, "-c", "Release", "--artifacts-path", art, "-v", "q", "--nologo"],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    dll = os.path.join(art, "bin", "Juggle.Benchmarks", "release", "Juggle.Benchmarks.dll")

    load_before = loadavg()
    shapes = [(10_000, 1000, 500, args.runs)] + ([] if args.no_scale else [(100_000, 10_000, 500, 1)])
    results = []
    for tasks, concurrency, delay, runs in shapes:
        for i in range(runs):
            for variant in ("bcl", "juggle"):
                r = run(dll, variant, tasks, concurrency, delay)
                log(json.dumps(r))
                results.append(r)

    print(f"load average before {load_before}, after {loadavg()}")
    print()
    print("| tasks × delay, concurrency | contender | runs | time (median) | vs BCL | peak threads (median) | "
          "peak working set (median) | vs BCL |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for tasks, concurrency, delay, runs in shapes:
        med = {}
        for variant in ("bcl", "juggle"):
            rs = [r for r in results if r["variant"] == variant and r["tasks"] == tasks and r["concurrency"] == concurrency]
            med[variant] = {k: statistics.median(r[k] for r in rs) for k in ("seconds", "peak_threads", "peak_working_set_mb")}
            med[variant]["runs"] = len(rs)
        for variant in ("bcl", "juggle"):
            m, b = med[variant], med["bcl"]
            print(f"| {tasks:,} × {delay} ms, {concurrency:,} | {NAMES[variant]} | {m['runs']} | {m['seconds']:.3f} s | "
                  f"{m['seconds'] / b['seconds']:.3f}× | {m['peak_threads']:.0f} | {m['peak_working_set_mb']:.1f} MB | "
                  f"{m['peak_working_set_mb'] / b['peak_working_set_mb']:.2f}× |")
    print()
    for r in results:
        print("raw " + json.dumps(r))


if __name__ == "__main__":
    main()
