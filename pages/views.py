import re
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import patch_cache_control

from . import feedback
from .models import (
    LANGUAGE_CODES,
    PATH_MAX_LENGTH,
    Event,
    Page,
    Project,
    current_language,
)

# Stored paths only ever hold slugs separated by slashes; anything else cannot be a page, and
# is refused before it reaches the database (PostgreSQL rejects NUL bytes with an error).
PATH_RE = re.compile(r"(?:[-a-zA-Z0-9_]+/)*")
SEARCH_MAX_LENGTH = 200


def is_staff(request) -> bool:
    # Only visitors who send a session cookie can be staff. Looking at request.user for
    # everyone else would add "Vary: Cookie", and no proxy could cache public pages.
    return (
        settings.SESSION_COOKIE_NAME in request.COOKIES
        and request.user.is_active
        and request.user.is_staff
    )


def visible_pages(request):
    """Staff may preview drafts; visitors see published pages only."""
    return Page.objects.all() if is_staff(request) else Page.objects.published()


def page_detail(request, path):
    if len(path) > PATH_MAX_LENGTH or not PATH_RE.fullmatch(path):
        raise Http404
    page = get_object_or_404(
        visible_pages(request).select_related("project__stakeholder_group"), **_path_lookup(path)
    )
    context = {
        "page": page,
        "preview": not page.is_live(),
        "alternates": [(code, page.get_absolute_url(code)) for code in LANGUAGE_CODES],
        "page_contacts": list(
            page.page_contacts.select_related("contact__organisation").order_by("position", "pk")
        ),
    }
    context.update(feedback.widget_context(page, *feedback.state_from_query(request)))
    extra = KIND_CONTEXT.get(page.kind)
    if extra:
        context.update(extra(request, page))
    response = render(request, f"pages/page_{page.kind}.html", context)
    if context["preview"] or is_staff(request):
        patch_cache_control(response, private=True, no_cache=True)
    else:
        # Shared with every visitor by the page cache and by proxies in front of the site.
        response.page_cacheable = True
    return response


def _path_lookup(path):
    return {f"path_{current_language()}": path}


def _project_context(request, page):
    try:
        project = page.project
    except Project.DoesNotExist:
        return {"project": None}
    now = timezone.now()
    partners = list(project.partners.select_related("organisation"))
    group = project.stakeholder_group
    events = list(project.events.all())
    return {
        "project": project,
        "project_ended": project.has_ended(),
        "partners": partners,
        "lead_partners": [p for p in partners if p.role == p.Role.LEAD],
        "stakeholder_members": (
            list(group.members.select_related("organisation")) if group else []
        ),
        "upcoming_events": [e for e in events if e.is_upcoming(now)],
        "past_events": [e for e in reversed(events) if not e.is_upcoming(now)],
    }


def _standard_context(request, page):
    subpages = (
        visible_pages(request)
        .filter(parent=page, show_in_menu=True)
        .defer(*(f"body_{code}" for code in LANGUAGE_CODES))
    )
    return {"subpages": list(subpages)}


def _project_list_context(request, page):
    projects = (
        visible_pages(request).filter(parent=page, kind=Page.Kind.PROJECT).select_related("project")
    )
    return {"project_pages": list(projects)}


def _calendar_context(request, page):
    now = timezone.now()
    events = list(
        Event.objects.filter(
            Q(project__isnull=True) | Q(project__page__in=Page.objects.published())
        ).select_related("project")
    )
    return {
        "upcoming_events": [e for e in events if e.is_upcoming(now)],
        "past_events": [e for e in reversed(events) if not e.is_upcoming(now)],
    }


def _search_context(request, page):
    # NUL cannot be stored or searched for in PostgreSQL; no page contains one anyway.
    query = request.GET.get("q", "").replace("\x00", "").strip()
    if not query:
        return {"query": "", "results": None}
    if len(query) > SEARCH_MAX_LENGTH:
        return {"query": query[:SEARCH_MAX_LENGTH], "results": None, "query_too_long": True}
    return {"query": query, "results": list(Page.objects.published().search(query)[:50])}


KIND_CONTEXT = {
    Page.Kind.STANDARD: _standard_context,
    Page.Kind.PROJECT: _project_context,
    Page.Kind.PROJECT_LIST: _project_list_context,
    Page.Kind.CALENDAR: _calendar_context,
    Page.Kind.SEARCH: _search_context,
}


def bench_bare(request):
    """The same compressed bytes as a real page, with no work at all: the ceiling `make bench`
    compares pages with. Only routed when BENCH_VIEWS is on."""
    response = HttpResponse(Path(settings.BENCH_BARE_FILE).read_bytes())
    response["Content-Encoding"] = "gzip"
    response["Vary"] = "Accept-Encoding"
    return response
