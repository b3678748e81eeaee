"""Test settings: the real settings, with only what speeds the tests up changed."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
# The suite shares its machine with other work: a Redis answer that the scheduler delays must
# not be taken for an outage, which would leave Redis aside for seconds of tests. The tests
# of outages set their own timeouts.
os.environ.setdefault("REDIS_TIMEOUT", "2")

from raise_site.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The test client speaks plain HTTP; tests of the redirect turn it back on.
SECURE_SSL_REDIRECT = False

# The fingerprinted storage needs collectstatic first; `make serve` and the benchmark run it.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True  # look for static files per request, not in STATIC_ROOT at start

# The disk cache (the shared store on SQLite) goes to a folder of the test run's own.
for _cache in CACHES.values():  # noqa: F405
    if _cache["BACKEND"] == "pages.cache_backends.DiskCache":
        import atexit
        import shutil
        import tempfile

        _cache["LOCATION"] = tempfile.mkdtemp(prefix="raise-test-cache-")
        atexit.register(shutil.rmtree, _cache["LOCATION"], ignore_errors=True)
