import pytest

from .conftest import text_of

pytestmark = pytest.mark.django_db


def test_the_admin_is_swedish_by_default(admin_client, demo):
    response = admin_client.get("/admin/pages/page/")

    assert response["Content-Language"] == "sv"
    assert "Markera som granskade i dag" in text_of(response)


def test_the_admin_follows_an_english_browser(admin_client, demo):
    response = admin_client.get("/admin/pages/page/", headers={"accept-language": "en"})

    assert response["Content-Language"] == "en"
    assert "Mark as reviewed today" in text_of(response)
    assert "Translated" in text_of(response)
