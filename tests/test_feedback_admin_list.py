import pytest

from pages.models import Feedback, Page

from .conftest import make_page

pytestmark = pytest.mark.django_db

LIST = "/admin/pages/feedback/"


def answers(page, count, helpful=True):
    Feedback.objects.bulk_create(
        [Feedback(page=page, language="sv", helpful=helpful) for _ in range(count)]
    )


def test_the_page_filter_is_an_autocomplete_not_a_list_of_every_page(admin_client, demo):
    home = Page.objects.get(pk=1)
    for n in range(30):
        answers(make_page(home, f"Sida {n}", f"sida-{n}"), 1)

    html = admin_client.get(LIST).content.decode()

    assert 'data-ajax--url="/admin/autocomplete/"' in html
    assert 'data-model-name="feedback"' in html
    assert 'data-field-name="page"' in html
    assert "Sida 17" not in html.split('id="changelist-filter"')[1]


def test_filtering_by_page_keeps_the_other_filters_and_shows_that_page_only(admin_client, demo):
    raise_page = Page.objects.get(pk=5)
    answers(raise_page, 3)
    answers(raise_page, 2, helpful=False)
    answers(Page.objects.get(pk=1), 4, helpful=False)

    response = admin_client.get(LIST, {"page__id__exact": "5", "helpful__exact": "0"})
    html = response.content.decode()

    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    assert '<input type="hidden" name="helpful__exact" value="0">' in html
    assert '<option value="5" selected>' in html


@pytest.mark.parametrize("value", ["abc", "-1", "9" * 40, "99999"])
def test_a_bad_page_value_lists_nothing_rather_than_failing(admin_client, demo, value):
    answers(Page.objects.get(pk=5), 2)

    response = admin_client.get(LIST, {"page__id__exact": value})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 0


@pytest.mark.parametrize("count", [5, 60])
def test_the_feedback_list_takes_the_same_queries_however_many_answers(
    admin_client, demo, django_assert_num_queries, count
):
    home = Page.objects.get(pk=1)
    for n in range(count):
        answers(make_page(home, f"Sida {n}", f"sida-{n}"), 2)
    admin_client.get(LIST)

    with django_assert_num_queries(4):  # session, user, count, rows
        response = admin_client.get(LIST)

    assert response.status_code == 200


def test_the_autocomplete_finds_pages_by_title_for_the_filter(admin_client, demo):
    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "pages", "model_name": "feedback", "field_name": "page", "term": "Stärk"},
    )

    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == ["5"]


@pytest.mark.parametrize("count", [3, 300])
def test_the_csv_export_streams_in_the_same_queries_however_many_answers(
    admin_client, demo, django_assert_num_queries, count
):
    answers(Page.objects.get(pk=5), count)

    with django_assert_num_queries(4):  # session, user, the count, the answers with pages
        response = admin_client.post(
            LIST,
            {"action": "export_csv", "select_across": "1", "index": "0", "_selected_action": "1"},
        )
        lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()

    assert len(lines) == 1 + count
