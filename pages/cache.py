"""The whole-page cache for visitors.

Anonymous GETs of public pages are stored in Django's cache (shared through Redis when
REDIS_URL is set), keyed by the address. Every entry carries the content generation it was
rendered in. Saving or deleting any content that pages show starts a new generation, so the
next request on every app server renders afresh; nothing else (feedback, logins) does.

A generation also ends at the next moment that pages change by the clock alone: a page's
publish-from or publish-until time, an event starting or ending, a project passing its end
date.
"""

import datetime
import hashlib
import logging
import re
import uuid
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import Min, Q
from django.db.models.functions import Coalesce
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, set_response_etag
from django.utils.http import http_date
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

STATE_KEY = "pages:generation"
# Query parameters that change what a page shows; with any of them the cache is bypassed.
# Every other parameter (utm_source, fbclid, …) is ignored by the pages, and so by the cache.
SIGNIFICANT_PARAMS = {
    "q",
    "feedback",
    "token",
    "page",
    "project",
    "status",
    "programme",
    "year",
    "month",
}
UNSTORED_HEADERS = {"set-cookie", "content-length", "x-page-cache", "x-request-id"}
# How long browsers and proxies may keep a page without asking again.
MAX_AGE = 60
# What Django's cache backends raise when their server is down or does not answer.
CACHE_ERRORS = (RedisError, OSError)


def _release() -> str:
    """A fingerprint of the templates, texts and static files this code renders with.

    Deploying new templates or translations must not serve pages rendered by the old ones
    from a shared cache.
    """
    digest = hashlib.sha256()
    for folder in ("templates", "locale", "static"):
        for path in sorted((Path(settings.BASE_DIR) / folder).rglob("*")):
            if path.is_file() and path.suffix in {".html", ".txt", ".po", ".css", ".js", ".svg"}:
                digest.update(path.as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


RELEASE = _release()


def timeout() -> int:
    return settings.PAGE_CACHE_TIMEOUT


ACCEPTS_GZIP_RE = re.compile(r"\bgzip\b")


def page_key(request) -> str:
    # Pages are stored as sent: compressed for clients that accept gzip, plain for others.
    encoding = "gz" if ACCEPTS_GZIP_RE.search(request.headers.get("Accept-Encoding", "")) else "id"
    path_hash = hashlib.sha256(request.path.encode()).hexdigest()
    return f"pages:page:{RELEASE}:{encoding}:{path_hash}"


def next_clock_change(now):
    """The next moment some page's content changes by the clock alone.

    That is the next local midnight (projects end, all-day events become past, "today"
    moves on), or sooner: a page's publish-from or publish-until time, or a timed event
    ending.
    """
    from .models import Event, Page

    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    moments = [timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time()))]
    moments += Page.objects.aggregate(
        start=Min("publish_from", filter=Q(publish_from__gt=now)),
        end=Min("publish_until", filter=Q(publish_until__gt=now)),
    ).values()
    moments += (
        Event.objects.filter(all_day=False)
        .annotate(finish=Coalesce("end", "start"))
        .aggregate(next=Min("finish", filter=Q(finish__gt=now)))
        .values()
    )
    return min(m for m in moments if m is not None)


def new_generation(now=None) -> dict:
    now = now or timezone.now()
    until = next_clock_change(now)
    state = {"id": uuid.uuid4().hex, "since": now, "until": until}
    cache.set(STATE_KEY, state, timeout=max(1, int((until - now).total_seconds())))
    return state


def content_changed(**kwargs):
    """Start a new generation now, and again once the change is committed: a request in
    between may have rendered the old content under the newer generation."""
    end_generation()
    transaction.on_commit(end_generation)


def end_generation():
    # An editor's save must not fail because the cache is unreachable: the page cache steps
    # aside while it is down, and stored pages expire after PAGE_CACHE_TIMEOUT at the latest.
    try:
        cache.delete(STATE_KEY)
    except Exception:
        logger.warning("Could not reach the cache to end the page generation", exc_info=True)


def connect_signals():
    from .models import Page
    from .registry import shown_models

    for model in shown_models():
        post_save.connect(content_changed, sender=model, dispatch_uid=f"page-cache-save-{model}")
        post_delete.connect(
            content_changed, sender=model, dispatch_uid=f"page-cache-delete-{model}"
        )
    m2m_changed.connect(
        content_changed, sender=Page.contacts.through, dispatch_uid="page-cache-contacts"
    )


def is_public_request(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not SIGNIFICANT_PARAMS.intersection(request.GET)
    )


class PageCacheMiddleware:
    """Serve and store whole public pages for visitors without a session.

    Views mark responses that may be shared with `response.page_cacheable = True`; those get
    Cache-Control, Last-Modified and an ETag for proxies and browsers too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_public_request(request):
            return self.get_response(request)
        try:
            key, state, entry = self._look_up(request)
        except (DatabaseError, *CACHE_ERRORS):
            # With the cache or the database down the site still answers: the view renders
            # (or fails) on its own, and nothing is stored.
            logger.warning("The page cache is unavailable; rendering without it.", exc_info=True)
            return self.get_response(request)
        if entry is not None and entry["generation"] == state["id"]:
            response = HttpResponse(entry["content"])
            for header, value in entry["headers"]:
                response[header] = value
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if getattr(response, "page_cacheable", False) and response.status_code == 200:
            patch_cache_control(response, public=True, max_age=MAX_AGE)
            response["Last-Modified"] = http_date(state["since"].timestamp())
            set_response_etag(response)
            if timeout():
                headers = [(h, v) for h, v in response.items() if h.lower() not in UNSTORED_HEADERS]
                entry = {"generation": state["id"], "content": response.content, "headers": headers}
                try:
                    cache.set(key, entry, timeout=timeout())
                except CACHE_ERRORS:
                    logger.warning("A page could not be stored in the cache.", exc_info=True)
                else:
                    response["X-Page-Cache"] = "miss"
        return response

    def _look_up(self, request):
        """The page's key, the current generation and the stored entry, if any."""
        key = page_key(request)
        found = cache.get_many([STATE_KEY, key]) if timeout() else {}
        state = found.get(STATE_KEY) or cache.get(STATE_KEY)
        now = timezone.now()
        if state is None or state["until"] <= now:
            state = new_generation(now)
        return key, state, found.get(key)
