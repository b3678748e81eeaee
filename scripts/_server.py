"""Start and stop the production server for the benchmark, the load test and tests.

`production_env()` gives the environment of a throw-away site in a folder of its own (DEBUG
off, as `make serve` runs it, on 127.0.0.1 and plain HTTP, with SQLite and the disk cache
in that folder unless told otherwise); `prepare()` migrates it and loads the demo content;
`start()` runs gunicorn and waits until it answers; `stop()` stops it.
"""

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def production_env(work: Path, **overrides) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "raise_site.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"sqlite:///{work}/site.sqlite3",
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(work / "media"),
        "CACHE_DIR": str(work / "cache"),
        "CACHE_KEY_PREFIX": f"run-{secrets.token_hex(4)}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    env.update(overrides)
    return env


def manage(env, *args) -> str:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


# Static files only the admin uses: compressing them takes most of collectstatic's time.
ADMIN_STATIC = ("admin", "django_prose_editor", "flags", "modeltranslation", "reversion_compare*")


def prepare(env, migrate=True):
    """Migrate, load the demo content and collect the static files public pages use."""
    if migrate:
        manage(env, "migrate", "--noinput", "-v0")
    manage(env, "loaddata", "demo", "-v0")
    ignored = [arg for pattern in ADMIN_STATIC for arg in ("--ignore", pattern)]
    manage(env, "collectstatic", "--noinput", "-v0", *ignored)


def start(env, port, workers=2, log=None, extra_args=()):
    """gunicorn on 127.0.0.1:`port`, once it answers (any answer: /health/ may say 503)."""
    server = subprocess.Popen(
        [
            *(PYTHON, "-m", "gunicorn", "raise_site.wsgi", "--bind", f"127.0.0.1:{port}"),
            *("--workers", str(workers), "--log-level", "warning", *extra_args),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2)
            return server
        except urllib.error.HTTPError:
            return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.1)
    stop(server)
    raise RuntimeError("The server did not start.")


def stop(server):
    # The arbiter alone: it stops its workers gracefully. Signalling the whole group would
    # make it log each worker's death as an error.
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def ensure_wrk():
    if shutil.which("wrk"):
        return
    print("Installing wrk from the Debian packages …", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, check=False)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update", "-q"], env=env, check=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, check=True)
