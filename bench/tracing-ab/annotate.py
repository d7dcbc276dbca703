#!/usr/bin/env python3
"""Instructions per task by method, from the dumps of `JUGGLE_AB_KEEP=1 bench/tracing-ab/run.sh --instructions`.

callgrind cannot name JIT-compiled code; with JUGGLE_AB_KEEP=1 the runtime writes /tmp/perf-PID.map (every method it
compiled or loaded precompiled, with its address range), and this script names each counted instruction from it
(native code keeps callgrind's own function names).

Usage: bench/tracing-ab/annotate.py WORK_DIR VARIANT [TASKS=10000] [TOP=40]
  WORK_DIR: the folder run.sh printed ("keeping /tmp/juggle-tracing-ab.XXXXXX");
  VARIANT: a variant's name as in the dump labels: A, "A again", B, "B as IL", "B as IL, no hooks".
Prints the self instructions per task of the methods that cost most, summed over that variant's measured rounds.
"""
import bisect
import collections
import glob
import os
import re
import sys


def parse_dump(path):
    """Self cost per (object, function, address) of one callgrind dump written with --dump-instr=yes."""
    names = {}
    costs = collections.Counter()
    label = None
    fn = ob = None
    last_addr = 0
    skip_next = False

    def name(kind, text):
        m = re.match(r"\((\d+)\)(?: (.*))?", text)
        if not m:
            return text
        key = (kind, m.group(1))
        if m.group(2) is not None:
            names[key] = m.group(2)
        return names.get(key, text)

    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("desc: Trigger: Client Request: "):
                label = line[len("desc: Trigger: Client Request: "):].strip()
                continue
            if not line or line[0] == "#":
                continue
            if "=" in line.split(" ", 1)[0]:
                key, _, value = line.partition("=")
                if key == "fn":
                    fn = name("fn", value)
                elif key == "ob":
                    ob = name("ob", value)
                elif key in ("cfn", "cfi", "cfl", "cob"):
                    name("fn" if key == "cfn" else "ob" if key == "cob" else "fl", value)
                elif key in ("fl", "fi", "fe"):
                    name("fl", value)
                elif key == "calls":
                    skip_next = True
                continue
            if not (line[0] in "+-*0123456789"):
                continue
            parts = line.split()
            token = parts[0]
            if token == "*":
                addr = last_addr
            elif token[0] in "+-":
                addr = last_addr + int(token, 0)
            else:
                addr = int(token, 0)
            last_addr = addr
            if skip_next:
                skip_next = False
                continue
            if len(parts) >= 3:
                costs[(ob, fn, addr)] += int(parts[2])
    return label, costs


def load_perf_map(pid):
    entries = []
    path = f"/tmp/perf-{pid}.map"
    if not os.path.exists(path):
        return [], []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split(" ", 2)
            if len(parts) == 3:
                entries.append((int(parts[0], 16), int(parts[1], 16), parts[2]))
    entries.sort()
    return [e[0] for e in entries], entries


def main():
    work, variant = sys.argv[1], sys.argv[2]
    tasks = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    top = int(sys.argv[4]) if len(sys.argv) > 4 else 40
    dumps = sorted(glob.glob(os.path.join(work, "callgrind", "out.*")))
    pid = None
    with open(dumps[0], encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith("pid: "):
                pid = int(line.split()[1])
                break
    starts, entries = load_perf_map(pid)
    total = collections.Counter()
    rounds = 0
    for path in dumps:
        label, costs = parse_dump(path)
        if label is None or not re.fullmatch(rf"juggle-ab round \d+ {re.escape(variant)}", label):
            continue
        rounds += 1
        for (ob, fn, addr), cost in costs.items():
            i = bisect.bisect_right(starts, addr) - 1
            if i >= 0 and entries[i][0] <= addr < entries[i][0] + entries[i][1]:
                method = entries[i][2]
            else:
                method = f"{fn} [{os.path.basename(ob or '?')}]"
            total[method] += cost
    if rounds == 0:
        sys.exit(f"no measured round of variant '{variant}' in {work}/callgrind")
    grand = sum(total.values()) / rounds / tasks
    print(f"{variant}: {rounds} rounds, {grand:,.1f} instructions per task")
    for method, cost in total.most_common(top):
        print(f"{cost / rounds / tasks:8.1f}  {method}")


if __name__ == "__main__":
    main()
