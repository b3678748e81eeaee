"""Load the production server with page views and feedback posts, then check nothing was lost.

Starts gunicorn itself on 127.0.0.1 (DEBUG off, as `make serve` runs it) on a throw-away
copy of the demo content, and runs wrk with scripts/loadtest.lua for a bounded time: about
70 % page views (cached pages, searches, which bypass the cache, both languages) and 30 %
feedback posts, where every "no" is followed by a comment. Then it stops the server and
checks that the database holds exactly the answers and comments the site accepted.

Prints the figures, latency included, and exits non-zero on any error or any difference.
The feedback rate limit is raised for the run, since every post comes from one address.

With LOADTEST_REDIS_OUTAGE=true it starts a Redis server of its own (on LOADTEST_PORT + 1)
and stops it halfway through: it then also compares the requests answered per second before
and after, and fails below 70 % (the fallback store must carry the site), or on any error.

Settings: LOADTEST_SECONDS (default 15, at most 60), LOADTEST_CONNECTIONS (default 16),
LOADTEST_PORT (default 8780), WEB_CONCURRENCY (gunicorn workers, default 2),
LOADTEST_DATABASE_URL and LOADTEST_REDIS_URL (default: a temporary SQLite file and its disk
cache; give a throw-away PostgreSQL database, since the demo content is loaded into it and
feedback added), LOADTEST_REDIS_OUTAGE.
"""

import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _server import ROOT, ensure_wrk, manage, prepare, production_env, start, stop

SECONDS = min(int(os.environ.get("LOADTEST_SECONDS", "15")), 60)
CONNECTIONS = int(os.environ.get("LOADTEST_CONNECTIONS", "16"))
PORT = int(os.environ.get("LOADTEST_PORT", "8780"))
WORKERS = os.environ.get("WEB_CONCURRENCY", "2")
THREADS = 2
FEEDBACK_SHARE = 0.3
# A ceiling on requests per wrk thread, whatever the duration.
MAX_REQUESTS_PER_THREAD = 200_000
# Feedback posts stop this many seconds before wrk does, so that every post is answered.
POST_MARGIN = 3
OUTAGE = os.environ.get("LOADTEST_REDIS_OUTAGE", "").lower() in {"1", "true", "yes", "on"}
# With Redis stopped, the site must answer at least this share of its requests per second.
OUTAGE_THROUGHPUT = 0.7

FACTS = """
import json
from pages.models import Feedback, Page
from django.utils import translation
live = Page.objects.published()
urls = [p.get_absolute_url(code) for p in live for code in ("sv", "en")]
for code in ("sv", "en"):
    search = live.filter(kind=Page.Kind.SEARCH).first()
    if search:
        urls.append(search.get_absolute_url(code) + "?q=sociala")
ids = [p.pk for p in live.exclude(kind=Page.Kind.SEARCH)]
print(json.dumps({"urls": urls, "ids": ids, "answers": Feedback.objects.count(),
    "comments": Feedback.objects.exclude(comment="").count()}))
"""


def facts(env):
    return json.loads(manage(env, "shell", "-c", FACTS).strip().splitlines()[-1])


def run_wrk(urls, ids):
    posts_until = int(time.time()) + SECONDS - POST_MARGIN
    args = [
        ",".join(urls),
        ",".join(map(str, ids)),
        str(FEEDBACK_SHARE),
        str(MAX_REQUESTS_PER_THREAD),
        str(posts_until),
    ]
    output = subprocess.run(
        [
            *("wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "5s"),
            *("-s", str(ROOT / "scripts" / "loadtest.lua"), f"http://127.0.0.1:{PORT}"),
            *("--", *args),
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=SECONDS + 60,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("LOADTEST "))
    figures = {key: float(value) for key, value in re.findall(r"(\w+)=([\d.]+)", line)}
    seconds = next(line for line in output.splitlines() if line.startswith("LOADTEST_SECONDS "))
    figures["by_second"] = {
        int(second): int(answered) for second, answered in re.findall(r"(\d+):(\d+)", seconds)
    }
    figures["posts_until"] = posts_until
    return figures


def start_redis(port):
    """A Redis server of the run's own, which it may stop."""
    binary = shutil.which("redis-server") or "redis-server"
    redis = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        ping = subprocess.run(
            ["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True, check=False
        )
        if ping.stdout.strip() == "PONG":
            return redis
        time.sleep(0.1)
    redis.kill()
    raise SystemExit("Redis did not start.")


def stop_redis_later(redis, after):
    """Stop `redis` `after` seconds from now; the returned list gets the moment it stopped."""
    stopped = []

    def stop_now():
        redis.terminate()
        redis.wait(timeout=10)
        stopped.append(time.time())

    threading.Timer(after, stop_now).start()
    return stopped


def server_errors(log_path):
    """Log lines of level ERROR or worse the server wrote: a 500, a crashed worker, …"""
    found = []
    for line in log_path.read_text(errors="replace").splitlines():
        try:
            level = json.loads(line).get("level")
        except ValueError:
            level = "ERROR" if "[ERROR]" in line or "[CRITICAL]" in line else None  # gunicorn
        if level in {"ERROR", "CRITICAL"}:
            found.append(line)
    return found


def main():
    ensure_wrk()
    work = Path(tempfile.mkdtemp(prefix="raise-loadtest-"))
    env = production_env(work, FEEDBACK_RATE_LIMIT="1000000000")
    if os.environ.get("LOADTEST_DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["LOADTEST_DATABASE_URL"]
    if os.environ.get("LOADTEST_REDIS_URL"):
        env["REDIS_URL"] = os.environ["LOADTEST_REDIS_URL"]
    redis = stopped = None
    try:
        if OUTAGE:
            redis = start_redis(PORT + 1)
            env["REDIS_URL"] = f"redis://127.0.0.1:{PORT + 1}/0"
        prepare(env)
        before = facts(env)
        log_path = work / "server.log"
        with log_path.open("w") as log:
            server = start(env, PORT, WORKERS, log)
            try:
                if redis is not None:
                    stopped = stop_redis_later(redis, SECONDS // 2)
                figures = run_wrk(before["urls"], before["ids"])
            finally:
                stop(server)
        after = facts(env)
        errors_logged = server_errors(log_path)
    finally:
        if redis is not None and redis.poll() is None:
            redis.kill()
        shutil.rmtree(work, ignore_errors=True)
    return report(env, figures, before, after, errors_logged, stopped)


def outage_figures(f, stopped_at):
    """Requests answered per second in the whole seconds before Redis stopped and after it,
    while feedback was still posted (the same mix of requests)."""
    by_second = f["by_second"]
    first, outage = min(by_second), int(stopped_at)
    before = [by_second.get(s, 0) for s in range(first + 1, outage)]
    after = [by_second.get(s, 0) for s in range(outage + 1, int(f["posts_until"]))]
    return sum(before) / len(before), sum(after) / len(after)


def report(env, f, before, after, errors_logged, stopped=None):
    stored_answers = after["answers"] - before["answers"]
    stored_comments = after["comments"] - before["comments"]
    socket_errors = int(f["connect"] + f["read"] + f["write"] + f["timeout"])
    errors = int(f["unexpected"]) + socket_errors + len(errors_logged)
    database = "SQLite" if env["DATABASE_URL"].startswith("sqlite") else "PostgreSQL"
    cache = "disk cache" if database == "SQLite" else "database cache"
    if env.get("REDIS_URL"):
        cache = f"Redis (fallback: {cache})"
    print()
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"wrk: {SECONDS} s, {CONNECTIONS} connections, {THREADS} threads; "
        f"gunicorn: {WORKERS} workers; {database}, {cache}"
    )
    print()
    print(f"requests           {int(f['requests']):7d}  ({f['requests'] / f['seconds']:.0f}/s)")
    print(
        f"latency            p50 {f['p50_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms, "
        f"max {f['max_ms']:.0f} ms"
    )
    print(f"page views         {int(f['page']):7d} sent, {int(f['page_ok']):7d} answered 200")
    print(f"feedback answers   {int(f['answer']):7d} sent, {int(f['answer_ok']):7d} accepted")
    print(f"feedback comments  {int(f['comment']):7d} sent, {int(f['comment_ok']):7d} accepted")
    print(
        f"errors             {errors:7d}  (unexpected answers {int(f['unexpected'])}, "
        f"socket errors and timeouts {socket_errors}, server log errors {len(errors_logged)})"
    )
    for line in errors_logged[:5]:
        print(f"  {line[:2000]}")
    answers_ok = stored_answers == f["answer_ok"]
    comments_ok = stored_comments == f["comment_ok"]
    print(
        f"feedback stored    {stored_answers} answers, {stored_comments} comments: "
        f"{'=' if answers_ok and comments_ok else '≠'} accepted"
    )
    if f["unanswered_posts"]:
        print(f"{int(f['unanswered_posts'])} posts were not answered before wrk stopped.")
    ok = errors == 0 and answers_ok and comments_ok and not f["unanswered_posts"]
    if OUTAGE:
        ok = report_outage(f, stopped) and ok
    print("Result: " + ("no errors, and feedback stored = feedback accepted." if ok else "FAILED"))
    return 0 if ok else 1


def report_outage(f, stopped):
    if not stopped:
        print("Redis was not stopped during the run: FAILED")
        return False
    normal, down = outage_figures(f, stopped[0])
    share = down / normal if normal else 0
    print(
        f"Redis stopped      after {stopped[0] - min(f['by_second']):.0f} s: {normal:.0f} "
        f"requests/s before, {down:.0f}/s after ({share:.0%}; at least {OUTAGE_THROUGHPUT:.0%})"
    )
    return share >= OUTAGE_THROUGHPUT


if __name__ == "__main__":
    sys.exit(main())
