"""Several gunicorn workers and several app servers without Redis: a save shows on the next
request to each of them, and browsers revalidating get the new page or a 304."""

import html
import re
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest
from django.db import connection

from scripts import _server

from .conftest import RAISE_SV

OLD = "RaiSE - Stärk sociala företags konkurrenskraft"
NEW = "Ändrad på en annan server"
SAVE = (
    "from pages.models import Page; page = Page.objects.get(pk=5); "
    f"page.title_sv = {NEW!r}; page.save()"
)
TITLE_RE = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


@dataclass
class Answer:
    status: int
    pid: str
    cache: str
    etag: str
    title: str


class Server:
    """gunicorn on a free port, with an access log of worker ids and paths only."""

    def __init__(self, env, folder, workers):
        with socket.create_server(("127.0.0.1", 0)) as probe:
            self.port = probe.getsockname()[1]
        self.log = folder / f"access-{self.port}.log"
        self.log.touch()
        self.answered = 0
        self.process = _server.start(
            env,
            self.port,
            workers,
            extra_args=("--access-logfile", str(self.log), "--access-logformat", "%(p)s %(U)s"),
        )

    def get(self, path, headers=None) -> Answer:
        url = f"http://127.0.0.1:{self.port}{path}"
        request = urllib.request.Request(url, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (http only)
                status, found, body = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:  # 304
            status, found, body = error.code, error.headers, b""
        title = TITLE_RE.search(body.decode())
        return Answer(
            status,
            self._worker(path),
            found.get("X-Page-Cache", ""),
            found.get("ETag", ""),
            html.unescape(title.group(1)) if title else "",
        )

    def _worker(self, path) -> str:
        """The worker that answered the last request, from the access log."""
        self.answered += 1
        for _ in range(100):
            # Leaving out the start-up's requests for /health/.
            lines = [line for line in self.log.read_text().splitlines() if "/health/" not in line]
            if len(lines) >= self.answered:
                pid, logged = lines[self.answered - 1].split(" ", 1)
                assert logged == path
                return pid
            time.sleep(0.02)
        raise AssertionError("gunicorn did not log the request")

    def until_every_worker_answered(self, workers, path, wanted=lambda answer: True):
        """Requests for `path` until each worker has given an answer that is `wanted`."""
        answers = []
        for _ in range(60):
            answers.append(self.get(path))
            good = {a.pid for a in answers if wanted(a)}
            if len(good) == workers:
                return answers
        raise AssertionError(f"not every worker answered: {answers}")

    def stop(self):
        _server.stop(self.process)


def first_answers(answers):
    """Each worker's first answer."""
    first = {}
    for answer in answers:
        first.setdefault(answer.pid, answer)
    return list(first.values())


def test_a_save_shows_on_the_next_request_to_each_of_two_workers(tmp_path):
    env = _server.production_env(tmp_path)
    _server.prepare(env)
    server = Server(env, tmp_path, workers=2)
    try:
        before = server.until_every_worker_answered(2, RAISE_SV, lambda a: a.cache == "hit")
        _server.manage(env, "shell", "-c", SAVE)
        after = server.until_every_worker_answered(2, RAISE_SV)
        stale = server.get(RAISE_SV, {"If-None-Match": before[-1].etag})
        fresh = server.get(RAISE_SV, {"If-None-Match": after[-1].etag})
    finally:
        server.stop()

    assert {a.title for a in before} == {OLD}
    assert [a.title for a in first_answers(after)] == [NEW, NEW]
    assert {a.title for a in after} == {NEW}
    assert (stale.status, stale.title) == (200, NEW)
    assert fresh.status == 304


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_a_save_shows_on_the_next_request_to_each_of_two_app_servers(transactional_db, tmp_path):
    database = connection.settings_dict
    env = _server.production_env(
        tmp_path,
        DATABASE_URL=(
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
    )
    _server.prepare(env, migrate=False)
    servers = [Server(env, tmp_path, workers=1) for _ in range(2)]
    try:
        for server in servers:
            server.until_every_worker_answered(1, RAISE_SV, lambda a: a.cache == "hit")
        _server.manage(env, "shell", "-c", SAVE)
        after = [server.get(RAISE_SV) for server in servers]
    finally:
        for server in servers:
            server.stop()

    assert [a.title for a in after] == [NEW, NEW]
