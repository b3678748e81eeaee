"""The admin: login lock-out, password rules, sessions that expire, a movable address."""

import datetime
import zoneinfo

import pytest
from django.contrib.auth import get_user_model

from .conftest import text_of
from .test_operations import run_settings

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "ett långt och hemligt lösenord"
LOCKED = "För många misslyckade inloggningar"
NOW = datetime.datetime(2026, 9, 14, 9, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm"))


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user(
        "redaktor", "redaktor@example.se", PASSWORD, is_staff=True
    )


def log_in(client, username, password, address="192.0.2.10"):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address
    )


def test_right_password_logs_in(client, editor):
    response = log_in(client, "redaktor", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_fifth_failed_login_locks_out_even_the_right_password(client, editor):
    answers = [log_in(client, "redaktor", f"fel {i}").status_code for i in range(5)]

    right = log_in(client, "redaktor", PASSWORD)

    assert answers == [200, 200, 200, 200, 429]
    assert right.status_code == 429
    assert LOCKED in text_of(right)
    assert "15 minuter" in text_of(right)
    assert "_auth_user_id" not in client.session


@pytest.mark.time_machine(NOW, tick=False)
def test_lock_out_ends_after_the_cool_off_time(client, editor, time_machine):
    for i in range(5):
        log_in(client, "redaktor", f"fel {i}")
    time_machine.move_to(NOW + datetime.timedelta(minutes=16), tick=False)

    response = log_in(client, "redaktor", PASSWORD)

    assert response.status_code == 302


def test_failures_for_one_user_name_from_elsewhere_do_not_lock_it_out(client, editor):
    for i in range(5):
        log_in(client, "redaktor", f"fel {i}", address=f"192.0.2.{i + 1}")

    response = log_in(client, "redaktor", PASSWORD, address="198.51.100.7")

    assert response.status_code == 302


def test_failures_from_one_address_lock_it_for_every_user_name(client, editor):
    for i in range(20):
        log_in(client, f"gissning{i}", "fel", address="192.0.2.66")

    locked = log_in(client, "redaktor", PASSWORD, address="192.0.2.66")
    elsewhere = log_in(client, "redaktor", PASSWORD, address="198.51.100.7")

    assert locked.status_code == 429
    assert elsewhere.status_code == 302


def test_a_success_resets_the_count(client, editor):
    for i in range(4):
        log_in(client, "redaktor", f"fel {i}")
    log_in(client, "redaktor", PASSWORD)
    client.logout()

    answers = [log_in(client, "redaktor", f"fel {i}").status_code for i in range(4)]

    assert answers == [200, 200, 200, 200]


def test_behind_the_proxy_the_forwarded_address_is_locked_out(client, editor, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    for i in range(5):
        client.post(
            LOGIN,
            {"username": "redaktor", "password": f"fel {i}"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="203.0.113.9, 192.0.2.66",
        )

    locked = client.post(
        LOGIN,
        {"username": "redaktor", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.66",
    )
    other_visitor = client.post(
        LOGIN,
        {"username": "redaktor", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )

    assert locked.status_code == 429
    assert other_visitor.status_code == 302


def test_failed_logins_are_logged_without_the_address(client, editor, caplog):
    for i in range(5):
        log_in(client, "redaktor", f"fel {i}", address="192.0.2.77")

    failures = [
        record.getMessage().split(" {")[0]
        for record in caplog.records
        if record.name.startswith("axes") and record.levelname == "WARNING"
    ]
    assert failures == [
        "AXES: New login failure by",
        *["AXES: Repeated login failure by"] * 4,
        "AXES: Locking out",
    ]
    assert "192.0.2.77" not in caplog.text


def test_short_or_common_passwords_are_refused_in_swedish(admin_client, editor):
    url = f"/admin/auth/user/{editor.pk}/password/"

    short = admin_client.post(url, {"password1": "Kort1234x", "password2": "Kort1234x"})
    common = admin_client.post(url, {"password1": "password1234", "password2": "password1234"})

    assert "minst 12 tecken" in text_of(short)
    assert "för vanligt" in text_of(common)
    editor.refresh_from_db()
    assert editor.check_password(PASSWORD)


def test_login_lasts_a_working_day_and_ends_with_the_browser(client, editor):
    response = log_in(client, "redaktor", PASSWORD)

    cookie = response.cookies["sessionid"]
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert client.session.get_expiry_age() == 8 * 60 * 60
    assert client.get("/admin/").status_code == 200


@pytest.mark.time_machine(NOW, tick=False)
def test_an_expired_login_is_sent_back_to_the_login_form(client, editor, time_machine):
    log_in(client, "redaktor", PASSWORD)
    time_machine.move_to(NOW + datetime.timedelta(hours=7, minutes=59), tick=False)
    assert client.get("/admin/").status_code == 200
    time_machine.move_to(NOW + datetime.timedelta(hours=8, seconds=1), tick=False)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


ADMIN_ADDRESSES = """
from django.urls import Resolver404, resolve, reverse
print(reverse("admin:index"), reverse("admin:login"), resolve("/redaktion/").app_name)
try:
    resolve("/admin/")
except Resolver404:
    print("gone")
"""


def test_admin_address_can_be_changed_by_setting():
    result = run_settings({"DEBUG": "true", "ADMIN_URL": "/redaktion/"}, ADMIN_ADDRESSES)

    assert result.stdout.split() == ["/redaktion/", "/redaktion/login/", "admin", "gone"]


@pytest.mark.parametrize("value", ["sv/", "feedback", "/"])
def test_admin_address_cannot_take_a_site_address(value):
    result = run_settings({"DEBUG": "true", "ADMIN_URL": value})

    assert result.returncode != 0
    assert "ADMIN_URL cannot be" in result.stderr
