"""Test settings: the real settings, with only what speeds the tests up changed."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")

from raise_site.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
