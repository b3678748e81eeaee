from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap as DjangoSitemap

from .calendar import public_events
from .models import DEFAULT_LANGUAGE, LANGUAGE_CODES, Page


class Sitemap(DjangoSitemap):
    """Addresses on SITE_URL when it is set, else on the request's scheme and host."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or super().get_protocol(protocol)

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc or super().get_domain(site)


class PageSitemap(Sitemap):
    """Every published page once per language it exists in, with hreflang alternates.

    English versions that would only show the Swedish text are left out.
    """

    i18n = True
    alternates = True

    def items(self):
        return Page.objects.published().exclude(kind=Page.Kind.SEARCH).order_by("depth", "pk")

    def get_languages_for_item(self, page):
        return [
            code for code in LANGUAGE_CODES if code == DEFAULT_LANGUAGE or page.is_translated(code)
        ]

    def lastmod(self, page):
        return page.last_updated


class EventSitemap(Sitemap):
    i18n = True
    alternates = True

    def items(self):
        self.calendar = Page.objects.published().filter(kind=Page.Kind.CALENDAR).first()
        return list(public_events().order_by("pk")) if self.calendar else []

    def get_languages_for_item(self, event):
        return [
            code
            for code in LANGUAGE_CODES
            if code == DEFAULT_LANGUAGE or getattr(event, f"title_{code}")
        ]

    def location(self, event):
        return event.get_absolute_url(calendar=self.calendar)

    def lastmod(self, event):
        return event.modified_at


SITEMAPS = {"pages": PageSitemap, "events": EventSitemap}
