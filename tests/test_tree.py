import copy
import re
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.test.utils import CaptureQueriesContext
from django.utils.html import strip_tags
from reversion.models import Version

from pages.models import Page, Redirect

from .conftest import RAISE_EN, RAISE_SV, admin_form_data, make_page, text_of

pytestmark = pytest.mark.django_db

SECTION_URL = "/admin/pages/page/2/change/"


# Every query of the save, whatever the size below: savepoint, read, the four writes and
# release, and those of the page cache and the search index, which on SQLite also writes
# its FTS5 table.
SAVE_QUERIES = {"sqlite": 17, "postgresql": 14}


def build_section(home, size):
    """A section with `size` pages below it, three levels deep."""
    section = make_page(home, "Kultur", "kultur", "Culture", "culture")
    parents = [section]
    for i in range(size):
        page = make_page(parents[i // 3], f"Sida {i}", f"sida-{i}", f"Page {i}", f"page-{i}")
        parents.append(page)
    return section, parents[-1]


def tree_statements(queries):
    """The statements of a save that write the page tree: its rows and the redirect rules.
    The page cache and the search index add reads and writes of their own, which depend on
    where their stores are (Redis, the database), not on the size of the tree."""
    return [
        q["sql"]
        for q in queries
        if re.match(r"\s*(UPDATE|INSERT|DELETE)", q["sql"])
        and re.search(r'"pages_(page|redirect)"', q["sql"])
    ]


def stored_rules():
    return list(Redirect.objects.values_list("language", "old_path", "page_id", "prefix"))


@pytest.mark.parametrize("size", [5, 50])
def test_renaming_a_section_takes_seven_statements_however_many_pages_are_below(
    home, size, django_assert_num_queries
):
    section, deepest = build_section(home, size)
    section.slug_sv, section.slug_en = "kultur-och-fritid", "culture-and-leisure"

    # The tree's writes: the row, the pages below it, dropping and adding redirect rules.
    with CaptureQueriesContext(connection) as queries:
        section.save()

    assert len(tree_statements(queries)) == 4
    assert len(queries) == SAVE_QUERIES[connection.vendor]
    deepest.refresh_from_db()
    assert deepest.path_sv.startswith("kultur-och-fritid/sida-")
    assert deepest.path_en.startswith("culture-and-leisure/page-")
    assert Page.objects.filter(path_sv__startswith="kultur/").count() == 0
    assert stored_rules() == [
        ("en", "culture/", section.pk, True),
        ("sv", "kultur/", section.pk, True),
    ]


@pytest.mark.parametrize("size", [5, 50])
def test_moving_a_section_takes_seven_statements_however_many_pages_are_below(
    home, size, django_assert_num_queries
):
    section, deepest = build_section(home, size)
    depth = deepest.depth
    section.parent = make_page(home, "Regional utveckling", "regional", "Regional", "regional")

    with CaptureQueriesContext(connection) as queries:
        section.save()

    assert len(tree_statements(queries)) == 4
    assert len(queries) == SAVE_QUERIES[connection.vendor]

    deepest.refresh_from_db()
    assert deepest.depth == depth + 1
    assert deepest.path_sv.startswith("regional/kultur/sida-")
    assert deepest.path_en.startswith("regional/culture/page-")


def test_old_addresses_below_a_renamed_section_redirect_in_both_languages(client, demo):
    section = Page.objects.get(pk=2)
    section.slug_sv, section.slug_en = "kultur", "culture"
    section.save()

    swedish = client.get(RAISE_SV + "?utm_source=nyhetsbrev")
    english = client.get(RAISE_EN)
    middle = client.get("/sv/kultur-och-civilsamhalle/pagaende-insatser/")

    assert (swedish.status_code, english.status_code, middle.status_code) == (301, 301, 301)
    assert swedish["Location"] == (
        "/sv/kultur/pagaende-insatser/projekt/stark-sociala-foretags-konkurrenskraft/"
        "?utm_source=nyhetsbrev"
    )
    assert english["Location"] == (
        "/en/culture/ongoing-initiatives/projects/strengthen-social-enterprises-competitiveness/"
    )
    assert middle["Location"] == "/sv/kultur/pagaende-insatser/"
    assert client.get(english["Location"]).status_code == 200
    assert stored_rules() == [
        ("en", "culture-and-civil-society/", 2, True),
        ("sv", "kultur-och-civilsamhalle/", 2, True),
    ]


def test_an_address_below_a_moved_prefix_that_never_was_a_page_still_ends_in_a_404(client, demo):
    section = Page.objects.get(pk=2)
    section.slug_sv = "kultur"
    section.save()

    response = client.get("/sv/kultur-och-civilsamhalle/finns-inte/", follow=True)

    assert response.redirect_chain == [("/sv/kultur/finns-inte/", 301)]
    assert response.status_code == 404


def test_a_page_moved_out_of_a_renamed_section_is_found_from_its_first_address(client, demo):
    section = Page.objects.get(pk=2)
    section.slug_sv = "kultur"
    section.save()
    raise_page = Page.objects.get(pk=5)
    raise_page.parent = Page.objects.get(pk=1)
    raise_page.save()

    response = client.get(RAISE_SV, follow=True)

    assert response.redirect_chain == [
        ("/sv/kultur/pagaende-insatser/projekt/stark-sociala-foretags-konkurrenskraft/", 301),
        ("/sv/stark-sociala-foretags-konkurrenskraft/", 301),
    ]
    assert response.status_code == 200


def test_an_editors_redirect_for_one_old_address_wins_over_the_moved_prefix(client, demo):
    section = Page.objects.get(pk=2)
    section.slug_sv = "kultur"
    section.save()
    Redirect.objects.create(
        language="sv", old_path="kultur-och-civilsamhalle/pagaende-insatser/", page_id=8
    )

    assert client.get("/sv/kultur-och-civilsamhalle/pagaende-insatser/")["Location"] == (
        "/sv/tillganglighetsredogorelse/"
    )
    assert client.get(RAISE_SV)["Location"] == RAISE_SV.replace(
        "kultur-och-civilsamhalle", "kultur"
    )


def test_an_old_address_taken_by_a_new_page_is_never_redirected(client, demo):
    section = Page.objects.get(pk=2)
    section.slug_sv = "kultur"
    section.save()

    make_page(Page.objects.get(pk=1), "Ny sektion", "kultur-och-civilsamhalle", status="draft")

    assert client.get("/sv/kultur-och-civilsamhalle/").status_code == 404
    assert client.get(RAISE_SV).status_code == 404
    assert stored_rules() == []


def test_renaming_a_section_back_serves_its_pages_and_redirects_the_other_name(client, demo):
    section = Page.objects.get(pk=2)
    section.slug_sv = "kultur"
    section.save()
    section.slug_sv = "kultur-och-civilsamhalle"
    section.save()

    assert client.get(RAISE_SV).status_code == 200
    assert client.get(RAISE_SV.replace("kultur-och-civilsamhalle", "kultur"))["Location"] == (
        RAISE_SV
    )
    assert stored_rules() == [("sv", "kultur/", 2, True)]


def test_moving_a_page_below_its_own_subpage_is_refused_and_changes_nothing(admin_client, demo):
    before = list(Page.objects.values_list("pk", "parent_id", "path_sv", "path_en", "depth"))

    response = admin_client.post(
        SECTION_URL, admin_form_data(admin_client.get(SECTION_URL), parent="5")
    )

    assert response.status_code == 200
    assert "En sida kan inte ligga under sig själv eller sina egna undersidor." in text_of(response)
    assert list(Page.objects.values_list("pk", "parent_id", "path_sv", "path_en", "depth")) == (
        before
    )
    assert Redirect.objects.count() == 0


def test_saving_a_page_below_itself_in_code_is_refused_before_anything_is_written(demo):
    before = list(Page.objects.values_list("pk", "parent_id", "path_sv", "path_en", "depth"))
    section = Page.objects.get(pk=2)
    section.parent = Page.objects.get(pk=4)

    with pytest.raises(ValidationError) as error:
        section.save()

    assert error.value.message_dict == {
        "parent": ["En sida kan inte ligga under sig själv eller sina egna undersidor."]
    }
    assert list(Page.objects.values_list("pk", "parent_id", "path_sv", "path_en", "depth")) == (
        before
    )


def test_ancestors_and_descendants_come_in_one_query_each(demo, django_assert_num_queries):
    raise_page = Page.objects.with_tree_fields().get(pk=5)
    section = Page.objects.get(pk=2)

    with django_assert_num_queries(1):
        ancestors = [page.pk for page in raise_page.ancestors()]
    with django_assert_num_queries(1):
        descendants = [page.pk for page in section.descendants()]

    assert ancestors == [1, 2, 3, 4]
    assert descendants == [3, 4, 5]


def test_breadcrumbs_follow_a_moved_page_in_both_languages(client, demo):
    raise_page = Page.objects.get(pk=5)
    raise_page.parent = Page.objects.get(pk=2)
    raise_page.save()

    swedish = client.get("/sv/kultur-och-civilsamhalle/stark-sociala-foretags-konkurrenskraft/")
    english = client.get(
        "/en/culture-and-civil-society/strengthen-social-enterprises-competitiveness/"
    )

    assert breadcrumbs(swedish) == (
        "Startsida Kultur och civilsamhälle RaiSE - Stärk sociala företags konkurrenskraft"
    )
    assert breadcrumbs(english) == (
        "Home Culture and civil society "
        "RaiSE – Strengthening the competitiveness of social enterprises"
    )


def breadcrumbs(response):
    html = response.content.decode()
    nav = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group()
    return " ".join(strip_tags(nav).split())


def test_renaming_a_section_in_the_admin_records_only_that_page_in_its_history(admin_client, demo):
    response = admin_client.post(
        SECTION_URL, admin_form_data(admin_client.get(SECTION_URL), slug_sv="kultur")
    )

    assert response.status_code == 302
    assert [version.object_id for version in Version.objects.get_for_model(Page)] == ["2"]
    assert Page.objects.get(pk=5).path_sv.startswith("kultur/pagaende-insatser/")


def test_restoring_a_renamed_page_redirects_the_address_it_had_meanwhile(
    admin_client, client, demo
):
    url = "/admin/pages/page/3/change/"
    admin_client.post(url, admin_form_data(admin_client.get(url), lead_sv="Före namnbytet."))
    before = Version.objects.get_for_object(Page.objects.get(pk=3)).last()
    admin_client.post(url, admin_form_data(admin_client.get(url), slug_sv="insatser"))

    revert_url = f"/admin/pages/page/3/history/{before.pk}/"
    admin_client.post(revert_url, admin_form_data(admin_client.get(revert_url)))

    meanwhile = RAISE_SV.replace("pagaende-insatser", "insatser")
    assert client.get(RAISE_SV).status_code == 200
    assert client.get(meanwhile)["Location"] == RAISE_SV
    assert stored_rules() == [("sv", "kultur-och-civilsamhalle/insatser/", 3, True)]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's locking only")
def test_on_sqlite_a_feedback_write_waits_for_a_rename_instead_of_failing(tmp_path):
    """The rename reads, then writes; a visitor's write lands in between. Without
    transactions that take the write lock when they begin, the rename fails at once with
    "database is locked"."""
    settings_dict = copy.deepcopy(connections["default"].settings_dict)
    settings_dict["NAME"] = str(tmp_path / "site.sqlite3")
    rename = DatabaseWrapper(settings_dict, alias="rename")
    rename.cursor().execute("CREATE TABLE counter (n integer)")
    rename.cursor().execute("INSERT INTO counter VALUES (0)")
    renaming, failures = threading.Event(), []

    def feedback():
        visitor = DatabaseWrapper(copy.deepcopy(settings_dict), alias="visitor")
        renaming.wait()
        try:
            visitor.cursor().execute("INSERT INTO counter VALUES (10)")
        except OperationalError as error:
            failures.append(error)
        finally:
            visitor.close()

    visitor_thread = threading.Thread(target=feedback)
    visitor_thread.start()
    connections["rename"] = rename
    try:
        with transaction.atomic(using="rename"):
            rename.cursor().execute("SELECT n FROM counter")
            renaming.set()
            time.sleep(0.5)
            rename.cursor().execute("UPDATE counter SET n = n + 1")
        visitor_thread.join()
        rows = sorted(n for (n,) in rename.cursor().execute("SELECT n FROM counter"))
        journal = rename.cursor().execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        del connections["rename"]
        rename.close()

    assert (failures, rows, journal) == ([], [1, 10], "wal")


def test_editors_can_redirect_a_whole_old_section_by_hand(client, demo):
    Redirect.objects.create(
        language="sv", old_path="arkiv/", url="https://arkiv.example/utveckling/", prefix=True
    )

    assert client.get("/sv/arkiv/")["Location"] == "https://arkiv.example/utveckling/"
    assert client.get("/sv/arkiv/2019/rapport/?sida=2")["Location"] == (
        "https://arkiv.example/utveckling/2019/rapport/?sida=2"
    )
    assert client.get("/en/arkiv/2019/").status_code == 404
