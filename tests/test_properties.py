"""Property tests with Hypothesis: no address and no feedback post, however odd, gives a 500.

The test client raises a view's exception rather than returning a 500, so a failing example
shows its traceback, shrunk by Hypothesis to the smallest input that fails.
"""

from urllib.parse import quote, quote_from_bytes, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pages.models import Feedback

from .conftest import RAISE_SV

pytestmark = pytest.mark.django_db

# The database and the demo content are set up once per test, not per example: every
# example only reads, or adds feedback, which no other example depends on.
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Text that can be sent as UTF-8: anything but lone surrogates.
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
REAL_SEGMENTS = [
    *RAISE_SV.strip("/").split("/")[1:],
    "sok",
    "search",
    "kalender",
    "calendar",
    "",
    ".",
    "..",
    "%00",
    "%2F",
    "%C3%A5",
    "%FF",
    "\x00",
    "å",
    "admin",
    "feedback",
]
SEGMENT = st.sampled_from(REAL_SEGMENTS) | TEXT.map(lambda s: quote(s, safe=""))
PREFIX = st.sampled_from(["/sv/", "/en/", "/", "/de/", "/SV/", "//", "/sv//"])


@PROPERTY_SETTINGS
@given(prefix=PREFIX, segments=st.lists(SEGMENT, max_size=8), slash=st.booleans())
def test_no_address_in_the_page_tree_gives_a_server_error(client, demo, prefix, segments, slash):
    url = prefix + "/".join(segments) + ("/" if slash else "")

    response = client.get(url)

    assert response.status_code in {200, 301, 302, 404}, url


@PROPERTY_SETTINGS
@given(prefix=PREFIX, raw=st.binary(max_size=80))
def test_no_bytes_in_an_address_give_a_server_error(client, demo, prefix, raw):
    url = prefix + quote_from_bytes(raw, safe="/")

    response = client.get(url)

    assert response.status_code in {200, 301, 302, 404}, url


@PROPERTY_SETTINGS
@given(query=st.dictionaries(st.sampled_from(["q", "feedback", "token", "page", "x"]), TEXT))
def test_no_query_gives_a_server_error(client, demo, settings, query):
    settings.PAGE_RENDER_RATE_LIMIT = 10**9  # every example searches anew from one address
    for url in ("/sv/sok/", "/en/search/", RAISE_SV):
        response = client.get(url + "?" + urlencode(query))

        assert response.status_code == 200, (url, query)


NUMBERS = st.integers(min_value=-(2**70), max_value=2**70).map(str)
FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "page": st.sampled_from(["5", "1", "9", "0", "-1", "5.0", " 5", "٥"]) | NUMBERS | TEXT,
        "language": st.sampled_from(["sv", "en", "de", "", "SV"]) | TEXT,
        "answer": st.sampled_from(["yes", "no", "Ja", ""]) | TEXT,
        "token": TEXT | st.sampled_from(["5", "5:abc", "Wzld:1:abc"]),
        "comment": TEXT | st.text(st.characters(exclude_categories=["Cs"]), max_size=2100),
        "website": st.sampled_from(["", "http://spam.example"]),
    },
)
CONTENT_TYPES = st.sampled_from(
    [
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=latin-1",
        "multipart/form-data; boundary=x",
        "application/json",
        "text/plain",
        "",
    ]
)
FETCH_SITES = st.sampled_from([None, "same-origin", "same-site", "cross-site", "none", "åäö"])


def send(client, body, content_type, fetch_site, json):
    headers = {"Accept": "application/json"} if json else {}
    if fetch_site is not None:
        headers["Sec-Fetch-Site"] = fetch_site
    return client.generic("POST", "/feedback/", body, content_type=content_type, headers=headers)


@PROPERTY_SETTINGS
@given(fields=FIELDS, content_type=CONTENT_TYPES, fetch_site=FETCH_SITES, json=st.booleans())
def test_no_feedback_post_gives_a_server_error(
    client, demo, settings, fields, content_type, fetch_site, json
):
    settings.FEEDBACK_RATE_LIMIT = 10**9
    before = Feedback.objects.count()

    response = send(client, urlencode(fields).encode(), content_type, fetch_site, json)

    assert response.status_code < 500
    added = Feedback.objects.count() - before
    accepted = response.status_code == 302 or (json and response.status_code == 200)
    # An answer adds one row when it is accepted, a comment none; a refusal changes nothing.
    assert added in ({0, 1} if accepted else {0})


@PROPERTY_SETTINGS
@given(body=st.binary(max_size=300), fetch_site=FETCH_SITES, json=st.booleans())
def test_no_bytes_posted_as_feedback_give_a_server_error(
    client, demo, settings, body, fetch_site, json
):
    settings.FEEDBACK_RATE_LIMIT = 10**9

    response = send(client, body, "application/x-www-form-urlencoded", fetch_site, json)

    assert response.status_code < 500


@PROPERTY_SETTINGS
@given(comment=st.text(st.characters(exclude_categories=["Cs"]), max_size=2100))
def test_any_comment_after_a_real_answer_is_stored_or_refused_cleanly(
    client, demo, settings, comment
):
    settings.FEEDBACK_RATE_LIMIT = 10**9
    answer = send(
        client,
        urlencode({"page": 5, "language": "sv", "answer": "no"}),
        "application/x-www-form-urlencoded",
        None,
        True,
    )
    token = answer.json()["html"].split('name="token" value="')[1].split('"')[0]

    response = send(
        client,
        urlencode({"token": token, "language": "sv", "comment": comment}),
        "application/x-www-form-urlencoded",
        None,
        True,
    )

    assert response.status_code in {200, 400}
    stored = Feedback.objects.order_by("-pk").first().comment
    if response.status_code == 200:
        assert len(stored) <= 2000 and "\x00" not in stored
    else:
        assert stored == ""
