import re

import pytest
from django.contrib.staticfiles import finders

from pages.models import Feedback, Page, Redirect

from .conftest import RAISE_EN, RAISE_SV, admin_form_data, make_page, text_of

pytestmark = pytest.mark.django_db


def test_page_list_shows_the_tree_in_order_with_indented_titles(admin_client, demo):
    Page.objects.filter(pk=4).update(title_en="")
    response = admin_client.get("/admin/pages/page/")

    rows = [(page.depth, page.title_sv) for page in response.context["cl"].result_list]
    assert rows[:6] == [
        (0, "Regional utveckling"),
        (1, "Kalender"),
        (1, "Kultur och civilsamhälle"),
        (2, "Pågående insatser"),
        (3, "Projekt"),
        (4, "RaiSE - Stärk sociala företags konkurrenskraft"),
    ]
    html = response.content.decode()
    assert "\u2003\u2003\u2003\u2003RaiSE - Stärk sociala företags konkurrenskraft" in html
    assert "Inte översatt" in text_of(response)


def test_a_new_subpage_is_listed_right_below_its_parent(admin_client, demo):
    parent = Page.objects.get(pk=2)
    make_page(parent, "Aaa första", "aaa")

    titles = [
        page.title_sv for page in admin_client.get("/admin/pages/page/").context["cl"].result_list
    ]

    assert titles[2:5] == ["Kultur och civilsamhälle", "Aaa första", "Pågående insatser"]


@pytest.mark.parametrize(
    ("url", "query", "found", "of"),
    [
        ("/admin/pages/page/", "RaiSE", ["RaiSE - Stärk sociala företags konkurrenskraft"], 9),
        ("/admin/pages/project/", "RaiSE", ["RaiSE"], 1),
        (
            "/admin/pages/stakeholdergroup/",
            "Verdandi",  # a member's name
            ["Partnerskapet för sociala innovationer i Örebro län"],
            1,
        ),
        ("/admin/pages/event/", "Barcelona", ["Projektstart i Barcelona (2017-01-30)"], 3),
        ("/admin/pages/redirect/", "projekt", ["/sv/gamla-projekt/ → " + RAISE_SV], 2),
        (
            "/admin/pages/feedback/",
            "bra",
            ["RaiSE - Stärk sociala företags konkurrenskraft – Ja"],
            2,
        ),
        ("/admin/contacts/contact/", "Anders", ["Anders Bro"], 2),
        (
            "/admin/contacts/organisation/",
            "ACCIÓ",
            ["Catalan Agency for Business Competitiveness (ACCIÓ)"],
            11,
        ),
    ],
)
def test_every_admin_list_can_be_searched_and_filtered(admin_client, demo, url, query, found, of):
    Redirect.objects.create(language="sv", old_path="gamla-projekt/", page_id=5)
    Redirect.objects.create(language="en", old_path="raise/", page_id=5)
    Feedback.objects.create(page_id=5, language="sv", helpful=True, comment="En bra sida.")
    Feedback.objects.create(page_id=5, language="sv", helpful=False, comment="Saknar datum.")

    response = admin_client.get(url, {"q": query})

    assert response.status_code == 200
    changelist = response.context["cl"]
    assert [str(row) for row in changelist.result_list] == found
    # The feedback list leaves out the full count, which costs a scan of every answer.
    assert changelist.full_result_count == (None if "feedback" in url else of)
    assert changelist.has_filters


def test_only_the_swedish_title_is_required(admin_client, demo):
    response = admin_client.post(
        "/admin/pages/page/add/",
        {
            "parent": "2",
            "kind": "standard",
            "title_sv": "",
            "title_en": "Only English",
            "slug_sv": "bara-engelska",
            "status": "draft",
            "position": "0",
            "last_updated": "2026-01-01",
            "initial-last_updated": "2026-01-01",
            "page_contacts-TOTAL_FORMS": "0",
            "page_contacts-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["title_sv"]
    assert not Page.objects.filter(slug_sv="bara-engelska").exists()


def test_page_bodies_are_edited_with_the_prose_editor_from_our_own_static_files(admin_client, demo):
    html = admin_client.get("/admin/pages/page/5/change/").content.decode()

    assert 'data-django-prose-editor-configurable="' in html
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    styles = re.findall(r'<link[^>]*href="([^"]+\.css)"', html)
    assert "/static/django_prose_editor/editor.js" in scripts
    assert "/static/django_prose_editor/editor.css" in styles
    assert all(url.startswith("/") and not url.startswith("//") for url in scripts + styles)
    assert '"django-prose-editor/configurable": "/static/django_prose_editor/configurable.js"' in (
        html
    )
    for url in ("/static/django_prose_editor/configurable.js", *scripts, *styles):
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url


def test_scripts_event_handlers_and_javascript_links_never_reach_a_public_page(
    admin_client, client, demo
):
    url = "/admin/pages/page/5/change/"
    body = (
        '<p onclick="alert(1)">Hej<script>alert(2)</script></p>'
        '<p><a href="javascript:alert(3)">länk</a><img src=x onerror="alert(4)"></p>'
        '<h2 style="color:red" onmouseover="alert(5)">Rubrik</h2>'
    )
    data = admin_form_data(admin_client.get(url), body_sv=body, body_en=body)
    assert admin_client.post(url, data).status_code == 302

    for page_url in (RAISE_SV, RAISE_EN):
        html = client.get(page_url).content.decode().lower()
        assert "alert(" not in html
        assert "javascript:" not in html
        assert "onclick" not in html
        assert "onerror" not in html
        assert "<h2>rubrik</h2>" in html


def test_an_emptied_editor_leaves_the_body_empty(admin_client, demo):
    url = "/admin/pages/page/5/change/"
    data = admin_form_data(admin_client.get(url), body_en="<p></p>")
    assert admin_client.post(url, data).status_code == 302

    assert Page.objects.get(pk=5).body_en == ""
