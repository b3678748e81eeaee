"""Moments at which pages change by the clock alone, and the tags each one ends.

A page's publishing starts or ends; a timed event ends, and moves from "upcoming" to past;
at midnight an all-day event's last day or a project's end date has passed. The page cache
keeps, in its store, when it last looked (`checked`) and the next such moment (`next`). The
first request after that moment ends the tags of what changed in between, and only those:
an event that ends re-renders the pages that list it, not the site.
"""

import datetime

from django.conf import settings
from django.db.models import Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import cache_deps
from .models import Event, Page, Project

CLOCK_KEY = "pages:clock"


def is_due(state, now) -> bool:
    return state is None or state["next"] <= now


def catch_up(store, state, now):
    """End the tags of what changed by the clock since the store last looked; note when to
    look again. A store that never looked (or lost the note) looks back as far as a page may
    have been stored."""
    from .cache_store import bump, state_timeout

    since = state["checked"] if state else now - datetime.timedelta(seconds=page_lifetime())
    tags = changes_between(since, now)
    if tags:
        bump(tags)
    store.set(CLOCK_KEY, {"checked": now, "next": next_change(now)}, state_timeout())


def page_lifetime() -> int:
    return max(settings.PAGE_CACHE_TIMEOUT, 1)


def _start_of(day) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _finishing():
    return Event.objects.annotate(finish=Coalesce("end", "start"))


def changes_between(since, until) -> set:
    """The tags of everything that changed by the clock after `since`, up to `until`."""
    tags = set()
    published = Q(publish_from__gt=since, publish_from__lte=until)
    unpublished = Q(publish_until__gt=since, publish_until__lte=until)
    for values in cache_deps.page_rows(Page.objects.filter(published | unpublished)):
        tags |= cache_deps.page_visibility_tags(values)
    ended = Q(all_day=False, finish__gt=since, finish__lte=until)
    # Days that ended at a midnight after `since`, up to `until`.
    first_day = timezone.localdate(since)
    last_day = timezone.localdate(until) - datetime.timedelta(days=1)
    if first_day <= last_day:
        next_day = last_day + datetime.timedelta(days=1)
        ended |= Q(all_day=True, finish__gte=_start_of(first_day), finish__lt=_start_of(next_day))
        projects = Project.objects.annotate(final=Coalesce("extension_end_date", "end_date"))
        for project in projects.filter(final__gte=first_day, final__lte=last_day):
            tags |= cache_deps.project_tags(project)
    for event in _finishing().filter(ended):
        tags |= cache_deps.event_tags(event)
    return tags


def next_change(now) -> datetime.datetime:
    """The next moment some page changes by the clock alone: the next local midnight, or
    sooner a page's publish-from or publish-until time, or a timed event ending."""
    moments = [_start_of(timezone.localdate(now) + datetime.timedelta(days=1))]
    moments += Page.objects.aggregate(
        start=Min("publish_from", filter=Q(publish_from__gt=now)),
        end=Min("publish_until", filter=Q(publish_until__gt=now)),
    ).values()
    moments += (
        _finishing()
        .filter(all_day=False)
        .aggregate(next=Min("finish", filter=Q(finish__gt=now)))
        .values()
    )
    return min(moment for moment in moments if moment is not None)
