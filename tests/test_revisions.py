import re

import pytest
from reversion.models import Version

from contacts.models import Contact, Organisation
from pages.models import Page

from .conftest import RAISE_EN, RAISE_SV, admin_form_data, text_of

pytestmark = pytest.mark.django_db

PAGE_URL = "/admin/pages/page/5/change/"


def edit(client, url, **changes):
    response = client.post(url, admin_form_data(client.get(url), **changes))
    assert response.status_code == 302


def test_reverting_a_page_restores_both_languages(admin_client, client, demo):
    edit(admin_client, PAGE_URL, body_sv="<p>Igår.</p>", body_en="<p>Yesterday.</p>")
    edit(admin_client, PAGE_URL, body_sv="<p>I dag.</p>", body_en="<p>Today.</p>")
    yesterday = Version.objects.get_for_object(Page.objects.get(pk=5)).last()

    revert_url = f"/admin/pages/page/5/history/{yesterday.pk}/"
    response = admin_client.post(revert_url, admin_form_data(admin_client.get(revert_url)))

    assert response.status_code == 302
    page = Page.objects.get(pk=5)
    assert (page.body_sv, page.body_en) == ("<p>Igår.</p>", "<p>Yesterday.</p>")
    assert "Igår." in text_of(client.get(RAISE_SV))
    assert "Yesterday." in text_of(client.get(RAISE_EN))


def test_reverting_a_page_restores_its_contacts(admin_client, demo):
    edit(admin_client, PAGE_URL, lead_sv="Första.")
    first = Version.objects.get_for_object(Page.objects.get(pk=5)).last()
    data = admin_form_data(admin_client.get(PAGE_URL), lead_sv="Andra.")
    data["page_contacts-0-DELETE"] = "on"
    assert admin_client.post(PAGE_URL, data).status_code == 302
    assert Page.objects.get(pk=5).page_contacts.count() == 1

    revert_url = f"/admin/pages/page/5/history/{first.pk}/"
    admin_client.post(revert_url, admin_form_data(admin_client.get(revert_url)))

    assert Page.objects.get(pk=5).page_contacts.count() == 2


def test_history_compares_two_versions_field_by_field(admin_client, demo):
    edit(admin_client, PAGE_URL, title_en="RaiSE – first")
    edit(admin_client, PAGE_URL, title_en="RaiSE – second")
    older, newer = Version.objects.get_for_object(Page.objects.get(pk=5)).order_by("pk")

    history = admin_client.get("/admin/pages/page/5/history/")
    assert history.status_code == 200
    response = admin_client.get(
        "/admin/pages/page/5/history/compare/",
        {"version_id1": older.pk, "version_id2": newer.pk},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(
        r"<h3>rubrik \[en\]</h3>\s*<div class=\"module\">\s*<pre class=\"highlight\">"
        r"<del>- RaiSE – first</del>\s*<ins>\+ RaiSE – second</ins></pre>",
        html,
    )
    assert "<h3>rubrik [sv]</h3>" not in html  # unchanged fields are left out


def test_contacts_and_organisations_keep_a_history(admin_client, demo):
    edit(admin_client, "/admin/contacts/contact/1/change/", job_title_en="Development manager")
    organisation = Organisation.objects.get(name_sv="Verdandi")
    url = f"/admin/contacts/organisation/{organisation.pk}/"
    edit(admin_client, f"{url}change/", name_en="Verdandi Örebro")

    contact = Contact.objects.get(pk=1)
    for obj, history in [
        (contact, "/admin/contacts/contact/1/history/"),
        (organisation, f"{url}history/"),
    ]:
        (version,) = Version.objects.get_for_object(obj)
        assert version.revision.user.username == "admin"
        response = admin_client.get(history)
        assert response.status_code == 200
        assert f"/history/{version.pk}/" in response.content.decode()


def test_reverting_a_renamed_page_moves_its_subpages_back_too(admin_client, client, demo):
    url = "/admin/pages/page/3/change/"
    edit(admin_client, url, lead_sv="Före namnbytet.")
    before = Version.objects.get_for_object(Page.objects.get(pk=3)).last()
    edit(admin_client, url, slug_sv="insatser")
    assert Page.objects.get(pk=5).path_sv.startswith("kultur-och-civilsamhalle/insatser/")

    revert_url = f"/admin/pages/page/3/history/{before.pk}/"
    admin_client.post(revert_url, admin_form_data(admin_client.get(revert_url)))

    assert Page.objects.get(pk=3).slug_sv == "pagaende-insatser"
    assert client.get(RAISE_SV).status_code == 200
