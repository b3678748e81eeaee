import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def run_settings(env, code="from django.conf import settings; settings.DATABASES"):
    """Import the real settings in a fresh interpreter with exactly `env` set."""
    # The browser tests allow sync ORM calls inside Playwright's event loop while their
    # browser runs; a deployment never does, and `check --deploy` rightly complains about it.
    unset = {"SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    clean.update(env, DJANGO_SETTINGS_MODULE="raise_site.settings")
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=clean,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_secret_key_is_required_when_debug_is_off():
    result = run_settings({}, "import raise_site.wsgi")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_commands_that_need_no_key_run_without_one():
    result = run_settings(
        {}, "from django.core.management import call_command; call_command('check')"
    )

    assert result.returncode == 0, result.stderr


def test_local_defaults_are_sqlite_and_a_disk_cache_beside_it():
    result = run_settings(
        {"DEBUG": "true"},
        "from django.conf import settings as s; c = s.CACHES['default']; "
        "print(s.DATABASES['default']['ENGINE'], c['BACKEND'], c['LOCATION'] == str(s.CACHE_DIR))",
    )

    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "pages.cache_backends.DiskCache",
        "True",
    ]


def test_postgresql_without_redis_keeps_the_cache_in_the_database():
    result = run_settings(
        {"SECRET_KEY": "x" * 50, "DATABASE_URL": "postgres://user:pw@db.internal:5433/raise"},
        "from django.conf import settings as s; c = s.CACHES; "
        "print(list(c), c['default']['BACKEND'], c['default']['LOCATION'])",
    )

    assert result.stdout.split() == [
        "['default']",
        "pages.cache_backends.DatabaseCache",
        "pages_cache",
    ]


def test_database_and_redis_urls_are_used_when_set():
    result = run_settings(
        {
            "SECRET_KEY": "x" * 50,
            "DATABASE_URL": "postgres://user:pw@db.internal:5433/raise",
            "REDIS_URL": "redis://cache.internal:6379/2",
        },
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['ENGINE'], d['HOST'], d['PORT'], d['NAME'], d['CONN_HEALTH_CHECKS'], "
        "s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'], "
        "s.CACHES['fallback']['BACKEND'])",
    )

    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "db.internal",
        "5433",
        "raise",
        "True",
        "django.core.cache.backends.redis.RedisCache",
        "redis://cache.internal:6379/2",
        "pages.cache_backends.DatabaseCache",
    ]


def test_local_admin_is_created_once_with_a_printed_password(capsys, settings):
    settings.USING_LOCAL_SQLITE = True

    call_command("ensure_local_admin")
    first = capsys.readouterr().out
    call_command("ensure_local_admin")
    second = capsys.readouterr().out

    password = first.split("with the password ")[1].split()[0]
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)
    assert "already exists" in second and password not in second


def test_no_local_admin_on_a_shared_database(settings):
    settings.USING_LOCAL_SQLITE = False

    call_command("ensure_local_admin")

    assert not get_user_model().objects.exists()


def test_cache_round_trip():
    from django.core.cache import cache

    cache.set("raise-test-key", "värde", 10)

    assert cache.get("raise-test-key") == "värde"


@pytest.mark.parametrize(
    "url",
    [
        "/admin/pages/page/",
        "/admin/pages/page/5/change/",
        "/admin/pages/project/1/change/",
        "/admin/pages/stakeholdergroup/1/change/",
        "/admin/pages/event/",
        "/admin/pages/feedback/",
        "/admin/contacts/contact/1/change/",
        "/admin/contacts/organisation/",
    ],
)
def test_admin_pages_open_for_staff(admin_client, demo, url):
    assert admin_client.get(url).status_code == 200


def test_media_go_to_a_bucket_when_one_is_named():
    result = run_settings(
        {
            "DEBUG": "true",
            "AWS_STORAGE_BUCKET_NAME": "raise-media",
            "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        },
        "from django.conf import settings as s; o = s.STORAGES['default'];"
        "print(o['BACKEND'], o['OPTIONS']['bucket_name'], o['OPTIONS']['endpoint_url'])",
    )

    assert result.stdout.split() == [
        "storages.backends.s3.S3Storage",
        "raise-media",
        "http://127.0.0.1:9000",
    ]
