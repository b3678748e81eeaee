import datetime
import json
import re
import xml.etree.ElementTree as ET  # parses our own sitemap only
import zoneinfo

import icalendar
import pytest
from django.test import override_settings

from pages.models import Event, Page, Project, Redirect

from .conftest import RAISE_EN, RAISE_SV, make_page, text_of

pytestmark = pytest.mark.django_db

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
NOW = datetime.datetime(2027, 3, 10, 12, 0, tzinfo=STOCKHOLM)


@pytest.fixture
def fixed_clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def at(day, hour=0, minute=0):
    return datetime.datetime(2027, *day, hour, minute, tzinfo=STOCKHOLM)


def event(title, start, end=None, all_day=False, project_id=1, **fields):
    return Event.objects.create(
        title_sv=title, start=start, end=end, all_day=all_day, project_id=project_id, **fields
    )


# --- Kalender ---------------------------------------------------------------


def test_calendar_groups_upcoming_events_by_month_and_keeps_an_archive(client, demo, fixed_clock):
    event("Heldag i dag", at((3, 10)), at((3, 10)), all_day=True)
    event("Slutade nyss", at((3, 10), 9), at((3, 10), 11))
    event("Senare i mars", at((3, 20), 13), at((3, 20), 15))
    event("I april", at((4, 2), 10))
    event("I februari", at((2, 1), 10))

    text = text_of(client.get("/sv/kalender/"))
    archive_2027 = text_of(client.get("/sv/kalender/", {"year": "2027"}))

    upcoming = text[text.index("Kommande evenemang") : text.index("Evenemangsarkiv")]
    archive = text[text.index("Evenemangsarkiv") :]
    assert re.search(r"Mars 2027 .*Heldag i dag.*Senare i mars.* April 2027 .*I april", upcoming)
    assert "Slutade nyss" not in upcoming and "I februari" not in upcoming
    assert archive.startswith("Evenemangsarkiv 2027 2018 2017 ")
    assert re.search(r"Mars 2027 .*Slutade nyss.* Februari 2027 .*I februari", archive_2027)
    assert "Heldag i dag" not in archive_2027 and "Partnermöte i Örebro" not in archive_2027


def test_calendar_in_english_uses_english_month_names(client, demo, fixed_clock):
    event("I april", at((4, 2), 10), title_en="In April")

    text = text_of(client.get("/en/calendar/"))

    assert "April 2027 2 April 2027 10:00 In April" in text
    assert "Event archive" in text


def test_calendar_can_be_filtered_by_project(client, demo, fixed_clock):
    other_page = make_page(Page.objects.get(pk=4), "Annat", "annat", kind=Page.Kind.PROJECT)
    other = Project.objects.create(
        page=other_page, acronym="ANN", start_date=NOW.date(), end_date=NOW.date()
    )
    event("Annat möte", at((5, 5), 10), project_id=other.pk)

    event("Raise-möte", at((5, 6), 10))
    only_raise = text_of(client.get("/sv/kalender/", {"project": 1}))
    everything = text_of(client.get("/sv/kalender/", {"project": "nonsense"}))
    raise_2018 = text_of(client.get("/sv/kalender/", {"project": 1, "year": 2018}))

    assert "Raise-möte" in only_raise and "Annat möte" not in only_raise
    assert "Raise-möte" in everything and "Annat möte" in everything
    assert "Partnermöte i Örebro" in raise_2018


def test_project_page_splits_meetings_around_today(client, demo, fixed_clock):
    event("Styrgrupp i morgon", at((3, 11), 10), at((3, 11), 12))
    event("Styrgrupp i går", at((3, 9), 10), at((3, 9), 12))

    text = text_of(client.get(RAISE_SV))

    upcoming = text[text.index("Kommande möten") : text.index("Tidigare möten")]
    assert "Styrgrupp i morgon" in upcoming and "Styrgrupp i går" not in upcoming
    assert "Styrgrupp i går" in text[text.index("Tidigare möten") :]


def test_event_page_shows_date_place_project_and_links(client, demo):
    response = client.get("/sv/kalender/3-partnermote-i-orebro/")

    text = text_of(response)
    assert response.status_code == 200
    assert "Partnermöte i Örebro" in text
    assert "När 4–5 april 2018" in text
    assert "Var Örebro" in text
    assert "Projekt RaiSE - Stärk sociala företags konkurrenskraft" in text
    assert "Evenemanget har ägt rum." in text
    assert 'href="/sv/events/3.ics"' in response.content.decode()


def test_event_page_in_english(client, demo):
    text = text_of(client.get("/en/calendar/3-partner-meeting-in-orebro/"))

    assert "When 4–5 April 2018" in text
    assert "Partner meeting in Örebro" in text


def test_timed_event_page_shows_times_in_each_language(client, demo):
    meeting = event("Webbinarium", at((6, 1), 13), at((6, 1), 14, 30), title_en="Webinar")

    swedish = text_of(client.get(f"/sv/kalender/{meeting.pk}-webbinarium/"))
    english = text_of(client.get(f"/en/calendar/{meeting.pk}-webinar/"))

    assert "När 1 juni 2027 13:00–14:30" in swedish
    assert "When 1 June 2027 13:00–14:30" in english


def test_event_address_with_an_old_slug_redirects_to_the_current_one(client, demo):
    response = client.get("/sv/kalender/3/")

    assert response.status_code == 301
    assert response["Location"] == "/sv/kalender/3-partnermote-i-orebro/"


@pytest.mark.parametrize("url", ["/sv/kalender/999-finns-inte/", "/sv/kalender/3-x/extra/"])
def test_unknown_events_are_404(client, demo, url):
    assert client.get(url).status_code == 404


def test_events_of_draft_projects_have_no_page(client, demo):
    Page.objects.filter(pk=5).update(status=Page.Status.DRAFT)

    assert client.get("/sv/kalender/3-partnermote-i-orebro/").status_code == 404
    assert client.get("/sv/events/3.ics").status_code == 404


def parse_feed(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def test_year_feeds_list_all_events_with_stable_uids_and_dates(client, demo):
    events = {
        str(e["uid"]): e
        for year in (2017, 2018)
        for e in parse_feed(client.get(f"/sv/events-{year}.ics")).walk("VEVENT")
    }
    assert set(events) == {f"event-{pk}@utveckling.regionorebrolan.se" for pk in (1, 2, 3)}
    orebro = events["event-3@utveckling.regionorebrolan.se"]
    assert str(orebro["summary"]) == "Partnermöte i Örebro"
    assert orebro.decoded("dtstart") == datetime.date(2018, 4, 4)
    assert orebro.decoded("dtend") == datetime.date(2018, 4, 6)  # exclusive end
    assert str(orebro["url"]) == "http://testserver/sv/kalender/3-partnermote-i-orebro/"


def test_feed_gives_timed_events_in_stockholm_time(client, demo):
    meeting = event("Webbinarium", at((6, 1), 13), at((6, 1), 14, 30), title_en="Webinar")

    calendar = parse_feed(client.get(f"/en/events/{meeting.pk}.ics"))

    (vevent,) = calendar.walk("VEVENT")
    start = vevent.decoded("dtstart")
    assert str(vevent["summary"]) == "Webinar"
    assert start == at((6, 1), 13)
    assert start.utcoffset() == datetime.timedelta(hours=2)  # summer time
    assert vevent["dtstart"].params["TZID"] == "Europe/Stockholm"
    assert vevent.decoded("dtend") == at((6, 1), 14, 30)
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]


def test_feed_can_be_filtered_by_project(client, demo):
    event("Utan projekt", at((6, 1), 13), project_id=None)
    event("Med projekt", at((6, 2), 13))

    everything = parse_feed(client.get("/sv/events-2027.ics"))
    only_raise = parse_feed(client.get("/sv/events-2027.ics", {"project": 1}))

    assert len(everything.walk("VEVENT")) == 2
    assert [str(e["summary"]) for e in only_raise.walk("VEVENT")] == ["Med projekt"]
    assert client.get("/sv/events.ics", {"project": "x"}).status_code == 404


# --- Projects ---------------------------------------------------------------


@pytest.fixture
def two_projects(demo):
    projects = Page.objects.get(pk=4)
    ongoing = make_page(
        projects, "Nytt projekt", "nytt", "New project", "new", kind=Page.Kind.PROJECT
    )
    Project.objects.create(
        page=ongoing,
        acronym="NEW",
        programme_sv="Europeiska socialfonden",
        programme_en="European Social Fund",
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2099, 1, 1),
    )


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({}, ["RaiSE", "Nytt projekt"], []),
        ({"status": "ongoing"}, ["Nytt projekt"], ["RaiSE"]),
        ({"status": "ended"}, ["RaiSE"], ["Nytt projekt"]),
        ({"programme": "Interreg Europe"}, ["RaiSE"], ["Nytt projekt"]),
        ({"programme": "okänt", "status": "?"}, ["RaiSE", "Nytt projekt"], []),
    ],
)
def test_project_list_filters_by_status_and_programme(client, two_projects, query, shown, hidden):
    text = text_of(client.get("/sv/kultur-och-civilsamhalle/pagaende-insatser/projekt/", query))

    for title in shown:
        assert title in text
    for title in hidden:
        assert title not in text


def test_project_list_in_english(client, two_projects):
    url = "/en/culture-and-civil-society/ongoing-initiatives/projects/"
    text = text_of(client.get(url, {"status": "ongoing"}))

    assert "1 project" in text
    assert "New project Ongoing · European Social Fund" in text


# --- Redirects --------------------------------------------------------------


def test_renamed_page_and_its_descendants_redirect_in_each_language(client, demo):
    section = Page.objects.get(pk=2)
    section.slug_sv = "kultur"
    section.slug_en = "culture"
    section.save()

    swedish = client.get(RAISE_SV)
    english = client.get(RAISE_EN + "?utm_source=x")

    assert swedish.status_code == english.status_code == 301
    assert swedish["Location"] == RAISE_SV.replace("kultur-och-civilsamhalle", "kultur")
    assert english["Location"] == (
        RAISE_EN.replace("culture-and-civil-society", "culture") + "?utm_source=x"
    )
    assert client.get(swedish["Location"]).status_code == 200


def test_moved_page_redirects_from_its_old_address(client, demo):
    raise_page = Page.objects.get(pk=5)
    raise_page.parent = Page.objects.get(pk=3)
    raise_page.save()

    response = client.get(RAISE_SV)

    assert response.status_code == 301
    assert response["Location"] == (
        "/sv/kultur-och-civilsamhalle/pagaende-insatser/stark-sociala-foretags-konkurrenskraft/"
    )
    assert client.get(RAISE_EN)["Location"] == (
        "/en/culture-and-civil-society/ongoing-initiatives/"
        "strengthen-social-enterprises-competitiveness/"
    )


def test_renaming_back_leaves_no_redirect_loop(client, demo):
    page = Page.objects.get(pk=2)
    page.slug_sv = "kultur"
    page.save()
    page.slug_sv = "kultur-och-civilsamhalle"
    page.save()

    assert client.get("/sv/kultur-och-civilsamhalle/").status_code == 200
    assert client.get("/sv/kultur/")["Location"] == "/sv/kultur-och-civilsamhalle/"


def test_editors_can_add_redirects_by_hand(client, demo):
    Redirect.objects.create(language="sv", old_path="raise/", page_id=5)
    Redirect.objects.create(language="en", old_path="interreg/", url="https://interreg.example/")

    assert client.get("/sv/raise/")["Location"] == RAISE_SV
    assert client.get("/en/interreg/")["Location"] == "https://interreg.example/"


def test_redirect_to_a_draft_is_a_404_for_visitors(client, demo):
    Redirect.objects.create(language="sv", old_path="raise/", page_id=5)
    Page.objects.filter(pk=5).update(status=Page.Status.DRAFT)

    assert client.get("/sv/raise/").status_code == 404


@pytest.mark.parametrize(
    ("fields", "field_in_error"),
    [
        ({"old_path": "raise/", "url": "javascript:alert(1)"}, "url"),
        ({"old_path": "raise/", "url": "//evil.example/"}, "url"),
        ({"old_path": "raise/"}, "url"),
        ({"old_path": "no-slash", "url": "/sv/"}, "old_path"),
        ({"old_path": "kultur-och-civilsamhalle/", "url": "/sv/"}, "old_path"),
        ({"old_path": "raise/", "url": "https://raise.example", "prefix": True}, "url"),
        ({"old_path": "raise/", "language": "xx", "url": "/sv/"}, "language"),
    ],
)
def test_bad_redirects_are_refused(demo, fields, field_in_error):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        Redirect(**{"language": "sv", **fields}).full_clean()

    assert field_in_error in error.value.message_dict


# --- Search engines ---------------------------------------------------------

SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "x": "http://www.w3.org/1999/xhtml",
}


def sitemap_entries(client):
    """Every <url> of every section the sitemap index lists."""
    index = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 (our own output)
    entries = []
    for location in index.findall("s:sitemap/s:loc", SITEMAP_NS):
        section = client.get(location.text.removeprefix("http://testserver"))
        assert section.status_code == 200
        entries += ET.fromstring(section.content).findall("s:url", SITEMAP_NS)  # noqa: S314
    return entries


def test_sitemap_lists_each_page_once_per_language_it_exists_in(client, demo):
    make_page(Page.objects.get(pk=1), "Bara svenska", "bara-svenska")
    make_page(Page.objects.get(pk=1), "Utkast", "utkast", status=Page.Status.DRAFT)

    locations = [u.findtext("s:loc", namespaces=SITEMAP_NS) for u in sitemap_entries(client)]
    assert len(locations) == len(set(locations))
    assert "http://testserver" + RAISE_SV in locations
    assert "http://testserver" + RAISE_EN in locations
    assert "http://testserver/sv/bara-svenska/" in locations
    assert "http://testserver/en/bara-svenska/" not in locations
    assert not any("utkast" in loc or "/sok/" in loc for loc in locations)
    assert len([loc for loc in locations if "/sv/" in loc and "kalender/" not in loc]) == 8


def test_sitemap_has_hreflang_alternates_and_lastmod(client, demo):
    entry = next(
        u
        for u in sitemap_entries(client)
        if u.findtext("s:loc", namespaces=SITEMAP_NS) == "http://testserver" + RAISE_SV
    )
    assert entry.findtext("s:lastmod", namespaces=SITEMAP_NS) == "2021-10-05"
    alternates = {
        link.get("hreflang"): link.get("href") for link in entry.findall("x:link", SITEMAP_NS)
    }
    assert alternates == {
        "sv": "http://testserver" + RAISE_SV,
        "en": "http://testserver" + RAISE_EN,
    }


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
    assert response.content.decode().splitlines() == [
        "User-agent: *",
        "Disallow: /feedback/",
        "Sitemap: http://testserver/sitemap.xml",
    ]


@override_settings(ADMIN_URL="redaktion/", ROOT_URLCONF="tests.urls_moved_admin")
def test_robots_txt_never_names_a_moved_admin_which_asks_not_to_be_indexed(client):
    robots = client.get("/robots.txt").content.decode()
    login = client.get("/redaktion/login/")

    assert "redaktion" not in robots
    assert login.status_code == 200
    assert login["X-Robots-Tag"] == "noindex, nofollow"
    assert "X-Robots-Tag" not in client.get("/robots.txt")


def json_ld(response):
    html = response.content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block.group(1))


def test_pages_carry_canonical_open_graph_and_json_ld(client, demo):
    response = client.get(RAISE_EN)
    html = response.content.decode()

    assert f'<link rel="canonical" href="http://testserver{RAISE_EN}">' in html
    assert '<meta property="og:locale" content="en_GB">' in html
    assert (
        '<meta property="og:title" content="RaiSE – Strengthening the competitiveness of '
        'social enterprises">'
    ) in html
    data = json_ld(response)
    assert data["@type"] == "WebPage"
    assert data["dateModified"] == "2021-10-05"
    assert data["inLanguage"] == "en"


def test_untranslated_english_page_names_the_swedish_one_as_canonical(client, demo):
    make_page(Page.objects.get(pk=1), "Bara svenska", "bara-svenska")

    html = client.get("/en/bara-svenska/").content.decode()

    assert '<link rel="canonical" href="http://testserver/sv/bara-svenska/">' in html


def test_event_pages_carry_event_json_ld(client, demo):
    data = json_ld(client.get("/sv/kalender/3-partnermote-i-orebro/"))

    assert data["@type"] == "Event"
    assert (data["startDate"], data["endDate"]) == ("2018-04-04", "2018-04-05")
    assert data["location"]["name"] == "Örebro"


def test_json_ld_cannot_be_broken_out_of(client, demo):
    Page.objects.filter(pk=5).update(title_sv='</script><script>alert("x")</script>')

    response = client.get(RAISE_SV)

    assert json_ld(response)["name"] == '</script><script>alert("x")</script>'
    assert '<script>alert("x")' not in response.content.decode()
