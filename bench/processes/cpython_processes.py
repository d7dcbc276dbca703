#!/usr/bin/env python3
"""CPython half of bench/processes/run.py: concurrent.futures.ProcessPoolExecutor, stdlib only.

    python3 bench/processes/cpython_processes.py [repeats=5] [items=20000]

Prints one JSON object with the same keys as `Juggle.Benchmarks processes` (the C# half):
 - startup_ms / dispose_ms: ProcessPoolExecutor(max_workers=1), submit(no_op, 1).result(), then shutdown(wait=True);
 - worker_rss_kb / worker_rss_anon_kb / worker_pss_kb: VmRSS and RssAnon (/proc/PID/status) and Pss
   (/proc/PID/smaps_rollup) of each of the 2 workers, idle after the warm-up;
 - map1_us_per_item / map500_us_per_item: list(pool.map(no_op, range(items), chunksize=1 | 500)) on 2 workers,
   per item;
 - cpu_sequential_ms / cpu_pool_ms: seed 003's math loop (sqrt(i) * sin(i), the loop of
   ProcessPoolBenchmarks.CpuLoop) 20 tasks of 3,000,000 + k iterations, in this process vs pool.map on 2 workers,
   interleaved. Default start method of the platform (fork on Linux for 3.11).
"""
import json
import math
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

CPU_TASKS = 20
CPU_ITERATIONS = 3_000_000


def no_op(x):
    return x


def cpu_loop(iterations):
    """Seed 003's CPU-bound loop: floating-point math, no allocation (same as ProcessPoolBenchmarks.CpuLoop)."""
    acc = 0.0
    sqrt, sin = math.sqrt, math.sin
    for i in range(1, iterations + 1):
        acc += sqrt(i) * sin(i)
    return int(acc)


def read_kb(path, field):
    """A "Name: N kB" figure of a /proc file (VmRSS of /proc/PID/status, Pss of smaps_rollup); 0 if unreadable."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def per_item(repeats, run, items):
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        total = run()
        out.append((time.perf_counter() - t0) * 1e6 / items)
        if total != items * (items - 1) // 2:
            raise SystemExit(f"map returned a wrong sum {total}")
    return out


def cold(args):
    """`cold [repeats] [recycle_tasks] [recycle_repeats]`: the start-up paths only, as `Juggle.Benchmarks processes cold`."""
    repeats = int(args[0]) if args else 5
    recycle_tasks = int(args[1]) if len(args) > 1 else 200
    recycle_repeats = int(args[2]) if len(args) > 2 else 1
    n = 20_000
    result = {"recycle_tasks": recycle_tasks, "items": n,
              "start_method": __import__("multiprocessing").get_start_method()}
    startup = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        with ProcessPoolExecutor(max_workers=1) as pool:
            pool.submit(no_op, 1).result()
            startup.append((time.perf_counter() - t0) * 1000)
    result["startup_ms"] = startup
    first_map = []
    for _ in range(repeats):
        with ProcessPoolExecutor(max_workers=2) as pool:
            pool.submit(no_op, 1).result()
            t0 = time.perf_counter()
            sum(pool.map(no_op, range(n), chunksize=1))
            first_map.append((time.perf_counter() - t0) * 1e6 / n)
    result["first_map1_us_per_item"] = first_map
    recycle = []
    for _ in range(recycle_repeats if recycle_tasks > 0 else 0):
        # max_tasks_per_child makes CPython use the spawn start method unless a context is given.
        with ProcessPoolExecutor(max_workers=2, max_tasks_per_child=1) as pool:
            t0 = time.perf_counter()
            sum(pool.map(no_op, range(recycle_tasks)))
            recycle.append(recycle_tasks / (time.perf_counter() - t0))
    result["recycle_tasks_per_s"] = recycle
    print(json.dumps(result))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "cold":
        return cold(sys.argv[2:])
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    result = {"items": n, "workers": 2, "cpu_tasks": CPU_TASKS, "cpu_iterations": CPU_ITERATIONS,
              "start_method": __import__("multiprocessing").get_start_method()}

    startup, dispose = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        pool = ProcessPoolExecutor(max_workers=1)
        pool.submit(no_op, 1).result()
        startup.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        pool.shutdown(wait=True)
        dispose.append((time.perf_counter() - t0) * 1000)
    result["startup_ms"] = startup
    result["dispose_ms"] = dispose

    with ProcessPoolExecutor(max_workers=2) as pool:
        sum(pool.map(no_op, range(n)))
        sum(pool.map(no_op, range(2000), chunksize=500))
        sum(pool.map(cpu_loop, range(1000, 1004)))
        time.sleep(0.5)
        pids = list(pool._processes)  # the worker PIDs (no public API for them)
        result["worker_pids"] = pids
        result["worker_rss_kb"] = [read_kb(f"/proc/{p}/status", "VmRSS:") for p in pids]
        result["worker_rss_anon_kb"] = [read_kb(f"/proc/{p}/status", "RssAnon:") for p in pids]
        result["worker_pss_kb"] = [read_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids]
        result["parent_rss_kb"] = read_kb(f"/proc/{os.getpid()}/status", "VmRSS:")

        result["map1_us_per_item"] = per_item(repeats, lambda: sum(pool.map(no_op, range(n), chunksize=1)), n)
        result["map500_us_per_item"] = per_item(repeats, lambda: sum(pool.map(no_op, range(n), chunksize=500)), n)

        sequential, pooled = [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            seq_sum = sum(cpu_loop(CPU_ITERATIONS + i) for i in range(CPU_TASKS))
            sequential.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            pool_sum = sum(pool.map(cpu_loop, range(CPU_ITERATIONS, CPU_ITERATIONS + CPU_TASKS)))
            pooled.append((time.perf_counter() - t0) * 1000)
            if pool_sum != seq_sum:
                raise SystemExit(f"pool sum {pool_sum} != sequential {seq_sum}")
        result["cpu_sequential_ms"] = sequential
        result["cpu_pool_ms"] = pooled

    print(json.dumps(result))


if __name__ == "__main__":
    main()
