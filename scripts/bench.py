"""Benchmark the production server against the demo content and print the figures.

Starts gunicorn itself (on a throw-away copy of the demo content), measures with wrk the
RaiSE page and the home page, from the page cache and rendered afresh, and a bare Django
view that returns the same bytes as the RaiSE page: the ceiling for any Django page here.
Then stops everything it started. Settings: BENCH_SECONDS (default 10), BENCH_CONNECTIONS
(default 32), WEB_CONCURRENCY (default 2), BENCH_PORT (default 8765).
"""

import gzip
import os
import platform
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RAISE = (
    "/sv/kultur-och-civilsamhalle/pagaende-insatser/projekt/stark-sociala-foretags-konkurrenskraft/"
)
HOME = "/sv/"
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
WORKERS = os.environ.get("WEB_CONCURRENCY", "2")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
HEADERS = ["-H", "Accept-Encoding: gzip, deflate, br"]


def ensure_wrk():
    if shutil.which("wrk"):
        return
    print("Installing wrk from the Debian packages …", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, check=False)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update", "-q"], env=env, check=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, check=True)


def manage(env, *args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def start_server(env):
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "raise_site.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            WORKERS,
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}{HOME}", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("The server did not start.")


def stop_server(server):
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


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
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{work}/bench.sqlite3"),
        "STATIC_ROOT": str(work / "static"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_COOKIES": "false",
        "SECURE_SSL_REDIRECT": "false",
        "BENCH_VIEWS": "true",
        "BENCH_BARE_FILE": str(work / "raise.html.gz"),
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    if os.environ.get("BENCH_REDIS_URL"):
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    results = {}
    try:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "loaddata", "demo", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")

        server = start_server({**env, "PAGE_CACHE_TIMEOUT": "3600"})
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
            stop_server(server)

        server = start_server({**env, "PAGE_CACHE_TIMEOUT": "0"})
        try:
            for name, path in [("RaiSE, uncached", RAISE), ("home, uncached", HOME)]:
                warm(path)
                results[name] = wrk(path)
        finally:
            stop_server(server)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    report(results, transfer)


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
    main()
