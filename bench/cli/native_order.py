#!/usr/bin/env python3
"""Writes src/Juggle.Cli/Native/startup.order: the managed methods a native `juggle --help` and `juggle --version` run.

    python3 bench/cli/native_order.py PUBLISH_DIR

PUBLISH_DIR is a NativeAOT publish (`dotnet publish src/Juggle.Cli -c Release -r linux-x64 -p:PublishAot=true -o DIR`)
holding `juggle` and its symbols `Juggle.Cli.dbg`. Each command runs once under valgrind's callgrind (instruction
addresses, no timing); every address inside the compiler's managed code is mapped to its symbol with `nm`, and the
symbols are written in the order first seen. The project passes the file to the compiler (IlcOrderFile), which lays
those methods out first and together: the few pages a start-up touches instead of pages all over 10 MB of code,
each first touch being a page fault. Names that no longer exist are skipped by the compiler, so a stale file only
loses its effect; rerun this after changes to the start-up path. Needs valgrind and binutils (apt-get install).
"""
import bisect
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "src", "Juggle.Cli", "Native", "startup.order")
COMMANDS = (["--help"], ["--version"])


def section(binary, name):
    out = subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        fields = line.replace("[ ", "[").split()
        if name in fields:
            i = fields.index(name)
            start, size = int(fields[i + 2], 16), int(fields[i + 4], 16)
            return start, start + size
    raise SystemExit(f"{binary}: no {name} section")


def executed_addresses(callgrind_file):
    """Instruction addresses in a callgrind output made with --dump-instr=yes (absolute, +n, -n or * positions)."""
    current = 0
    with open(callgrind_file) as f:
        for line in f:
            if not line or line[0] not in "0123456789+-*":
                continue
            token = line.split()[0]
            if token.startswith("0x"):
                current = int(token, 16)
            elif token[0] in "+-":
                step = int(token[1:], 16) if token[1:].startswith("0x") else int(token[1:])
                current += step if token[0] == "+" else -step
            elif token != "*":
                continue
            yield current


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    publish = sys.argv[1]
    exe, dbg = os.path.join(publish, "juggle"), os.path.join(publish, "Juggle.Cli.dbg")
    lo, hi = section(exe, "__managedcode")
    symbols = []
    for line in subprocess.run(["nm", "-n", "--defined-only", dbg], capture_output=True, text=True, check=True).stdout.splitlines():
        fields = line.split(None, 2)
        if len(fields) == 3 and lo <= int(fields[0], 16) < hi:
            symbols.append((int(fields[0], 16), fields[2]))
    starts = [s[0] for s in symbols]
    work = tempfile.mkdtemp(prefix="juggle-order-")
    try:
        # A copy without its symbols beside it: valgrind 3.19 can't read the DWARF 5 in Juggle.Cli.dbg.
        bare = os.path.join(work, "juggle")
        shutil.copy(exe, bare)
        order, seen = [], set()
        for args in COMMANDS:
            out = os.path.join(work, "callgrind.out")
            subprocess.run(["valgrind", "--tool=callgrind", "--dump-instr=yes", f"--callgrind-out-file={out}", bare, *args],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            for address in executed_addresses(out):
                if lo <= address < hi:
                    name = symbols[bisect.bisect_right(starts, address) - 1][1]
                    if name not in seen:
                        seen.add(name)
                        order.append(name)
    finally:
        shutil.rmtree(work)
    with open(OUT, "w") as f:
        f.write("\n".join(order) + "\n")
    print(f"{OUT}: {len(order)} methods", file=sys.stderr)


if __name__ == "__main__":
    main()
