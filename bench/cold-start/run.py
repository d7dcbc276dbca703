#!/usr/bin/env python3
"""The first fan-out of a process, side by side with CPython: a fresh process per measurement.

    python3 bench/cold-start/run.py [--runs 10] [--workers 100] [--sleep-ms 200] [--artifacts-path DIR]
                                    [--skip-build] [--json OUT.json]

Builds bench/ColdStart twice (a plain Release build, JIT-compiled like `dotnet run`, and a ReadyToRun publish for
linux-x64, what an app gets with PublishReadyToRun), then runs, interleaved RUNS times: the JIT build, the
ReadyToRun build and bench/cold-start/cpython_cold.py. Each process times its own first
ThreadPoolExecutor(workers): constructor to last result of `workers` tasks sleeping SLEEP_MS (in-process), and this
script times the whole process (start to exit). Prints a table of medians and every figure; stdlib only.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchutil import ROOT, loadavg, log  # noqa: E402

PROJECT = os.path.join(ROOT, "bench", "ColdStart", "ColdStart.csproj")
CPYTHON = os.path.join(ROOT, "bench", "cold-start", "cpython_cold.py")


def build(art):
    jit_out = os.path.join(art, "cold-jit")
    r2r_out = os.path.join(art, "cold-r2r")
    for cmd in (
        ["dotnet", "build", PROJECT, "-c", "Release", "-o", jit_out, "-v", "q", "--nologo"],
        ["dotnet", "publish", PROJECT, "-c", "Release", "-r", "linux-x64", "--self-contained", "false",
         "-p:PublishReadyToRun=true", "-o", r2r_out, "-v", "q", "--nologo"],
    ):
        log("$ " + " ".join(cmd))
        subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return os.path.join(jit_out, "ColdStart.dll"), os.path.join(r2r_out, "ColdStart.dll")


def run_once(cmd):
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT, timeout=120).stdout
    wall = (time.perf_counter() - t0) * 1000
    data = json.loads([x for x in out.splitlines() if x.startswith("{")][-1])
    data["process_ms"] = wall
    return data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--workers", type=int, default=100)
    ap.add_argument("--sleep-ms", type=int, default=200)
    ap.add_argument("--artifacts-path", default=os.path.join(ROOT, "artifacts", "cold-start"))
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args()

    art = os.path.abspath(args.artifacts_path)
    if args.skip_build:
        jit_dll, r2r_dll = os.path.join(art, "cold-jit", "ColdStart.dll"), os.path.join(art, "cold-r2r", "ColdStart.dll")
    else:
        jit_dll, r2r_dll = build(art)

    n = [str(args.workers), str(args.sleep_ms)]
    contenders = {
        "Juggle (JIT)": ["dotnet", jit_dll, *n],
        "Juggle (ReadyToRun)": ["dotnet", r2r_dll, *n],
        "CPython": [sys.executable, CPYTHON, *n],
    }
    load_before = loadavg()
    results = {name: [] for name in contenders}
    for i in range(args.runs):
        for name, cmd in contenders.items():
            results[name].append(run_once(cmd))
        log(f"round {i + 1}/{args.runs} done, load {loadavg()}")
    load_after = loadavg()

    def med(name, key):
        return statistics.median(r[key] for r in results[name])

    def last_start(name):
        xs = [r["last_start_ms"] for r in results[name] if "last_start_ms" in r]
        return f"{statistics.median(xs):.1f} ms" if xs else "—"

    py_total = med("CPython", "total_ms")
    print(f"First ThreadPoolExecutor({args.workers}) of a fresh process, {args.workers} tasks sleeping {args.sleep_ms} ms, "
          f"{args.runs} runs each, interleaved; load average before {load_before}, after {load_after}.")
    print()
    print("| contender | constructor to last result (median) | min | submits (median) | last task began (median) | whole process (median) | vs CPython |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in contenders:
        total = med(name, "total_ms")
        print(f"| {name} | {total:.1f} ms | {min(r['total_ms'] for r in results[name]):.1f} ms | "
              f"{med(name, 'submit_ms'):.1f} ms | {last_start(name)} | {med(name, 'process_ms'):.0f} ms | {total / py_total:.2f}× |")
    print()
    for name in contenders:
        if "jit_methods" in results[name][0]:
            print(f"{name}: methods JIT-compiled from the constructor to the last result, median "
                  f"{statistics.median(r['jit_methods'] for r in results[name]):.0f} "
                  f"({statistics.median(r['jit_ms'] for r in results[name]):.1f} ms of JIT time)")
    print()
    print("raw " + json.dumps(results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f)


if __name__ == "__main__":
    main()
