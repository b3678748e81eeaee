"""One JSON log line per request, tied to the response by its X-Request-ID."""

import io
import json
import logging
import re

import pytest

from raise_site.requestlog import JsonFormatter

from .conftest import RAISE_SV

pytestmark = pytest.mark.django_db

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def log_lines():
    """The JSON lines the site logs, formatted as they are written."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def request_lines(lines):
    return [line for line in lines if line["logger"] == "raise_site.requests"]


def test_every_response_gets_its_own_request_id_even_from_the_page_cache(client, demo):
    first = client.get(RAISE_SV)
    second = client.get(RAISE_SV)

    assert second["X-Page-Cache"] == "hit"
    assert GENERATED_ID.fullmatch(first["X-Request-ID"])
    assert GENERATED_ID.fullmatch(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_request_id_from_the_proxy_is_kept(client, demo):
    response = client.get(RAISE_SV, HTTP_X_REQUEST_ID="proxy-4f2a9c1e-0001")

    assert response["X-Request-ID"] == "proxy-4f2a9c1e-0001"


@pytest.mark.parametrize(
    "sent", ["short", "has spaces in it", "line\nbreak-injected", "<script>x</script>", "x" * 101]
)
def test_odd_request_ids_are_replaced(client, demo, sent):
    response = client.get(RAISE_SV, HTTP_X_REQUEST_ID=sent)

    assert GENERATED_ID.fullmatch(response["X-Request-ID"])


def test_one_json_line_per_request_with_method_path_status_time_and_id(client, demo, log_lines):
    response = client.get(RAISE_SV + "?utm_source=nyhetsbrev")

    (line,) = request_lines(log_lines())
    assert line["method"] == "GET"
    assert line["path"] == RAISE_SV
    assert line["status"] == 200
    assert line["cache"] == "miss"
    assert isinstance(line["duration_ms"], float)
    assert line["request_id"] == response["X-Request-ID"]
    assert line["level"] == "INFO"


def test_logs_hold_no_query_string_and_no_address(client, demo, log_lines):
    client.get("/sv/sok/?q=19121212-1212", REMOTE_ADDR="203.0.113.42")
    client.post(
        "/feedback/",
        "page=5&language=sv&answer=no",
        content_type="application/x-www-form-urlencoded",
        REMOTE_ADDR="203.0.113.42",
    )

    text = json.dumps(log_lines())
    assert [line["path"] for line in request_lines(log_lines())] == ["/sv/sok/", "/feedback/"]
    assert "19121212" not in text
    assert "203.0.113.42" not in text


def test_other_log_lines_of_a_request_carry_its_id(client, demo, log_lines):
    response = client.get("/sv/finns-inte/")

    ids = {line["logger"]: line.get("request_id") for line in log_lines()}
    assert response.status_code == 404
    assert ids["django.request"] == response["X-Request-ID"]
    assert ids["raise_site.requests"] == response["X-Request-ID"]


def test_errors_are_logged_with_their_traceback(client, demo, log_lines, monkeypatch):
    client.raise_request_exception = False
    monkeypatch.setattr("pages.views.visible_pages", lambda request: 1 / 0)

    response = client.get(RAISE_SV)

    (error,) = [line for line in log_lines() if line["level"] == "ERROR"]
    assert response.status_code == 500
    assert "ZeroDivisionError" in error["exception"]
    assert error["request_id"] == response["X-Request-ID"]
