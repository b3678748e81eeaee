"""Benchmark the production server against the demo content and print the figures.

Starts gunicorn itself (on a throw-away copy of the demo content), measures with wrk the
RaiSE page and the home page, from the page cache and rendered afresh, and a bare Django
view that returns the same bytes as the RaiSE page: the ceiling for any Django page here.
Then stops everything it started, and prints how many cached pages typical saves end on a
site of 1,000 pages (scripts/invalidation.py). Settings: BENCH_SECONDS (default 10),
BENCH_CONNECTIONS (default 32), WEB_CONCURRENCY (default 2), BENCH_PORT (default 8765).
"""

import gzip
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from _server import PYTHON, ensure_wrk, prepare, production_env, start, stop

RAISE = (
    "/sv/kultur-och-civilsamhalle/pagaende-insatser/projekt/stark-sociala-foretags-konkurrenskraft/"
)
HOME = "/sv/"
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
WORKERS = os.environ.get("WEB_CONCURRENCY", "2")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
HEADERS = ["-H", "Accept-Encoding: gzip, deflate, br"]


def warm(path, times=200):
    for _ in range(times):
        urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=5).read()


def wrk(path):
    output = subprocess.run(
        [
            "wrk",
            "--latency",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{SECONDS}s",
            *HEADERS,
            f"http://127.0.0.1:{PORT}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": rps,
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
        "errors": int(errors.group(1)) if errors else 0,
    }


def _ms(value):
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def first_visit_bytes(path):
    """Bytes on the wire for a first visit: the page and everything it links to."""

    def fetch(url):
        request = urllib.request.Request(
            f"http://127.0.0.1:{PORT}{url}", headers={"Accept-Encoding": "gzip, br"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.read(), response.headers.get("Content-Encoding")

    html, encoding = fetch(path)
    total = {path: len(html)}
    text = gzip.decompress(html).decode() if encoding == "gzip" else html.decode()
    for asset in sorted(set(re.findall(r'(?:href|src)="(/static/[^"]+)"', text))):
        total[asset] = len(fetch(asset)[0])
    return total


def main():
    ensure_wrk()
    work = Path(tempfile.mkdtemp(prefix="raise-bench-"))
    env = production_env(work, BENCH_VIEWS="true", BENCH_BARE_FILE=str(work / "raise.html.gz"))
    if os.environ.get("BENCH_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    if os.environ.get("BENCH_REDIS_URL"):
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    results = {}
    try:
        prepare(env)

        server = start({**env, "PAGE_CACHE_TIMEOUT": "3600"}, PORT, WORKERS)
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{PORT}{RAISE}", headers={"Accept-Encoding": "gzip"}
            )
            with urllib.request.urlopen(request) as response:
                # The bare view must send exactly what the page sends: the same compressed bytes.
                compressed = response.read()
            (work / "raise.html.gz").write_bytes(compressed)
            transfer = first_visit_bytes(RAISE)
            for name, path in [
                ("bare Django view", "/bench/bare/"),
                ("RaiSE, cached", RAISE),
                ("home, cached", HOME),
            ]:
                warm(path)
                results[name] = wrk(path)
        finally:
            stop(server)

        server = start({**env, "PAGE_CACHE_TIMEOUT": "0"}, PORT, WORKERS)
        try:
            for name, path in [("RaiSE, uncached", RAISE), ("home, uncached", HOME)]:
                warm(path)
                results[name] = wrk(path)
        finally:
            stop(server)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    report(results, transfer)
    invalidation = subprocess.run(
        [PYTHON, str(Path(__file__).with_name("invalidation.py"))], check=False
    )
    return invalidation.returncode


def report(results, transfer):
    bare = results["bare Django view"]["rps"]
    print()
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"wrk: {SECONDS} s, {CONNECTIONS} connections, 2 threads; gunicorn: {WORKERS} workers")
    print()
    print(f"{'':20} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'× bare':>7} {'errors':>7}")
    for name, r in results.items():
        print(
            f"{name:20} {r['rps']:9.0f} {r['p50']:8.2f} {r['p99']:8.2f} "
            f"{r['rps'] / bare:7.2f} {r['errors']:7d}"
        )
    print()
    print("First visit to the RaiSE page, bytes transferred (compressed):")
    for url, size in transfer.items():
        print(f"  {size:7d}  {url}")
    print(f"  {sum(transfer.values()):7d}  in total")
    print()
    print("Targets: cached RaiSE ≥ 0.80 × bare; uncached RaiSE ≥ 0.33 × bare; first visit ≤ 30 KB.")


if __name__ == "__main__":
    sys.exit(main())
