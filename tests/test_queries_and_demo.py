import json

import pytest
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pages.models import LANGUAGE_CODES, Page

from .conftest import make_page, make_project_page

pytestmark = pytest.mark.django_db


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def start_generation(client):
    """Let the page cache begin its content generation, which costs two queries once."""
    client.get("/sv/")


def test_project_page_queries_do_not_grow_with_partners_or_contacts(client, home):
    projects = make_page(home, "Projekt", "projekt", kind=Page.Kind.PROJECT_LIST)
    small = make_project_page(projects, partners=6, contacts=2, slug="liten")
    large = make_project_page(projects, partners=40, contacts=20, slug="stor")
    start_generation(client)

    small_count = count_queries(client, small.get_absolute_url("sv"))
    large_count = count_queries(client, large.get_absolute_url("sv"))

    assert small_count == large_count == 6


def test_project_page_in_english_uses_the_same_queries(client, demo):
    start_generation(client)

    swedish = count_queries(client, Page.objects.get(pk=5).get_absolute_url("sv"))
    english = count_queries(client, Page.objects.get(pk=5).get_absolute_url("en"))

    assert swedish == english == 6


def test_cached_pages_need_no_queries(client, demo):
    url = Page.objects.get(pk=5).get_absolute_url("sv")
    client.get(url)

    assert count_queries(client, url) == 0


def test_project_page_with_the_cache_off_uses_six_queries(client, demo, settings):
    settings.PAGE_CACHE_TIMEOUT = 0
    url = Page.objects.get(pk=5).get_absolute_url("sv")
    start_generation(client)

    assert [count_queries(client, url) for _ in range(2)] == [6, 6]


def dump_demo_rows():
    return [
        serializers.serialize("json", apps.get_model(model).objects.order_by("pk"))
        for model in DEMO_MODELS
    ]


DEMO_MODELS = [
    "contacts.Organisation",
    "contacts.Contact",
    "pages.Page",
    "pages.Project",
    "pages.ProjectPartner",
    "pages.StakeholderGroup",
    "pages.StakeholderMember",
    "pages.PageContact",
    "pages.Event",
]


def test_loading_the_demo_content_twice_changes_nothing(demo):
    before = dump_demo_rows()

    call_command("loaddata", "demo", verbosity=0)

    assert dump_demo_rows() == before
    assert Page.objects.count() == 9


def test_demo_paths_match_the_page_tree(demo):
    pages = {page.pk: page for page in Page.objects.all()}

    def path(page, code):
        """The parent's path and the page's own slug (the Swedish one when it has none)."""
        if page.parent_id is None:
            return ""
        slug = getattr(page, f"slug_{code}") or page.slug_sv
        return f"{path(pages[page.parent_id], code)}{slug}/"

    stored = stored_paths()
    assert stored == {
        pk: [path(page, code) for code in LANGUAGE_CODES] for pk, page in pages.items()
    }

    for page in Page.objects.order_by("depth"):
        page.save()

    assert stored_paths() == stored


def stored_paths():
    return {
        p.pk: [getattr(p, f"path_{code}") for code in LANGUAGE_CODES] for p in Page.objects.all()
    }


def test_demo_fixture_is_valid_json_with_stable_keys():
    with open(settings.BASE_DIR / "fixtures" / "demo.json", encoding="utf-8") as f:
        objects = json.load(f)

    keys = [(o["model"], o["pk"]) for o in objects]
    assert len(keys) == len(set(keys))
    assert all(isinstance(pk, int) for _model, pk in keys)
