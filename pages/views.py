import re

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .forms import FeedbackForm
from .models import (
    LANGUAGE_CODES,
    PATH_MAX_LENGTH,
    Event,
    Feedback,
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
        "feedback_thanks": request.GET.get("feedback") == "thanks",
        "page_contacts": list(
            page.page_contacts.select_related("contact__organisation").order_by("position", "pk")
        ),
    }
    extra = KIND_CONTEXT.get(page.kind)
    if extra:
        context.update(extra(request, page))
    return render(request, f"pages/page_{page.kind}.html", context)


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


def _project_list_context(request, page):
    projects = (
        visible_pages(request).filter(parent=page, kind=Page.Kind.PROJECT).select_related("project")
    )
    return {"project_pages": list(projects)}


def _calendar_context(request, page):
    now = timezone.now()
    events = list(Event.objects.select_related("project"))
    return {
        "upcoming_events": [e for e in events if e.is_upcoming(now)],
        "past_events": [e for e in reversed(events) if not e.is_upcoming(now)],
    }


def _search_context(request, page):
    query = request.GET.get("q", "").strip()
    if not query:
        return {"query": "", "results": None}
    if len(query) > SEARCH_MAX_LENGTH:
        return {"query": query[:SEARCH_MAX_LENGTH], "results": None, "query_too_long": True}
    return {"query": query, "results": list(Page.objects.published().search(query)[:50])}


KIND_CONTEXT = {
    Page.Kind.PROJECT: _project_context,
    Page.Kind.PROJECT_LIST: _project_list_context,
    Page.Kind.CALENDAR: _calendar_context,
    Page.Kind.SEARCH: _search_context,
}


@csrf_exempt
@require_POST
def feedback(request):
    # Public pages set no cookies so that proxies can cache them, so there is no CSRF cookie
    # to check. A forged cross-site post can do no more than add one anonymous answer, and
    # browsers say where a post comes from: refuse any that is not from this site.
    form = FeedbackForm(request.POST)
    language = request.POST.get("language")
    if language in LANGUAGE_CODES:
        translation.activate(language)
    if not _is_same_origin(request):
        return _feedback_error(request, 403, _("The answer must be sent from this website."))
    if not form.is_valid():
        return _feedback_error(request, 400, _("The answer could not be saved."))
    page = Page.objects.published().filter(pk=form.cleaned_data["page"]).first()
    if page is None:
        return _feedback_error(request, 400, _("The page you answered about does not exist."))
    Feedback.objects.create(
        page=page,
        language=form.cleaned_data["language"],
        helpful=form.cleaned_data["answer"] == "yes",
    )
    url = page.get_absolute_url(form.cleaned_data["language"])
    return redirect(f"{url}?feedback=thanks#feedback")


def _is_same_origin(request) -> bool:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in {"same-origin", "none"}
    origin = request.headers.get("Origin")
    if origin is None:
        # Browsers too old to send either header; nothing to judge by.
        return True
    return origin == f"{request.scheme}://{request.get_host()}"


def _feedback_error(request, status, message):
    return render(request, "pages/feedback_error.html", {"message": message}, status=status)
