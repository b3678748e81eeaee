"""A save ends the cached pages that showed what it changed, and no others."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from contacts.models import Contact
from pages.models import Event, Feedback, Page, Project, Redirect

from .conftest import RAISE_EN, RAISE_SV, make_page, text_of

pytestmark = pytest.mark.django_db

CALENDAR = ["/sv/kalender/", "/en/calendar/", "/sv/kalender/?project=1"]
FEEDS = ["/sv/events.ics", "/sv/events/1.ics", "/sv/events/3.ics"]
EVENT_3 = ["/sv/kalender/3-partnermote-i-orebro/", "/en/calendar/3-partner-meeting-in-orebro/"]
EVENT_1 = ["/sv/kalender/1-projektstart-i-barcelona/"]
RAISE = [RAISE_SV, RAISE_EN]
SECTION = ["/sv/kultur-och-civilsamhalle/", "/en/culture-and-civil-society/"]
ONGOING = [
    "/sv/kultur-och-civilsamhalle/pagaende-insatser/",
    "/en/culture-and-civil-society/ongoing-initiatives/",
]
PROJECTS = [
    "/sv/kultur-och-civilsamhalle/pagaende-insatser/projekt/",
    "/en/culture-and-civil-society/ongoing-initiatives/projects/",
    "/sv/kultur-och-civilsamhalle/pagaende-insatser/projekt/?status=ongoing",
]
SEARCH = ["/sv/sok/?q=sociala", "/en/search/?q=social"]
OTHERS = ["/sv/", "/en/", "/sv/sok/", "/sv/tillganglighetsredogorelse/", "/sv/om-kakor/"]
SITE = [
    *CALENDAR,
    *FEEDS,
    *EVENT_3,
    *EVENT_1,
    *RAISE,
    *SECTION,
    *ONGOING,
    *PROJECTS,
    *SEARCH,
    *OTHERS,
]


@pytest.fixture
def long_lived_cache(settings):
    """Pages and tags kept for days, so that the clock can move on to tomorrow (before the
    content is loaded, whose tags then last as long)."""
    settings.PAGE_CACHE_TIMEOUT = 2 * 24 * 60 * 60


def warm(client, urls=SITE):
    for url in urls:
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit", url


def ended(client, urls=SITE):
    """The addresses whose cached page is gone: the next visitor's request renders them."""
    return {url for url in urls if client.get(url)["X-Page-Cache"] == "miss"}


def test_editing_one_event_ends_its_page_its_lists_and_its_project_page(client, demo):
    warm(client)

    event = Event.objects.get(pk=3)
    event.place_sv = "Karlskoga"
    event.save()

    assert ended(client) == {*EVENT_3, *CALENDAR, *RAISE, "/sv/events.ics", "/sv/events/3.ics"}
    assert "Karlskoga" in text_of(client.get(EVENT_3[0]))


def test_editing_a_contact_ends_only_the_pages_that_show_it_and_search_results(client, demo):
    warm(client)

    contact = Contact.objects.get(name="Anders Bro")
    contact.job_title_sv = "Enhetschef"
    contact.save()

    # Search finds pages by the contacts they show.
    assert ended(client) == {*RAISE, *SEARCH}


def test_editing_a_pages_text_ends_that_page_and_search_results(client, demo):
    warm(client)

    page = Page.objects.get(pk=3)
    page.body_sv = "<p>Nya insatser.</p>"
    page.save()

    assert ended(client) == {*ONGOING, *SEARCH}


def test_renaming_a_page_ends_the_list_it_is_in_and_the_breadcrumbs_below_it(client, demo):
    warm(client)

    page = Page.objects.get(pk=4)
    page.title_sv = "Våra projekt"
    page.save()

    assert ended(client) == {*PROJECTS, *ONGOING, *RAISE, *SEARCH}
    assert "Våra projekt" in text_of(client.get(RAISE_SV))


def test_a_change_to_the_menu_ends_every_page(client, demo):
    warm(client)

    page = Page.objects.get(pk=2)
    page.title_sv = "Kultur och fritid"
    page.save()

    assert ended(client) == set(SITE) - set(FEEDS)


def test_feedback_and_redirects_end_nothing(client, demo):
    warm(client)

    Feedback.objects.create(page_id=5, language="sv", helpful=False, comment="Saknar datum.")
    Redirect.objects.create(language="sv", old_path="gammal/", page_id=5)

    assert ended(client) == set()


def test_a_new_subpage_ends_its_sections_list_only(client, demo):
    warm(client)

    make_page(Page.objects.get(pk=3), "Nytt projekt", "nytt-projekt")

    assert ended(client) == {*ONGOING, *SEARCH}


def test_a_meeting_that_ends_ends_only_the_pages_that_list_it(client, long_lived_cache, demo):
    now = timezone.now()
    Event.objects.create(
        title_sv="Styrgruppsmöte",
        start=now + datetime.timedelta(minutes=30),
        end=now + datetime.timedelta(minutes=90),
        project_id=1,
    )
    warm(client)

    with time_machine.travel(now + datetime.timedelta(hours=2)):
        assert ended(client) == {*CALENDAR, *RAISE, "/sv/events.ics"}


def test_a_project_ends_at_midnight_after_its_last_day(client, long_lived_cache, demo):
    today = timezone.localdate()
    Project.objects.filter(pk=1).update(end_date=today, extension_end_date=None)
    Project.objects.get(pk=1).save()  # as an editor would, with signals
    warm(client)
    assert "Pågående" in text_of(client.get(PROJECTS[0]))

    tomorrow = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(0, 30))
    with time_machine.travel(timezone.make_aware(tomorrow)):
        assert ended(client) == {*RAISE, *PROJECTS, *CALENDAR}
        assert "Projektet är avslutat" in text_of(client.get(RAISE_SV))


def test_a_save_during_a_render_is_not_stored_under_the_new_state(client, demo):
    """The render read the page before the save; stored, it would outlive the save."""
    client.get("/sv/")  # the page cache's first look at the clock, outside the render below
    saved = []

    def save_after_the_page_is_read(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not saved and '"pages_page"' in sql:
            saved.append(True)
            page = Page.objects.get(pk=5)
            page.title_sv = "Ändrad under visningen"
            page.save()
        return result

    with connection.execute_wrapper(save_after_the_page_is_read):
        during = client.get(RAISE_SV)
    after = client.get(RAISE_SV)

    assert "Ändrad under visningen" not in text_of(during)
    assert "Ändrad under visningen" in text_of(after)
