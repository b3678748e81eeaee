"""Admin forms refuse bad input with a message in the editor's language, and save nothing."""

import pytest

from pages.models import Event, Page, Project

from .conftest import admin_form_data, text_of

pytestmark = pytest.mark.django_db


def refused(client, url, message, **changes):
    response = client.post(url, admin_form_data(client.get(url), **changes))
    assert response.status_code == 200
    assert message in text_of(response)
    return response


def test_a_slug_a_sibling_already_uses_in_english_is_refused(admin_client, demo):
    # "Kalender" sits below the home page, like "Kultur och civilsamhälle".
    refused(
        admin_client,
        "/admin/pages/page/6/change/",
        "En annan sida under samma överordnade sida använder redan den här adressdelen.",
        slug_en="culture-and-civil-society",
        title_en="Calendar",
    )

    assert Page.objects.get(pk=6).slug_en == "calendar"


def test_a_page_cannot_be_moved_below_its_own_subpage(admin_client, demo):
    refused(
        admin_client,
        "/admin/pages/page/2/change/",
        "En sida kan inte ligga under sig själv eller sina egna undersidor.",
        parent="5",
    )

    assert Page.objects.get(pk=2).parent_id == 1


def test_publishing_that_ends_before_it_starts_is_refused(admin_client, demo):
    refused(
        admin_client,
        "/admin/pages/page/5/change/",
        "Publiceringens slut måste komma efter dess början.",
        publish_from_0="2027-01-10",
        publish_from_1="10:00:00",
        publish_until_0="2027-01-09",
        publish_until_1="10:00:00",
    )

    page = Page.objects.get(pk=5)
    assert page.publish_from is None
    assert page.publish_until is None


def test_an_event_that_ends_before_it_starts_is_refused(admin_client, demo):
    before = Event.objects.get(pk=1).end
    refused(
        admin_client,
        "/admin/pages/event/1/change/",
        "Slutet kan inte vara före starten.",
        end_0="2017-01-29",
        end_1="00:00:00",
    )

    assert Event.objects.get(pk=1).end == before


def test_an_extension_that_ends_before_the_project_is_refused(admin_client, demo):
    before = Project.objects.get(pk=1)
    refused(
        admin_client,
        "/admin/pages/project/1/change/",
        "En förlängning måste sluta efter det ursprungliga slutdatumet.",
        extension_end_date="2018-01-01",
    )

    assert Project.objects.get(pk=1).extension_end_date == before.extension_end_date
    assert Page.objects.get(pk=5).last_updated == before.page.last_updated
