import pytest

from pages.models import Feedback, Page

from .conftest import RAISE_SV, text_of

pytestmark = pytest.mark.django_db


def post(client, data, **headers):
    return client.post("/feedback/", data, headers=headers or {"Sec-Fetch-Site": "same-origin"})


def test_answer_is_stored_and_visitor_returns_to_the_page_with_thanks(client, demo):
    response = post(client, {"page": 5, "language": "sv", "answer": "no"})

    assert response.status_code == 302
    assert response["Location"] == RAISE_SV + "?feedback=thanks#feedback"
    row = Feedback.objects.get()
    assert (row.page_id, row.language, row.helpful, row.comment) == (5, "sv", False, "")
    assert "Tack för ditt svar!" in text_of(client.get(response["Location"]))


def test_english_answer_returns_to_the_english_page(client, demo):
    response = post(client, {"page": 5, "language": "en", "answer": "yes"})

    assert response["Location"].startswith("/en/culture-and-civil-society/")
    assert Feedback.objects.get().helpful is True


@pytest.mark.parametrize(
    "data",
    [
        {"page": 5, "language": "sv", "answer": "maybe"},
        {"page": 5, "language": "sv"},
        {"page": 999, "language": "sv", "answer": "yes"},
        {"page": "x", "language": "sv", "answer": "yes"},
        {"page": 5, "language": "de", "answer": "yes"},
    ],
)
def test_bad_answers_get_a_400_and_store_nothing(client, demo, data):
    response = post(client, data)

    assert response.status_code == 400
    assert Feedback.objects.count() == 0


def test_answer_about_a_draft_is_refused(client, demo):
    Page.objects.filter(pk=5).update(status=Page.Status.DRAFT)

    assert post(client, {"page": 5, "language": "sv", "answer": "yes"}).status_code == 400
    assert Feedback.objects.count() == 0


def test_cross_site_post_is_refused_in_the_visitors_language(client, demo):
    response = post(
        client, {"page": 5, "language": "en", "answer": "yes"}, **{"Sec-Fetch-Site": "cross-site"}
    )

    assert response.status_code == 403
    assert "The answer must be sent from this website." in text_of(response)
    assert Feedback.objects.count() == 0


def test_post_from_another_origin_is_refused(client, demo):
    response = post(
        client, {"page": 5, "language": "sv", "answer": "yes"}, Origin="https://evil.example"
    )

    assert response.status_code == 403
    assert Feedback.objects.count() == 0


def test_get_is_not_allowed(client, demo):
    assert client.get("/feedback/").status_code == 405
