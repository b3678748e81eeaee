import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .conftest import RAISE_EN, RAISE_SV, admin_form_data, text_of

pytestmark = pytest.mark.django_db

PAGE_URL = "/admin/pages/page/5/change/"


@pytest.fixture
def editor_client(client, demo):
    """A client logged in through the admin's login form as a member of "Redaktörer"."""
    user = get_user_model().objects.create_user(
        "redaktor", "redaktor@example.se", "ett-langt-losenord", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Redaktörer"))
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "redaktor", "password": "ett-langt-losenord", "next": "/admin/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    return client


def test_editors_group_has_exactly_the_content_media_and_feedback_permissions(db):
    group = Group.objects.get(name="Redaktörer")
    permissions = set(group.permissions.values_list("content_type__app_label", "codename"))

    content = [
        ("pages", model)
        for model in (
            "page",
            "pagecontact",
            "project",
            "projectpartner",
            "stakeholdergroup",
            "stakeholdermember",
            "event",
            "redirect",
        )
    ] + [("contacts", "contact"), ("contacts", "organisation")]
    expected = {
        (app, f"{action}_{model}")
        for app, model in content
        for action in ("add", "change", "delete", "view")
    } | {("pages", "view_feedback")}
    assert permissions == expected
    assert not {app for app, _codename in permissions} & {"auth", "admin", "sessions"}


def test_an_editor_changes_the_english_body_and_visitors_see_it_at_once(
    editor_client, demo, django_user_model
):
    from django.test import Client

    visitor = Client()
    visitor.get(RAISE_EN)
    assert visitor.get(RAISE_EN)["X-Page-Cache"] == "hit"

    data = admin_form_data(
        editor_client.get(PAGE_URL), body_en="<p>Social enterprises meet in Örebro.</p>"
    )
    response = editor_client.post(PAGE_URL, data)

    assert response.status_code == 302
    assert "Social enterprises meet in Örebro." in text_of(visitor.get(RAISE_EN))
    assert "Social enterprises meet in Örebro." not in text_of(visitor.get(RAISE_SV))


def test_an_editor_previews_a_draft_that_visitors_cannot_see(editor_client, demo):
    from django.test import Client

    data = admin_form_data(
        editor_client.get(PAGE_URL), status="draft", title_en="RaiSE – draft title"
    )
    assert editor_client.post(PAGE_URL, data).status_code == 302

    assert "Förhandsvisning: besökare kan inte se den här sidan." in text_of(
        editor_client.get(RAISE_SV)
    )
    english = text_of(editor_client.get(RAISE_EN))
    assert "Preview: visitors cannot see this page." in english
    assert "RaiSE – draft title" in english
    assert Client().get(RAISE_SV).status_code == 404
    assert Client().get(RAISE_EN).status_code == 404


@pytest.mark.parametrize(
    "url",
    ["/admin/auth/user/", "/admin/auth/group/", "/admin/auth/user/add/", "/admin/auth/group/add/"],
)
def test_editors_cannot_open_the_user_or_group_admin(editor_client, url):
    assert editor_client.get(url).status_code == 403


def test_editors_see_feedback_but_cannot_change_users(editor_client):
    assert editor_client.get("/admin/pages/feedback/").status_code == 200
    index = text_of(editor_client.get("/admin/"))
    assert "Sidor" in index
    assert "Användare" not in index


def test_an_editor_can_open_a_pages_history_and_restore_a_version(editor_client, demo):
    from reversion.models import Version

    from pages.models import Page

    data = admin_form_data(editor_client.get(PAGE_URL), lead_en="Version one.")
    assert editor_client.post(PAGE_URL, data).status_code == 302
    data = admin_form_data(editor_client.get(PAGE_URL), lead_en="Version two.")
    assert editor_client.post(PAGE_URL, data).status_code == 302
    first = Version.objects.get_for_object(Page.objects.get(pk=5)).last()

    assert editor_client.get("/admin/pages/page/5/history/").status_code == 200
    url = f"/admin/pages/page/5/history/{first.pk}/"
    assert editor_client.post(url, admin_form_data(editor_client.get(url))).status_code == 302
    assert Page.objects.get(pk=5).lead_en == "Version one."
