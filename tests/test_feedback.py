import csv
import datetime
import io
import json
import re
import zoneinfo
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command

from pages.models import Feedback, Page
from pages.scrub import MARKER, scrub
from raise_site.models import RateLimit

from .conftest import RAISE_EN, RAISE_SV, text_of

pytestmark = pytest.mark.django_db

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
JSON = {**SAME_ORIGIN, "Accept": "application/json"}


def post(client, data, headers=SAME_ORIGIN, body=None, **extra):
    return client.post(
        "/feedback/",
        body if body is not None else urlencode(data),
        content_type="application/x-www-form-urlencoded",
        headers=headers,
        **extra,
    )


def answer(client, value="no", language="sv", headers=SAME_ORIGIN, **fields):
    return post(client, {"page": 5, "language": language, "answer": value, **fields}, headers)


def test_no_javascript_flow_no_then_comment_then_thanks(client, demo):
    response = answer(client, "no")

    assert response.status_code == 302
    assert response["Location"].startswith(RAISE_SV + "?feedback=comment&token=")
    comment_page = client.get(response["Location"])
    assert "Vad saknade du?" in text_of(comment_page)
    assert "Skriv inte personuppgifter" in text_of(comment_page)
    token = comment_page.content.decode().split('name="token" value="')[1].split('"')[0]

    response = post(client, {"token": token, "language": "sv", "comment": "Mer om Mayo."})

    assert response["Location"] == RAISE_SV + "?feedback=thanks#feedback"
    assert "Tack för ditt svar!" in text_of(client.get(response["Location"]))
    row = Feedback.objects.get()
    assert (row.page_id, row.language, row.helpful, row.comment) == (5, "sv", False, "Mer om Mayo.")
    assert row.personal_data_removed is False


def test_yes_thanks_at_once_in_english(client, demo):
    response = answer(client, "yes", "en")

    assert response["Location"] == RAISE_EN + "?feedback=thanks#feedback"
    assert "Thank you for your answer!" in text_of(client.get(response["Location"]))
    assert Feedback.objects.get().helpful is True


def test_json_flow_returns_the_next_step_in_place(client, demo):
    response = answer(client, "no", "en", headers=JSON)

    data = response.json()
    assert response.status_code == 200
    assert data["ok"] is True and data["state"] == "comment"
    assert "What were you missing?" in data["html"]
    token = data["html"].split('name="token" value="')[1].split('"')[0]

    response = post(client, {"token": token, "language": "en", "comment": "Dates."}, headers=JSON)

    assert response.json()["state"] == "thanks"
    assert "Thank you for your answer!" in response.json()["html"]
    assert Feedback.objects.get().comment == "Dates."


def test_each_valid_post_stores_exactly_one_row(client, demo, settings):
    settings.FEEDBACK_RATE_LIMIT = 100

    for i in range(7):
        answer(client, "yes" if i % 2 else "no")

    assert Feedback.objects.count() == 7
    assert Feedback.objects.filter(helpful=True).count() == 3


def test_a_comment_can_only_be_added_once(client, demo):
    token = answer(client, "no", headers=JSON).json()["html"].split('value="')[1].split('"')[0]
    post(client, {"token": token, "language": "sv", "comment": "Första."})

    response = post(client, {"token": token, "language": "sv", "comment": "Andra."})

    assert response.status_code == 400
    assert Feedback.objects.get().comment == "Första."


def test_a_forged_token_is_refused(client, demo):
    response = post(client, {"token": "MQ:forged:sig", "language": "sv", "comment": "x"})

    assert response.status_code == 400
    assert Feedback.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"page": 5, "language": "sv", "answer": "maybe"}, 400),
        ({"page": 5, "language": "sv"}, 400),
        ({"language": "sv", "answer": "yes"}, 400),
        ({"page": 999, "language": "sv", "answer": "yes"}, 400),
        ({"page": 7, "language": "sv", "answer": "yes"}, 400),  # the search page
        ({"page": "x", "language": "sv", "answer": "yes"}, 400),
        ({"page": "5\x00", "language": "sv", "answer": "yes"}, 400),
        ({"page": 5, "language": "de", "answer": "yes"}, 400),
        ({"page": 5, "language": "sv", "answer": "yes", "website": "http://spam"}, 400),
    ],
)
def test_bad_answers_get_a_4xx_page_and_store_nothing(client, demo, data, status):
    response = post(client, data)

    assert response.status_code == status
    assert "Ditt svar sparades inte" in text_of(response)
    assert Feedback.objects.count() == 0


def test_bad_answers_get_json_errors_with_javascript(client, demo):
    response = post(client, {"page": 5, "language": "en", "answer": "maybe"}, headers=JSON)

    assert response.status_code == 400
    assert response.json() == {"ok": False, "error": "Answer yes or no."}


def test_answer_about_a_draft_is_refused(client, demo):
    Page.objects.filter(pk=5).update(status=Page.Status.DRAFT)

    assert answer(client, "yes").status_code == 400
    assert Feedback.objects.count() == 0


def test_get_is_not_allowed(client, demo):
    assert client.get("/feedback/").status_code == 405
    assert Feedback.objects.count() == 0


def test_body_over_the_limit_is_refused(client, demo):
    response = answer(client, "no", comment="x" * 20000)

    assert response.status_code == 413
    assert Feedback.objects.count() == 0


def test_comment_over_2000_characters_is_refused_with_a_clear_message(client, demo):
    token = answer(client, "no", headers=JSON).json()["html"].split('value="')[1].split('"')[0]

    response = post(client, {"token": token, "language": "sv", "comment": "å" * 2001})

    assert response.status_code == 400
    assert "högst 2000 tecken" in text_of(response)
    assert Feedback.objects.get().comment == ""


def test_invalid_utf8_is_refused(client, demo):
    response = post(client, {}, body="page=5&language=sv&answer=yes&x=%FF%FE")

    assert response.status_code == 400
    assert Feedback.objects.count() == 0


def test_multipart_posts_are_refused(client, demo):
    response = client.post(
        "/feedback/", {"page": 5, "language": "sv", "answer": "yes"}, headers=SAME_ORIGIN
    )

    assert response.status_code == 415
    assert Feedback.objects.count() == 0


def test_cross_site_post_is_refused_in_the_visitors_language(client, demo):
    response = answer(client, "yes", "en", headers={"Sec-Fetch-Site": "cross-site"})

    assert response.status_code == 403
    assert "The answer must be sent from this website." in text_of(response)
    assert Feedback.objects.count() == 0


def test_post_from_another_origin_is_refused(client, demo):
    response = answer(client, "yes", headers={"Origin": "https://evil.example"})

    assert response.status_code == 403
    assert Feedback.objects.count() == 0


def test_post_from_our_own_origin_is_accepted(client, demo):
    response = answer(client, "yes", headers={"Origin": "http://testserver"})

    assert response.status_code == 302
    assert Feedback.objects.count() == 1


def test_a_flood_is_stopped_by_the_rate_limit(client, demo, settings):
    settings.FEEDBACK_RATE_LIMIT = 3

    statuses = [answer(client, "yes").status_code for _ in range(5)]
    other_client = post(
        client, {"page": 5, "language": "sv", "answer": "yes"}, REMOTE_ADDR="10.0.0.9"
    )

    assert statuses == [302, 302, 302, 429, 429]
    assert other_client.status_code == 302
    assert Feedback.objects.count() == 4


def test_behind_the_proxy_each_visitor_has_a_rate_limit_of_their_own(client, demo, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    settings.FEEDBACK_RATE_LIMIT = 2

    def from_visitor(address):
        data = {"page": 5, "language": "sv", "answer": "yes"}
        # The proxy appends the address it saw; anything before it came from the client.
        forwarded = f"198.51.100.1, {address}"
        return post(client, data, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    first = [from_visitor("192.0.2.1").status_code for _ in range(3)]
    second = [from_visitor("192.0.2.2").status_code for _ in range(3)]

    assert first == [302, 302, 429]
    assert second == [302, 302, 429]


def test_rate_limit_keeps_no_address_in_its_counts_or_rows(client, demo):
    answer(client, "yes")

    count = RateLimit.objects.get()
    assert count.hits == 1
    assert "127.0.0.1" not in count.key
    assert "127.0.0.1" not in json.dumps(list(Feedback.objects.values()), default=str)


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("Mejla anna.svensson@example.se tack", f"Mejla {MARKER} tack"),
        ("Ring 070-123 45 67 eller 019-602 10 00", f"Ring {MARKER} eller {MARKER}"),
        ("Ring +46 70 123 45 67!", f"Ring {MARKER}!"),
        ("Mitt nummer 0701234567.", f"Mitt nummer {MARKER}."),
        ("Pnr 19811218-9876 ok", f"Pnr {MARKER} ok"),
        ("Pnr 811218-9876 ok", f"Pnr {MARKER} ok"),
        ("Pnr 8112189876 ok", f"Pnr {MARKER} ok"),
        ("Pnr 198112189876 ok", f"Pnr {MARKER} ok"),
        ("Samordningsnummer 701063-2391", f"Samordningsnummer {MARKER}"),
    ],
)
def test_personal_data_is_replaced_with_a_marker(comment, expected):
    assert scrub(comment) == (expected, True)


@pytest.mark.parametrize(
    "comment",
    [
        "Projektet pågick 2017–2021 och förlängdes till 2022.",
        "Drygt 25 organisationer, 4,5 år, 6 regioner.",
        "Mötet 15 februari 2018 kl. 13.00 i sal 204.",
        "Budget 1 200 000 kronor.",
        "Se artikel 12345 i EU-förordningen.",
        "Version 2.0.1 av sidan",
    ],
)
def test_ordinary_numbers_survive_scrubbing(comment):
    assert scrub(comment) == (comment, False)


def test_stored_comment_is_scrubbed_and_flagged(client, demo):
    token = answer(client, "no", headers=JSON).json()["html"].split('value="')[1].split('"')[0]

    post(client, {"token": token, "language": "sv", "comment": "Nå mig på 0701234567"})

    row = Feedback.objects.get()
    assert row.comment == f"Nå mig på {MARKER}"
    assert row.personal_data_removed is True


def test_page_owner_is_emailed_about_a_no_with_a_comment(client, demo):
    owner = get_user_model().objects.create_user("agare", "agare@example.se", "x")
    Page.objects.filter(pk=5).update(owner=owner)
    token = answer(client, "no", headers=JSON).json()["html"].split('value="')[1].split('"')[0]

    post(client, {"token": token, "language": "en", "comment": "Saknar datum, ring 0701234567"})

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["agare@example.se"]
    assert message.subject == "Ny återkoppling på ”RaiSE - Stärk sociala företags konkurrenskraft”"
    assert f"Saknar datum, ring {MARKER}" in message.body
    assert "0701234567" not in message.body
    assert "http://testserver" + RAISE_SV in message.body


def test_no_email_for_yes_or_no_without_comment(client, demo):
    owner = get_user_model().objects.create_user("agare", "agare@example.se", "x")
    Page.objects.filter(pk=5).update(owner=owner)

    answer(client, "yes")
    answer(client, "no")

    assert Feedback.objects.count() == 2
    assert mail.outbox == []


def test_public_pages_with_the_widget_set_no_cookies(client, demo):
    for url in [RAISE_SV, RAISE_EN, RAISE_SV + "?feedback=thanks"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "feedback-heading" in response.content.decode(), url
        assert response.cookies == {}
        assert "Set-Cookie" not in response.headers
    response = answer(client, "no")
    assert response.status_code == 302
    assert response.cookies == {}


def test_widget_is_not_on_search_results_or_error_pages(client, demo):
    assert "feedback-heading" not in client.get("/sv/sok/", {"q": "RaiSE"}).content.decode()
    assert "feedback-heading" not in client.get("/sv/finns-inte/").content.decode()
    assert "feedback-heading" in client.get("/sv/kalender/").content.decode()


def test_editors_can_export_feedback_as_csv(admin_client, demo):
    Feedback.objects.create(page_id=5, language="sv", helpful=False, comment='Säg "hej", tack')
    Feedback.objects.create(page_id=5, language="en", helpful=True)

    response = admin_client.post(
        "/admin/pages/feedback/",
        {
            "action": "export_csv",
            "_selected_action": list(Feedback.objects.values_list("pk", flat=True)),
        },
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.streaming
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == [
        "time",
        "page",
        "address",
        "language",
        "answer",
        "comment",
        "personal data removed",
    ]
    assert [r[3:6] for r in rows[1:]] == [["en", "yes", ""], ["sv", "no", 'Säg "hej", tack']]
    assert rows[1][1:3] == [
        "RaiSE - Stärk sociala företags konkurrenskraft",
        "/sv/kultur-och-civilsamhalle/pagaende-insatser/projekt/stark-sociala-foretags-konkurrenskraft/",
    ]


def test_feedback_admin_list_filters(admin_client, demo):
    Feedback.objects.create(page_id=5, language="sv", helpful=False, comment="Saknar X")
    Feedback.objects.create(page_id=5, language="en", helpful=True)

    response = admin_client.get("/admin/pages/feedback/", {"helpful__exact": "0"})

    assert response.status_code == 200
    assert "Saknar X" in response.content.decode()
    assert response.context["cl"].result_count == 1


# A Wednesday in week 10.
NOW = datetime.datetime(2027, 3, 10, 12, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Stockholm"))


@pytest.mark.time_machine(NOW, tick=False)
def test_page_admin_shows_share_of_yes_and_a_chart(admin_client, demo):
    for days, helpful in [(0, True), (1, True), (2, False), (10, True)]:
        Feedback.objects.create(
            page_id=5,
            language="sv",
            helpful=helpful,
            created_at=NOW - datetime.timedelta(days=days),
        )

    response = admin_client.get("/admin/pages/page/5/change/")

    html = response.content.decode()
    assert response["Content-Language"] == "sv"
    assert "4 svar, 75 % ja" in text_of(response)
    chart = re.search(r'<svg role="img".*?</svg>', html, re.S).group()
    assert "Svar per vecka, de senaste 12 veckorna" in chart
    bars = re.findall(r"<title>Vecka (\d+): (\d+) ja, (\d+) nej</title>", chart)
    # Twelve weeks up to this one; this week's three answers, and one from week 8.
    assert [int(week) for week, _yes, _no in bars] == [52, 53, *range(1, 11)]  # 2026 has 53 weeks
    assert {week: (yes, no) for week, yes, no in bars if (yes, no) != ("0", "0")} == {
        "10": ("2", "1"),
        "8": ("1", "0"),
    }


@pytest.mark.time_machine(NOW, tick=False)
def test_retention_command_deletes_only_old_feedback(demo, settings):
    settings.FEEDBACK_RETENTION_DAYS = 30
    now = NOW
    Feedback.objects.create(
        page_id=5, language="sv", helpful=True, created_at=now - datetime.timedelta(days=31)
    )
    kept = Feedback.objects.create(
        page_id=5, language="sv", helpful=True, created_at=now - datetime.timedelta(days=29)
    )
    out = io.StringIO()

    call_command("delete_old_feedback", stdout=out)

    assert list(Feedback.objects.all()) == [kept]
    assert "Deleted 1 feedback answer older than 30 days." in out.getvalue()


def days_ago(days):
    return datetime.timedelta(days=days)
