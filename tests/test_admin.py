import pytest

from pages.models import Page

from .conftest import make_page, text_of

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
    ("url", "query"),
    [
        ("/admin/pages/page/", "RaiSE"),
        ("/admin/pages/project/", "RaiSE"),
        ("/admin/pages/stakeholdergroup/", "a"),
        ("/admin/pages/event/", "Barcelona"),
        ("/admin/pages/redirect/", "projekt"),
        ("/admin/pages/feedback/", "bra"),
        ("/admin/contacts/contact/", "a"),
        ("/admin/contacts/organisation/", "ACCIÓ"),
    ],
)
def test_every_admin_list_can_be_searched_and_filtered(admin_client, demo, url, query):
    response = admin_client.get(url, {"q": query})

    assert response.status_code == 200
    assert response.context["cl"].has_filters


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
