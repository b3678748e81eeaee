"""Production mode: `check --deploy`, security headers, HTTPS, and branded error pages that
work with the database down."""

import json
import re
import secrets

import pytest
from django.test import Client

from .conftest import RAISE_EN, RAISE_SV, text_of
from .test_operations import run_settings

pytestmark = pytest.mark.django_db

CSP = (
    "base-uri 'none'; default-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "img-src 'self'; object-src 'none'"
)


def production_env(tmp_path, **extra):
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "utveckling.example.se",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "TRUSTED_PROXIES": "127.0.0.1",
        **extra,
    }


def test_check_deploy_reports_nothing_in_production_mode(tmp_path):
    result = run_settings(
        production_env(tmp_path),
        "from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='DEBUG')",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_complains_about_a_development_setup(tmp_path):
    result = run_settings(
        {"DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'dev.sqlite3'}"},
        "from django.core.management import call_command; "
        "call_command('check', deploy=True, fail_level='WARNING')",
    )

    assert result.returncode != 0
    assert "security.W018" in result.stderr  # DEBUG on
    assert "security.W008" in result.stderr  # no HTTPS redirect


PRODUCTION_REQUESTS = """
import json
from django.test import Client
client = Client(HTTP_HOST="utveckling.example.se")
plain = client.get("/sv/")
secure = client.get("/health/", HTTP_X_FORWARDED_PROTO="https")
plain_health = client.get("/health/")
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "plain_health": plain_health.status_code,
    "secure": dict(secure.items()),
    "cookies": list(secure.cookies) + list(plain.cookies),
}))
"""


def test_production_mode_redirects_to_https_and_sends_the_security_headers(tmp_path):
    result = run_settings(production_env(tmp_path), PRODUCTION_REQUESTS)
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])

    assert answers["plain"] == [301, "https://utveckling.example.se/sv/"]
    # Load balancers check health over plain HTTP; this database is not migrated.
    assert answers["plain_health"] == 503
    headers = answers["secure"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["Content-Security-Policy"] == CSP
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]
    assert answers["cookies"] == []


def test_production_cookies_are_secure_and_sessions_short(tmp_path):
    result = run_settings(
        production_env(tmp_path),
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_PROXY_SSL_HEADER, "
        "s.SESSION_COOKIE_AGE, s.SESSION_EXPIRE_AT_BROWSER_CLOSE)",
    )

    assert result.stdout.split() == [
        "True",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "28800",
        "True",
    ]


def test_images_from_a_media_bucket_are_allowed_by_the_policy(tmp_path):
    result = run_settings(
        production_env(
            tmp_path,
            AWS_STORAGE_BUCKET_NAME="raise-media",
            AWS_S3_CUSTOM_DOMAIN="media.example.se",
        ),
        "from django.conf import settings as s; "
        "print(*s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])",
    )

    assert result.stdout.split() == ["'self'", "https://media.example.se"]


@pytest.mark.parametrize("url", [RAISE_SV, "/sv/finns-inte/", "/admin/login/"])
def test_every_response_has_the_strict_policy_and_headers(client, demo, url):
    response = client.get(url, secure=True)

    assert response["Content-Security-Policy"] == CSP
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "nonce-" not in response["Content-Security-Policy"]
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "microphone=()" in response["Permissions-Policy"]


def test_cached_pages_carry_the_same_headers_and_no_cookies(client, demo):
    first = client.get(RAISE_SV)
    second = client.get(RAISE_SV)

    assert second["X-Page-Cache"] == "hit"
    for header in ("Content-Security-Policy", "Permissions-Policy", "X-Frame-Options"):
        assert second[header] == first[header]
    assert not second.cookies
    assert "Cookie" not in second.get("Vary", "")


def test_plain_http_is_redirected_when_the_redirect_is_on(client, demo, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get(RAISE_SV)

    assert response.status_code == 301
    assert response["Location"] == "https://testserver" + RAISE_SV


def test_templates_have_no_inline_scripts_or_styles():
    """The policy forbids inline code; a template that adds some would break in browsers."""
    from django.conf import settings

    inline = re.compile(r"<style|\sstyle=|\son[a-z]+=|javascript:|<script(?![^>]*\ssrc=)")
    templates = list((settings.BASE_DIR / "templates").rglob("*.html"))
    offenders = [template.name for template in templates if inline.search(template.read_text())]
    assert offenders == []
    assert {"base.html", "404.html", "feedback.html"} <= {template.name for template in templates}


# --- Error pages ---------------------------------------------------------


@pytest.fixture
def quiet_client():
    """A client that returns 500 pages instead of raising the view's exception."""
    client = Client(raise_request_exception=False)
    return client


@pytest.mark.parametrize(
    ("url", "heading", "language"),
    [
        ("/sv/ingen.sida/", "Sidan kunde inte hittas", "sv"),
        ("/en/no.such.page/", "Page not found", "en"),
    ],
)
def test_404_is_branded_in_the_visitors_language_with_the_database_down(
    quiet_client, demo, database_down, url, heading, language
):
    response = quiet_client.get(url)

    assert response.status_code == 404
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<h1>{heading}</h1>" in html
    assert "Region Örebro" in text_of(response)


@pytest.mark.parametrize(
    ("url", "heading", "language"),
    [(RAISE_SV, "Något gick fel", "sv"), (RAISE_EN, "Something went wrong", "en")],
)
def test_500_is_branded_in_the_visitors_language_with_the_database_down(
    quiet_client, demo, database_down, url, heading, language
):
    response = quiet_client.get(url)

    assert response.status_code == 500
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<h1>{heading}</h1>" in html
    assert "Region Örebro" in text_of(response)
    assert not response.cookies


@pytest.fixture(params=["database up", "database down"])
def database(request):
    if request.param == "database down":
        request.getfixturevalue("database_down")
    return request.param


def test_400_for_an_unknown_host_is_branded(quiet_client, demo, database):
    response = quiet_client.get("/en/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert "<h1>The request could not be handled</h1>" in response.content.decode()


def test_403_for_a_form_without_its_token_is_branded_in_the_browsers_language(demo, database):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)

    response = client.post(
        "/admin/login/", {"username": "a", "password": "b"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>The form could not be sent</h1>" in html
    assert '<html lang="en">' in html
