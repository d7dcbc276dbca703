#!/usr/bin/env python3
"""The CPython twin of bench/ColdStart: the first ThreadPoolExecutor(workers) of a fresh process runs `workers`
tasks sleeping `sleep_ms`; timed from before the constructor to the last result, with when the first and the last
task began running. Prints one JSON line."""
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor


def main():
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    sleep_ms = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    start = time.perf_counter()
    pool = ThreadPoolExecutor(workers)
    starts = [0.0] * workers

    def task(n):
        starts[n] = time.perf_counter()
        time.sleep(sleep_ms / 1000)
        return n

    futures = [pool.submit(task, n) for n in range(workers)]
    submitted = time.perf_counter()
    total = sum(f.result() for f in futures)
    done = time.perf_counter()
    pool.shutdown(wait=True)
    disposed = time.perf_counter()
    assert total == workers * (workers - 1) // 2
    print(json.dumps({"workers": workers, "sleep_ms": sleep_ms, "submit_ms": (submitted - start) * 1000,
                      "total_ms": (done - start) * 1000, "dispose_ms": (disposed - done) * 1000,
                      "first_start_ms": (min(starts) - start) * 1000, "last_start_ms": (max(starts) - start) * 1000}))


if __name__ == "__main__":
    main()
