"""Error pages that work whatever broke, and 404s that stay where they happened."""

import logging
from types import SimpleNamespace

from django.conf import settings
from django.db import Error as DatabaseLibraryError
from django.db import connections
from django.http import HttpResponseServerError
from django.middleware import locale
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

# The last resort, for when even the 500 template cannot be rendered: no database, no
# template, no static files needed. Both languages, since the request's may be unknown.
PLAIN_500 = """<!doctype html>
<html lang="sv"><head><meta charset="utf-8"><title>Något gick fel</title></head>
<body><h1>Något gick fel</h1><p>Sidan kunde inte visas på grund av ett fel hos oss.
Försök igen om en stund.</p><p lang="en">Something went wrong on our side. Please try again
in a little while.</p><p><a href="/">Region Örebro läns webbplats för Regional
utveckling</a></p></body></html>
"""


def _discard_broken_connections():
    """Close database connections that died during the request (a restart, a failover, a
    killed backend): the error page's own small query then gets a fresh one, or fails as
    plainly as a database that is down, which the templates are ready for."""
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block or connection.connection is None:
            continue
        try:
            usable = connection.is_usable()
        except DatabaseLibraryError:
            usable = False
        if not usable:
            connection.close()


# The error page's navigation: the layout's links that need no database (the home page).
NO_NAVIGATION = SimpleNamespace(
    menu=[], footer=[], breadcrumbs=[], section=None, calendar=None, search=None
)


def server_error(request):
    """The 500 page (handler500), in the visitor's language with the site's layout.

    It needs nothing that may be what failed: no database query (the layout gets a
    navigation without pages), no session. It goes out through the middleware like any
    response, so it carries the site's headers (CSP, request id), and it must never raise,
    or the WSGI server would send its own bare page instead.
    """
    context = {"request_id": getattr(request, "request_id", ""), "nav": NO_NAVIGATION}
    try:
        _discard_broken_connections()
        with translation.override(translation.get_language_from_request(request, True)):
            html = render_to_string("500.html", context)
    except Exception:
        logger.exception("The error page could not be rendered.")
        html = PLAIN_500
    response = HttpResponseServerError(html)
    # Also when the error came from outside the middleware that adds it.
    response["X-Frame-Options"] = settings.X_FRAME_OPTIONS
    return response


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's LocaleMiddleware, except that a 404 in the admin is answered there.

    Django answers a 404 for an address without a language prefix by redirecting to the
    same address below /sv/, if anything there matches; the page tree matches everything,
    so a mistyped or over-long admin address would be sent into the public site.
    """

    def process_response(self, request, response):
        if response.status_code == 404 and request.path_info.startswith(reverse("admin:index")):
            patch_vary_headers(response, ("Accept-Language",))
            response.headers.setdefault("Content-Language", get_language())
            return response
        return super().process_response(request, response)
