"""Rate limits that every worker and every server share: counts in the database.

The page cache may be local to each process (no Redis) or down, and a limit kept there
would be one per worker, or none. The database is always shared, and one statement (an
upsert that returns the new count) counts a request atomically on PostgreSQL and on SQLite
(3.35 or later). A client is counted in fixed windows of `window` seconds.
"""

import datetime
import hashlib
import hmac

from django.conf import settings
from django.db import connections, router
from django.utils import timezone

from .models import RateLimit


def _key(action: str, client: str, window: int, start: int) -> str:
    message = f"{action}|{client}|{window}|{start}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _increment(key: str, expires_at: datetime.datetime) -> int:
    connection = connections[router.db_for_write(RateLimit)]
    table, key_, hits, expires = (
        connection.ops.quote_name(name)
        for name in (RateLimit._meta.db_table, "key", "hits", "expires_at")
    )
    # Only our own table's quoted names go into the text; the values are parameters.
    sql = (
        f"INSERT INTO {table} ({key_}, {hits}, {expires}) VALUES (%s, 1, %s) "  # noqa: S608
        f"ON CONFLICT ({key_}) DO UPDATE SET {hits} = {table}.{hits} + 1 RETURNING {hits}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, connection.ops.adapt_datetimefield_value(expires_at)])
        return cursor.fetchone()[0]


def hit(action: str, client: str, limit: int, window: int) -> bool:
    """Count one request by `client` for `action`; True when it goes over `limit` requests
    in the current window of `window` seconds. Raises DatabaseError if the database is down."""
    now = timezone.now()
    window = max(1, window)
    start = int(now.timestamp()) // window * window
    expires_at = datetime.datetime.fromtimestamp(start + window, datetime.UTC)
    hits = _increment(_key(action, client, window, start), expires_at)
    if hits == 1:
        # A new window for this client: a good moment to forget the windows that are over.
        RateLimit.objects.filter(expires_at__lte=now).delete()
    return hits > limit
