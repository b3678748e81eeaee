"""Errors a visitor could cause, the site with its database down, and what operators rely on:
health, backup file modes, CSV exports."""

import csv
import datetime
import io
import json
import os
import stat
import wsgiref.util
from urllib.parse import urlencode

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import InterfaceError, OperationalError, connection
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from pages.models import Event, Feedback, Page

from .conftest import RAISE_EN, RAISE_SV, text_of
from .test_operations import run_settings

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
JSON = {**SAME_ORIGIN, "Accept": "application/json"}
CSP = (
    "base-uri 'none'; default-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "img-src 'self'; object-src 'none'"
)


def post(client, data, headers=SAME_ORIGIN):
    return client.post(
        "/feedback/",
        urlencode(data),
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )


def token_of(response) -> str:
    html = response.json()["html"] if "json" in response["Content-Type"] else response.text
    return html.split('name="token" value="')[1].split('"')[0]


def textarea_of(response) -> str:
    return response.content.decode().split('name="comment"')[1].split(">", 1)[1].split("<")[0]


@pytest.fixture
def refusing_database():
    """Every query fails as if PostgreSQL had stopped."""

    def refuse(execute, sql, params, many, context):
        raise OperationalError("could not connect to server: Connection refused")

    return lambda: connection.execute_wrapper(refuse)


# --- E-mail headers --------------------------------------------------------


def test_a_no_on_a_page_whose_title_holds_a_line_break_is_stored_and_mailed(client, demo):
    owner = get_user_model().objects.create_user("agare", "agare@example.se", "x")
    # Set directly, as an import or an old revision could: the admin's form would not.
    Page.objects.filter(pk=5).update(owner=owner, title_sv="RaiSE\r\nBcc: alla@example.se")
    token = token_of(post(client, {"page": 5, "language": "sv", "answer": "no"}, JSON))

    response = post(client, {"token": token, "language": "sv", "comment": "Saknar datum."})

    assert response.status_code == 302
    assert Feedback.objects.get().comment == "Saknar datum."
    assert [m.subject for m in mail.outbox] == ["Ny återkoppling på ”RaiSE Bcc: alla@example.se”"]
    assert mail.outbox[0].to == ["agare@example.se"]
    assert mail.outbox[0].bcc == []
    assert "Bcc" not in mail.outbox[0].message()


def test_a_mail_server_that_does_not_answer_does_not_fail_the_visitor(client, demo, settings):
    owner = get_user_model().objects.create_user("agare", "agare@example.se", "x")
    Page.objects.filter(pk=5).update(owner=owner)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 1
    token = token_of(post(client, {"page": 5, "language": "sv", "answer": "no"}, JSON))

    response = post(client, {"token": token, "language": "sv", "comment": "Saknar datum."})

    assert response.status_code == 302
    assert Feedback.objects.get().comment == "Saknar datum."


# --- Event addresses ---------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    ["Möte_om_EU-fonder", "___", "Workshop 2024_1: _Start_", "😀", "--", "Årsmöte " + "x_" * 80],
)
def test_every_listed_event_address_resolves(client, demo, title):
    event = Event.objects.create(
        title_sv=title, title_en=title, start=datetime.datetime(2030, 5, 6, 9, tzinfo=datetime.UTC)
    )
    listed = {language: event.get_absolute_url(language=language) for language in ("sv", "en")}
    calendar_html = client.get("/sv/kalender/").content.decode()
    sitemap = client.get("/sitemap-events-1.xml").content.decode()

    assert f'href="{listed["sv"]}"' in calendar_html
    assert f"http://testserver{listed['sv']}" in sitemap
    for url in listed.values():
        response = client.get(url)
        assert response.status_code == 200, url
        assert event.title_sv in text_of(response)


def test_an_event_address_with_another_slug_redirects_to_the_listed_one(client, demo):
    event = Event.objects.create(
        title_sv="Möte_om_EU", start=datetime.datetime(2030, 5, 6, 9, tzinfo=datetime.UTC)
    )

    response = client.get(f"/sv/kalender/{event.pk}-gammal_rubrik/")

    assert response.status_code == 301
    assert response["Location"] == f"/sv/kalender/{event.pk}-mote_om_eu/"


# --- The admin ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["a" * 1100 + "/", "pages/" + "b/" * 600, "finns-inte/"])
def test_unknown_and_over_long_admin_addresses_get_a_clean_404_in_the_admin(admin_client, path):
    response = admin_client.get(f"/admin/{path}")

    assert response.status_code == 404
    assert "Location" not in response
    assert "<h1>Sidan kunde inte hittas</h1>" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_an_over_long_admin_address_sends_visitors_to_the_login_first(client):
    response = client.get("/admin/" + "a" * 1100 + "/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=/admin/aaa")


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""]
)
def test_a_refused_next_address_goes_to_the_admin_start_page(client, next_url):
    get_user_model().objects.create_user(
        "redaktor", "r@example.se", "ett långt lösenord", is_staff=True
    )

    response = client.post(
        "/admin/login/",
        {"username": "redaktor", "password": "ett långt lösenord", "next": next_url},
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


# --- The 500 page --------------------------------------------------------------


@pytest.fixture
def quiet_client():
    return Client(raise_request_exception=False)


def test_a_connection_that_dies_mid_request_still_gets_the_branded_500(quiet_client, demo):
    """After a connection dies, psycopg2 raises InterfaceError ("connection already closed")
    on every use, which is no DatabaseError; the error page must still render."""

    def closed(execute, sql, params, many, context):
        raise InterfaceError("connection already closed")

    with connection.execute_wrapper(closed):
        response = quiet_client.get(RAISE_EN, HTTP_X_REQUEST_ID="probe-request-0001")

    assert response.status_code == 500
    assert response["Content-Security-Policy"] == CSP
    assert response["X-Request-ID"] == "probe-request-0001"
    assert response["X-Frame-Options"] == "DENY"
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Something went wrong</h1>" in html
    assert "<code>probe-request-0001</code>" in html


def wsgi_get(path, **environ_extra):
    """(status, headers, body) of a GET through Django's WSGI handler, as gunicorn sends it."""
    environ = {}
    wsgiref.util.setup_testing_defaults(environ)
    environ.update(PATH_INFO=path, **environ_extra)
    started = []
    result = WSGIHandler()(environ, lambda s, h, exc_info=None: started.append((s, h)))
    try:
        body = b"".join(result).decode()
    finally:
        result.close()
    status, headers = started[0]
    return int(status.split()[0]), dict(headers), body


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_a_connection_killed_during_a_request_gets_the_500_with_the_sites_headers(demo):
    """The database server ends this request's connection in the middle of the request, as
    pg_terminate_backend, a restart or a failover does."""
    from .test_database_recovery import terminate_from_elsewhere

    killed = []

    def kill_at_the_first_query(execute, sql, params, many, context):
        if not killed:
            killed.append(context["connection"].connection.get_backend_pid())
            terminate_from_elsewhere(killed[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(kill_at_the_first_query):
        status, headers, body = wsgi_get(RAISE_SV, HTTP_X_REQUEST_ID="killed-request-0001")

    assert len(killed) == 1
    assert status == 500
    assert headers["Content-Security-Policy"] == CSP
    assert headers["X-Request-ID"] == "killed-request-0001"
    assert "<h1>Något gick fel</h1>" in body
    assert "<code>killed-request-0001</code>" in body


# --- PostgreSQL down -------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "sentence", "again"),
    [
        (
            "sv",
            "Ditt svar kunde inte sparas just nu. Försök igen om en stund.",
            "Skicka ”Nej” igen",
        ),
        (
            "en",
            "Your answer could not be saved just now. Please try again in a while.",
            "Send “No” again",
        ),
    ],
)
def test_with_the_database_down_answers_are_refused_with_503(
    client, demo, refusing_database, language, sentence, again
):
    data = {"page": 5, "language": language, "answer": "no", "return": RAISE_SV}
    with refusing_database():
        response = post(client, data)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert sentence in text_of(response)
    assert again in text_of(response)
    assert 'name="answer" value="no"' in response.content.decode()
    assert f'href="{RAISE_SV}#feedback"' in response.content.decode()
    assert Feedback.objects.count() == 0


def test_with_the_database_down_a_comment_is_refused_and_nothing_half_written(
    client, demo, refusing_database
):
    token = token_of(post(client, {"page": 5, "language": "sv", "answer": "no"}, JSON))
    with refusing_database():
        as_form = post(client, {"token": token, "language": "sv", "comment": "Mer om Mayo."})
        in_place = post(client, {"token": token, "language": "sv", "comment": "Mer om Mayo."}, JSON)

    assert as_form.status_code == 503
    assert textarea_of(as_form) == "Mer om Mayo."
    assert (in_place.status_code, in_place["Retry-After"]) == (503, "30")
    assert in_place.json() == {
        "ok": False,
        "error": "Ditt svar kunde inte sparas just nu. Försök igen om en stund.",
    }
    assert list(Feedback.objects.values_list("helpful", "comment")) == [(False, "")]


def test_with_the_database_down_cached_pages_are_still_served(client, demo, refusing_database):
    client.get(RAISE_SV)
    with refusing_database():
        response = client.get(RAISE_SV)

    assert response.status_code == 200
    assert response["X-Page-Cache"] == "hit"
    assert "Stärk sociala företags konkurrenskraft" in text_of(response)


# --- Feedback without JavaScript keeps the answer -----------------------------


def test_a_failed_answer_shows_the_page_again_with_the_answer_kept(client, demo):
    # What the in-place script used to send when it fell back: the form without its button.
    response = post(client, {"page": 5, "language": "sv"})

    assert response.status_code == 400
    text = text_of(response)
    assert text.startswith("RaiSE - Stärk sociala företags konkurrenskraft")
    assert "Ditt svar sparades inte: Svara ja eller nej." in text
    assert response["Cache-Control"] == "private, no-store"
    assert not response.cookies


def test_a_comment_too_long_is_shown_again_on_the_page_in_english(client, demo):
    token = token_of(post(client, {"page": 5, "language": "en", "answer": "no"}, JSON))

    response = post(client, {"token": token, "language": "en", "comment": "a" * 2001})

    assert response.status_code == 400
    assert "Strengthening the competitiveness of social enterprises" in text_of(response)
    assert "Write at most 2000 characters (you wrote 2001)." in text_of(response)
    assert textarea_of(response) == "a" * 2001
    assert Feedback.objects.get().comment == ""


def test_a_comment_sent_after_the_form_expired_can_be_sent_again(client, demo):
    start = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        token = token_of(post(client, {"page": 5, "language": "sv", "answer": "no"}, JSON))
        clock.shift(datetime.timedelta(hours=2))
        late = post(client, {"token": token, "language": "sv", "comment": "Mer om Mayo."})
        again = post(
            client, {"token": token_of(late), "language": "sv", "comment": textarea_of(late)}
        )

    assert late.status_code == 400
    assert "Formuläret hade varit öppet länge" in text_of(late)
    assert again.status_code == 302
    assert Feedback.objects.get().comment == "Mer om Mayo."


def test_over_the_rate_limit_the_visitor_gets_the_answer_to_send_again_and_a_way_back(
    client, demo, settings
):
    settings.FEEDBACK_RATE_LIMIT = 0

    response = post(client, {"page": 5, "language": "sv", "answer": "yes", "return": RAISE_SV})

    assert response.status_code == 429
    assert "Du har skickat många svar på kort tid." in text_of(response)
    assert "Skicka ”Ja” igen" in text_of(response)
    assert f'<a href="{RAISE_SV}#feedback">Tillbaka till sidan du var på</a>' in response.text
    assert Feedback.objects.count() == 0


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_the_way_back_never_leads_off_the_site(client, demo, settings, target):
    settings.FEEDBACK_RATE_LIMIT = 0

    response = post(client, {"page": 5, "language": "sv", "answer": "yes", "return": target})

    assert "evil.example" not in response.text
    assert '<a href="/sv/">Gå till startsidan</a>' in response.text


# --- Health --------------------------------------------------------------------


def test_health_is_ok_with_migrations_done_and_a_published_home_page(client, home):
    response = client.get("/health/")

    assert (response.status_code, response.json()) == (
        200,
        {"status": "ok", "database": "ok", "cache": "ok"},
    )


def test_health_reports_the_database_without_a_home_page(client, home):
    Page.objects.filter(pk=home.pk).update(status=Page.Status.DRAFT)

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "cache": "ok"}


def test_health_reports_the_database_with_a_migration_missing(client, home):
    MigrationRecorder(connection).migration_qs.filter(app="pages").order_by("-id")[
        :1
    ].get().delete()

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "cache": "ok"}


def test_health_reports_an_empty_database(tmp_path):
    result = run_settings(
        {"DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"},
        "from django.test import Client; r = Client(HTTP_HOST='localhost').get('/health/'); "
        "print(r.status_code, r.content.decode())",
    )

    status, body = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert (status, json.loads(body)) == (
        "503",
        {"status": "error", "database": "error", "cache": "ok"},
    )


# --- Backups -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_backups_are_readable_by_their_owner_only(demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "photo.jpg").write_bytes(b"x")
    target = tmp_path / "backups" / "2026-03-02"
    previous = os.umask(0o022)  # the usual umask, which would make files world-readable
    try:
        call_command("backup", str(target), stdout=io.StringIO())
    finally:
        os.umask(previous)

    modes = {
        path.relative_to(tmp_path).as_posix(): stat.S_IMODE(path.stat().st_mode)
        for path in [tmp_path / "backups", target, *sorted(target.iterdir())]
    }
    database = "database.pgdump" if connection.vendor == "postgresql" else "database.sqlite3"
    assert modes == {
        "backups": 0o700,
        "backups/2026-03-02": 0o700,
        f"backups/2026-03-02/{database}": 0o600,
        "backups/2026-03-02/media.tar.gz": 0o600,
    }


# --- CSV exports ---------------------------------------------------------------------


def test_the_feedback_export_neutralises_formula_cells(admin_client, demo):
    Page.objects.filter(pk=5).update(title_sv='=HYPERLINK("http://evil.example")')
    comments = ["=1+2", "+46 kommentar", "-2", "@SUM(A1)", "\tflik", "\rretur", "Vanlig - text"]
    for comment in comments:
        Feedback.objects.create(page_id=5, language="sv", helpful=False, comment=comment)

    response = admin_client.post(
        "/admin/pages/feedback/",
        {
            "action": "export_csv",
            "_selected_action": list(Feedback.objects.values_list("pk", flat=True)),
        },
    )

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body, newline="")))
    assert {row[1] for row in rows[1:]} == {'\'=HYPERLINK("http://evil.example")'}
    assert sorted(row[5] for row in rows[1:]) == sorted(
        ["'=1+2", "'+46 kommentar", "'-2", "'@SUM(A1)", "'\tflik", "'\rretur", "Vanlig - text"]
    )


# --- Settings ----------------------------------------------------------------------


def test_the_old_proxy_setting_is_refused_with_what_replaces_it():
    result = run_settings({"DEBUG": "true", "BEHIND_TLS_PROXY": "true"})

    assert result.returncode != 0
    assert "BEHIND_TLS_PROXY is replaced by TRUSTED_PROXIES" in result.stderr


def test_trusted_proxies_must_be_addresses_or_networks():
    result = run_settings({"DEBUG": "true", "TRUSTED_PROXIES": "10.0.0.1,proxy.example"})

    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'proxy.example' does not appear to be an IPv4 or IPv6 network" in (
        result.stderr
    )
