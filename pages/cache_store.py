"""Where the page cache keeps pages and the state of their tags.

Everything lives in Django's cache, in a store that every process which sees the database
also sees: Redis when REDIS_URL is set, or else the database itself on PostgreSQL, or a disk
cache beside the SQLite file (raise_site/settings.py). With Redis there is a second store,
"fallback", of the second kind: it is used while Redis does not answer, so cached pages keep
being served, and every invalidation is written to both.

A tag's value is the time (ns) of the last save that ended it, or minus the time a reader
first needed it. A stored page records the values of its tags when it was rendered and is
current while they are unchanged. `LAST_KEY` changes with every invalidation, before the
tags do: a render that sees it change while it runs stores nothing, since it may have read
content older than the values it would record.
"""

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What Django's cache backends raise when their server is down or does not answer.
CACHE_ERRORS = (RedisError, OSError)
UNAVAILABLE = (*CACHE_ERRORS, DatabaseError)

PRIMARY, FALLBACK = "default", "fallback"
LAST_KEY = "pages:last"
# Set in the fallback store when an invalidation could not reach Redis.
MISSED_KEY = "pages:missed"
# Every stored page carries this tag; ending it ends them all.
EVERYTHING = "*"

# Whether this process saw the primary store fail since it last answered.
_primary_failed = False


def tag_key(tag: str) -> str:
    return f"pages:tag:{tag}"


def state_timeout() -> int:
    """Seconds the tags and the notes beside them are kept: longer than any stored page, which
    a missing tag only ends early."""
    return 2 * max(settings.PAGE_CACHE_TIMEOUT, 1)


def stores():
    """The primary store, then the fallback one if there is one."""
    found = [caches[PRIMARY]]
    if FALLBACK in caches.settings:
        found.append(caches[FALLBACK])
    return found


def first_available(operation):
    """(store, result) of `operation(store)` on the first store that answers.

    Raises one of UNAVAILABLE when none does.
    """
    global _primary_failed
    error = None
    for index, store in enumerate(stores()):
        try:
            result = operation(store)
        except UNAVAILABLE as exc:
            error = exc
            if index == 0:
                _primary_failed = True
            continue
        if index == 0 and _primary_failed:
            _primary_failed = False
            if _replay_missed(store):
                result = operation(store)
        return store, result
    raise error


def _replay_missed(primary) -> bool:
    """After an outage: end every page in the primary store if a save could not reach it.

    Whether it did.
    """
    if FALLBACK not in caches.settings:
        return False
    fallback = caches[FALLBACK]
    try:
        if not fallback.get(MISSED_KEY):
            return False
        _write(primary, {EVERYTHING})
        fallback.delete(MISSED_KEY)
    except UNAVAILABLE:
        logger.warning("Could not end the pages cached before the outage.", exc_info=True)
        return False
    logger.warning("Content changed while Redis was unreachable: its cached pages are ended.")
    return True


def _write(store, tags):
    value = time.time_ns()
    # LAST_KEY first: a render that reads a new tag value must also see LAST_KEY changed.
    values = {LAST_KEY: uuid.uuid4().hex, **{tag_key(t): value for t in tags}}
    store.set_many(values, state_timeout())


def bump(tags):
    """End the stored pages carrying any of `tags`, in every store."""
    global _primary_failed
    for index, store in enumerate(stores()):
        try:
            _write(store, tags)
        except Exception:
            # An editor's save must not fail because a cache is unreachable.
            logger.warning("Could not end cached pages in the %s store.", store, exc_info=True)
            if index == 0:
                _primary_failed = True
                _note_missed()


def _note_missed():
    if FALLBACK not in caches.settings:
        return  # stored pages expire after PAGE_CACHE_TIMEOUT at the latest
    try:
        caches[FALLBACK].set(MISSED_KEY, True, state_timeout())
    except UNAVAILABLE:
        logger.warning("Could not note the missed invalidation.", exc_info=True)


def invalidate(tags):
    """End the stored pages carrying any of `tags`: now, and again once the change is
    committed, since a request in between may have rendered the old content."""
    tags = set(tags)
    if not tags:
        return
    bump(tags)
    transaction.on_commit(lambda: bump(tags))


def is_current(store, record) -> bool:
    """Whether none of the tags `record` was rendered with has ended since."""
    tags = record["tags"]
    keys = {tag: tag_key(tag) for tag in tags}
    found = store.get_many(list(keys.values()))
    return all(found.get(keys[tag]) == value for tag, value in tags.items())


def current_values(store, tags):
    """The values of `tags` now, giving a value to those that have none yet.

    None if a tag could not be given one (the store refused it).
    """
    keys = {tag: tag_key(tag) for tag in tags}
    found = store.get_many(list(keys.values()))
    values = {}
    for tag, key in keys.items():
        value = found.get(key)
        if value is None:
            value = -time.time_ns()
            if not store.add(key, value, state_timeout()):
                value = store.get(key)  # another process was first
            if value is None:
                return None
        values[tag] = value
    return values


def count(key: str, window: int):
    """Add one to the counter `key`, which lasts `window` seconds; None while no store answers."""

    def increment(store):
        if store.add(key, 1, timeout=window):
            return 1
        try:
            return store.incr(key)
        except ValueError:  # expired between add() and incr()
            store.add(key, 1, timeout=window)
            return 1

    try:
        return first_available(increment)[1]
    except UNAVAILABLE:
        return None
