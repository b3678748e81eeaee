"""The Content-Security-Policy header, the same bytes from every process."""

import base64
import gzip
import hashlib
import re

from csp.constants import HEADER
from csp.middleware import CSPMiddleware
from django.urls import reverse


class StableCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with the policy's directives in a fixed order.

    django-csp 4.0 collects the directives in a set, so their order depends on each Python
    process's hash seed and every gunicorn worker would send a different header.
    """

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if HEADER in response:
            response[HEADER] = "; ".join(sorted(response[HEADER].split("; ")))
        return response


IMPORT_MAP_RE = re.compile(rb'<script type="importmap"[^>]*>(.*?)</script>', re.S)


class AdminImportMapCSPMiddleware:
    """Let the admin's rich-text editor and revision comparison work under the strict policy.

    The editor (django-prose-editor) needs an inline `<script type="importmap">`. Rather than
    allow inline scripts, admin pages allow exactly the import maps they contain, by hash;
    the public pages never have one. Admin pages also allow inline styles, which the editor
    inserts for its toolbar and the revision comparison uses to colour its differences; only
    signed-in staff see these pages, and styles cannot run code.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            HEADER not in response
            or not request.path.startswith(reverse("admin:index"))
            or not response.get("Content-Type", "").startswith("text/html")
            or getattr(response, "streaming", False)
        ):
            return response
        body = response.content
        if response.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        hashes = [
            f"'sha256-{base64.b64encode(hashlib.sha256(m).digest()).decode()}'"
            for m in IMPORT_MAP_RE.findall(body)
        ]
        if not hashes and "/compare/" not in request.path:
            return response  # other admin pages keep the site's strict policy
        directives = [
            d for d in response[HEADER].split("; ") if not d.startswith(("script-src", "style-src"))
        ]
        directives.append(" ".join(["script-src 'self'", *hashes]))
        directives.append("style-src 'self' 'unsafe-inline'")
        response[HEADER] = "; ".join(sorted(directives))
        return response


class AdminNoIndexMiddleware:
    """Ask search engines not to index the admin, which robots.txt no longer names: listing a
    moved admin's address there would publish it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(reverse("admin:index")):
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response
