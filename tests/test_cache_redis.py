"""A Redis that is down or hangs costs little, and cached pages keep being served without it."""

import shutil
import socket
import subprocess
import threading
import time

import pytest
import redis
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from redis.exceptions import RedisError

from pages import cache_backends, cache_store
from pages.models import Page

from .conftest import RAISE_SV, text_of

pytestmark = pytest.mark.django_db

CIRCUIT_SECONDS = 0.3


class SilentServer:
    """Accepts connections and never answers: a Redis that hangs."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.accepted = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.accepted.append(self.socket.accept()[0])
            except OSError:
                return

    def connections(self) -> int:
        time.sleep(0.05)  # let the accepting thread catch up
        return len(self.accepted)

    def close(self):
        self.socket.close()
        for conn in self.accepted:
            conn.close()


def redis_cache(port, **options):
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{port}/0",
        "OPTIONS": {
            "pool_class": "pages.cache_backends.CircuitBreakerPool",
            "socket_connect_timeout": 0.05,
            "socket_timeout": 0.05,
            **options,
        },
    }


@pytest.fixture(autouse=True)
def circuits(settings):
    settings.REDIS_CIRCUIT_SECONDS = CIRCUIT_SECONDS
    cache_backends._circuits.clear()
    yield
    cache_backends._circuits.clear()
    cache_store._primary_failed = False


@pytest.fixture
def silent_redis():
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture
def fallback(tmp_path):
    return {"BACKEND": "pages.cache_backends.DiskCache", "LOCATION": str(tmp_path / "fallback")}


def test_a_redis_that_hangs_is_tried_once_per_circuit_period(settings, silent_redis):
    settings.CACHES = {"default": redis_cache(silent_redis.port)}
    cache = caches["default"]

    for _ in range(20):
        with pytest.raises(RedisError):
            cache.get("key")
    tried_while_open = silent_redis.connections()
    time.sleep(CIRCUIT_SECONDS + 0.05)
    with pytest.raises(RedisError):
        cache.get("key")

    assert (tried_while_open, silent_redis.connections()) == (1, 2)


def test_pages_are_cached_in_the_fallback_while_redis_hangs(
    client, demo, settings, silent_redis, fallback
):
    settings.REDIS_CIRCUIT_SECONDS = 60
    settings.CACHES = {"default": redis_cache(silent_redis.port), "fallback": fallback}

    client.get(RAISE_SV)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(RAISE_SV)

    assert response["X-Page-Cache"] == "hit"
    assert len(queries) == 0
    assert silent_redis.connections() == 1


def test_a_save_while_redis_hangs_shows_on_the_next_request(
    client, demo, settings, silent_redis, fallback
):
    settings.CACHES = {"default": redis_cache(silent_redis.port), "fallback": fallback}
    client.get(RAISE_SV)
    assert client.get(RAISE_SV)["X-Page-Cache"] == "hit"

    page = Page.objects.get(pk=5)
    page.title_sv = "Sparad medan Redis hänger"
    page.save()

    assert "Sparad medan Redis hänger" in text_of(client.get(RAISE_SV))


@pytest.fixture
def private_redis():
    """A Redis server of the test's own, which it may pause."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("needs redis-server")
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield port, client
    server.terminate()
    server.wait(timeout=10)


def test_pages_cached_before_an_outage_are_not_served_if_content_changed_during_it(
    client, demo, settings, private_redis, fallback
):
    port, server = private_redis
    settings.CACHES = {"default": redis_cache(port), "fallback": fallback}
    client.get(RAISE_SV)
    assert client.get(RAISE_SV)["X-Page-Cache"] == "hit"

    server.client_pause(1000)  # Redis keeps its data but answers nobody for a second
    page = Page.objects.get(pk=5)
    page.title_sv = "Sparad under avbrottet"
    page.save()
    during = client.get(RAISE_SV)
    time.sleep(1.1 + CIRCUIT_SECONDS)
    after = [client.get(RAISE_SV) for _ in range(2)]

    assert "Sparad under avbrottet" in text_of(during)
    assert [r["X-Page-Cache"] for r in after] == ["miss", "hit"]
    assert "Sparad under avbrottet" in text_of(after[1])


def test_the_circuit_closes_when_redis_answers_again(settings, private_redis):
    port, _server = private_redis
    settings.CACHES = {"default": redis_cache(port)}
    circuit = cache_backends.circuit_for(f"127.0.0.1:{port}/0")
    circuit.failed()

    with pytest.raises(cache_backends.CircuitOpen):
        caches["default"].get("key")
    time.sleep(CIRCUIT_SECONDS + 0.05)
    caches["default"].set("key", "value")

    assert caches["default"].get("key") == "value"
    assert circuit.open_until is None
