#!/usr/bin/env python3
"""A/B timing of `juggle titles` builds (and CPython seed 000), interleaved, as whole processes.

    python3 bench/cli/ab.py --server EXE [--runs 7] [--urls 1000] [--cpython] \
        --variant 'NAME|ENV=1 OTHER=2|/path/to/juggle' [--variant ...]

For quick experiments (the full, documented benchmark is bench/cli/run.py): starts `EXE serve --latency 50`, then
runs each variant's `juggle titles -i urls.txt --workers 64 --json` (with the given environment variables added)
--runs times, interleaved, after one untimed warm-up each; prints best / median wall clock and median CPU, and
checks every run's output (1,000 distinct URLs, each with its title). The ENV part may be empty ('NAME||EXE').
"""
import argparse
import os
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as bench  # noqa: E402  (bench/cli/run.py: Server, run_timed, checks)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--server", required=True)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--urls", type=int, default=1000)
    ap.add_argument("--cpython", action="store_true", help="also time bench/cli/seed000_titles.py")
    ap.add_argument("--variant", action="append", default=[])
    args = ap.parse_args()

    variants = []
    for spec in args.variant:
        name, env, exe = spec.split("|", 2)
        extra = dict(kv.split("=", 1) for kv in env.split())
        variants.append((name, extra, [exe, "titles", "--workers", "64", "--json"], bench.check_juggle_titles))
    work = tempfile.mkdtemp(prefix="clibench-ab-")
    server = bench.Server(args.server, 50, args.urls)
    try:
        url_file = os.path.join(work, "urls.txt")
        with open(url_file, "w") as f:
            f.write("\n".join(server.urls) + "\n")
        if args.cpython:
            variants.append(("CPython seed 000", {}, [sys.executable, bench.SEED000, url_file, "--workers", "64"],
                             bench.check_seed_titles))
        out = os.path.join(work, "out.txt")
        walls = {v[0]: [] for v in variants}
        cpus = {v[0]: [] for v in variants}
        print(f"load before: {bench.loadavg()}", file=sys.stderr)
        for i in range(args.runs + 1):
            for name, extra, cmd, check in variants:
                full = cmd if cmd[0] == sys.executable else cmd + ["-i", url_file]
                saved = dict(os.environ)
                os.environ.update(extra)
                try:
                    wall, _, rc, err = bench.run_timed(full, stdout_path=out)
                finally:
                    os.environ.clear()
                    os.environ.update(saved)
                ok, total = check(out, server.urls)
                if rc != 0 or ok != total:
                    print(f"  {name}: exit {rc}, {ok}/{total} titles: {err.strip()[-300:]}", file=sys.stderr)
                if i == 0:
                    continue  # untimed warm-up
                walls[name].append(wall)
                cpus[name].append(bench.run_timed.cpu)
                print(f"  run {i}: {name}: {wall:.3f} s, cpu {bench.run_timed.cpu:.2f} s", file=sys.stderr)
        print(f"load after: {bench.loadavg()}", file=sys.stderr)
        print(f"{'variant':40} {'best':>7} {'median':>7} {'cpu':>5}")
        for name, *_ in variants:
            w = walls[name]
            print(f"{name:40} {min(w):7.3f} {statistics.median(w):7.3f} {statistics.median(cpus[name]):5.2f}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
