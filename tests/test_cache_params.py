"""Query parameters, hosts and schemes can neither bypass nor poison the page cache."""

import random
import string
from urllib.parse import urlencode

import pytest

from .conftest import RAISE_SV, text_of

pytestmark = pytest.mark.django_db

PROJECTS = "/sv/kultur-och-civilsamhalle/pagaende-insatser/projekt/"


def junk(rng, size=8):
    return "".join(rng.choices(string.ascii_letters + string.digits + "åäö-_ ", k=size))


def test_a_flood_of_parameters_a_page_does_not_use_renders_it_once(client, demo):
    rng = random.Random(7)  # noqa: S311 (repeatable junk, not secrets)
    names = ["utm_source", "fbclid", "q", "status", "programme", "project", "page", "x", "token"]
    responses = []
    for _ in range(200):
        query = {rng.choice(names): junk(rng) for _ in range(rng.randint(1, 4))}
        responses.append(client.get(RAISE_SV + "?" + urlencode(query)))

    assert [r.status_code for r in responses] == [200] * 200
    assert [r["X-Page-Cache"] for r in responses] == ["miss"] + ["hit"] * 199
    assert text_of(responses[-1]) == text_of(client.get(RAISE_SV))


def test_unknown_filter_values_are_served_the_unfiltered_list(client, demo):
    client.get(PROJECTS)

    ongoing = [client.get(PROJECTS, {"status": "ongoing"}) for _ in range(2)]
    odd = [client.get(PROJECTS, {"status": s, "programme": p}) for s, p in [("x", "y"), ("", "z")]]

    assert [r["X-Page-Cache"] for r in ongoing] == ["miss", "hit"]
    assert [r["X-Page-Cache"] for r in odd] == ["hit", "hit"]
    assert text_of(odd[0]) == text_of(client.get(PROJECTS))


def test_a_known_programme_is_a_page_of_its_own(client, demo):
    client.get(PROJECTS)

    responses = [client.get(PROJECTS, {"programme": "Interreg Europe"}) for _ in range(2)]

    assert [r["X-Page-Cache"] for r in responses] == ["miss", "hit"]
    assert '<option value="Interreg Europe" selected>' in responses[1].content.decode()


def test_the_calendar_filters_by_known_projects_only(client, demo):
    client.get("/sv/kalender/")

    known = [client.get("/sv/kalender/", {"project": "1"}) for _ in range(2)]
    unknown = client.get("/sv/kalender/", {"project": "999"})

    assert [r["X-Page-Cache"] for r in known] == ["miss", "hit"]
    assert unknown["X-Page-Cache"] == "hit"
    assert '<option value="1" selected>' in known[0].content.decode()
    assert "selected" not in unknown.content.decode()


def test_an_ipv6_client_cannot_escape_the_render_limit_by_rotating_addresses(
    client, demo, settings
):
    settings.PAGE_RENDER_RATE_LIMIT = 5
    statuses = [
        client.get(
            "/sv/sok/", {"q": f"sociala {n}"}, REMOTE_ADDR=f"2001:db8:1:2::{n:x}"
        ).status_code
        for n in range(8)
    ]
    other_network = client.get("/sv/sok/", {"q": "sociala 9"}, REMOTE_ADDR="2001:db8:1:3::1")

    assert statuses == [200] * 5 + [429] * 3
    assert other_network.status_code == 200


def test_searches_are_cached_and_new_ones_are_limited_per_client(client, demo, settings):
    settings.PAGE_RENDER_RATE_LIMIT = 5
    searches = [client.get("/sv/sok/", {"q": f"sociala {n}"}) for n in range(8)]
    again = client.get("/sv/sok/", {"q": "sociala 0"})
    elsewhere = client.get("/sv/sok/", {"q": "sociala 7"}, REMOTE_ADDR="203.0.113.9")

    assert [r.status_code for r in searches] == [200] * 5 + [429] * 3
    assert (again.status_code, again["X-Page-Cache"]) == (200, "hit")
    assert elsewhere.status_code == 200
    refused = searches[-1]
    assert refused["Retry-After"] == "60"
    assert "Cookie" not in refused.get("Vary", "")
    assert "Du har gjort många sökningar eller filtreringar på kort tid." in text_of(refused)


def test_the_limit_speaks_english_on_english_pages(client, demo, settings):
    settings.PAGE_RENDER_RATE_LIMIT = 0

    response = client.get("/en/search/", {"q": "social"})

    assert response.status_code == 429
    assert "You have asked for many searches or filtered lists" in text_of(response)


def canonical_of(response):
    return response.content.decode().split('<link rel="canonical" href="')[1].split('"')[0]


def test_another_host_or_scheme_cannot_change_the_next_visitors_links(client, demo, settings):
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    client.get(RAISE_SV, HTTP_HOST="localhost")
    client.get(RAISE_SV, HTTP_X_FORWARDED_PROTO="https")

    response = client.get(RAISE_SV)

    html = response.content.decode()
    assert canonical_of(response) == "http://testserver" + RAISE_SV
    assert "localhost" not in html
    assert "https://testserver" not in html


def test_with_site_url_every_address_uses_it_and_one_copy_is_cached(client, demo, settings):
    settings.SITE_URL = "https://utveckling.example.se"
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    first = client.get(RAISE_SV, HTTP_HOST="localhost")

    response = client.get(RAISE_SV)

    html = response.content.decode()
    assert response["X-Page-Cache"] == "hit"
    assert canonical_of(response) == "https://utveckling.example.se" + RAISE_SV
    assert '"url": "https://utveckling.example.se/sv/"' in html
    assert "testserver" not in html and "localhost" not in html
    assert first.content == response.content
    sitemap = client.get("/sitemap-pages-1.xml", HTTP_HOST="localhost").content.decode()
    assert "<loc>https://utveckling.example.se/sv/</loc>" in sitemap
    assert "localhost" not in sitemap


def test_addresses_outside_the_pages_keep_their_parameters(client, demo):
    response = client.get("/admin/login/", {"next": "/admin/pages/page/5/change/"})

    assert 'name="next" value="/admin/pages/page/5/change/"' in response.content.decode()
