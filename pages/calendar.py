"""The “Kalender”: events by month, event pages and iCalendar feeds."""

import datetime
import itertools
import re
import zoneinfo

import icalendar
from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from . import cache_deps, paging
from .cache import absolute_uri
from .models import LANGUAGE_CODES, Event, Page, Project, current_language

# "<pk>-<slug>/" below the calendar page. Only the pk is read: the slug is whatever
# Event.get_absolute_url makes it (slugify keeps "_"), and any other spelling is redirected
# there, so every address that function gives out is found here.
EVENT_SEGMENT_RE = re.compile(
    r"(?P<parent>(?:[-a-zA-Z0-9_]+/)*)(?P<pk>\d{1,12})(?:-[-a-zA-Z0-9_]*)?/"
)
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def public_events():
    """Events visitors may see: their project's page is published, or they have no project."""
    return Event.objects.filter(
        Q(project__isnull=True) | Q(project__page__in=Page.objects.published())
    ).select_related("project__page")


UPCOMING_PER_PAGE = 20
ARCHIVE_PER_PAGE = 50
FEED_DAYS_BACK = 365


def with_finish(events):
    return events.annotate(finish=Coalesce("end", "start"))


def upcoming(now):
    """Events that have not yet finished, in SQL; the twin of `Event.is_upcoming`. An all-day
    event lasts its whole last day."""
    midnight = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(now), datetime.time())
    )
    return Q(all_day=False, finish__gte=now) | Q(all_day=True, finish__gte=midnight)


def calendar_context(request, page):
    now = timezone.now()
    projects = list(
        Project.objects.filter(events__isnull=False, page__in=Page.objects.published())
        .distinct()
        .order_by("acronym")
    )
    chosen = _chosen_project(request, projects)
    events = with_finish(public_events())
    if chosen:
        events = events.filter(project=chosen)
    past = events.exclude(upcoming(now))
    year, month = _archive_month(request)
    if year is None:
        listed = paging.page_of(
            request, events.filter(upcoming(now)).order_by("start", "pk"), UPCOMING_PER_PAGE
        )
    else:
        chosen_past = past.filter(start__year=year)
        if month:
            chosen_past = chosen_past.filter(start__month=month)
        listed = paging.page_of(request, chosen_past.order_by("-start", "-pk"), ARCHIVE_PER_PAGE)
    return {
        "events_by_month": _group(listed, lambda e: _local_date(e.start).replace(day=1)),
        "list_page": listed,
        **paging.page_links(request, listed),
        "archive_years": [moment.year for moment in past.datetimes("start", "year", "DESC")],
        "archive_year": year,
        "archive_month": datetime.date(year, month, 1) if month else None,
        "filter_projects": projects,
        "chosen_project": chosen,
    }


def _chosen_project(request, projects):
    wanted = request.GET.get("project", "")
    return next((p for p in projects if str(p.pk) == wanted), None)


def _archive_month(request):
    """The archive's year and month (or None) from `?year=` and `?month=`; a 404 when they are
    not a year or month the calendar could have."""
    year, month = request.GET.get("year", ""), request.GET.get("month", "")
    if not year:
        return None, None  # a month alone is no archive: the calendar itself
    if not (year.isdigit() and 1900 <= int(year) <= 2200):
        raise Http404
    if month and not (month.isdigit() and 1 <= int(month) <= 12):
        raise Http404
    return int(year), int(month) if month else None


def _group(events, key):
    return [(k, list(group)) for k, group in itertools.groupby(events, key=key)]


def _local_date(value):
    return timezone.localtime(value).date()


def event_detail(request, path, visible_pages):
    """The page of an event below the calendar page, or None if `path` is not one."""
    match = EVENT_SEGMENT_RE.fullmatch(path)
    if not match:
        return None
    language = current_language()
    calendar = (
        visible_pages.filter(kind=Page.Kind.CALENDAR)
        .by_path(match["parent"], language)
        .select_related(None)
        .first()
    )
    if calendar is None:
        return None
    event = public_events().filter(pk=int(match["pk"])).first()
    if event is None:
        raise Http404
    canonical = event.get_absolute_url(calendar=calendar)
    if request.path != canonical:
        return HttpResponsePermanentRedirect(canonical)
    context = {
        "page": calendar,
        "event": event,
        "project_page": event.project.page if event.project_id else None,
        "alternates": [
            (code, event.get_absolute_url(calendar=calendar, language=code))
            for code in LANGUAGE_CODES
        ],
        "event_is_upcoming": event.is_upcoming(),
    }
    cache_deps.shows_event(event, context["project_page"])
    response = render(request, "pages/event_detail.html", context)
    response.page_cacheable = True
    return response


def feed(request, year=None):
    """Public events as an iCalendar feed: the upcoming ones and those of the last twelve
    months, or those of one year (`events-2025.ics`); optionally for one project."""
    events = with_finish(public_events())
    if year is None:
        since = timezone.now() - datetime.timedelta(days=FEED_DAYS_BACK)
        events = events.filter(finish__gte=since)
        filename = "kalender.ics"
    elif 1900 <= year <= 2200:
        events = events.filter(start__year=year)
        filename = f"kalender-{year}.ics"
    else:
        raise Http404
    cache_deps.shows_events()
    cache_deps.accepts("project")
    project = request.GET.get("project", "")
    if project:
        if not project.isdigit() or len(project) > 12:
            raise Http404
        events = events.filter(project_id=int(project))
    return _ics_response(request, list(events.order_by("start", "pk")), filename)


def event_feed(request, pk):
    event = public_events().filter(pk=pk).first()
    if event is None:
        raise Http404
    cache_deps.shows_event(event, event.project.page if event.project_id else None)
    return _ics_response(request, [event], f"event-{pk}.ics")


def _ics_response(request, events, filename):
    calendar_page = Page.objects.published().filter(kind=Page.Kind.CALENDAR).first()
    ics = icalendar.Calendar()
    ics.add("prodid", "-//Region Örebro län//Regional utveckling//SV")
    ics.add("version", "2.0")
    ics.add("calscale", "GREGORIAN")
    ics.add("x-wr-calname", _("Region Örebro County – Regional development"))
    ics.add("x-wr-timezone", "Europe/Stockholm")
    for event in events:
        ics.add_component(_vevent(request, event, calendar_page))
    ics.add_missing_timezones()
    response = HttpResponse(ics.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    patch_cache_control(response, public=True)
    response.page_cacheable = True
    return response


def _vevent(request, event, calendar_page):
    vevent = icalendar.Event()
    vevent.add("uid", f"event-{event.pk}@{settings.ICALENDAR_UID_DOMAIN}")
    vevent.add("dtstamp", event.modified_at)
    vevent.add("last-modified", event.modified_at)
    vevent.add("summary", event.title)
    if event.all_day:
        first = _local_date(event.start)
        last = _local_date(event.end) if event.end else first
        vevent.add("dtstart", first)
        vevent.add("dtend", last + datetime.timedelta(days=1))  # the end date is exclusive
    else:
        vevent.add("dtstart", event.start.astimezone(STOCKHOLM))
        if event.end:
            vevent.add("dtend", event.end.astimezone(STOCKHOLM))
    if event.place:
        vevent.add("location", event.place)
    url = ""
    if calendar_page is not None:
        url = absolute_uri(request, event.get_absolute_url(calendar=calendar_page))
        vevent.add("url", url)
    description = "\n\n".join(filter(None, [strip_tags(event.text), event.registration_url, url]))
    if description:
        vevent.add("description", description)
    return vevent
