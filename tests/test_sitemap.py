import xml.etree.ElementTree as ET  # parses our own sitemap only

import pytest

from pages import sitemaps
from pages.models import Event, Page

from .conftest import make_page
from .test_calendar_search_seo import SITEMAP_NS

pytestmark = pytest.mark.django_db


def index_locations(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)  # noqa: S314 (our own output)
    return [loc.text for loc in root.findall("s:sitemap/s:loc", SITEMAP_NS)]


def test_sitemap_index_lists_one_section_per_sitemap_of_the_demo(client, demo):
    assert index_locations(client) == [
        "http://testserver/sitemap-pages-1.xml",
        "http://testserver/sitemap-events-1.xml",
    ]


def test_sections_split_at_their_size_and_list_every_address_exactly_once(
    client, demo, monkeypatch
):
    home = Page.objects.get(pk=1)
    for n in range(7):
        make_page(home, f"Sida {n}", f"sida-{n}", f"Page {n}", f"page-{n}")
    expected = {
        page.get_absolute_url(code)
        for page in Page.objects.published().exclude(kind=Page.Kind.SEARCH)
        for code in ("sv", "en")
        if code == "sv" or page.title_en
    }
    monkeypatch.setattr(sitemaps.PageSitemap, "limit", 4)

    sections = [loc for loc in index_locations(client) if "-pages-" in loc]
    locations = []
    for section in sections:
        root = ET.fromstring(client.get(section.removeprefix("http://testserver")).content)  # noqa: S314
        locations += [loc.text for loc in root.findall("s:url/s:loc", SITEMAP_NS)]

    assert len(sections) == -(-len(expected) // 4)
    assert sorted(loc.removeprefix("http://testserver") for loc in locations) == sorted(expected)


@pytest.mark.parametrize("extra", [0, 30])
def test_a_section_takes_the_same_queries_however_many_pages(
    client, demo, django_assert_num_queries, extra
):
    home = Page.objects.get(pk=1)
    for n in range(extra):
        make_page(home, f"Sida {n}", f"sida-{n}", f"Page {n}", f"page-{n}")

    client.get("/robots.txt")  # the page cache's own state, looked up once

    with django_assert_num_queries(4):  # a count and a slice per language
        response = client.get("/sitemap-pages-1.xml")

    assert response.content.count(b"<url>") == 16 + 2 * extra


@pytest.mark.parametrize(
    "url", ["/sitemap-pages-2.xml", "/sitemap-pages-0.xml", "/sitemap-nothing-1.xml"]
)
def test_a_section_past_the_end_or_unknown_is_a_404(client, demo, url):
    assert client.get(url, follow=True).status_code == 404


def test_events_without_a_calendar_page_leave_their_section_empty(client, demo):
    Page.objects.filter(kind=Page.Kind.CALENDAR).update(status=Page.Status.DRAFT)

    assert Event.objects.exists()
    assert index_locations(client) == ["http://testserver/sitemap-pages-1.xml"]
