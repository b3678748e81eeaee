"""/health/: whether this app server can reach its database and its cache.

For load balancers and monitoring: 200 when both answer, 503 when either does not. The
database counts as failing too while migrations are missing, or while a check listed in
HEALTH_CHECKS (e.g. "the site has a published home page") says the content is not there:
an empty or half-upgraded database must not take traffic. The answer says which part
failed, never how (error texts can hold host names and passwords).
"""

import functools
import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@functools.cache
def _latest_migrations() -> frozenset:
    """The last migration of every app, as in this code; read from disk once per process."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


def _content_ok() -> bool:
    missing = _latest_migrations() - set(MigrationRecorder(connection).applied_migrations())
    if missing:
        logger.error("Health check: migrations are missing: %s", sorted(missing))
        return False
    for path in settings.HEALTH_CHECKS:
        if not import_string(path)():
            logger.error("Health check: %s failed.", path)
            return False
    return True


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            answered = cursor.fetchone() == (1,)
        return answered and _content_ok()
    except Exception:
        logger.exception("Health check: the database does not answer.")
        return False


def _cache_ok() -> bool:
    key = f"health:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", timeout=10)
        found = cache.get(key)
        cache.delete(key)
        return found == "ok"
    except Exception:
        logger.exception("Health check: the cache does not answer.")
        return False


@require_safe
@never_cache
def health(request):
    checks = {"database": _database_ok(), "cache": _cache_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "error"}
    body.update({name: "ok" if ok else "error" for name, ok in checks.items()})
    return JsonResponse(body, status=200 if healthy else 503)
