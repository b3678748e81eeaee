import datetime
import zoneinfo

import pytest

from contacts.models import Contact, Organisation
from pages.models import Page, Project

from .conftest import RAISE_EN, RAISE_SV, admin_form_data, text_of

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.date(2021, 10, 5)
# Half past midnight in Stockholm, still the day before in UTC: "today" is Stockholm's.
NOW = datetime.datetime(2026, 3, 11, 0, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm"))
TODAY = datetime.date(2026, 3, 11)
PAGE_URL = "/admin/pages/page/5/change/"
PROJECT_URL = "/admin/pages/project/1/change/"


def edit(client, url, **changes):
    data = admin_form_data(client.get(url), **changes)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def raise_page():
    return Page.objects.get(pk=5)


@pytest.fixture(autouse=True)
def clock(time_machine):
    """The clock starts at NOW and runs on, so that edits made one after the other differ."""
    time_machine.move_to(NOW)


def test_a_change_to_the_english_body_sets_last_updated_to_today(admin_client, demo):
    edit(admin_client, PAGE_URL, body_en="<p>New English text.</p>")

    page = raise_page()
    assert page.last_updated == TODAY
    assert page.en_edited_at is not None
    assert page.sv_edited_at is None


def test_a_minor_change_keeps_the_date(admin_client, demo):
    title = "RaiSE – Stärk sociala företags konkurrenskraft"
    edit(admin_client, PAGE_URL, title_sv=title, minor_change="on")

    page = raise_page()
    assert page.title_sv == title
    assert page.last_updated == LONG_AGO
    assert page.sv_edited_at is None


def test_a_date_set_by_hand_is_kept_even_with_a_content_change(admin_client, demo):
    edit(admin_client, PAGE_URL, lead_sv="Ny ingress.", last_updated="2024-05-17")

    assert raise_page().last_updated == datetime.date(2024, 5, 17)
    response = admin_client.get(RAISE_SV)
    assert "Senast uppdaterad: den 17 maj 2024" in text_of(response)


def test_changing_only_settings_visitors_do_not_see_keeps_the_date(admin_client, demo):
    edit(admin_client, PAGE_URL, position="7", show_in_menu="")

    page = raise_page()
    assert (page.position, page.show_in_menu) == (7, False)
    assert page.last_updated == LONG_AGO


def test_changing_the_project_facts_updates_the_project_page(admin_client, demo):
    edit(admin_client, PROJECT_URL, start_date="2017-02-01")

    assert raise_page().last_updated == TODAY
    assert Project.objects.get(pk=1).start_date == datetime.date(2017, 2, 1)


def test_removing_a_partner_updates_the_project_page(admin_client, demo):
    data = admin_form_data(admin_client.get(PROJECT_URL))
    data["partners-0-DELETE"] = "on"

    assert admin_client.post(PROJECT_URL, data).status_code == 302
    assert raise_page().last_updated == TODAY
    assert Project.objects.get(pk=1).partners.count() == 5


def test_reordering_the_page_contacts_updates_the_page(admin_client, demo):
    edit(admin_client, PAGE_URL, **{"page_contacts-0-position": "9"})

    assert raise_page().last_updated == TODAY


def test_mark_as_reviewed_today_sets_the_date_of_every_chosen_page(admin_client, demo):
    response = admin_client.post(
        "/admin/pages/page/",
        {"action": "mark_reviewed", "_selected_action": ["2", "3", "5"]},
        follow=True,
    )

    assert "3 sidor har markerats som granskade i dag." in text_of(response)
    dates = dict(Page.objects.values_list("pk", "last_updated"))
    assert [dates[pk] for pk in (2, 3, 5)] == [TODAY] * 3
    assert dates[4] == LONG_AGO


def test_marking_a_page_reviewed_shows_the_new_date_to_visitors(admin_client, client, demo):
    client.get(RAISE_SV)
    admin_client.post("/admin/pages/page/", {"action": "mark_reviewed", "_selected_action": ["5"]})

    assert 'datetime="2026-03-11"' in client.get(RAISE_SV).content.decode()


def test_stale_filter_lists_pages_not_updated_for_twelve_months(admin_client, demo):
    Page.objects.filter(pk=3).update(last_updated=datetime.date(2025, 3, 12))  # 364 days ago
    Page.objects.filter(pk=4).update(last_updated=datetime.date(2025, 3, 10))  # 366 days ago

    response = admin_client.get("/admin/pages/page/", {"stale": "yes"})

    shown = {page.pk for page in response.context["cl"].result_list}
    assert shown == {1, 2, 4, 5, 6, 7}


def test_english_page_says_its_translation_may_be_out_of_date_after_a_swedish_edit(
    admin_client, client, demo
):
    notice = "The English translation may be out of date"
    edit(admin_client, PAGE_URL, body_en="<p>Translated.</p>")
    assert notice not in text_of(client.get(RAISE_EN))

    edit(admin_client, PAGE_URL, body_sv="<p>Ny svensk text.</p>")

    assert notice in text_of(client.get(RAISE_EN))
    assert "översättningen" not in text_of(client.get(RAISE_SV))
    outdated = admin_client.get("/admin/pages/page/", {"translation_outdated": "yes"})
    assert [page.pk for page in outdated.context["cl"].result_list] == [5]
    assert text_of(outdated).count("Kan vara inaktuell") == 2  # the filter and the row
    form = text_of(admin_client.get(PAGE_URL))
    assert "Svensk text senast ändrad:" in form
    assert "Engelsk text senast ändrad:" in form

    edit(admin_client, PAGE_URL, body_en="<p>Translated again.</p>")

    assert notice not in text_of(client.get(RAISE_EN))


def test_a_minor_swedish_fix_does_not_mark_the_translation_out_of_date(admin_client, client, demo):
    edit(admin_client, PAGE_URL, body_en="<p>Translated.</p>")
    edit(admin_client, PAGE_URL, body_sv="<p>Rättat stavfel.</p>", minor_change="on")

    assert "Rättat stavfel." in text_of(client.get(RAISE_SV))
    assert "may be out of date" not in text_of(client.get(RAISE_EN))


def test_the_out_of_date_notice_is_in_swedish_for_swedish_admins_too(demo):
    from django.utils.translation import gettext, override

    with override("sv"):
        assert gettext(
            "The English translation may be out of date: the Swedish page has changed since "
            "it was translated."
        ).startswith("Den engelska översättningen")


def test_changing_a_contacts_phone_updates_the_pages_that_show_the_contact(admin_client, demo):
    edit(admin_client, "/admin/contacts/contact/1/change/", phone="019-60 200 00")

    assert raise_page().last_updated == TODAY
    assert Page.objects.get(pk=4).last_updated == LONG_AGO


def test_a_minor_contact_fix_keeps_the_dates_of_its_pages(admin_client, demo):
    url = "/admin/contacts/contact/1/change/"
    edit(admin_client, url, job_title_sv="Utvecklingsledare: social ekonomi", minor_change="on")

    assert Contact.objects.get(pk=1).job_title_sv == "Utvecklingsledare: social ekonomi"
    assert raise_page().last_updated == LONG_AGO


def test_renaming_a_partner_organisation_updates_the_project_page(admin_client, demo):
    organisation = Organisation.objects.get(short_name="ACCIÓ")

    edit(
        admin_client,
        f"/admin/contacts/organisation/{organisation.pk}/change/",
        name_en="Catalan Agency for Business Competitiveness and Innovation",
    )

    assert raise_page().last_updated == TODAY
    assert Page.objects.get(pk=4).last_updated == LONG_AGO


def test_a_new_stakeholder_group_member_updates_the_project_page(admin_client, demo):
    url = "/admin/pages/stakeholdergroup/1/change/"
    data = admin_form_data(admin_client.get(url))
    data["members-TOTAL_FORMS"] = str(int(data["members-TOTAL_FORMS"]) + 1)
    new = int(data["members-TOTAL_FORMS"]) - 1
    outsider = Organisation.objects.create(name_sv="Ny förening")
    data |= {f"members-{new}-organisation": str(outsider.pk), f"members-{new}-position": "9"}

    assert admin_client.post(url, data).status_code == 302
    assert raise_page().last_updated == TODAY
