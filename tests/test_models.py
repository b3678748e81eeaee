import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from contacts.models import Organisation
from pages.models import Event, Page, Project

from .conftest import make_page

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm"))


def test_page_paths_are_stored_per_language(home):
    section = make_page(home, "Kultur", "kultur", "Culture", "culture")
    child = make_page(section, "Projekt", "projekt")

    assert (child.path_sv, child.path_en) == ("kultur/projekt/", "culture/projekt/")
    assert child.get_absolute_url("sv") == "/sv/kultur/projekt/"
    assert child.get_absolute_url("en") == "/en/culture/projekt/"
    assert home.get_absolute_url("en") == "/en/"


def test_renaming_a_page_updates_its_descendants(home):
    section = make_page(home, "Kultur", "kultur", "Culture", "culture")
    child = make_page(section, "Projekt", "projekt", "Projects", "projects")
    grandchild = make_page(child, "RaiSE", "raise")

    section.slug_sv = "kultur-och-civilsamhalle"
    section.slug_en = "culture-and-civil-society"
    section.save()

    grandchild.refresh_from_db()
    assert grandchild.path_sv == "kultur-och-civilsamhalle/projekt/raise/"
    assert grandchild.path_en == "culture-and-civil-society/projects/raise/"


def test_moving_a_page_updates_its_descendants(home):
    old_parent = make_page(home, "Gammal", "gammal")
    new_parent = make_page(home, "Ny", "ny", "New", "new")
    page = make_page(old_parent, "Sida", "sida", "Page", "page")
    child = make_page(page, "Under", "under")

    page.parent = new_parent
    page.save()

    child.refresh_from_db()
    assert (child.path_sv, child.path_en, child.depth) == ("ny/sida/under/", "new/page/under/", 3)


def test_lookup_by_path_is_one_query(home, django_assert_num_queries):
    parent = home
    for depth in range(6):
        parent = make_page(parent, f"Nivå {depth}", f"niva-{depth}")

    with django_assert_num_queries(1):
        found = Page.objects.published().by_path(parent.path_sv, "sv").get()

    assert found == parent


def test_sibling_pages_cannot_share_a_slug_in_a_language(home):
    make_page(home, "Projekt", "projekt", "Projects", "projects")
    twin = Page(
        parent=home, title_sv="Annat", slug_sv="annat", title_en="Other", slug_en="projects"
    )

    with pytest.raises(ValidationError) as error:
        twin.full_clean()

    assert "slug_en" in error.value.message_dict
    assert "slug_sv" not in error.value.message_dict


def test_english_slug_falls_back_to_swedish_when_checking_siblings(home):
    make_page(home, "Projekt", "projekt")
    twin = Page(parent=home, title_sv="Annat", slug_sv="annat", slug_en="projekt")

    with pytest.raises(ValidationError) as error:
        twin.full_clean()

    assert "slug_en" in error.value.message_dict


def test_pages_in_different_places_may_share_a_slug(client, home):
    first = make_page(home, "A", "a")
    second = make_page(home, "B", "b")
    make_page(first, "Projekt", "projekt", "Projects", "projects")
    twin = make_page(second, "Projekt", "projekt", "", "projects")

    twin.full_clean()  # raises ValidationError if the slug is refused

    assert client.get("/sv/a/projekt/").status_code == 200
    assert client.get("/sv/b/projekt/").status_code == 200
    assert client.get("/en/b/projects/").status_code == 200


def test_a_page_cannot_be_moved_below_itself(home):
    page = make_page(home, "A", "a")
    child = make_page(page, "B", "b")

    page.parent = child
    with pytest.raises(ValidationError) as error:
        page.full_clean()

    assert "parent" in error.value.message_dict


def test_only_one_home_page(home):
    home.full_clean()  # the home page itself is fine

    with pytest.raises(ValidationError) as error:
        Page(kind=Page.Kind.HOME, title_sv="Andra startsidan").full_clean()

    assert error.value.message_dict["kind"] == ["Det finns redan en startsida."]


@pytest.mark.time_machine(NOW, tick=False)
def test_published_respects_status_and_publishing_window(home):
    now = NOW
    visible = make_page(home, "Synlig", "synlig")
    make_page(home, "Utkast", "utkast", status=Page.Status.DRAFT)
    make_page(home, "Senare", "senare", publish_from=now + datetime.timedelta(hours=1))
    make_page(home, "Slut", "slut", publish_until=now - datetime.timedelta(minutes=1))
    started = make_page(home, "Igång", "igang", publish_from=now - datetime.timedelta(hours=1))

    assert list(Page.objects.published().exclude(pk=home.pk)) == [visible, started]


def test_body_is_sanitised_on_save(home):
    page = make_page(
        home,
        "Sida",
        "sida",
        body_sv='<p onclick="x()">Hej<script>alert(1)</script></p><a href="javascript:x()">l</a>',
        body_en="<h2>Ok</h2><iframe src='//evil'></iframe>",
    )

    page.refresh_from_db()
    assert page.body_sv == '<p>Hej</p><a rel="noopener noreferrer">l</a>'
    assert page.body_en == "<h2>Ok</h2>"


def test_project_end_before_start_is_refused(home):
    page = make_page(home, "P", "p", kind=Page.Kind.PROJECT)
    project = Project(
        page=page,
        acronym="P",
        start_date=datetime.date(2021, 1, 1),
        end_date=datetime.date(2020, 1, 1),
    )

    with pytest.raises(ValidationError) as error:
        project.full_clean()

    assert "end_date" in error.value.message_dict


def test_event_end_before_start_is_refused():
    start = NOW
    event = Event(title_sv="Möte", start=start, end=start - datetime.timedelta(hours=1))

    with pytest.raises(ValidationError) as error:
        event.full_clean()

    assert "end" in error.value.message_dict


def test_project_has_ended_after_its_extension():
    project = Project(
        start_date=datetime.date(2017, 1, 1),
        end_date=datetime.date(2021, 6, 30),
        extension_end_date=datetime.date(2022, 8, 31),
    )

    assert not project.has_ended(today=datetime.date(2022, 8, 31))
    assert project.has_ended(today=datetime.date(2022, 9, 1))


def test_models_read_well_as_text(demo):
    assert str(Page.objects.get(pk=5)) == "RaiSE - Stärk sociala företags konkurrenskraft"
    assert str(Organisation.objects.get(short_name="ACCIÓ")) == (
        "Catalan Agency for Business Competitiveness (ACCIÓ)"
    )
    assert str(Project.objects.get()) == "RaiSE"
    assert str(Event.objects.first()) == "Projektstart i Barcelona (2017-01-30)"


def test_two_pages_can_never_share_an_address(home):
    from django.db import IntegrityError, transaction

    make_page(home, "A", "a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Page.objects.create(parent=home, title_sv="A igen", slug_sv="a", status="published")


def test_saving_only_the_slug_still_moves_the_descendants(home):
    section = make_page(home, "Kultur", "kultur")
    child = make_page(section, "Projekt", "projekt")

    section.slug_sv = "kultur-och-civilsamhalle"
    section.save(update_fields=["slug_sv"])

    section.refresh_from_db()
    child.refresh_from_db()
    assert section.path_sv == "kultur-och-civilsamhalle/"
    assert child.path_sv == "kultur-och-civilsamhalle/projekt/"


def test_paths_do_not_depend_on_the_active_language(home):
    from django.utils.translation import override

    with override("en"):
        page = make_page(home, "Kultur", "kultur", "Culture", "culture")

    page.refresh_from_db()
    assert (page.path_sv, page.path_en) == ("kultur/", "culture/")
