#!/usr/bin/env python3
"""Juggle vs CPython's concurrent.futures, on the same machine, in one run.

    python3 bench/side-by-side/run.py [--artifacts-path DIR] [--cs-tasks 1000000] [--py-tasks 100000] [--repeats 5]

Runs bench/side-by-side/cpython_bench.py and `Juggle.Benchmarks side-by-side` one after the other (never at the
same time) and prints the machine, a table of medians with the CPython/Juggle ratio, and the raw figures.
Stdlib only.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROJECT = os.path.join(ROOT, "bench", "Juggle.Benchmarks")
PY_BENCH = os.path.join(ROOT, "bench", "side-by-side", "cpython_bench.py")


def sh(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout.strip()


def machine():
    lines = [f"cores (nproc): {os.cpu_count()}"]
    try:
        with open("/proc/meminfo") as f:
            total_kb = int(f.readline().split()[1])
        lines.append(f"memory: {total_kb / 1048576:.1f} GiB")
    except OSError:
        pass
    try:
        lines.append(f"load average (1/5/15 min) before the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    except OSError:
        pass
    lines.append(f"dotnet: {sh(['dotnet', '--version'])}")
    lines.append(f"python: {platform.python_implementation()} {platform.python_version()}")
    lines.append(f"os: {platform.platform()}")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--artifacts-path", help="passed to dotnet build/run (keeps parallel builds apart)")
    ap.add_argument("--cs-tasks", type=int, default=1_000_000, help="no-op tasks per C# submit repetition")
    ap.add_argument("--py-tasks", type=int, default=100_000, help="no-op tasks per CPython submit repetition")
    ap.add_argument("--repeats", type=int, default=5, help="submit repetitions on each side (after a warm-up)")
    args = ap.parse_args()

    dotnet_common = ["-c", "Release", "--project", PROJECT]
    if args.artifacts_path:
        dotnet_common += ["--artifacts-path", args.artifacts_path]

    info = machine()
    build = ["dotnet", "build", PROJECT, "-c", "Release", "--nologo", "-v", "q"]
    if args.artifacts_path:
        build += ["--artifacts-path", args.artifacts_path]
    print("building Juggle.Benchmarks (Release)...", file=sys.stderr)
    sh(build)

    print("running CPython...", file=sys.stderr)
    py = json.loads(sh([sys.executable, PY_BENCH, str(args.py_tasks), str(args.repeats)]).splitlines()[-1])
    print("running Juggle...", file=sys.stderr)
    cs = json.loads(sh(["dotnet", "run", "--no-build", *dotnet_common, "--", "side-by-side", str(args.cs_tasks), str(args.repeats)]).splitlines()[-1])

    rows = [
        ("no-op submit + result, 2 workers (µs/task)", "submit_us_per_task", "≥ 20× less than CPython", lambda p, c: p / c >= 20),
        ("100 × sleep 200 ms, 100 workers (ms)", "blocking_ms", "≤ 250 ms", lambda p, c: c <= 250),
        ("20 × 200 ms loopback fetches, 20 workers (ms)", "fetch_pooled_ms", "≤ 220 ms", lambda p, c: c <= 220),
        ("20 × 200 ms loopback fetches, sequential (ms)", "fetch_sequential_ms", "~4 s (reference)", None),
    ]
    print()
    print("\n".join(info))
    print()
    header = f"| {'measurement (median)':<46} | {'CPython':>9} | {'Juggle':>9} | {'CPython/Juggle':>14} | {'Juggle target':<24} | met |"
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    for label, key, target, check in rows:
        p, c = statistics.median(py[key]), statistics.median(cs[key])
        met = "—" if check is None else ("yes" if check(p, c) else "NO")
        print(f"| {label:<46} | {p:>9.3f} | {c:>9.3f} | {p / c:>13.1f}× | {target:<24} | {met:<3} |")
    pooled, seq = statistics.median(cs["fetch_pooled_ms"]), cs["fetch_sequential_ms"][0]
    print(f"\nJuggle fetch speed-up vs sequential: {seq / pooled:.1f}×")
    print(f"submit tasks per repetition: CPython {py['submit_tasks']:,}, Juggle {cs['submit_tasks']:,}")
    print("\nraw CPython:", json.dumps(py))
    print("raw Juggle: ", json.dumps(cs))


if __name__ == "__main__":
    main()
