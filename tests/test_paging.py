import datetime

import pytest

from pages.models import Page, Project

from .conftest import make_page, text_of

pytestmark = pytest.mark.django_db

SECTION = "/sv/kultur-och-civilsamhalle/"
PROJECTS = "/sv/kultur-och-civilsamhalle/pagaende-insatser/projekt/"


def fill_section(count):
    section = Page.objects.get(path_sv="kultur-och-civilsamhalle/")
    for n in range(count):
        make_page(section, f"Undersida {n:02d}", f"undersida-{n}", position=10 + n)
    return section


def test_a_long_section_lists_twenty_subpages_a_page_with_links_between_them(client, demo):
    fill_section(45)

    first = client.get(SECTION)
    third = client.get(SECTION, {"page": "3"})

    assert first.status_code == 200
    assert "Sida 1 av 3" in text_of(first)
    assert '<a href="?page=2" rel="next">Nästa</a>' in first.content.decode()
    assert "Undersida 18" in text_of(first) and "Undersida 19" not in text_of(first)
    assert '<a href="?page=2" rel="prev">Föregående</a>' in third.content.decode()
    assert "Undersida 44" in text_of(third) and "Undersida 37" not in text_of(third)
    assert 'aria-label="Sidor i den här delen"' in first.content.decode()


def test_a_short_section_shows_no_pager(client, demo):
    assert 'class="pager"' not in client.get(SECTION).content.decode()


@pytest.mark.parametrize("number", ["0", "-1", "abc", "99999999", "1.5", "", "1"])
def test_a_page_number_that_is_no_page_number_shows_the_first_page(client, demo, number):
    fill_section(45)
    first = client.get(SECTION).content

    response = client.get(SECTION, {"page": number})

    assert response.status_code == 200
    assert response.content == first


def test_a_page_number_past_the_end_is_a_404(client, demo):
    fill_section(45)

    assert client.get(SECTION, {"page": "3"}).status_code == 200
    assert client.get(SECTION, {"page": "4"}).status_code == 404


@pytest.mark.parametrize("count", [3, 60])
def test_a_section_page_takes_the_same_queries_however_many_subpages(
    client, demo, django_assert_num_queries, count, settings
):
    settings.PAGE_CACHE_TIMEOUT = 0
    fill_section(count)
    client.get("/sv/")  # the page cache's own state, looked up once
    expected = 4 if count <= 20 else 5  # a count only when there is more than one page

    with django_assert_num_queries(expected):
        assert client.get(SECTION, {"page": "1"}).status_code == 200


def test_the_project_list_filters_and_pages_in_the_database(client, demo):
    projects = Page.objects.get(path_sv="kultur-och-civilsamhalle/pagaende-insatser/projekt/")
    for n in range(25):
        page = make_page(projects, f"Projekt {n:02d}", f"projekt-{n}", kind=Page.Kind.PROJECT)
        Project.objects.create(
            page=page,
            acronym=f"P{n}",
            programme="ESF+" if n % 2 else "Interreg Europe",
            start_date=datetime.date(2020, 1, 1),
            end_date=datetime.date(2099, 1, 1) if n < 20 else datetime.date(2021, 1, 1),
        )

    esf = client.get(PROJECTS, {"programme": "ESF+", "status": "ongoing"})
    second = client.get(PROJECTS, {"page": "2"})

    assert "10 projekt" in text_of(esf)
    assert 'class="pager"' not in esf.content.decode()
    assert "26 projekt" in text_of(second)  # with the demo's RaiSE
    assert "Sida 2 av 2" in text_of(second)
    assert '<a href="/sv/kultur-och-civilsamhalle/pagaende-insatser/projekt/" rel="prev">' in (
        second.content.decode()
    )
