import re

from django.conf import settings
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control

from . import cache_deps, calendar, feedback, paging, search
from .models import (
    LANGUAGE_CODES,
    PATH_MAX_LENGTH,
    Page,
    Project,
    Redirect,
    current_language,
)

# Stored paths only ever hold slugs separated by slashes; anything else cannot be a page, and
# is refused before it reaches the database (PostgreSQL rejects NUL bytes with an error).
PATH_RE = re.compile(r"(?:[-a-zA-Z0-9_]+/)*")


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
    page = visible_pages(request).select_related("project__stakeholder_group").by_path(path).first()
    if page is None:
        return _not_a_page(request, path)
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
    cache_deps.shows_page(request, page, context)
    response = render(request, f"pages/page_{page.kind}.html", context)
    if context["preview"] or is_staff(request):
        patch_cache_control(response, private=True, no_cache=True)
    else:
        # Shared with every visitor by the page cache and by proxies in front of the site.
        response.page_cacheable = True
    return response


def _not_a_page(request, path):
    """An event below the calendar page, or an address that has moved; otherwise a 404."""
    response = calendar.event_detail(request, path, visible_pages(request))
    if response is not None:
        return response
    moved = Redirect.objects.for_address(path, current_language()).select_related("page").first()
    if moved is None or (moved.page_id and not (moved.page.is_live() or is_staff(request))):
        raise Http404
    target = moved.target_for(path)
    if request.META.get("QUERY_STRING"):
        target = f"{target}?{request.META['QUERY_STRING']}"
    return HttpResponsePermanentRedirect(target)


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


SUBPAGES_PER_PAGE = 20
PROJECTS_PER_PAGE = 20


def _standard_context(request, page):
    subpages = (
        visible_pages(request)
        .filter(parent=page, show_in_menu=True)
        .defer(*(f"body_{code}" for code in LANGUAGE_CODES))
        .order_by("position", "pk")
    )
    listed = paging.page_of(request, subpages, SUBPAGES_PER_PAGE)
    return {"subpages": list(listed), "list_page": listed, **paging.page_links(request, listed)}


def _project_list_context(request, page):
    today = timezone.localdate()
    projects = (
        Page.objects.published()
        .filter(kind=Page.Kind.PROJECT, project__isnull=False)
        .select_related("project")
        .annotate(final_date=Coalesce("project__extension_end_date", "project__end_date"))
    )
    programmes = list(
        projects.exclude(project__programme="")
        .order_by("project__programme")
        .values_list("project__programme", flat=True)
        .distinct()
    )
    status = request.GET.get("status", "")
    programme = request.GET.get("programme", "")
    if status == "ongoing":
        projects = projects.filter(final_date__gte=today)
    elif status == "ended":
        projects = projects.filter(final_date__lt=today)
    if programme in programmes:
        projects = projects.filter(project__programme=programme)
    listed = paging.page_of(
        request, projects.order_by("title_" + current_language(), "pk"), PROJECTS_PER_PAGE
    )
    return {
        "project_pages": list(listed),
        "list_page": listed,
        **paging.page_links(request, listed),
        "programmes": programmes,
        "chosen_status": status if status in ("ongoing", "ended") else "",
        "chosen_programme": programme if programme in programmes else "",
    }


KIND_CONTEXT = {
    Page.Kind.STANDARD: _standard_context,
    Page.Kind.PROJECT: _project_context,
    Page.Kind.PROJECT_LIST: _project_list_context,
    Page.Kind.CALENDAR: calendar.calendar_context,
    Page.Kind.SEARCH: search.search_context,
}
