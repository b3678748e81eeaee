import datetime
import os
import subprocess
import sys
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from contacts.models import Contact, Organisation
from pages.models import (
    Event,
    Feedback,
    Page,
    PageContact,
    Project,
    ProjectPartner,
    StakeholderGroup,
    StakeholderMember,
)

from .conftest import RAISE_EN, RAISE_SV, make_page, text_of

pytestmark = pytest.mark.django_db


def cached(client, url=RAISE_SV):
    """Fetch `url` twice, so that the second answer comes from the page cache."""
    client.get(url)
    response = client.get(url)
    assert response["X-Page-Cache"] == "hit"
    return response


def test_second_visit_is_served_from_the_cache(client, demo):
    first = client.get(RAISE_SV)
    second = client.get(RAISE_SV)

    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Language"] == "sv"
    assert second["X-Frame-Options"] == "DENY"


def test_languages_are_cached_apart(client, demo):
    cached(client, RAISE_SV)

    response = client.get(RAISE_EN)

    assert "Did the content help you?" in text_of(response)


def edit_page(_demo):
    page = Page.objects.get(pk=5)
    page.title_sv = "Ändrad rubrik"
    page.save()
    return "Ändrad rubrik"


def edit_parent_title(_demo):
    page = Page.objects.get(pk=2)
    page.title_sv = "Kultur och fritid"
    page.save()
    return "Kultur och fritid"


def edit_project(_demo):
    project = Project.objects.get(pk=1)
    project.programme_sv = "Interreg Sverige"
    project.save()
    return "Interreg Sverige"


def edit_partner_role(_demo):
    partner = ProjectPartner.objects.get(organisation__short_name="ZSI")
    partner.role = ProjectPartner.Role.PARTNER
    partner.save()
    return "Centre for Social Innovation (ZSI), Österrike Partner"


def edit_organisation(_demo):
    organisation = Organisation.objects.get(short_name="WestBIC")
    organisation.name_sv = "WestBIC Ireland"
    organisation.save()
    return "WestBIC Ireland"


def edit_contact(_demo):
    contact = Contact.objects.get(name="Anders Bro")
    contact.job_title_sv = "Enhetschef"
    contact.save()
    return "Anders Bro Enhetschef"


def add_page_contact(_demo):
    contact = Contact.objects.create(name="Ny Kontaktperson")
    PageContact.objects.create(page_id=5, contact=contact, position=9)
    return "Ny Kontaktperson"


def edit_event(_demo):
    event = Event.objects.get(pk=3)
    event.title_sv = "Partnermöte i Karlskoga"
    event.save()
    return "Partnermöte i Karlskoga"


def edit_stakeholder_group(_demo):
    group = StakeholderGroup.objects.get()
    group.name_sv = "Partnerskapet för social ekonomi"
    group.save()
    return "Partnerskapet för social ekonomi"


def remove_stakeholder_member(_demo):
    StakeholderMember.objects.get(organisation__name_sv="Verdandi").delete()
    return "!Verdandi"


def delete_event(_demo):
    Event.objects.get(pk=3).delete()
    return "!Partnermöte i Örebro"


@pytest.mark.parametrize(
    "edit",
    [
        edit_page,
        edit_parent_title,
        edit_project,
        edit_partner_role,
        edit_organisation,
        edit_contact,
        add_page_contact,
        edit_event,
        edit_stakeholder_group,
        remove_stakeholder_member,
        delete_event,
    ],
)
def test_every_kind_of_content_change_shows_on_the_next_request(client, demo, edit):
    cached(client)

    expected = edit(demo)

    response = client.get(RAISE_SV)
    assert response["X-Page-Cache"] == "miss"
    if expected.startswith("!"):
        assert expected[1:] not in text_of(response)
    else:
        assert expected in text_of(response)


def test_feedback_does_not_empty_the_cache(client, demo):
    cached(client)
    Feedback.objects.create(page_id=5, language="sv", helpful=True)

    assert client.get(RAISE_SV)["X-Page-Cache"] == "hit"


NOW = datetime.datetime(2026, 5, 4, 10, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm"))
# Sooner than PAGE_CACHE_TIMEOUT (an hour), so that the stored page has not simply expired.
LATER = NOW + datetime.timedelta(minutes=40)


def test_a_page_leaves_the_cache_when_its_publishing_ends(client, home, time_machine):
    time_machine.move_to(NOW, tick=False)
    make_page(home, "Tillfällig", "tillfallig", publish_until=NOW + datetime.timedelta(minutes=30))
    cached(client, "/sv/tillfallig/")

    time_machine.move_to(LATER, tick=False)

    assert client.get("/sv/tillfallig/").status_code == 404


def test_a_page_enters_its_section_when_its_publishing_starts(client, home):
    now = timezone.now()
    section = make_page(home, "Avsnitt", "avsnitt")
    make_page(section, "Nyhet", "nyhet", publish_from=now + datetime.timedelta(minutes=10))
    assert "Nyhet" not in text_of(cached(client, "/sv/avsnitt/"))

    with time_machine.travel(now + datetime.timedelta(minutes=20)):
        assert "Nyhet" in text_of(client.get("/sv/avsnitt/"))


def test_a_meeting_moves_to_past_when_it_ends(client, demo, time_machine):
    time_machine.move_to(NOW, tick=False)
    Event.objects.create(
        title_sv="Styrgruppsmöte",
        start=NOW + datetime.timedelta(minutes=10),
        end=NOW + datetime.timedelta(minutes=30),
        project_id=1,
    )
    assert "Kommande möten" in text_of(cached(client))
    assert "Inga kommande möten" not in text_of(cached(client))

    time_machine.move_to(LATER, tick=False)

    assert "Inga kommande möten är planerade." in text_of(client.get(RAISE_SV))


SHARED = "public, max-age=0, s-maxage=10, stale-while-revalidate=30"


def test_public_pages_are_revalidated_by_browsers_and_kept_briefly_by_proxies(client, demo):
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):
        responses = (client.get(RAISE_SV), client.get(RAISE_SV))
    for response in responses:
        assert response["Cache-Control"] == SHARED
        assert response["ETag"]
        assert response["Last-Modified"]
        assert "Cookie" not in response.get("Vary", "")
        assert "Set-Cookie" not in response.headers


def test_matching_etag_gets_304(client, demo):
    etag = client.get(RAISE_SV)["ETag"]

    fresh = client.get(RAISE_EN)  # a miss, then a hit, must both honour the header
    miss = client.get(RAISE_EN, headers={"If-None-Match": fresh["ETag"]})
    hit = client.get(RAISE_SV, headers={"If-None-Match": etag})

    assert (miss.status_code, hit.status_code) == (304, 304)
    assert hit.content == b""


def test_unmodified_since_gets_304(client, demo):
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5)):
        last_modified = client.get(RAISE_SV)["Last-Modified"]

        response = client.get(RAISE_SV, headers={"If-Modified-Since": last_modified})

    assert response.status_code == 304


def test_a_changed_page_is_never_answered_with_304_for_its_old_date(client, demo):
    """Dates have whole seconds: a page changed within the second it was fetched gets no
    Last-Modified, so If-Modified-Since cannot match it, and the ETag decides."""
    start = timezone.now() + datetime.timedelta(seconds=5)
    with time_machine.travel(start, tick=False):
        old = client.get(RAISE_SV)
        edit_page(demo)
        new = client.get(RAISE_SV, headers={"If-Modified-Since": old["Last-Modified"]})
        again = client.get(RAISE_SV, headers={"If-None-Match": new["ETag"]})

    assert new.status_code == 200
    assert "Ändrad rubrik" in text_of(new)
    assert "Last-Modified" not in new
    assert again.status_code == 304


def test_staff_always_see_fresh_pages(client, demo, admin_user):
    cached(client)
    client.force_login(admin_user)
    Page.objects.filter(pk=5).update(title_sv="Bara i databasen")  # no signal: cache is stale

    response = client.get(RAISE_SV)

    assert "Bara i databasen" in text_of(response)
    assert "X-Page-Cache" not in response
    assert "private" in response["Cache-Control"]


def test_ignored_query_parameters_share_the_cached_page(client, demo):
    cached(client)

    assert client.get(RAISE_SV + "?utm_source=nyhetsbrev")["X-Page-Cache"] == "hit"
    assert client.get(RAISE_SV + "?q=sociala&status=ended")["X-Page-Cache"] == "hit"
    thanks = [client.get(RAISE_SV + "?feedback=thanks") for _ in range(2)]
    assert [r["X-Page-Cache"] for r in thanks] == ["miss", "hit"]
    assert "Thank you for your answer!" not in text_of(thanks[1])
    assert "Tack för ditt svar!" in text_of(thanks[1])


def test_cache_can_be_turned_off(client, demo, settings):
    settings.PAGE_CACHE_TIMEOUT = 0

    responses = [client.get(RAISE_SV) for _ in range(2)]

    assert ["X-Page-Cache" in r for r in responses] == [False, False]
    assert responses[1]["Cache-Control"] == SHARED


def test_errors_and_redirects_are_not_cached(client, demo):
    client.get("/sv/finns-inte/")
    client.get("/")

    missing = client.get("/sv/finns-inte/")
    swedish = client.get("/")
    english = client.get("/", headers={"Accept-Language": "en"})

    assert (missing.status_code, "X-Page-Cache" in missing) == (404, False)
    assert (swedish.status_code, "X-Page-Cache" in swedish) == (302, False)
    assert (swedish["Location"], english["Location"]) == ("/sv/", "/en/")


SHARED_CACHE = bool(settings.REDIS_URL) and connection.vendor == "postgresql"


@pytest.mark.skipif(not SHARED_CACHE, reason="needs PostgreSQL and Redis (run in CI)")
def test_an_edit_on_another_app_server_is_seen_on_the_next_request(transactional_db, client):
    from django.core.management import call_command

    call_command("loaddata", "demo", verbosity=0)
    cached(client)
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
    }
    code = (
        "from pages.models import Page; p = Page.objects.get(pk=5); "
        "p.title_sv = 'Ändrad på en annan server'; p.save()"
    )

    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        check=True,
        timeout=120,
    )

    assert "Ändrad på en annan server" in text_of(client.get(RAISE_SV))


def test_compressed_and_plain_pages_are_cached_apart(client, demo):
    import gzip

    gz = {"Accept-Encoding": "gzip, br"}
    client.get(RAISE_SV, headers=gz)
    compressed = client.get(RAISE_SV, headers=gz)
    plain = client.get(RAISE_SV)

    assert (compressed["X-Page-Cache"], compressed["Content-Encoding"]) == ("hit", "gzip")
    assert "Accept-Encoding" in compressed["Vary"]
    assert "Content-Encoding" not in plain
    assert gzip.decompress(compressed.content) == plain.content


def test_editing_content_works_while_the_cache_is_down(client, demo, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    page = Page.objects.get(pk=5)
    page.title_sv = "Sparad utan cache"

    page.save()

    assert Page.objects.get(pk=5).title_sv == "Sparad utan cache"
    assert "Sparad utan cache" in text_of(client.get(RAISE_SV))


def test_the_comment_step_of_the_feedback_widget_is_never_stored(client, demo):
    from pages.feedback import comment_token

    token = comment_token(Feedback.objects.create(page_id=5, language="sv", helpful=False))
    responses = [client.get(RAISE_SV, {"feedback": "comment", "token": token}) for _ in range(2)]
    later = client.get(RAISE_SV)

    for response in responses:
        assert "X-Page-Cache" not in response
        assert response["Cache-Control"] == "private, no-store"
        assert f'value="{token}"' in response.content.decode()
    assert token not in later.content.decode()
