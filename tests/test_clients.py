"""Client addresses that cannot be forged, and the limits keyed on them: the feedback rate
limit, shared by every worker, and the admin's login throttling."""

import datetime
from urllib.parse import urlencode

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.cache import cache

from pages.models import Feedback
from raise_site.clients import client_address, client_network
from raise_site.models import RateLimit

from .conftest import RAISE_SV, text_of

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
LOGIN = "/admin/login/"
PASSWORD = "ett långt och hemligt lösenord"


def answer(client, **extra):
    return client.post(
        "/feedback/",
        urlencode({"page": 5, "language": "sv", "answer": "yes"}),
        content_type="application/x-www-form-urlencoded",
        headers={"Sec-Fetch-Site": "same-origin"},
        **extra,
    )


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "client"),
    [
        # No proxies trusted: the connection's address, whatever the headers say.
        ([], "203.0.113.5", "198.51.100.1", "203.0.113.5"),
        # From the trusted proxy: the address it appended.
        ([PROXY], PROXY, "198.51.100.7", "198.51.100.7"),
        # A client's own X-Forwarded-For comes first; the proxy's entry is the last one.
        ([PROXY], PROXY, "192.0.2.1, 192.0.2.2, 198.51.100.7", "198.51.100.7"),
        # Not from a trusted proxy: the header is ignored.
        ([PROXY], "203.0.113.5", "198.51.100.7", "203.0.113.5"),
        # Two proxies, both trusted by their network.
        (["10.0.0.0/8"], PROXY, "198.51.100.7, 10.20.0.3", "198.51.100.7"),
        (
            ["10.0.0.0/8", "2001:db8:ffff::/48"],
            "2001:db8:ffff::1",
            "2001:db8:1::9",
            "2001:db8:1::9",
        ),
        # Ports and brackets as some proxies write them; IPv4 in IPv6 form.
        ([PROXY], PROXY, "[2001:db8::7]:4711", "2001:db8::7"),
        ([PROXY], PROXY, "198.51.100.7:443", "198.51.100.7"),
        ([PROXY], "::ffff:10.0.0.1", "198.51.100.7", "198.51.100.7"),
        # Garbage where an address should be: the last proxy's view is all there is.
        ([PROXY], PROXY, "unknown", PROXY),
        ([PROXY], PROXY, "", PROXY),
        # Every hop a trusted proxy: the farthest one.
        (["10.0.0.0/8"], PROXY, "10.0.0.9, 10.0.0.8", "10.0.0.9"),
    ],
)
def test_client_address_comes_from_trusted_proxies_only(
    rf, settings, trusted, remote, forwarded, client
):
    settings.TRUSTED_PROXIES = trusted
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) == client


def test_ipv6_clients_are_counted_by_their_64(rf):
    request = rf.get("/", REMOTE_ADDR="2001:db8:1:2:aaaa:bbbb:cccc:dddd")

    assert client_network(request) == "2001:db8:1:2::"
    assert client_network(rf.get("/", REMOTE_ADDR="192.0.2.1")) == "192.0.2.1"


def test_a_forged_forwarded_for_from_a_visitor_does_not_dodge_the_rate_limit(
    client, demo, settings
):
    settings.FEEDBACK_RATE_LIMIT = 3

    statuses = [
        answer(
            client, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}"
        ).status_code
        for i in range(6)
    ]

    assert statuses == [302, 302, 302, 429, 429, 429]
    assert Feedback.objects.count() == 3


def test_a_forged_entry_before_the_proxys_does_not_dodge_the_rate_limit(client, demo, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.FEEDBACK_RATE_LIMIT = 3

    statuses = [
        answer(
            client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 192.0.2.66"
        ).status_code
        for i in range(5)
    ]
    someone_else = answer(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.67")

    assert statuses == [302, 302, 302, 429, 429]
    assert someone_else.status_code == 302


def test_behind_the_proxy_every_visitor_does_not_share_one_limit(client, demo, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.FEEDBACK_RATE_LIMIT = 1

    statuses = [
        answer(client, REMOTE_ADDR=f"10.0.0.{i}", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}").status_code
        for i in range(1, 6)
    ]

    assert statuses == [302] * 5


def test_rotating_ipv6_addresses_within_one_64_share_one_limit(client, demo, settings):
    settings.FEEDBACK_RATE_LIMIT = 10

    statuses = [
        answer(client, REMOTE_ADDR=f"2001:db8:1:2:{i:x}:{i * 7:x}::{i + 1:x}").status_code
        for i in range(100)
    ]
    next_network = answer(client, REMOTE_ADDR="2001:db8:1:3::1")

    assert statuses.count(302) == 10
    assert statuses.count(429) == 90
    assert next_network.status_code == 302
    assert Feedback.objects.count() == 11


def test_the_rate_limit_is_kept_in_the_database_for_every_worker(client, demo, settings):
    """No worker's local cache holds the count: emptying it (as another worker's would be)
    changes nothing, and the count is a row every server reads."""
    settings.FEEDBACK_RATE_LIMIT = 2

    first = [answer(client).status_code for _ in range(2)]
    cache.clear()
    after = answer(client).status_code

    assert (first, after) == ([302, 302], 429)
    assert list(RateLimit.objects.values_list("hits", flat=True)) == [3]


def test_the_rate_limit_window_ends_and_old_counts_are_deleted(client, demo, settings):
    settings.FEEDBACK_RATE_LIMIT = 1
    settings.FEEDBACK_RATE_WINDOW = 600
    with time_machine.travel(datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)) as clock:
        statuses = [answer(client).status_code for _ in range(2)]
        clock.shift(datetime.timedelta(minutes=10))
        statuses.append(answer(client).status_code)

    assert statuses == [302, 429, 302]
    assert list(RateLimit.objects.values_list("hits", flat=True)) == [1]


# --- HTTPS behind the proxy ------------------------------------------------


def test_https_from_the_trusted_proxy_is_believed(client, demo, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True

    via_proxy = client.get(RAISE_SV, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")
    forged = client.get(RAISE_SV, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_PROTO="https")

    assert via_proxy.status_code == 200
    assert via_proxy["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert forged.status_code == 301
    assert forged["Location"] == "https://testserver" + RAISE_SV


# --- Login throttling ----------------------------------------------------


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user(
        "redaktor", "redaktor@example.se", PASSWORD, is_staff=True
    )


def log_in(client, username, password, address, **headers):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **headers,
    )


def test_nobody_can_lock_an_editor_out_from_elsewhere(client, editor):
    attacker = [
        log_in(client, "redaktor", f"gissning {i}", "203.0.113.66").status_code for i in range(8)
    ]

    real_editor = log_in(client, "redaktor", PASSWORD, "192.0.2.10")

    assert attacker == [200, 200, 200, 200, 429, 429, 429, 429]
    assert real_editor.status_code == 302
    assert real_editor["Location"] == "/admin/"


def test_the_editors_own_failures_lock_only_their_own_client(client, editor):
    for i in range(5):
        log_in(client, "redaktor", f"fel {i}", "192.0.2.10")

    same_place = log_in(client, "redaktor", PASSWORD, "192.0.2.10")
    from_home = log_in(client, "redaktor", PASSWORD, "198.51.100.20")

    assert same_place.status_code == 429
    assert from_home.status_code == 302


def test_password_spraying_from_one_client_is_slowed(client, editor, settings):
    settings.LOGIN_CLIENT_FAILURE_LIMIT = 20

    statuses = [
        log_in(client, f"namn{i}", "Sommar2024!", "203.0.113.66").status_code for i in range(30)
    ]
    sprayer_with_the_right_password = log_in(client, "redaktor", PASSWORD, "203.0.113.66")
    editor_elsewhere = log_in(client, "redaktor", PASSWORD, "192.0.2.10")

    assert statuses == [200] * 19 + [429] * 11
    assert sprayer_with_the_right_password.status_code == 429
    assert "Efter 20 misslyckade försök från ditt nätverk" in text_of(
        sprayer_with_the_right_password
    )
    assert editor_elsewhere.status_code == 302


def test_spraying_from_rotating_ipv6_addresses_is_slowed_as_one_client(client, editor):
    statuses = [
        log_in(client, f"namn{i}", "Sommar2024!", f"2001:db8:1:2::{i + 1:x}").status_code
        for i in range(22)
    ]

    assert statuses == [200] * 19 + [429] * 3
    assert log_in(client, "redaktor", PASSWORD, "2001:db8:1:3::1").status_code == 302


def test_a_forged_forwarded_for_does_not_dodge_the_login_throttling(client, editor, settings):
    settings.TRUSTED_PROXIES = [PROXY]

    statuses = [
        log_in(
            client, "redaktor", f"fel {i}", "203.0.113.66", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}"
        ).status_code
        for i in range(6)
    ]

    assert statuses == [200, 200, 200, 200, 429, 429]


STOCKHOLM = datetime.timezone(datetime.timedelta(hours=1))


@pytest.mark.parametrize(
    ("language", "sentence"),
    [("sv", "Du kan försöka igen klockan 14:35."), ("en", "You can try again at 14:35.")],
)
def test_the_lock_out_page_says_when_to_try_again(client, editor, language, sentence):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 14, 20, tzinfo=STOCKHOLM), tick=False):
        for i in range(5):
            response = log_in(
                client, "redaktor", f"fel {i}", "192.0.2.10", HTTP_ACCEPT_LANGUAGE=language
            )

    assert response.status_code == 429
    assert sentence in text_of(response)
    assert '<time datetime="2026-03-02T14:35:00+01:00">14:35</time>' in response.content.decode()


def test_attempts_while_locked_out_do_not_move_the_time_on(client, editor):
    start = datetime.datetime(2026, 3, 2, 14, 20, tzinfo=STOCKHOLM)
    with time_machine.travel(start, tick=False) as clock:
        for i in range(5):
            log_in(client, "redaktor", f"fel {i}", "192.0.2.10")
        clock.shift(datetime.timedelta(minutes=10))
        again = log_in(client, "redaktor", PASSWORD, "192.0.2.10")
        clock.shift(datetime.timedelta(minutes=5, seconds=1))
        later = log_in(client, "redaktor", PASSWORD, "192.0.2.10")

    assert again.status_code == 429
    assert "klockan 14:35" in text_of(again)
    assert later.status_code == 302
