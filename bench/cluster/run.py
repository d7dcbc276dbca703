#!/usr/bin/env python3
"""Cluster executor benchmark: builds bench/cluster, runs it once and writes docs/benchmarks-cluster.md.

    python3 bench/cluster/run.py [--quick] [--skip-build] [--doc PATH | --no-doc] [--from-output FILE]

The benchmark program (bench/cluster/Program.cs) starts its own private RabbitMQ node (unless JUGGLE_BROKER is set),
fresh worker processes and a fresh client process for every measurement, and prints one line per figure with the
1-minute load average beside it. This script keeps that output next to the document (--from-output re-renders a
saved one) and lays the figures out against the targets. stdlib Python only.
"""
import argparse
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchutil import ROOT, doc_head, host_line, loadavg, log, machine, run_line, write_doc  # noqa: E402  (bench/benchutil.py)

DLL = os.path.join(ROOT, "bench", "cluster", "bin", "Release", "net10.0", "Juggle.RabbitMQ.Bench.dll")
LINE = re.compile(r"^(?P<side>\S+)\s+(?P<workers>\d+) worker\(s\) (?P<text>.*?)\s+\[load (?P<load>[\d.]+)\]\s*$")
NUM = r"([\d,]+(?:\.\d+)?)"


def num(text):
    return float(text.replace(",", ""))


def parse(output):
    """{(phase, workers): {...figures..., "load": str}} from the benchmark's lines; unknown lines are ignored."""
    figures = {}
    for raw in output.splitlines():
        m = LINE.match(raw.strip())
        if not m:
            continue
        w, text, load = int(m["workers"]), m["text"], m["load"]
        f = {"load": load, "text": text}
        if (r := re.search(rf"p50 {NUM} ms, p99 {NUM} ms", text)) and text.startswith("round trip"):
            figures[("latency", w)] = {**f, "p50": num(r[1]), "p99": num(r[2])}
        elif (r := re.search(rf"Submit \+ Result, {NUM} tasks: {NUM} tasks/s", text)):
            cpu = re.search(rf"client {NUM}, workers {NUM}, broker {NUM}", text)
            figures[("submit", w)] = {**f, "count": num(r[1]), "rate": num(r[2]),
                                      "cpu": tuple(num(x) for x in cpu.groups()) if cpu else None}
        elif (r := re.search(rf"^Map chunkSize 100, {NUM} items: {NUM} items/s", text)):
            cpu = re.search(rf"client {NUM}, workers {NUM}, broker {NUM}", text)
            figures[("map", w)] = {**f, "count": num(r[1]), "rate": num(r[2]),
                                   "cpu": tuple(num(x) for x in cpu.groups()) if cpu else None}
        elif (r := re.search(rf"pending futures: {NUM} MB managed, {NUM} MB resident", text)):
            figures[("pending", w)] = {**f, "managed": num(r[1]), "resident": num(r[2])}
        elif (r := re.search(rf"idle worker after {NUM} tasks: {NUM} MB resident \({NUM} MB anonymous\)", text)):
            figures[("idle", w)] = {**f, "tasks": num(r[1]), "resident": num(r[2]), "anon": num(r[3])}
        elif (r := re.search(rf"^seed 003.*cluster {NUM} s, ProcessPoolExecutor\(2\) {NUM} s, cluster/pool {NUM}x", text)):
            figures[("seed003", w)] = {**f, "cluster": num(r[1]), "pool": num(r[2]), "ratio": num(r[3])}
        elif (r := re.search(rf"^seed 004.*?{NUM} lines \({NUM} words\).*cluster {NUM} s, ProcessPoolExecutor\(2\) {NUM} s, cluster/pool {NUM}x", text)):
            figures[("seed004", w)] = {**f, "lines": num(r[1]), "words": num(r[2]), "cluster": num(r[3]),
                                       "pool": num(r[4]), "ratio": num(r[5])}
    return figures


def mark(ok):
    return "**met**" if ok else "not met"


def n0(x):
    return f"{x:,.0f}"


def render(figs, header, mach, cmd, started, took, load_before, load_after):
    out = []
    w = out.append
    out += doc_head("Cluster executor benchmarks", "bench/cluster/run.py",
                    "stdlib Python; builds the benchmark, runs it once and writes this file", cmd,
                    " This file alone: `STEPS=cluster bench/run-all.sh`.")
    w(run_line(mach, started, took, "run time"))
    w(host_line(mach))
    w(f"- .NET SDK {mach['dotnet']}; broker: a private RabbitMQ node on 127.0.0.1 (data in tmpfs) started by the benchmark")
    w(f"- load average (1/5/15 min) before: {load_before}; after: {load_after}; each figure's 1-minute load is in its row. "
      "The broker, the workers and the client share the same cores.")
    if header:
        w(f"- benchmark header: `{header}`")
    w("")
    w("## Setup")
    w("")
    w("- For every measurement the benchmark starts fresh worker processes (the benchmark DLL in `worker` mode, hosting "
      "`RabbitMqWorker` with `Concurrency = 4` and the benchmark's `[JuggleFunction]` methods) and a fresh client "
      "process; nothing warm carries over between measurements.")
    w("- Round trip: one no-op `Submit(...).Result()` at a time, 300 of them. Throughput: all tasks submitted, then every "
      "`Result()` read; `Map` over no-op items with `chunkSize: 100`.")
    w("- CPU per task (or per chunk of 100 items) of each process, read from `/proc` before and after: client, all "
      "workers together, and the broker's Erlang VM. On a shared machine CPU per task is steadier than the rate.")
    w("- Seeds: seed 003's math loop (`Math.Sqrt(i) * Math.Sin(i)`, 20 tasks of 3,000,000 iterations) and seed 004's "
      "tokenizing of book-like lines (`Map`, `chunkSize: 1000`), on 2 workers against `ProcessPoolExecutor(2)` in the "
      "same process; below 1 the cluster was faster.")
    w("")
    w("## Results")
    w("")
    w("| measure | figure | CPU per task µs (client / workers / broker) | load | target | met |")
    w("|---|---:|---|---:|---|---|")

    def cpu(f, per):
        return f"{n0(f['cpu'][0])} / {n0(f['cpu'][1])} / {n0(f['cpu'][2])} per {per}" if f.get("cpu") else ""

    def row(label, figure, cpu_cell, f, target, ok):
        w(f"| {label} | {figure} |{f' {cpu_cell} ' if cpu_cell else ' '}| {f['load']} | {target} | {mark(ok)} |")

    if (f := figs.get(("latency", 2))):
        row("round trip, one no-op task at a time, 2 workers", f"p50 {f['p50']:.2f} ms, p99 {f['p99']:.1f} ms", "", f,
            "p50 ≤ 2 ms", f["p50"] <= 2)
    if (f := figs.get(("submit", 2))):
        row(f"no-op `Submit` + `Result`, {n0(f['count'])} tasks, 2 workers", f"{n0(f['rate'])} tasks/s", cpu(f, "task"), f,
            "≥ 5,000/s", f["rate"] >= 5000)
    if (f := figs.get(("map", 2))):
        row(f"`Map`, chunkSize 100, {n0(f['count'])} items, 2 workers", f"{n0(f['rate'])} items/s", cpu(f, "chunk"), f,
            "≥ 200,000/s", f["rate"] >= 200000)
    if (f := figs.get(("pending", 0))):
        row("client holding 100,000 pending futures", f"{n0(f['resident'])} MB resident ({n0(f['managed'])} MB managed)", "", f,
            "≤ 300 MB", f["resident"] <= 300)
    if (f := figs.get(("idle", 1))):
        row(f"idle worker after {n0(f['tasks'])} tasks", f"{n0(f['resident'])} MB resident ({n0(f['anon'])} MB anonymous)", "", f,
            "≤ 80 MB", f["resident"] <= 80)
    w("")
    w("### 1, 2 and 4 workers (same run)")
    w("")
    w("| workers | no-op `Submit` + `Result` | CPU per task µs (client / workers / broker) | `Map` chunkSize 100 | CPU per chunk µs | load |")
    w("|---:|---:|---|---:|---|---|")
    for n in (1, 2, 4):
        s, m = figs.get(("submit", n)), figs.get(("map", n))
        if not s and not m:
            continue
        loads = " / ".join(x["load"] for x in (s, m) if x)
        w(f"| {n} | {n0(s['rate']) + ' tasks/s' if s else ''} | {cpu(s, 'task') if s else ''} | "
          f"{n0(m['rate']) + ' items/s' if m else ''} | {cpu(m, 'chunk') if m else ''} | {loads} |")
    w("")
    w("### Seeds: 2 workers against `ProcessPoolExecutor(2)` (same run)")
    w("")
    w("| workload | cluster | `ProcessPoolExecutor(2)` | cluster / pool | load |")
    w("|---|---:|---:|---:|---:|")
    if (f := figs.get(("seed003", 2))):
        w(f"| seed 003, 20 tasks of 3,000,000 iterations | {f['cluster']:.3f} s | {f['pool']:.3f} s | {f['ratio']:.2f}× | {f['load']} |")
    if (f := figs.get(("seed004", 2))):
        w(f"| seed 004, {n0(f['lines'])} lines ({n0(f['words'])} words) | {f['cluster']:.3f} s | {f['pool']:.3f} s | {f['ratio']:.2f}× | {f['load']} |")
    w("")
    w("## Raw output")
    w("")
    w("```")
    return out  # the caller appends the raw lines and closes the block


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="2,000 tasks and 50,000 items instead of 5,000 and 200,000")
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs", "benchmarks-cluster.md"))
    ap.add_argument("--no-doc", action="store_true")
    ap.add_argument("--from-output", help="render a saved benchmark output instead of running it")
    ap.add_argument("--concurrency", default="4", help="task slots per worker")
    args = ap.parse_args()
    started, load_before = time.time(), loadavg()
    cmd_args = ["--concurrency", args.concurrency] + (["--quick"] if args.quick else [])
    if args.from_output:
        output = open(args.from_output, encoding="utf-8").read()
    else:
        if not args.skip_build:
            log("building bench/cluster")
            subprocess.run(["dotnet", "build", "bench/cluster", "-c", "Release", "-v", "q", "--nologo"], check=True,
                           cwd=ROOT, stdout=subprocess.DEVNULL)
        log("running the cluster benchmark (it starts its own broker, workers and clients)")
        proc = subprocess.run(["dotnet", DLL, *cmd_args], cwd=ROOT, capture_output=True, text=True, timeout=3600)
        output = proc.stdout
        sys.stdout.write(output)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            sys.exit(f"the cluster benchmark failed with exit code {proc.returncode}")
    took, load_after = time.time() - started, loadavg()
    figs = parse(output)
    if ("submit", 2) not in figs:
        sys.exit("no 'no-op Submit + Result' figure for 2 workers in the benchmark's output; nothing written")
    header = next((line.strip() for line in output.splitlines() if line.startswith("cluster benchmark;")), "")
    cmd = "python3 bench/cluster/run.py" + (" --quick" if args.quick else "") + \
        (f" --concurrency {args.concurrency}" if args.concurrency != "4" else "")
    lines = render(figs, header, machine(), cmd, started, took, load_before, load_after)
    lines += [x.rstrip() for x in output.splitlines() if LINE.match(x.strip()) or x.startswith("cluster benchmark;")]
    lines += ["```", ""]
    if not args.no_doc:
        write_doc(args.doc, "\n".join(lines))
        log(f"wrote {args.doc}")


if __name__ == "__main__":
    main()
