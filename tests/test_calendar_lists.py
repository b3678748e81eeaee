import datetime

import icalendar
import pytest
from django.utils import timezone

from pages.models import Event

from .conftest import text_of

pytestmark = pytest.mark.django_db

CALENDAR = "/sv/kalender/"


def events(count, days_from_now, step=1, title="Evenemang", **fields):
    now = timezone.now()
    Event.objects.bulk_create(
        [
            Event(
                title_sv=f"{title} {n:03d}",
                start=now + datetime.timedelta(days=days_from_now + n * step),
                **fields,
            )
            for n in range(count)
        ]
    )


def test_upcoming_events_come_twenty_a_page_soonest_first(client, demo):
    events(45, 1)

    first = text_of(client.get(CALENDAR))
    third = text_of(client.get(CALENDAR, {"page": "3"}))

    assert "Evenemang 000" in first and "Evenemang 019" in first
    assert "Evenemang 020" not in first
    assert "Sida 1 av 3" in first
    assert "Evenemang 040" in third and "Evenemang 039" not in third


def test_the_archive_lists_years_and_shows_one_year_at_a_time(client, demo):
    text = text_of(client.get(CALENDAR))
    year_2018 = text_of(client.get(CALENDAR, {"year": "2018"}))
    february = text_of(client.get(CALENDAR, {"year": "2018", "month": "2"}))

    assert "Evenemangsarkiv 2018 2017" in text
    assert "Partnermöte i Örebro" not in text
    assert "Evenemangsarkiv: 2018" in year_2018
    assert "Partnermöte i Örebro" in year_2018 and "Projektstart i Barcelona" not in year_2018
    assert "Evenemangsarkiv: Februari 2018" in february
    assert "Tredje mötet" in february and "Partnermöte i Örebro" not in february


@pytest.mark.parametrize(
    "query",
    [
        {"year": "0"},
        {"year": "10000"},
        {"year": "abc"},
        {"month": "2"},
        {"page": "0"},
        {"page": "-1"},
        {"page": "99999999"},
    ],
)
def test_archive_years_months_and_pages_that_cannot_be_show_the_calendar_itself(
    client, demo, query
):
    canonical = client.get(CALENDAR).content
    response = client.get(CALENDAR, query)

    assert response.status_code == 200
    assert response.content == canonical


@pytest.mark.parametrize("month", ["13", "0", "x"])
def test_a_month_that_cannot_be_shows_the_whole_year(client, demo, month):
    year = client.get(CALENDAR, {"year": "2018"}).content

    assert client.get(CALENDAR, {"year": "2018", "month": month}).content == year


def test_a_page_past_the_end_of_the_list_is_a_404(client, demo):
    events(25, 1)

    assert client.get(CALENDAR, {"page": "2"}).status_code == 200
    assert client.get(CALENDAR, {"page": "3"}).status_code == 404


def test_staff_get_a_404_for_an_archive_that_cannot_be(admin_client, demo):
    assert admin_client.get(CALENDAR, {"year": "10000"}).status_code == 404
    assert admin_client.get(CALENDAR, {"page": "abc"}).status_code == 404


@pytest.mark.parametrize("count", [5, 80])
def test_the_calendar_takes_the_same_queries_however_many_events(
    client, demo, django_assert_num_queries, count, settings
):
    settings.PAGE_CACHE_TIMEOUT = 0
    events(count, 1)
    events(count, -400, step=-1)
    client.get("/sv/")  # the page cache's own state, looked up once

    with django_assert_num_queries(7 if count > 20 else 6):
        response = client.get(CALENDAR, {"page": "1"})

    assert response.status_code == 200


def test_the_feed_carries_upcoming_events_and_the_last_twelve_months(client, demo):
    events(3, 2, title="Kommande")
    events(2, -100, title="I höstas")
    events(1, -400, title="Förra året")
    long_ago = Event.objects.get(title_sv="Förra året 000").start.year

    feed = icalendar.Calendar.from_ical(client.get("/sv/events.ics").content)
    year = icalendar.Calendar.from_ical(client.get(f"/sv/events-{long_ago}.ics").content)

    assert sorted(str(e["summary"]) for e in feed.walk("VEVENT")) == [
        "I höstas 000",
        "I höstas 001",
        "Kommande 000",
        "Kommande 001",
        "Kommande 002",
    ]
    assert "Förra året 000" in [str(e["summary"]) for e in year.walk("VEVENT")]
    assert client.get("/sv/events-1800.ics").status_code == 404
