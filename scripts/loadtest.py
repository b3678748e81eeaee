"""Load the production server with page views and feedback posts, then check nothing was lost.

Starts gunicorn itself on 127.0.0.1 (DEBUG off, as `make serve` runs it) on a throw-away
copy of the demo content, and runs wrk with scripts/loadtest.lua for a bounded time: about
70 % page views (cached pages, searches, which bypass the cache, both languages) and 30 %
feedback posts, where every "no" is followed by a comment. Then it stops the server and
checks that the database holds exactly the answers and comments the site accepted.

Prints the figures and exits non-zero on any error or any difference. The feedback rate
limit is raised for the run, since every post comes from one address.

Settings: LOADTEST_SECONDS (default 15, at most 60), LOADTEST_CONNECTIONS (default 16),
LOADTEST_PORT (default 8780), WEB_CONCURRENCY (gunicorn workers, default 2),
LOADTEST_DATABASE_URL and LOADTEST_REDIS_URL (default: a temporary SQLite file and the
local-memory cache; give a throw-away PostgreSQL database, since the demo content is loaded
into it and feedback added).
"""

import json
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
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def facts(env):
    return json.loads(manage(env, "shell", "-c", FACTS).strip().splitlines()[-1])


def start_server(env, log):
    server = subprocess.Popen(
        [
            *(PYTHON, "-m", "gunicorn", "raise_site.wsgi", "--bind", f"127.0.0.1:{PORT}"),
            *("--workers", WORKERS, "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health/", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("The server did not start.")


def stop_server(server):
    # The arbiter alone: it stops its workers gracefully. Signalling the whole group would
    # make it log each worker's death as an error.
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def run_wrk(urls, ids):
    args = [
        ",".join(urls),
        ",".join(map(str, ids)),
        str(FEEDBACK_SHARE),
        str(MAX_REQUESTS_PER_THREAD),
        str(int(time.time()) + SECONDS - POST_MARGIN),
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
    return {key: float(value) for key, value in re.findall(r"(\w+)=([\d.]+)", line)}


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
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": os.environ.get("LOADTEST_DATABASE_URL", f"sqlite:///{work}/load.sqlite3"),
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(work / "media"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "FEEDBACK_RATE_LIMIT": "1000000000",
        "CACHE_KEY_PREFIX": f"loadtest-{secrets.token_hex(4)}",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    if os.environ.get("LOADTEST_REDIS_URL"):
        env["REDIS_URL"] = os.environ["LOADTEST_REDIS_URL"]
    try:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "loaddata", "demo", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        before = facts(env)
        log_path = work / "server.log"
        with log_path.open("w") as log:
            server = start_server(env, log)
            try:
                figures = run_wrk(before["urls"], before["ids"])
            finally:
                stop_server(server)
        after = facts(env)
        errors_logged = server_errors(log_path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report(env, figures, before, after, errors_logged)


def report(env, f, before, after, errors_logged):
    stored_answers = after["answers"] - before["answers"]
    stored_comments = after["comments"] - before["comments"]
    socket_errors = int(f["connect"] + f["read"] + f["write"] + f["timeout"])
    errors = int(f["unexpected"]) + socket_errors + len(errors_logged)
    database = "SQLite" if env["DATABASE_URL"].startswith("sqlite") else "PostgreSQL"
    cache = "Redis" if env.get("REDIS_URL") else "local-memory cache"
    print()
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(
        f"wrk: {SECONDS} s, {CONNECTIONS} connections, {THREADS} threads; "
        f"gunicorn: {WORKERS} workers; {database}, {cache}"
    )
    print()
    print(
        f"requests           {int(f['requests']):7d}  ({f['requests'] / f['seconds']:.0f}/s; "
        f"p50 {f['p50_ms']:.1f} ms, p99 {f['p99_ms']:.1f} ms, max {f['max_ms']:.0f} ms)"
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
    print("Result: " + ("no errors, and feedback stored = feedback accepted." if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
