#!/usr/bin/env python3
"""`juggle` CLI benchmarks, timed as whole processes (start-up included), in one run.

    python3 bench/cli/run.py [--artifacts-path DIR] [--repeats 3] [--startup-runs 11] [--seq-urls 200] [--big-urls 100000]
                             [--doc docs/benchmarks-cli.md | --no-doc] [--skip-build]

What it does (python3 stdlib only; about 2-3 minutes on 2 cores):
 1. builds the CLI once, three ways, into a temporary artifacts path (default /tmp/art-clibench):
    NativeAOT (`dotnet publish src/Juggle.Cli -c Release -r linux-x64 -p:PublishAot=true`), ReadyToRun
    (`dotnet publish src/Juggle.Cli -c Release -r linux-x64 --self-contained false`) and JIT
    (`dotnet build src/Juggle.Cli -c Release`), and times the builds;
 2. starts ONE loopback page server for every contender: the ReadyToRun `juggle serve --latency 50
    --write-urls 1000` (the URLs are read from its stdout). The same server answers the memory runs through its
    per-request `?delay=MS` override and its `/t/file/{name}?kb=N` download route (no second server needed);
 3. titles over 1,000 URLs, 50 ms latency, 64 workers: `juggle titles -i urls.txt --workers 64 --json`
    (ReadyToRun, JIT and NativeAOT) and bench/cli/seed000_titles.py (seed 000: CPython ThreadPoolExecutor(64) +
    as_completed + urllib), interleaved, --repeats runs each, best and median wall clock; every run's output is
    checked (1,000 distinct URLs, each with its "Page N" title). The sequential run
    (`juggle titles --mode sequential`) fetches only the first --seq-urls URLs (default 200) and its time is
    EXTRAPOLATED to 1,000 as start-up + (measured - start-up) x (1000/seq-urls) -- say so wherever it is quoted;
 4. peak memory (max RSS = VmHWM, from `/usr/bin/time -f %M`; /usr/bin/time was already installed here, else
    `apt-get install time`): `juggle titles` over --big-urls URLs (default 100,000) at 1 ms latency (not 50 ms,
    to keep the run short), and `juggle download` of 8 x 50 MB files with no latency (sizes and bytes checked);
    start-up alone: `juggle --version` and `juggle --help` (ReadyToRun, JIT, NativeAOT) and the bare CPython start-up with seed 000's imports;
 5. prints a table and writes docs/benchmarks-cli.md: machine, load average before/after, command, figures,
    ratios, and each target met or missed.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchutil import ROOT, doc_head, host_line, loadavg, log, machine, run_line, sh, write_doc  # noqa: E402  (bench/benchutil.py)

CLI_PROJECT = os.path.join(ROOT, "src", "Juggle.Cli")
SEED000 = os.path.join(ROOT, "bench", "cli", "seed000_titles.py")
TIME_BIN = "/usr/bin/time"
MB = 1024 * 1024


def build(art):
    """Returns (r2r_exe, jit_exe, native_exe, {name: seconds})."""
    r2r_dir = os.path.join(art, "publish-r2r")
    times = {}
    t0 = time.perf_counter()
    subprocess.run(["dotnet", "publish", CLI_PROJECT, "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true",
                    "-o", os.path.join(art, "publish-native"), "--artifacts-path", os.path.join(art, "native"),
                    "-nologo", "-v", "q"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    times["publish (NativeAOT)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    subprocess.run(["dotnet", "publish", CLI_PROJECT, "-c", "Release", "-r", "linux-x64", "--self-contained", "false",
                    "-o", r2r_dir, "--artifacts-path", art, "-nologo", "-v", "q"], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    times["publish (ReadyToRun)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    subprocess.run(["dotnet", "build", CLI_PROJECT, "-c", "Release", "--artifacts-path", art, "-nologo", "-v", "q"],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    times["build (JIT)"] = time.perf_counter() - t0
    return (os.path.join(r2r_dir, "Juggle.Cli"), os.path.join(art, "bin", "Juggle.Cli", "release", "juggle"),
            os.path.join(art, "publish-native", "juggle"), times)


def locate(art):
    return (os.path.join(art, "publish-r2r", "Juggle.Cli"),
            os.path.join(art, "bin", "Juggle.Cli", "release", "juggle"),
            os.path.join(art, "publish-native", "juggle"), {})


class Server:
    """`juggle serve` in the background; we started it, so we stop it by its pid."""

    def __init__(self, exe, latency_ms, n_urls):
        self.proc = subprocess.Popen([exe, "serve", "--latency", str(latency_ms), "--write-urls", str(n_urls)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.urls = []
        deadline = time.monotonic() + 60
        while len(self.urls) < n_urls:
            line = self.proc.stdout.readline()
            if not line:
                raise SystemExit(f"juggle serve exited early: {self.proc.stderr.read()}")
            self.urls.append(line.strip())
            if time.monotonic() > deadline:
                raise SystemExit("juggle serve did not print its URLs within 60 s")
        m = re.match(r"(http://[^/]+/)", self.urls[0])
        self.base = m.group(1)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def run_timed(cmd, stdout_path=None, stdin_path=None, timeout=300):
    """Runs cmd under /usr/bin/time; returns (wall seconds, max RSS bytes, exit code, stderr text).

    The CPU time (user + sys) of the last run is left in run_timed.cpu: unlike wall clock it barely depends on
    how busy the shared cores are."""
    with tempfile.NamedTemporaryFile("r", suffix=".time", delete=False) as tf:
        time_file = tf.name
    out = open(stdout_path, "w") if stdout_path else subprocess.DEVNULL
    try:
        t0 = time.perf_counter()
        p = subprocess.run([TIME_BIN, "-f", "%M %U %S", "-o", time_file] + cmd, stdout=out, stderr=subprocess.PIPE,
                           text=True, timeout=timeout, cwd=ROOT)
        wall = time.perf_counter() - t0
    finally:
        if stdout_path:
            out.close()
    with open(time_file) as f:
        lines = [line.strip() for line in f if line.strip()]
    os.unlink(time_file)
    fields = lines[-1].split() if lines else []
    ok = len(fields) == 3 and fields[0].isdigit()
    rss_kb = int(fields[0]) if ok else 0
    run_timed.cpu = float(fields[1]) + float(fields[2]) if ok else 0.0
    return wall, rss_kb * 1024, p.returncode, p.stderr


def check_juggle_titles(path, urls):
    want = set(urls)
    got = {}
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            got[rec["url"]] = rec
    ms = [rec["ms"] for rec in got.values() if isinstance(rec.get("ms"), (int, float))]
    check_juggle_titles.request_ms = statistics.median(ms) if ms else 0.0
    bad = [u for u in want if u not in got or got[u].get("status") != 200
           or not re.match(r"Page (\d+) \u2013 Juggle demo$", got[u].get("title") or "")
           or got[u]["title"].split()[1] != u.rsplit("/", 1)[1]]
    return len(want) - len(bad), len(want)


def check_seed_titles(path, urls):
    text = open(path).read()
    pairs = re.findall(r"^URL: (\S+)\nTitle: (.*)$", text, re.M)
    got = {u: t for u, t in pairs}
    ok = sum(1 for u in urls if got.get(u, "").startswith(f"Page {u.rsplit('/', 1)[1]} "))
    return ok, len(urls)


def summarise(walls):
    return {"best": min(walls), "median": statistics.median(walls), "runs": walls}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--artifacts-path", default="/tmp/art-clibench")
    ap.add_argument("--skip-build", action="store_true", help="reuse a previous build in --artifacts-path")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--startup-runs", type=int, default=11, help="runs of each start-up command (interleaved)")
    ap.add_argument("--seq-urls", type=int, default=200, help="URLs for the sequential run (extrapolated to 1,000)")
    ap.add_argument("--big-urls", type=int, default=100_000)
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "benchmarks-cli.md"))
    ap.add_argument("--no-doc", action="store_true")
    args = ap.parse_args()
    if not os.path.exists(TIME_BIN):
        raise SystemExit(f"{TIME_BIN} not found: install it with `apt-get install time`")

    started = datetime.datetime.now(datetime.timezone.utc)
    t_start = time.perf_counter()
    mach = machine()
    load_before = loadavg()
    log(f"machine: {mach}; load {load_before}")

    art = os.path.abspath(args.artifacts_path)
    r2r, jit, native, build_times = locate(art) if args.skip_build else build(art)
    for exe in (r2r, jit, native):
        if not os.path.exists(exe):
            raise SystemExit(f"{exe} missing: run without --skip-build")
    log(f"built: {build_times}")

    work = tempfile.mkdtemp(prefix="clibench-")
    server = Server(r2r, 50, 1000)
    results = {}
    try:
        urls = server.urls
        url_file = os.path.join(work, "urls.txt")
        with open(url_file, "w") as f:
            f.write("\n".join(urls) + "\n")
        seq_file = os.path.join(work, "urls-seq.txt")
        with open(seq_file, "w") as f:
            f.write("\n".join(urls[:args.seq_urls]) + "\n")
        warm_file = os.path.join(work, "urls-warm.txt")
        with open(warm_file, "w") as f:
            f.write("\n".join(urls[:64]) + "\n")

        contenders = {
            "juggle titles (ReadyToRun)": ([r2r, "titles", "-i", url_file, "--workers", "64", "--json"], check_juggle_titles),
            "juggle titles (JIT)": ([jit, "titles", "-i", url_file, "--workers", "64", "--json"], check_juggle_titles),
            "juggle titles (NativeAOT)": ([native, "titles", "-i", url_file, "--workers", "64", "--json"], check_juggle_titles),
            "CPython seed 000 (ThreadPoolExecutor(64))": ([sys.executable, SEED000, url_file, "--workers", "64"], check_seed_titles),
            # For information (not a contender): the same command with --mode async.
            "juggle titles --mode async (ReadyToRun)": ([r2r, "titles", "-i", url_file, "--workers", "64", "--json", "--mode", "async"], check_juggle_titles),
        }
        # Warm-up (untimed): page cache for the binaries, the server's JIT, loopback sockets.
        for name, (cmd, _) in contenders.items():
            warm = [warm_file if c == url_file else c for c in cmd]
            run_timed(warm)
        walls = {name: [] for name in contenders}
        rss = {name: [] for name in contenders}
        cpu = {name: [] for name in contenders}
        checks = {}
        native_request_ms = []
        for i in range(args.repeats):
            for name, (cmd, check) in contenders.items():
                out = os.path.join(work, "out.txt")
                wall, peak, rc, err = run_timed(cmd, stdout_path=out)
                ok, total = check(out, urls)
                cpu[name].append(run_timed.cpu)
                if name == "juggle titles (NativeAOT)":
                    native_request_ms.append(check_juggle_titles.request_ms)
                log(f"  run {i + 1}: {name}: {wall:.3f} s, cpu {run_timed.cpu:.2f} s, {peak / MB:.0f} MB, exit {rc}, {ok}/{total} titles")
                if rc != 0 or ok != total:
                    log(f"    stderr: {err.strip()[-500:]}")
                walls[name].append(wall)
                rss[name].append(peak)
                checks[name] = checks.get(name, True) and rc == 0 and ok == total
        results["native_request_ms"] = statistics.median(native_request_ms)
        for name in contenders:
            results[name] = summarise(walls[name]) | {"rss": max(rss[name]), "checked": checks[name],
                                                         "cpu": statistics.median(cpu[name])}

        # Start-up alone: every command once per round, interleaved, so each sees the same load.
        startup_cmds = {"juggle --version (ReadyToRun)": [r2r, "--version"],
                        "juggle --version (JIT)": [jit, "--version"],
                        "juggle --version (NativeAOT)": [native, "--version"],
                        "juggle --help (ReadyToRun)": [r2r, "--help"],
                        "juggle --help (JIT)": [jit, "--help"],
                        "juggle --help (NativeAOT)": [native, "--help"],
                        "python3 + seed 000's imports": [sys.executable, "-c", "import re, time, concurrent.futures, urllib.request"]}
        ws = {name: [] for name in startup_cmds}
        peaks = {name: [] for name in startup_cmds}
        cpus = {name: [] for name in startup_cmds}
        for _ in range(args.startup_runs):
            for name, cmd in startup_cmds.items():
                wall, peak, _, _ = run_timed(cmd)
                ws[name].append(wall)
                peaks[name].append(peak)
                cpus[name].append(run_timed.cpu)
        startup = {}
        for name in startup_cmds:
            startup[name] = summarise(ws[name]) | {"rss": max(peaks[name]), "cpu": statistics.median(cpus[name])}
            log(f"  start-up {name}: best {min(ws[name]) * 1000:.0f} ms, median {statistics.median(ws[name]) * 1000:.0f} ms")
        results["startup"] = startup

        seq_walls = []
        seq_ok = True
        for i in range(args.repeats):
            out = os.path.join(work, "out-seq.txt")
            wall, peak, rc, err = run_timed([r2r, "titles", "-i", seq_file, "--mode", "sequential", "--json"], stdout_path=out)
            ok, total = check_juggle_titles(out, urls[:args.seq_urls])
            seq_ok = seq_ok and rc == 0 and ok == total
            log(f"  run {i + 1}: sequential {args.seq_urls} URLs: {wall:.3f} s, {ok}/{total} titles")
            seq_walls.append(wall)
        # Extrapolate the fetching part only: start-up (median `juggle --version`, ReadyToRun) counted once.
        factor = 1000 / args.seq_urls
        up = startup["juggle --version (ReadyToRun)"]["median"]
        results["sequential"] = summarise(seq_walls) | {
            "checked": seq_ok, "factor": factor, "startup": up,
            "naive_median": statistics.median(seq_walls) * factor,
            "extrapolated_median": up + (statistics.median(seq_walls) - up) * factor,
            "extrapolated_best": up + (min(seq_walls) - up) * factor}

        # Peak memory: titles over many URLs at 1 ms latency (the server's ?delay override).
        big_file = os.path.join(work, "urls-big.txt")
        with open(big_file, "w") as f:
            for n in range(1, args.big_urls + 1):
                f.write(f"{server.base}page/{n}?delay=1\n")
        wall, peak, rc, err = run_timed([r2r, "titles", "-i", big_file, "--workers", "64"])
        m = re.search(r"(\d+) ok, (\d+) failed", err)
        big_ok = int(m.group(1)) if m else 0
        log(f"  titles {args.big_urls} URLs: {wall:.1f} s, peak {peak / MB:.0f} MB, {big_ok} ok, exit {rc}")
        results["big"] = {"wall": wall, "rss": peak, "ok": big_ok, "rc": rc, "summary": err.strip().splitlines()[-1] if err.strip() else ""}
        wall, peak, rc, err = run_timed([native, "titles", "-i", big_file, "--workers", "64"])
        m = re.search(r"(\d+) ok, (\d+) failed", err)
        nbig_ok = int(m.group(1)) if m else 0
        log(f"  titles {args.big_urls} URLs (NativeAOT): {wall:.1f} s, peak {peak / MB:.0f} MB, {nbig_ok} ok, exit {rc}")
        results["big_native"] = {"wall": wall, "rss": peak, "ok": nbig_ok, "rc": rc, "summary": err.strip().splitlines()[-1] if err.strip() else ""}

        # Peak memory: download 8 x 50 MB, no latency (server route /t/file/{name}?kb=N, ?delay=0).
        dl_dir = os.path.join(work, "downloads")
        dl_file = os.path.join(work, "urls-dl.txt")
        with open(dl_file, "w") as f:
            for n in range(1, 9):
                f.write(f"{server.base}t/file/big{n}.bin?kb={50 * 1024}&delay=0\n")
        wall, peak, rc, err = run_timed([r2r, "download", "-i", dl_file, "-o", dl_dir, "--workers", "8"])
        sizes = [os.path.getsize(os.path.join(dl_dir, f"big{n}.bin")) if os.path.exists(os.path.join(dl_dir, f"big{n}.bin")) else 0
                 for n in range(1, 9)]
        pattern = bytes(i * 31 % 251 for i in range(1024))
        content_ok = all(s == 50 * MB for s in sizes)
        if content_ok:
            with open(os.path.join(dl_dir, "big8.bin"), "rb") as f:
                f.seek(37 * MB)
                content_ok = f.read(1024) == pattern
        log(f"  download 8 x 50 MB: {wall:.1f} s, peak {peak / MB:.0f} MB, sizes ok={content_ok}, exit {rc}")
        results["download"] = {"wall": wall, "rss": peak, "ok": content_ok and rc == 0, "rc": rc, "bytes": sum(sizes)}
        shutil.rmtree(dl_dir, ignore_errors=True)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)

    load_after = loadavg()
    total = time.perf_counter() - t_start
    report = render(args, mach, build_times, results, load_before, load_after, started, total)
    print(report)
    if not args.no_doc:
        write_doc(args.doc, report)
        log(f"wrote {os.path.relpath(args.doc, ROOT)}")


def s(x):
    return f"{x:.3f} s"


def mark(ok):
    return "**met**" if ok else "**missed**"


def render(args, mach, build_times, r, load_before, load_after, started, total):
    r2r = r["juggle titles (ReadyToRun)"]
    jit = r["juggle titles (JIT)"]
    nat = r["juggle titles (NativeAOT)"]
    py = r["CPython seed 000 (ThreadPoolExecutor(64))"]
    seq = r["sequential"]
    out = []
    w = out.append
    cmd = "python3 bench/cli/run.py" + ("" if args.repeats == 3 else f" --repeats {args.repeats}") + \
        ("" if args.startup_runs == 11 else f" --startup-runs {args.startup_runs}") + \
        ("" if args.seq_urls == 200 else f" --seq-urls {args.seq_urls}") + \
        ("" if args.big_urls == 100_000 else f" --big-urls {args.big_urls}")
    out += doc_head("`juggle` CLI benchmarks", "bench/cli/run.py",
                    "stdlib Python; builds, serves, times and writes this file in one run", cmd,
                    " This file alone: `STEPS=cli bench/run-all.sh` (or the command below).")
    w(run_line(mach, started, total))
    w(host_line(mach))
    w(f"- .NET SDK {mach['dotnet']}, {mach['python']}")
    w(f"- load average (1/5/15 min) before: {load_before}; after: {load_after}. The 2 cores are shared with other jobs "
      "(builds, tests), so absolute times are noisy; the ratios of contenders run interleaved are more stable.")
    if build_times:
        w("- build: " + ", ".join(f"{k} {v:.0f} s" for k, v in build_times.items()))
    w("")
    w("## Setup")
    w("")
    w("- One server for every contender: `juggle serve --latency 50 --write-urls 1000` (ReadyToRun build, Kestrel on "
      "127.0.0.1), each request answered after 50 ms; pages `/page/N` with `<title>Page N &#8211; Juggle demo</title>`.")
    w(f"- Every contender is timed as a whole process (start-up included, wall clock, stdout to a file), "
      f"{args.repeats} runs each, interleaved, after one untimed warm-up over 64 URLs; every run's output is checked "
      "(1,000 distinct URLs with the right title).")
    w("- `juggle titles -i urls.txt --workers 64 --json` (input order, JSON Lines) as ReadyToRun "
      "(`dotnet publish -c Release -r linux-x64 --self-contained false`) and JIT (`dotnet build -c Release`).")
    w("- CPython: `bench/cli/seed000_titles.py urls.txt --workers 64`: seed 000's threaded program "
      "(`ThreadPoolExecutor(64)` + `as_completed` + `urllib.request.urlopen`, regex title), URLs from the file.")
    w(f"- Sequential: `juggle titles --mode sequential` over the first {args.seq_urls} URLs only; its time is "
      f"**extrapolated** to 1,000 URLs as start-up + (measured − start-up) × {seq['factor']:g}, start-up being the median "
      f"`juggle --version` ({seq['startup'] * 1000:.0f} ms); the naive ×{seq['factor']:g} of the whole time "
      f"({s(seq['naive_median'])}) would overstate it. Ratios use the extrapolated figure.")
    w("- Peak memory = max RSS (VmHWM) from `/usr/bin/time -f %M`.")
    w("")
    w("## Titles: 1,000 URLs, 50 ms latency, 64 workers")
    w("")
    w("| contender | best | median | runs | CPU (user+sys, median) | peak RSS | output checked | median vs sequential | median vs CPython |")
    w("|---|---:|---:|---|---:|---:|---|---:|---:|")
    for name in ("juggle titles (ReadyToRun)", "juggle titles (JIT)", "juggle titles (NativeAOT)", "CPython seed 000 (ThreadPoolExecutor(64))",
                 "juggle titles --mode async (ReadyToRun)"):
        x = r[name]
        w(f"| {name} | {s(x['best'])} | {s(x['median'])} | {', '.join(f'{v:.3f}' for v in x['runs'])} | "
          f"{x['cpu']:.2f} s | {x['rss'] / MB:.0f} MB | {'yes' if x['checked'] else 'NO'} | "
          f"{seq['extrapolated_median'] / x['median']:.1f}× faster | {py['median'] / x['median']:.2f}× |")
    w(f"| juggle titles --mode sequential, {args.seq_urls} URLs (measured) | {s(seq['best'])} | {s(seq['median'])} | "
      f"{', '.join(f'{v:.3f}' for v in seq['runs'])} | | | {'yes' if seq['checked'] else 'NO'} | | |")
    w(f"| sequential, 1,000 URLs (**extrapolated**, see above) | {s(seq['extrapolated_best'])} | "
      f"{s(seq['extrapolated_median'])} | | | | | 1× | |")
    w("")
    w("`--mode async` (HttpClient async calls on the .NET thread pool, at most 64 in flight) is shown for "
      "information; the targets below are judged on the default mode (threads, as seed 000).")
    w("")
    req_ms = r.get("native_request_ms", 0.0)
    native_start = r["startup"]["juggle --version (NativeAOT)"]["median"]
    floor = 16 * req_ms / 1000 + native_start
    w(f"The floor: 64 workers fetch 1,000 URLs in ⌈1,000 / 64⌉ = 16 requests one after another each, 16 × 50 ms = "
      f"0.80 s plus start-up. Measured, a request took {req_ms:.1f} ms (median, as the NativeAOT client timed it: the "
      f"server's 50 ms delay, loopback, parsing), so no client with 64 connections finishes before 16 × {req_ms:.1f} ms "
      f"+ {native_start * 1000:.0f} ms (NativeAOT start-up) = **{floor:.3f} s**.")
    w("")
    w(f"## Start-up alone ({args.startup_runs} runs each, interleaved; stdout to /dev/null)")
    w("")
    w("| command | best | median | CPU (user+sys, median) | peak RSS |")
    w("|---|---:|---:|---:|---:|")
    for name, x in r["startup"].items():
        w(f"| `{name}` | {x['best'] * 1000:.0f} ms | {x['median'] * 1000:.0f} ms | {x['cpu'] * 1000:.0f} ms | {x['rss'] / MB:.0f} MB |")
    w("")
    w("## Peak memory")
    w("")
    big, dl = r["big"], r["download"]
    w("| run | wall | peak RSS | result |")
    w("|---|---:|---:|---|")
    w(f"| `juggle titles -i big.txt --workers 64` over {args.big_urls:,} URLs, **1 ms latency** (`?delay=1`, to keep "
      f"the run short), ReadyToRun | {big['wall']:.1f} s | {big['rss'] / MB:.0f} MB | {big['summary']} (exit {big['rc']}) |")
    nbig = r["big_native"]
    w(f"| the same, NativeAOT | {nbig['wall']:.1f} s | {nbig['rss'] / MB:.0f} MB | {nbig['summary']} (exit {nbig['rc']}) |")
    w(f"| `juggle download -i dl.txt -o DIR --workers 8`, 8 × 50 MB from `/t/file/bigN.bin?kb=51200`, no latency, "
      f"ReadyToRun | {dl['wall']:.1f} s | {dl['rss'] / MB:.0f} MB | {dl['bytes'] / MB:.0f} MB written, sizes and "
      f"content {'checked' if dl['ok'] else 'WRONG'} (exit {dl['rc']}) |")
    w("")
    w("## Targets")
    w("")
    best_j = min((r2r, jit), key=lambda x: x["median"])
    best_name = "ReadyToRun" if best_j is r2r else "JIT"
    w(f"Judged on medians (best of {args.repeats} in brackets), for the ReadyToRun build (the recommended way to run the tool) and "
      "the JIT build.")
    w("")
    w("| target | ReadyToRun | JIT | verdict |")
    w("|---|---|---|---|")
    w(f"| titles 1,000 URLs ≤ 1.5 s | {s(r2r['median'])} ({s(r2r['best'])}) | {s(jit['median'])} ({s(jit['best'])}) | "
      f"R2R {mark(r2r['median'] <= 1.5)}, JIT {mark(jit['median'] <= 1.5)} |")
    w(f"| ≥ 25× faster than sequential (extrapolated) | {seq['extrapolated_median'] / r2r['median']:.1f}× | "
      f"{seq['extrapolated_median'] / jit['median']:.1f}× | R2R {mark(seq['extrapolated_median'] / r2r['median'] >= 25)}, "
      f"JIT {mark(seq['extrapolated_median'] / jit['median'] >= 25)} |")
    w(f"| ahead of CPython seed 000 ({s(py['median'])} median) | {py['median'] / r2r['median']:.2f}× | "
      f"{py['median'] / jit['median']:.2f}× | R2R {mark(r2r['median'] < py['median'])}, JIT {mark(jit['median'] < py['median'])} |")
    big_note = "" if big["ok"] == args.big_urls else f" (only {big['ok']} ok)"
    w(f"| titles {args.big_urls:,} URLs peak ≤ 200 MB | {big['rss'] / MB:.0f} MB | | "
      f"{mark(big['rss'] <= 200 * MB and big['ok'] == args.big_urls)}{big_note} |")
    w(f"| download 8 × 50 MB peak ≤ 100 MB | {dl['rss'] / MB:.0f} MB | | {mark(dl['rss'] <= 100 * MB and dl['ok'])} |")
    w("")
    w("### NativeAOT (`dotnet publish src/Juggle.Cli -c Release -r linux-x64 -p:PublishAot=true`)")
    w("")
    help_native = r["startup"]["juggle --help (NativeAOT)"]
    w("| target | NativeAOT | for comparison | verdict |")
    w("|---|---|---|---|")
    w(f"| `juggle --help` ≤ 20 ms | {help_native['median'] * 1000:.0f} ms ({help_native['best'] * 1000:.0f} ms best) | "
      f"ReadyToRun {r['startup']['juggle --help (ReadyToRun)']['median'] * 1000:.0f} ms, "
      f"JIT {r['startup']['juggle --help (JIT)']['median'] * 1000:.0f} ms | {mark(help_native['median'] <= 0.020)} |")
    need = py["median"] / 1.3
    reach = "" if need >= floor else f"; 1.3× needs ≤ {s(need)}, below the floor of {floor:.3f} s above"
    w(f"| titles 1,000 URLs ≥ 1.3× ahead of CPython seed 000 | {py['median'] / nat['median']:.2f}× ({s(nat['median'])} vs "
      f"{s(py['median'])}{reach}) | ReadyToRun {py['median'] / r2r['median']:.2f}× | {mark(py['median'] / nat['median'] >= 1.3 and nat['checked'])} |")
    w(f"| peak memory, titles 1,000 URLs | {nat['rss'] / MB:.0f} MB | ReadyToRun {r2r['rss'] / MB:.0f} MB, JIT "
      f"{jit['rss'] / MB:.0f} MB, CPython {py['rss'] / MB:.0f} MB | |")
    w(f"| peak memory, titles {args.big_urls:,} URLs | {nbig['rss'] / MB:.0f} MB | ReadyToRun {big['rss'] / MB:.0f} MB | "
      f"{mark(nbig['rss'] <= 200 * MB and nbig['ok'] == args.big_urls)} (≤ 200 MB) |")
    w("")
    w(f"Fastest .NET build this run: {best_name}. All checks passed: "
      f"{'yes' if all(x['checked'] for x in (r2r, jit, nat, py, seq, r['juggle titles --mode async (ReadyToRun)'])) and dl['ok'] and big['ok'] == args.big_urls else 'NO'}.")
    w("")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
