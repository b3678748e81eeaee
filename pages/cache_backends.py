"""Cache backends tuned for the page cache; raise_site/settings.py chooses among them.

- `CircuitBreakerPool`: Redis connections that fail at once for a few seconds after Redis
  failed, per process. With short socket timeouts, a Redis that is down or slow then costs
  one request in each process the timeout every REDIS_CIRCUIT_SECONDS, and every other
  request nothing: cache calls raise redis' ConnectionError straight away, which every
  caller already treats as "the cache is down".
- `DatabaseCache`: Django's database cache, writing many keys in one statement, so that a
  save ending a dozen tags costs one query rather than four per tag.
- `DiskCache`: diskcache's Django backend, keeping its SQLite connections between requests.
"""

import base64
import datetime
import logging
import pickle
import threading
import time

import redis
from diskcache import DjangoCache
from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.db import router
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

FAILURES = (RedisConnectionError, RedisTimeoutError, OSError)


class CircuitOpen(RedisConnectionError):
    """Raised instead of trying Redis while its circuit is open."""


class Circuit:
    """Whether this process may try one Redis server now."""

    def __init__(self, name):
        self.name = name
        self.open_until = None
        self._lock = threading.Lock()

    def check(self):
        until = self.open_until
        if until is not None and time.monotonic() < until:
            raise CircuitOpen(f"Redis at {self.name} failed moments ago; not trying it yet.")

    def failed(self):
        seconds = settings.REDIS_CIRCUIT_SECONDS
        with self._lock:
            first = self.open_until is None
            self.open_until = time.monotonic() + seconds
        if first:
            logger.warning(
                "Redis at %s does not answer; trying it again every %s s.", self.name, seconds
            )

    def succeeded(self):
        if self.open_until is None:
            return
        with self._lock:
            self.open_until = None
        logger.warning("Redis at %s answers again.", self.name)


_circuits: dict[str, Circuit] = {}
_circuits_lock = threading.Lock()


def circuit_for(name: str) -> Circuit:
    with _circuits_lock:
        return _circuits.setdefault(name, Circuit(name))


class CircuitMixin:
    """Fail at once while the circuit is open; open it when Redis fails to answer."""

    def _circuit(self):
        place = getattr(self, "path", "") or f"{self.host}:{self.port}"
        return circuit_for(f"{place}/{self.db}")

    def connect(self):
        circuit = self._circuit()
        circuit.check()
        try:
            super().connect()
        except FAILURES:
            circuit.failed()
            raise

    def send_packed_command(self, *args, **kwargs):
        circuit = self._circuit()
        circuit.check()
        try:
            super().send_packed_command(*args, **kwargs)
        except FAILURES:
            circuit.failed()
            raise

    def read_response(self, *args, **kwargs):
        circuit = self._circuit()
        try:
            response = super().read_response(*args, **kwargs)
        except FAILURES:
            circuit.failed()
            raise
        circuit.succeeded()
        return response


_circuit_classes = {}


def with_circuit(connection_class):
    if issubclass(connection_class, CircuitMixin):
        return connection_class
    if connection_class not in _circuit_classes:
        name = f"Circuit{connection_class.__name__}"
        _circuit_classes[connection_class] = type(name, (CircuitMixin, connection_class), {})
    return _circuit_classes[connection_class]


class CircuitBreakerPool(redis.ConnectionPool):
    """redis-py's pool, with connections (TCP, TLS or Unix socket) behind a circuit breaker.

    Django's Redis cache takes it as OPTIONS["pool_class"].
    """

    def __init__(self, connection_class=redis.Connection, **kwargs):
        super().__init__(connection_class=with_circuit(connection_class), **kwargs)


class DatabaseCache(DjangoDatabaseCache):
    """Django's database cache, with `set_many` as one INSERT … ON CONFLICT statement.

    Its table is `pages.cache_models.CacheEntry`, made by a migration. Keys written together
    are few (a save's tags), so they skip the entry count and culling each `set` does.
    """

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        from .cache_models import CacheEntry

        timeout = self.get_backend_timeout(timeout)
        if timeout is None:
            expires = datetime.datetime.max.replace(microsecond=0, tzinfo=datetime.UTC)
        else:
            expires = datetime.datetime.fromtimestamp(int(timeout), tz=datetime.UTC)
        rows = [
            CacheEntry(
                cache_key=self.make_and_validate_key(key, version=version),
                value=base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1"),
                expires=expires,
            )
            for key, value in data.items()
        ]
        CacheEntry.objects.using(router.db_for_write(CacheEntry)).bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["cache_key"],
            update_fields=["value", "expires"],
        )
        return []


class DiskCache(DjangoCache):
    """diskcache's Django backend, which Django closes after every request: reopening its
    SQLite files costs a request more than reading them. It reopens them after a fork."""

    def close(self, **kwargs):
        pass
