"""Helpers shared by the benchmark scripts (bench/processes/run.py, bench/cli/run.py): python3 stdlib only."""
import os
import platform
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def sh(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT).stdout.strip()


def loadavg():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine(dirty_paths=None):
    """The machine and commit a run is on; with dirty_paths, also whether those paths have uncommitted changes."""
    with open("/proc/meminfo") as f:
        total_kb = int(f.readline().split()[1])
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    except OSError:
        pass
    info = {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": f"{total_kb / 1048576:.1f} GiB",
        "dotnet": sh(["dotnet", "--version"]),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "os": platform.platform(),
        "commit": sh(["git", "rev-parse", "--short", "HEAD"]),
    }
    if dirty_paths is not None:
        info["dirty"] = bool(sh(["git", "status", "--porcelain", "--untracked-files=no", "--", *dirty_paths]))
    return info


KEPT_BEGIN = "<!-- kept: written by hand, carried over by every regeneration -->"
KEPT_END = "<!-- /kept -->"

REGENERATE = ("Every generated benchmark document is rewritten by ONE command, `bench/run-all.sh` (all steps, then "
              "`bench/report.py`; it prints how long it took); `STEPS=\"...\" bench/run-all.sh` runs a subset (see the "
              "script's header).")


def kept_blocks(path):
    """The hand-written blocks of an existing document (between KEPT_BEGIN and KEPT_END), markers included."""
    if not os.path.exists(path):
        return []
    text = open(path, encoding="utf-8").read()
    blocks, start = [], 0
    while True:
        i = text.find(KEPT_BEGIN, start)
        if i < 0:
            return blocks
        j = text.find(KEPT_END, i)
        if j < 0:
            return blocks
        blocks.append(text[i:j + len(KEPT_END)])
        start = j + len(KEPT_END)


def write_doc(path, text):
    """Writes a generated document, carrying over the hand-written blocks of the file it replaces (at the end)."""
    # A partial run writes elsewhere (bench/run-all.sh: OUT/docs/): it carries over the repository's document's blocks.
    source = path if os.path.exists(path) else os.path.join(ROOT, "docs", os.path.basename(path))
    blocks = [b for b in kept_blocks(source) if b not in text]
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.rstrip("\n") + "\n")
        for block in blocks:
            f.write("\n" + block + "\n")
