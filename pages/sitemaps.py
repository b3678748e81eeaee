"""`/sitemap.xml`: a sitemap index, and its sections of at most SECTION_SIZE addresses.

The protocol allows 50,000 addresses (and 50 MB) a file. Each section is one page of one
sitemap, at `/sitemap-<name>-<page>.xml`; addresses are on SITE_URL when it is set. A
section loads only its own rows, with only the columns its addresses need, so memory stays
bounded however large the site grows, and rendering one takes tens of milliseconds.
"""

from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.html import escape
from django.utils.translation import override

from .cache import absolute_uri
from .calendar import public_events
from .models import DEFAULT_LANGUAGE, LANGUAGE_CODES, Page

SECTION_SIZE = 2_000  # addresses a section; rendering one takes about 70 ms
PAGE_FIELDS = ("pk", "kind", "last_updated", "title_en", *(f"path_{c}" for c in LANGUAGE_CODES))


class LanguagePairs:
    """The (item, language) pairs of several querysets, one per language, for Django's
    paginator: its length is counted in the database and a slice loads only its own rows."""

    def __init__(self, querysets):
        self.querysets = querysets  # [(language, queryset), …], each ordered

    def counts(self):
        if not hasattr(self, "_counts"):
            self._counts = [queryset.count() for _language, queryset in self.querysets]
        return self._counts

    def __len__(self):
        return sum(self.counts())

    def __getitem__(self, window):
        start, stop = window.start or 0, window.stop
        pairs = []
        for (language, queryset), count in zip(self.querysets, self.counts(), strict=True):
            if stop > 0 and start < count:
                pairs += [(item, language) for item in queryset[max(start, 0) : min(stop, count)]]
            start, stop = start - count, stop - count
        return pairs


class LanguageSitemap(Sitemap):
    """Every item once per language it exists in, with hreflang alternates.

    Addresses are the language's prefix and the item's path, joined here: reversing a URL
    per address and language costs more than the rest of the section together.
    """

    i18n = True
    alternates = True
    limit = SECTION_SIZE

    def items_in(self, language):
        raise NotImplementedError

    def path(self, item, language):
        raise NotImplementedError

    def _items(self):
        return LanguagePairs([(code, self.items_in(code)) for code in LANGUAGE_CODES])

    def entries(self, page, root):
        prefixes = {}
        for code in LANGUAGE_CODES:
            with override(code):
                prefixes[code] = root + reverse("pages:home")
        for item, language in self.paginator.page(page).object_list:
            yield {
                "location": prefixes[language] + self.path(item, language),
                "lastmod": self.lastmod(item),
                "alternates": [
                    (code, prefixes[code] + self.path(item, code))
                    for code in self.get_languages_for_item(item)
                ],
            }


class PageSitemap(LanguageSitemap):
    """Published pages; English versions that would only show the Swedish text are left out."""

    def items_in(self, language):
        pages = Page.objects.published().exclude(kind=Page.Kind.SEARCH).only(*PAGE_FIELDS)
        if language != DEFAULT_LANGUAGE:
            pages = pages.exclude(**{f"title_{language}": ""})
        return pages.order_by("pk")

    def path(self, page, language):
        return getattr(page, f"path_{language}")

    def get_languages_for_item(self, page):
        return [
            code for code in LANGUAGE_CODES if code == DEFAULT_LANGUAGE or page.is_translated(code)
        ]

    def lastmod(self, page):
        return page.last_updated


class EventSitemap(LanguageSitemap):
    def calendar(self):
        if not hasattr(self, "_calendar"):
            calendar = Page.objects.published().filter(kind=Page.Kind.CALENDAR)
            self._calendar = calendar.only(*PAGE_FIELDS).first()
        return self._calendar

    def items_in(self, language):
        if self.calendar() is None:
            return public_events().none()
        events = (
            public_events()
            .select_related(None)
            .only("pk", "modified_at", *(f"title_{code}" for code in LANGUAGE_CODES))
        )
        if language != DEFAULT_LANGUAGE:
            events = events.exclude(**{f"title_{language}": ""})
        return events.order_by("pk")

    def path(self, event, language):
        url = event.get_absolute_url(calendar=self.calendar(), language=language)
        with override(language):
            return url.removeprefix(reverse("pages:home"))

    def get_languages_for_item(self, event):
        return [
            code
            for code in LANGUAGE_CODES
            if code == DEFAULT_LANGUAGE or getattr(event, f"title_{code}")
        ]

    def lastmod(self, event):
        return event.modified_at.date()


SITEMAPS = {"pages": PageSitemap, "events": EventSitemap}


def _public(response):
    # Search engines read sitemaps now and then; an hour-old one in a proxy harms no one.
    patch_cache_control(response, public=True, max_age=3600)
    return response


def index(request):
    """The sitemap index: one entry per section that has addresses."""
    sections = []
    for name, sitemap_class in SITEMAPS.items():
        paginator = sitemap_class().paginator
        for number in paginator.page_range if paginator.count else []:
            location = reverse("sitemap_section", kwargs={"section": name, "page": number})
            sections.append({"location": absolute_uri(request, location)})
    response = TemplateResponse(
        request,
        "sitemap_index.xml",
        {"sitemaps": sections},
        content_type="application/xml",
    )
    return _public(response)


def section(request, section, page):
    sitemap_class = SITEMAPS.get(section)
    if sitemap_class is None:
        raise Http404
    root = absolute_uri(request, "/").removesuffix("/")
    try:
        entries = list(sitemap_class().entries(page, root))
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404 from error
    response = HttpResponse(_urlset(entries), content_type="application/xml")
    return _public(response)


def _urlset(entries):
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for entry in entries:
        alternates = "".join(
            f'<xhtml:link rel="alternate" hreflang="{code}" href="{escape(location)}"/>'
            for code, location in entry["alternates"]
        )
        lines.append(
            f"<url><loc>{escape(entry['location'])}</loc>"
            f"<lastmod>{entry['lastmod'].isoformat()}</lastmod>{alternates}</url>"
        )
    lines.append("</urlset>\n")
    return "\n".join(lines)
