import base64
import hashlib
import re

import pytest

from .conftest import RAISE_SV

pytestmark = pytest.mark.django_db


def test_admin_allows_exactly_its_import_map_by_hash(admin_client, demo):
    response = admin_client.get("/admin/pages/page/5/change/")

    import_map = re.search(
        r'<script type="importmap"[^>]*>(.*?)</script>', response.content.decode(), re.S
    ).group(1)
    digest = base64.b64encode(hashlib.sha256(import_map.encode()).digest()).decode()
    policy = response["Content-Security-Policy"]
    assert f"script-src 'self' 'sha256-{digest}'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]


def test_public_pages_keep_the_strict_policy(client, demo):
    policy = client.get(RAISE_SV)["Content-Security-Policy"]

    assert "unsafe-inline" not in policy
    assert "sha256-" not in policy
    assert "script-src" not in policy  # default-src 'self' covers scripts
