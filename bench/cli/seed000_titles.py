#!/usr/bin/env python3
"""Seed 000's title fetcher (ThreadPoolExecutor + as_completed + urllib), reading its URLs from a file.

    python3 bench/cli/seed000_titles.py URLS.txt [--workers 64]

Same code as the article's threaded version (fetch_url, the title regex, the per-URL "Time taken" line and the
"URL:/Title:" lines), except: URLs come from a file (one per line) and the pool has --workers threads (the
article uses len(URLs), i.e. one thread per URL) so it matches `juggle titles --workers 64`.
"""
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from urllib.request import Request, urlopen

title_pattern = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE)
user_agent = (
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/116.0"
)


def fetch_url(url):
    start_time = time.time()
    headers = {"User-Agent": user_agent}
    with urlopen(Request(url, headers=headers)) as response:
        html_content = response.read().decode("utf-8")
        match = title_pattern.search(html_content)
        title = match.group(1) if match else "Unknown"
    end_time = time.time()
    elapsed_time = end_time - start_time
    print(f"Time taken ({url}): {elapsed_time:.4f} seconds\n", end="")
    return title


def main(urls, workers):
    with ThreadPoolExecutor(max_workers=workers) as executor:
        tasks = {}
        for url in urls:
            future = executor.submit(fetch_url, url)
            tasks[future] = url
        for future in as_completed(tasks):
            title = future.result()
            url = tasks[future]
            print(f"URL: {url}\nTitle: {title}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: seed000_titles.py URLS.txt [--workers N]")
    workers = 64
    if "--workers" in sys.argv:
        workers = int(sys.argv[sys.argv.index("--workers") + 1])
    with open(sys.argv[1], encoding="utf-8") as f:
        URLs = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    global_start_time = time.time()
    main(URLs, workers)
    global_elapsed_time = time.time() - global_start_time
    print(f"Total time taken for all URLs: {global_elapsed_time:.4f} seconds")
