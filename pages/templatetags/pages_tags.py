import json
from functools import cached_property
from urllib.parse import urlsplit

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_info, gettext, override

from pages import cache_deps, search
from pages.cache import absolute_uri
from pages.models import (
    DEFAULT_LANGUAGE,
    LANGUAGE_CODES,
    Page,
    current_language,
    path_field,
    shown_language,
)

register = template.Library()


class Navigation:
    """The menu, breadcrumbs and header links around `page`, fetched in one query."""

    def __init__(self, page):
        self.page = page
        self.language = current_language()

    @cached_property
    def _pages(self):
        ancestor_paths = self.page.ancestor_paths(self.language)
        pages = list(
            Page.objects.published()
            .filter(
                Q(depth__lte=1)
                | Q(show_in_footer=True)
                | Q(**{f"{path_field(self.language)}__in": ancestor_paths})
                | Q(kind__in=[Page.Kind.CALENDAR, Page.Kind.SEARCH])
            )
            .defer(
                "body",
                "lead",
                *(f"{field}_{code}" for field in ("body", "lead") for code in LANGUAGE_CODES),
            )
            .order_by("depth", "position", "pk")
        )
        path = path_field(self.language)
        cache_deps.shows_navigation(p.pk for p in pages if getattr(p, path) in ancestor_paths)
        return pages

    @cached_property
    def footer(self):
        return [p for p in self._pages if p.show_in_footer]

    @cached_property
    def menu(self):
        return [p for p in self._pages if p.depth == 1 and p.show_in_menu]

    @cached_property
    def breadcrumbs(self):
        """Published pages above this one, from the home page down."""
        by_path = {getattr(p, path_field(self.language)): p for p in self._pages}
        return [
            by_path[path]
            for path in self.page.ancestor_paths(self.language)
            if path in by_path and by_path[path].pk != self.page.pk
        ]

    @cached_property
    def section(self):
        """The top-level section the page belongs to, for marking the menu."""
        if self.page.depth == 1:
            return self.page
        crumbs = self.breadcrumbs
        return crumbs[1] if len(crumbs) > 1 else None

    def _first_of_kind(self, kind):
        return next((p for p in self._pages if p.kind == kind), None)

    @cached_property
    def calendar(self):
        return self._first_of_kind(Page.Kind.CALENDAR)

    @cached_property
    def search(self):
        return self._first_of_kind(Page.Kind.SEARCH)


@register.simple_tag
def site_navigation(page):
    return Navigation(page)


@register.simple_tag
def footer_pages(nav):
    """The footer's links: from the page's navigation, or looked up on error pages, where a
    database that is down must not stop the error page from showing."""
    if nav:
        return nav.footer
    try:
        return list(Page.objects.published().filter(show_in_footer=True).order_by("position"))
    except DatabaseError:
        return []


@register.simple_tag
def error_page_navigation():
    """The home page's navigation, for error pages: its search page and main sections. None
    when the database is down or there is no home page, so the error page still shows."""
    try:
        home = Page.objects.published().filter(depth=0).first()
        if home is not None:
            nav = Navigation(home)
            nav.menu  # noqa: B018 (fetch now, inside the try)
            return nav
    except DatabaseError:
        pass
    return None


@register.simple_tag
def lang_attr(obj, field):
    """` lang="…"` when `obj.field` is in another language than the page, e.g. Swedish
    fallback text on an English page."""
    if obj is None:
        return ""
    language = shown_language(obj, field)
    return format_html(' lang="{}"', language) if language != current_language() else ""


@register.simple_tag(takes_context=True)
def language_links(context):
    """(code, native name, url) for every language except the active one.

    Page views pass the twin page's addresses as `alternates`; elsewhere the link goes to the
    other language's home page.
    """
    alternates = dict(context.get("alternates") or ())
    active = current_language()
    links = []
    for code in LANGUAGE_CODES:
        if code == active:
            continue
        url = alternates.get(code)
        if url is None:
            with override(code):
                url = reverse("pages:home")
        links.append((code, get_language_info(code)["name_local"].capitalize(), url))
    return links


def _date(value):
    return formats.date_format(value, "j F Y")


@register.simple_tag
def date_range(start, end=None, all_day=True):
    """A readable range such as “30–31 januari 2017” in the active language."""
    if hasattr(start, "tzinfo"):
        start = timezone.localtime(start) if timezone.is_aware(start) else start
    if end is not None and hasattr(end, "tzinfo") and timezone.is_aware(end):
        end = timezone.localtime(end)
    if not all_day and hasattr(start, "hour"):
        text = f"{_date(start)} {formats.time_format(start, 'H:i')}"
        if end is not None:
            if end.date() == start.date():
                return f"{text}–{formats.time_format(end, 'H:i')}"
            return f"{text} – {_date(end)} {formats.time_format(end, 'H:i')}"
        return text
    start_day = start.date() if hasattr(start, "date") else start
    end_day = end.date() if end is not None and hasattr(end, "date") else end
    if end_day is None or end_day == start_day:
        return _date(start_day)
    if (start_day.year, start_day.month) == (end_day.year, end_day.month):
        return f"{start_day.day}–{_date(end_day)}"
    if start_day.year == end_day.year:
        return f"{formats.date_format(start_day, 'j F')} – {_date(end_day)}"
    return f"{_date(start_day)} – {_date(end_day)}"


@register.filter
def long_date(value):
    return _date(value) if value else ""


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    request = context.get("request")
    return absolute_uri(request, url) if request else url


@register.simple_tag
def event_url(event, calendar):
    """The event's own page, when the site has a calendar page to put it under."""
    return event.get_absolute_url(calendar=calendar) if calendar else ""


@register.filter
def highlight(headline):
    return search.highlighted(headline)


@register.simple_tag(takes_context=True)
def canonical_url(context, page):
    """The page's address in the active language, or in Swedish while it has no translation."""
    language = current_language() if page.is_translated() else DEFAULT_LANGUAGE
    return absolute_uri(context["request"], page.get_absolute_url(language))


@register.simple_tag(takes_context=True)
def page_json_ld(context, page):
    request = context["request"]
    return {
        "@context": "https://schema.org",
        "@type": "WebPage",
        "name": page.title,
        "description": page.meta_description or page.lead,
        "url": absolute_uri(request, page.get_absolute_url()),
        "inLanguage": current_language(),
        "dateModified": page.last_updated.isoformat(),
        "isPartOf": {
            "@type": "WebSite",
            "name": gettext("Region Örebro County – Regional development"),
            "url": absolute_uri(request, reverse("pages:home")),
        },
        "publisher": {"@type": "GovernmentOrganization", "name": "Region Örebro län"},
    }


@register.simple_tag(takes_context=True)
def event_json_ld(context, event):
    request = context["request"]
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": absolute_uri(request, request.path),
        "inLanguage": current_language(),
        "eventStatus": "https://schema.org/EventScheduled",
        "organizer": {"@type": "GovernmentOrganization", "name": "Region Örebro län"},
    }
    if event.all_day:
        data["startDate"] = timezone.localtime(event.start).date().isoformat()
        data["endDate"] = timezone.localtime(event.finish()).date().isoformat()
    else:
        data["startDate"] = timezone.localtime(event.start).isoformat()
        if event.end:
            data["endDate"] = timezone.localtime(event.end).isoformat()
    if event.place:
        data["location"] = {"@type": "Place", "name": event.place, "address": event.place}
    if event.text:
        data["description"] = event.text
    return data


@register.filter
def json_ld(data):
    """`data` in a JSON-LD script block, escaped so no text can close the block."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def total_minutes(value) -> int:
    """A timedelta in whole minutes, rounded up: “15” for fifteen minutes."""
    if not value:
        return 0
    return -(-int(value.total_seconds()) // 60)


@register.filter
def web_address(value) -> str:
    """`value` if it is an http(s) address, else nothing: the admin only accepts those, but a
    “javascript:” address that came in another way must never become a link."""
    value = (value or "").strip()
    return value if urlsplit(value).scheme.lower() in {"http", "https"} else ""
