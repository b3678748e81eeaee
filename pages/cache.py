"""The whole-page cache for visitors.

Anonymous GETs of public pages are stored whole, as sent (compressed for clients that take
gzip), keyed by the address, the query parameters the page uses, and, unless SITE_URL says
what the site's address is, the scheme and host. Each stored page carries the tags of what
it showed (pages/cache_deps.py) with their values at the time, and is served only while
none has changed: a save ends exactly the pages that showed what it changed, on every app
server at once (pages/cache_store.py), and so do the moments at which content changes by the
clock alone (pages/cache_clock.py).

Only the parameters in PARAMETERS reach the views, and only with values of the right form;
the rest are dropped. Once a page has been rendered the cache knows which of them it reads
and which values it accepts, and serves the page stored for those alone, so that no added
parameter or value makes another render. Renders for parameters that still differ (a
search, a feedback token) are limited per client. Public responses tell browsers to ask
again every time (the ETag makes that a 304) and shared caches to keep them briefly.
"""

import hashlib
import logging
import re
import time
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import DatabaseError
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, set_response_etag
from django.utils.http import http_date

from raise_site.clients import client_network

from . import cache_clock, cache_deps, cache_store
from .cache_store import CACHE_ERRORS, LAST_KEY, UNAVAILABLE  # noqa: F401 (CACHE_ERRORS: API)

logger = logging.getLogger(__name__)

UNSTORED_HEADERS = {"set-cookie", "content-length", "x-page-cache", "x-request-id"}
# Browsers revalidate every time; shared caches (a proxy, a CDN) may answer for a few
# seconds, and a little longer with the old page while they fetch the new one.
SHARED_MAX_AGE = 10
STALE_WHILE_REVALIDATE = 30
ACCEPTS_GZIP_RE = re.compile(r"\bgzip\b")
LANGUAGE_PREFIXES = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)
PAGE_NUMBER_RE = re.compile(r"[2-9]|[1-9][0-9]{1,5}")  # 1 is the page without it


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


def connect_signals():
    cache_deps.connect_signals()


# --- Query parameters ------------------------------------------------------


def _text(value):
    # As the search page reads it: NUL removed, white space folded.
    return " ".join(value.replace("\x00", "").split())


def _one_of(*allowed):
    return lambda value: value if value in allowed else None


def _matching(pattern):
    return lambda value: value if pattern.fullmatch(value) else None


PARAMETERS = {
    "q": _text,  # the search page
    "page": _matching(PAGE_NUMBER_RE),
    "project": lambda value: value if len(value) <= 20 else None,  # the calendar, its feed
    "status": _one_of("ongoing", "ended"),  # the project list
    "programme": lambda value: value if len(value) <= 200 else None,
    "feedback": _one_of("thanks"),  # the feedback widget after a post without JavaScript
    "year": _matching(re.compile(r"(19|20|21)[0-9]{2}")),  # the calendar's archive
    "month": _matching(re.compile(r"[1-9]|1[0-2]")),
}


def allowed_params(query) -> dict:
    """The parameters in `query` that a page may read, in the form pages read them."""
    found = {}
    for name, normalise in PARAMETERS.items():
        value = normalise(query[name]) if name in query else None
        if value is not None:
            found[name] = value
    return found


def accepted(params: dict, accepts: dict) -> dict:
    """The parameters among `params` that the page reads, with values it accepts."""
    return {
        name: value
        for name, value in params.items()
        if name in accepts and (accepts[name] is None or value in accepts[name])
    }


def as_query(params: dict) -> QueryDict:
    return QueryDict(urlencode(params))


def is_personal(request) -> bool:
    """Whether the request asks for the feedback widget's comment step, with its token."""
    from .feedback import state_from_query

    if request.GET.get("feedback") != "comment" or not request.GET.get("token"):
        return False
    return state_from_query(request)[0] == "comment"


# --- Addresses and keys -------------------------------------------------------


def absolute_uri(request, path: str) -> str:
    """`path` as an absolute address: on SITE_URL, or else on the request's scheme and host
    (which the page cache then keys pages by)."""
    if settings.SITE_URL:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path)


def _origin(request) -> str:
    return "" if settings.SITE_URL else f"{request.scheme}://{request.get_host()}"


def _digest(*parts) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def entry_key(base: str, encoding: str, variant: dict) -> str:
    query = urlencode(sorted(variant.items()))
    return f"pages:page:{RELEASE}:{encoding}:{_digest(base, query)}"


def accepts_key(base: str) -> str:
    return f"pages:accepts:{RELEASE}:{_digest(base)}"


def is_public_request(request) -> bool:
    """A visitor's GET of an address below a language prefix, where every address is the
    pages app's (the admin, feedback posts and health checks are elsewhere)."""
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and request.path_info.startswith(LANGUAGE_PREFIXES)
    )


def is_shareable(response) -> bool:
    return getattr(response, "page_cacheable", False) and response.status_code == 200


def share(response):
    """Headers for a response that every visitor may be given."""
    patch_cache_control(
        response,
        public=True,
        max_age=0,
        s_maxage=SHARED_MAX_AGE,
        stale_while_revalidate=STALE_WHILE_REVALIDATE,
    )
    set_response_etag(response)


# --- One request -------------------------------------------------------------


class Visit:
    """One public request's way through the page cache."""

    def __init__(self, request, params):
        self.request = request
        self.params = params
        self.base = _origin(request) + request.path
        accept_encoding = request.headers.get("Accept-Encoding", "")
        self.encoding = "gz" if ACCEPTS_GZIP_RE.search(accept_encoding) else "id"
        # The parameters the page reads; None until known.
        self.variant = None if params else {}
        self.store = None
        self.last = None
        self.started = time.time_ns()
        self._checked = {}

    def look_up(self):
        """The stored page for this request if it is current, else None."""
        canonical = entry_key(self.base, self.encoding, {})
        keys = [canonical, cache_clock.CLOCK_KEY, LAST_KEY]
        if self.params:
            keys.append(accepts_key(self.base))
        self.store, found = cache_store.first_available(lambda store: store.get_many(keys))
        self.last = found.get(LAST_KEY)
        self._follow_the_clock(found.get(cache_clock.CLOCK_KEY))
        entry = found.get(canonical)
        if self.params:
            entry = self._variant_entry(entry, found.get(accepts_key(self.base)))
        return entry if entry is not None and self._is_current(entry) else None

    def _follow_the_clock(self, state):
        now = timezone.now()
        if not cache_clock.is_due(state, now):
            return
        try:
            cache_clock.catch_up(self.store, state, now)
        except DatabaseError:
            # Stored pages are still served while the database is down; the clock is
            # caught up with once it answers again.
            logger.warning("The page cache could not follow the clock.", exc_info=True)
            return
        self.last = self.store.get(LAST_KEY)

    def _is_current(self, record) -> bool:
        if id(record) not in self._checked:
            self._checked[id(record)] = cache_store.is_current(self.store, record)
        return self._checked[id(record)]

    def _variant_entry(self, canonical_entry, accepts_record):
        """The stored page for the parameters the page accepts, if what it accepts is known."""
        for record in (accepts_record, canonical_entry):
            if record is not None and self._is_current(record):
                self.variant = accepted(self.params, record["accepts"])
                break
        else:
            return None
        self.request.GET = as_query(self.variant)
        if not self.variant:
            return canonical_entry
        return self.store.get(entry_key(self.base, self.encoding, self.variant))

    def renders_a_variant(self) -> bool:
        """Whether rendering may make a page other than the one without parameters."""
        return self.variant != {}

    def save(self, response, recording) -> bool:
        """Store the rendered page, unless content changed while it was rendered."""
        values = cache_store.current_values(self.store, {cache_store.EVERYTHING, *recording.tags})
        if values is None or self.store.get(LAST_KEY) != self.last:
            return False
        self._set_last_modified(response, values)
        headers = [(h, v) for h, v in response.items() if h.lower() not in UNSTORED_HEADERS]
        entry = {
            "content": response.content,
            "headers": headers,
            "tags": values,
            "accepts": recording.accepts,
        }
        variant = self.variant
        if variant is None:
            variant = accepted(self.params, recording.accepts)
        self.store.set(entry_key(self.base, self.encoding, variant), entry, timeout())
        if self.params:
            record = {"accepts": recording.accepts, "tags": values}
            self.store.set(accepts_key(self.base), record, timeout())
        return True

    def _set_last_modified(self, response, values):
        """Last-Modified is the render's start, sent only when the last change it shows is
        more than a second older: then every later version of the page gets a later date,
        and If-Modified-Since can never be answered with 304 for changed content."""
        changes = [value for value in values.values() if value > 0]
        if not changes or self.started - max(changes) >= 1_000_000_000:
            response["Last-Modified"] = http_date(self.started // 1_000_000_000)


def serve(entry):
    response = HttpResponse(entry["content"])
    for header, value in entry["headers"]:
        response[header] = value
    response["X-Page-Cache"] = "hit"
    return response


def over_render_limit(request) -> bool:
    """Count a render that the cache could not spare for this client; whether it is one
    too many. Counts live in the shared store under a salted hash of the address (an IPv6
    client's /64, which it can fill with addresses of its own)."""
    address = client_network(request)
    digest = hashlib.sha256(settings.SECRET_KEY.encode() + address.encode()).hexdigest()
    count = cache_store.count(f"pages:renders:{digest}", settings.PAGE_RENDER_RATE_WINDOW)
    return count is not None and count > settings.PAGE_RENDER_RATE_LIMIT


def too_many_renders(request):
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        response = render(request, "429.html", status=429)
    response["Retry-After"] = str(settings.PAGE_RENDER_RATE_WINDOW)
    patch_cache_control(response, private=True, no_store=True)
    return response


class PageCacheMiddleware:
    """Serve and store whole public pages for visitors without a session.

    Views mark responses that may be shared with `response.page_cacheable = True`; those get
    Cache-Control and an ETag for proxies and browsers too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_public_request(request):
            return self.get_response(request)
        if is_personal(request):
            return self._personal(request)
        params = allowed_params(request.GET)
        request.GET = as_query(params)
        if not timeout():
            return self._rendered(request)
        try:
            visit = Visit(request, params)
        except DisallowedHost:
            return self.get_response(request)  # refused further in, in the page's language
        try:
            entry = visit.look_up()
        except UNAVAILABLE:
            # With the cache or the database down the site still answers: the view renders
            # (or fails) on its own, and nothing is stored.
            logger.warning("The page cache is unavailable; rendering without it.")
            return self._rendered(request)
        if entry is not None:
            return serve(entry)
        if visit.renders_a_variant() and over_render_limit(request):
            return too_many_renders(request)
        with cache_deps.recording() as recording:
            response = self._rendered(request)
        if is_shareable(response):
            self._save(visit, response, recording)
        return response

    def _rendered(self, request):
        response = self.get_response(request)
        if is_shareable(response):
            share(response)
        return response

    def _save(self, visit, response, recording):
        try:
            visit.save(response, recording)
        except UNAVAILABLE:
            logger.warning("A page could not be stored in the cache.", exc_info=True)
        response["X-Page-Cache"] = "miss"

    def _personal(self, request):
        """The comment step of the feedback widget holds a token for one visitor."""
        if over_render_limit(request):
            return too_many_renders(request)
        request.GET = as_query({"feedback": "comment", "token": request.GET["token"]})
        response = self.get_response(request)
        if is_shareable(response):
            patch_cache_control(response, private=True, no_store=True)
        return response
