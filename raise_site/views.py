"""Site-wide views that belong to no feature: robots.txt and the benchmark's bare view."""

from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /feedback/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=3600)
    return response


def bench_bare(request):
    """The same compressed bytes as a real page, with no work at all: the ceiling `make bench`
    compares pages with. Only routed when BENCH_VIEWS is on."""
    response = HttpResponse(Path(settings.BENCH_BARE_FILE).read_bytes())
    response["Content-Encoding"] = "gzip"
    response["Vary"] = "Accept-Encoding"
    return response
