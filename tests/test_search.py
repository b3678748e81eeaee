"""The site search, on SQLite (FTS5) and PostgreSQL (tsvector) alike."""

import datetime
import html
import io
import re
import zoneinfo

import pytest
from django.core.management import call_command
from django.db import connection

from contacts.models import Contact, Organisation
from pages.models import Page, PageContact, Project, SearchDocument
from pages.search_index import fts_table

from .conftest import make_page, text_of

pytestmark = pytest.mark.django_db

RAISE_TITLE_SV = "RaiSE - Stärk sociala företags konkurrenskraft"
RAISE_TITLE_EN = "RaiSE – Strengthening the competitiveness of social enterprises"
SQLITE = connection.vendor == "sqlite"
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")


def at(hour, minute):
    return datetime.datetime(2030, 6, 1, hour, minute, tzinfo=STOCKHOLM)


def search(client, query, language="sv", **params):
    url = "/sv/sok/" if language == "sv" else "/en/search/"
    return client.get(url, {"q": query, **params})


def result_titles(response) -> list[str]:
    """The titles of the results, in order."""
    html = response.content.decode()
    found = re.search(r'<ol class="results".*?</ol>', html, re.S)
    if found is None:
        return []
    html = found.group()
    return re.findall(r'<li>\s*<a href="[^"]*"(?: lang="\w+")?>([^<]*)</a>', html)


@pytest.fixture
def site(home):
    """A home page and the search page below it, nothing else."""
    make_page(home, "Sök", "sok", title_en="Search", slug_en="search", kind=Page.Kind.SEARCH)
    return home


def fts_rows() -> int:
    """The rows of the SQLite FTS5 tables, every language."""
    with connection.cursor() as cursor:
        counts = []
        for language in ("sv", "en"):
            cursor.execute(f"SELECT count(*) FROM {fts_table(language)}")  # noqa: S608
            counts.append(cursor.fetchone()[0])
        return sum(counts)


# --- Swedish words in any form ----------------------------------------------


@pytest.mark.parametrize(
    ("query", "marked"),
    [
        ("arbetsplatsen", "<mark>arbetsplatser</mark>"),
        ("företagens", "sociala <mark>företag</mark> genom"),
        ("örebro", "Region <mark>Örebro</mark> län samarbetar"),
        ("ÖREBRO", "Region <mark>Örebro</mark> län samarbetar"),
        ("o\u0308rebro", "Region <mark>Örebro</mark> län samarbetar"),  # ö as o + diaeresis
        ("Sociala Företag", "<mark>sociala</mark> <mark>företag</mark> genom"),
        ("KONKURRENSKRAFTEN", "Vi stärker <mark>konkurrenskraften</mark> för"),
    ],
)
def test_swedish_words_in_any_form_and_case_find_the_raise_page(client, demo, query, marked):
    response = search(client, query)

    assert RAISE_TITLE_SV in result_titles(response)
    assert marked in response.content.decode()


def test_inflected_words_find_every_page_with_the_same_stem(client, demo):
    make_page(Page.objects.get(pk=1), "Om företagen", "om", body_sv="<p>Företagens framtid.</p>")

    response = search(client, "företag")

    # RaiSE has the word in its title and lead, "Om företagen" in its title and body.
    assert result_titles(response) == [RAISE_TITLE_SV, "Om företagen", "Regional utveckling"]
    assert "3 träffar för ”företag”" in text_of(response)


def test_a_word_in_the_title_ranks_before_the_same_word_in_a_body(client, site):
    make_page(site, "Något annat", "annat", body_sv="<p>" + "Här nämns kommunerna. " * 20 + "</p>")
    make_page(site, "Om ingressen", "ingress", lead_sv="Om länets kommuner.")
    make_page(site, "Kommuner", "kommuner", body_sv="<p>En lista.</p>")

    response = search(client, "kommun")

    assert result_titles(response) == ["Kommuner", "Om ingressen", "Något annat"]
    assert "Här nämns <mark>kommunerna</mark>." in response.content.decode()


def test_every_word_must_match(client, site):
    make_page(site, "Kultur", "kultur", body_sv="<p>Bidrag till kultur.</p>")
    make_page(site, "Idrott", "idrott", body_sv="<p>Bidrag till idrott.</p>")

    assert result_titles(search(client, "bidrag kultur")) == ["Kultur"]
    assert result_titles(search(client, "bidrag")) == ["Kultur", "Idrott"]  # equal: oldest first


# --- Snippets ----------------------------------------------------------------


def test_snippets_start_and_end_on_word_boundaries(client, site):
    words = [f"fyllnad{i}" for i in range(100)]
    words[50] = "konkurrenskraften"
    make_page(site, "Lång sida", "lang", body_sv="<p>" + ", ".join(words) + ".</p>")

    html = search(client, "konkurrenskraft").content.decode()

    shown = ", ".join(words[45:50]) + ", <mark>konkurrenskraften</mark>, " + ", ".join(words[51:75])
    assert f"<p>… {shown} …</p>" in html


def test_a_short_text_is_shown_whole_with_every_match_marked(client, site):
    make_page(
        site,
        "Kort",
        "kort",
        lead_sv="Sociala företag.",
        body_sv="<p>Fler <b>soci</b>ala</p><p>företag.</p>",  # a tag inside a word
    )

    html = search(client, "sociala").content.decode()

    assert "<p><mark>Sociala</mark> företag. Fler <mark>sociala</mark> företag.</p>" in html


def test_snippets_highlight_matches_and_escape_the_rest(client, demo):
    make_page(
        Page.objects.get(pk=1),
        "Varning",
        "varning",
        body_sv="<p>Skriv aldrig &lt;script&gt;alert(1)&lt;/script&gt; i ett sociala fält.</p>",
    )

    html = search(client, "sociala").content.decode()

    assert "<p>… alert(1)&lt;/script&gt; i ett <mark>sociala</mark> fält.</p>" in html
    assert "<script>alert" not in html


# --- What is found, in which language ---------------------------------------


def test_only_published_pages_are_found(client, site):
    make_page(site, "Hemligt utkast", "utkast", status=Page.Status.DRAFT)
    make_page(
        site,
        "Hemligt framtida",
        "framtid",
        publish_from=datetime.datetime(2999, 1, 1, tzinfo=datetime.UTC),
    )
    make_page(
        site,
        "Hemligt gammalt",
        "gammalt",
        publish_until=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC),
    )
    make_page(site, "Hemligt öppet", "oppet")

    response = search(client, "hemligt")

    assert result_titles(response) == ["Hemligt öppet"]
    assert "En träff för ”hemligt”" in text_of(response)


def test_a_scheduled_page_is_found_once_its_time_has_come(client, site, time_machine):
    time_machine.move_to(datetime.datetime(2030, 6, 1, 8, 0, tzinfo=STOCKHOLM), tick=False)
    make_page(site, "Tidsstyrd sida", "tidsstyrd", publish_from=at(10, 0))
    make_page(site, "Tidsstyrd nyhet", "nyhet", publish_until=at(10, 0))

    before = search(client, "tidsstyrd")
    time_machine.move_to(at(10, 1), tick=False)
    after = search(client, "tidsstyrd")

    assert result_titles(before) == ["Tidsstyrd nyhet"]
    assert result_titles(after) == ["Tidsstyrd sida"]


def test_english_search_finds_english_text_and_swedish_fallback(client, demo):
    make_page(Page.objects.get(pk=1), "Lokala företag", "lokala", lead_sv="Om företagen.")

    english = search(client, "social enterprises", "en")
    # Swedish text is stemmed as Swedish on the English page too: "företagens" and
    # "företagen" are both "företag" in Swedish, but not in English.
    fallback = search(client, "företagens", "en")

    assert result_titles(english) == [RAISE_TITLE_EN]
    assert (
        "work-integration <mark>social</mark> <mark>enterprises</mark> by"
        in english.content.decode()
    )
    assert result_titles(fallback) == ["Lokala företag"]
    results = fallback.content.decode().split('<ol class="results"')[1]
    assert '<a href="/en/lokala/" lang="sv">Lokala företag</a>' in results
    assert '<p lang="sv">Om <mark>företagen</mark>.</p>' in results


def test_swedish_search_does_not_find_english_text(client, demo):
    response = search(client, "enterprises")

    # The Swedish page quotes the project's English name: only that page is found.
    assert result_titles(response) == [RAISE_TITLE_SV]
    assert result_titles(search(client, "strengthening")) == []
    assert result_titles(search(client, "förlängs", "en")) == []


def test_project_facts_and_contacts_are_found(client, demo):
    # None of these words is in the page's own text.
    for query in ("Anders Bro", "utvecklingsledare", "Verdandi", "Hällefors folkhögskola"):
        assert result_titles(search(client, query)) == [RAISE_TITLE_SV], query
    assert result_titles(search(client, "Development Manager", "en")) == [RAISE_TITLE_EN]


# --- Kept current -------------------------------------------------------------


def test_demo_content_is_indexed_when_loaded(demo):
    assert SearchDocument.objects.count() == 2 * Page.objects.count() == 18
    if SQLITE:
        assert fts_rows() == 18
    else:
        assert SearchDocument.objects.filter(vector=None).count() == 0


def test_an_edited_page_is_found_by_its_new_words_only(client, demo):
    page = Page.objects.get(pk=5)
    page.body_sv = "<p>Nu handlar det om biodling.</p>"
    page.save()

    assert result_titles(search(client, "biodling")) == [RAISE_TITLE_SV]
    assert result_titles(search(client, "arbetsplatsen")) == []


def test_a_deleted_page_is_no_longer_found(client, demo):
    page = make_page(Page.objects.get(pk=1), "Tillfällig", "tillfallig")
    assert result_titles(search(client, "tillfällig")) == ["Tillfällig"]

    page.delete()

    assert result_titles(search(client, "tillfällig")) == []
    assert SearchDocument.objects.count() == 18
    if SQLITE:
        assert fts_rows() == 18


def test_a_changed_contact_reindexes_the_pages_that_show_it(client, demo):
    contact = Contact.objects.get(name="Anders Bro")
    contact.name = "Anna Lund"
    contact.save()

    assert result_titles(search(client, "Anna Lund")) == [RAISE_TITLE_SV]
    assert result_titles(search(client, "Bro")) == []


def test_a_changed_organisation_reindexes_the_pages_that_show_it(client, demo):
    organisation = Organisation.objects.get(name_sv="Verdandi")
    organisation.name_sv = "Föreningen Gemenskap"
    organisation.save()

    assert result_titles(search(client, "gemenskap")) == [RAISE_TITLE_SV]
    assert result_titles(search(client, "Verdandi")) == []


def test_removed_contacts_and_projects_are_no_longer_found(client, demo):
    PageContact.objects.filter(contact__name="Mona Hedfeldt").delete()
    assert result_titles(search(client, "Hedfeldt")) == []

    Contact.objects.get(name="Anders Bro").delete()
    assert result_titles(search(client, "Anders")) == []

    Project.objects.get(acronym="RaiSE").delete()
    assert result_titles(search(client, "Verdandi")) == []
    assert result_titles(search(client, "arbetsplatsen")) == [RAISE_TITLE_SV]


def test_contacts_added_through_the_relation_are_found(client, demo):
    page = make_page(Page.objects.get(pk=1), "Kontakt", "kontakt")
    contact = Contact.objects.create(name="Kim Andersson")

    page.contacts.add(contact, through_defaults={"position": 0})
    assert result_titles(search(client, "Andersson")) == ["Kontakt"]

    contact.page_set.clear()
    assert result_titles(search(client, "Andersson")) == []


def test_rebuild_command_indexes_every_page_afresh(client, demo, capsys):
    SearchDocument.objects.all().delete()
    assert result_titles(search(client, "arbetsplatsen")) == []

    call_command("rebuild_search_index")

    assert capsys.readouterr().out == "Indexed 9 pages.\n"
    assert result_titles(search(client, "arbetsplatsen")) == [RAISE_TITLE_SV]
    assert SearchDocument.objects.count() == 18
    if SQLITE:
        assert fts_rows() == 18


def test_migrate_indexes_pages_that_have_no_documents(client, demo):
    SearchDocument.objects.filter(page_id=5).delete()

    call_command("migrate", verbosity=0)

    assert SearchDocument.objects.count() == 18
    assert result_titles(search(client, "arbetsplatsen")) == [RAISE_TITLE_SV]


# --- Counting, paging and caching -------------------------------------------


def test_search_pages_through_many_results(client, demo):
    home = Page.objects.get(pk=1)
    for i in range(12):
        make_page(home, f"Kulturbidrag {i}", f"bidrag-{i}", lead_sv="Om kulturbidrag.")

    first = text_of(search(client, "kulturbidrag"))
    second = text_of(search(client, "kulturbidrag", page=2))
    beyond = search(client, "kulturbidrag", page="999")

    assert "12 träffar" in first and "Sida 1 av 2" in first
    assert "Sida 2 av 2" in second
    assert beyond.status_code == 200 and "Sida 2 av 2" in text_of(beyond)


def test_counting_stops_after_a_thousand_results(client, site):
    Page.objects.bulk_create(
        Page(
            parent=site,
            title_sv=f"Bidrag {i}",
            slug_sv=f"bidrag-{i}",
            path_sv=f"bidrag-{i}/",
            path_en=f"bidrag-{i}/",
            depth=1,
            status=Page.Status.PUBLISHED,
            lead_sv="Om kulturbidrag.",
        )
        for i in range(1001)
    )
    call_command("rebuild_search_index", stdout=io.StringIO())

    swedish = text_of(search(client, "kulturbidrag"))
    last = text_of(search(client, "kulturbidrag", page=100))
    english = text_of(search(client, "kulturbidrag", "en"))

    assert "Fler än 1 000 träffar för ”kulturbidrag”" in swedish
    assert "De 1 000 bästa visas. Lägg till ord för att begränsa sökningen." in swedish
    assert "Sida 1 av 100" in swedish and "Sida 100 av 100" in last
    assert "More than 1,000 results for “kulturbidrag”" in english


def test_repeated_search_is_answered_from_the_cache_until_content_changes(
    client, demo, django_assert_num_queries
):
    search(client, "arbetsplatsen")  # fills the cache
    with django_assert_num_queries(3) as queries:  # the search page, its contacts, the menu
        assert result_titles(search(client, "Arbetsplatsen")) == [RAISE_TITLE_SV]
    assert not any("pages_search" in query["sql"] for query in queries.captured_queries)

    page = Page.objects.get(pk=5)
    page.title_sv = "RaiSE – ny rubrik"
    page.save()

    assert result_titles(search(client, "arbetsplatsen")) == ["RaiSE – ny rubrik"]


# --- Bad input ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "heading"),
    [
        ("!!!", "0 träffar för ”!!!”"),
        ("-" * 33, f"0 träffar för ”{'-' * 33}”"),
        ("-" * 40 + "sociala", f"En träff för ”{'-' * 40}sociala”"),
        ("sociala -företag", "En träff för ”sociala -företag”"),
        ('"sociala företag"', 'En träff för ”"sociala företag"”'),
        ('"sociala', 'En träff för ”"sociala”'),
        ("sociala*", "En träff för ”sociala*”"),
        ("*", "0 träffar för ”*”"),
        ("^sociala", "En träff för ”^sociala”"),
        ("title:sociala", "0 träffar för ”title:sociala”"),
        (":", "0 träffar för ”:”"),
        ("(sociala", "En träff för ”(sociala”"),
        ("NEAR(sociala företag)", "0 träffar för ”NEAR(sociala företag)”"),
        ("NEAR", "0 träffar för ”NEAR”"),
        ("sociala OR", "0 träffar för ”sociala OR”"),
        ("AND", "0 träffar för ”AND”"),
        ("NOT sociala", "0 träffar för ”NOT sociala”"),
        ("' OR 1=1 --", "0 träffar för ”' OR 1=1 --”"),
        ("%", "0 träffar för ”%”"),
        ("_", "0 träffar för ”_”"),
        ("s\u0336o\u0336c\u0336i\u0336a\u0336l\u0336a\u0336", "En träff för ”s̶o̶c̶i̶a̶l̶a̶”"),
        ("sociala " * 12, "En träff för ”" + " ".join(["sociala"] * 12) + "”"),
        ("ö" * 199, "0 träffar för ”" + "ö" * 199 + "”"),
    ],
)
def test_odd_searches_get_results_or_no_hits(client, demo, query, heading):
    response = search(client, query)

    assert response.status_code == 200
    assert heading in html.unescape(text_of(response))


@pytest.mark.parametrize("query", ["-" * 33, '"', "*", "NEAR", "(", "^", ":", "'"])
def test_operators_alone_find_nothing_in_english_either(client, demo, query):
    response = search(client, query, "en")

    assert response.status_code == 200
    assert f"0 results for “{query}”" in html.unescape(text_of(response))


@pytest.mark.parametrize("query", ["OR", "AND", "NOT", "and not", "NEAR"])
def test_operator_words_are_searched_as_plain_words(client, demo, query):
    """ "and" is an English word (and a stop word for PostgreSQL): as a word it is searched."""
    response = search(client, query, "en")

    assert response.status_code == 200
    assert result_titles(response) == result_titles(search(client, query.lower(), "en"))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Skriv ett eller flera ord att söka efter."),
        ("   ", "Skriv ett eller flera ord att söka efter."),
        ("\x00", "Skriv ett eller flera ord att söka efter."),
        ("x" * 5000, "Din sökning är för lång. Använd några få ord."),
    ],
)
def test_empty_or_overlong_searches_get_a_helpful_message(client, demo, query, message):
    response = search(client, query)

    assert response.status_code == 200
    assert message in text_of(response)
