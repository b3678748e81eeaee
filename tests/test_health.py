"""/health/ and how the site behaves while its cache or database is down."""

from urllib.parse import urlencode

import pytest

from pages.models import Feedback

from .conftest import RAISE_SV, text_of

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: every cache call fails at once with "connection refused".
STOPPED_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@pytest.fixture
def cache_down(settings):
    settings.CACHES = STOPPED_REDIS


def test_health_is_ok_when_database_and_cache_answer(client, home):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_health_is_never_cached_and_sets_no_cookies(client):
    first = client.get("/health/")
    second = client.get("/health/")

    assert "no-store" in first["Cache-Control"]
    assert "X-Page-Cache" not in second
    assert not first.cookies
    assert "Cookie" not in first.get("Vary", "")


def test_health_reports_a_stopped_cache(client, home, cache_down):
    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "error"}
    assert "no-store" in response["Cache-Control"]


def test_health_reports_a_database_that_does_not_answer(client, database_down):
    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "cache": "ok"}


def test_health_answers_head_but_not_post(client, home):
    assert client.head("/health/").status_code == 200
    assert client.post("/health/").status_code == 405


def test_pages_are_still_shown_while_the_cache_is_down(client, demo, cache_down):
    response = client.get(RAISE_SV)

    assert response.status_code == 200
    assert "Stärk sociala företags konkurrenskraft" in text_of(response)
    assert "X-Page-Cache" not in response


def test_feedback_is_still_stored_while_the_cache_is_down(client, demo, cache_down):
    page_pk = 5
    response = client.post(
        "/feedback/",
        urlencode({"page": page_pk, "language": "sv", "answer": "yes"}),
        content_type="application/x-www-form-urlencoded",
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 200
    assert Feedback.objects.filter(page_id=page_pk, helpful=True).count() == 1
