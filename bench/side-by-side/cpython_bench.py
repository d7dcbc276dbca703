#!/usr/bin/env python3
"""The CPython half of run.py: the same three measurements as `Juggle.Benchmarks side-by-side`.

Prints one JSON object. Stdlib only: concurrent.futures.ThreadPoolExecutor, http.server, urllib.
"""
import json
import statistics
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor, as_completed
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def noop():
    return 0


def submit_all(ex, n):
    fs = [ex.submit(noop) for _ in range(n)]
    for f in fs:
        f.result()


class PageHandler(BaseHTTPRequestHandler):
    """/page/N answers after 200 ms with a small HTML page, like the C# side's Kestrel server."""

    def do_GET(self):
        time.sleep(0.2)
        n = self.path.rsplit("/", 1)[-1]
        body = f"<html><head><title>Page {n}</title></head><body><p>Page {n} body.</p></body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


class PageServer(ThreadingHTTPServer):
    daemon_threads = True
    # The default listen backlog (5) drops SYNs when 20 clients connect at once; measure the executor, not that.
    request_queue_size = 128


def fetch_title(url):
    with urllib.request.urlopen(url) as r:
        html = r.read().decode()
    start = html.index("<title>") + len("<title>")
    return html[start:html.index("</title>", start)]


def main():
    submit_tasks = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    result = {}

    # 1. Per-task overhead: submit N no-ops to a 2-worker executor, then read every result.
    with ThreadPoolExecutor(max_workers=2) as ex:
        submit_all(ex, 1000)  # warm-up: start the workers
        per_task = []
        for _ in range(repeats):
            t = time.perf_counter()
            submit_all(ex, submit_tasks)
            per_task.append((time.perf_counter() - t) * 1e6 / submit_tasks)
    result["submit_tasks"] = submit_tasks
    result["submit_us_per_task"] = per_task

    # 2. 100 tasks blocking 200 ms, max_workers 100, executor construction and shutdown included.
    blocking = []
    for _ in range(3):
        t = time.perf_counter()
        with ThreadPoolExecutor(max_workers=100) as ex:
            fs = [ex.submit(time.sleep, 0.2) for _ in range(100)]
            for f in fs:
                f.result()
        blocking.append((time.perf_counter() - t) * 1000)
    result["blocking_ms"] = blocking

    # 3. 20 fetches of 200 ms pages from a loopback server: pooled (20 workers) and sequential.
    server = PageServer(("127.0.0.1", 0), PageHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        urls = [f"{base}/page/{i}" for i in range(20)]
        fetch_title(urls[0])  # warm-up
        pooled = []
        for _ in range(3):
            t = time.perf_counter()
            with ThreadPoolExecutor(max_workers=20) as ex:
                fs = [ex.submit(fetch_title, u) for u in urls]
                for f in as_completed(fs):
                    f.result()
            pooled.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        for u in urls:
            fetch_title(u)
        result["fetch_pooled_ms"] = pooled
        result["fetch_sequential_ms"] = [(time.perf_counter() - t) * 1000]
    finally:
        server.shutdown()
        server.server_close()

    print(json.dumps(result))


if __name__ == "__main__":
    main()
