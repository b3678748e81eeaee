"""A PostgreSQL restart drops every connection; the next request must still succeed.

The site keeps connections open (CONN_MAX_AGE) and checks them at the first query of each
request (CONN_HEALTH_CHECKS). These tests drop the connection from the server side, as a
restart or a failover does, with pg_terminate_backend from a second connection, and then
send a request through Django's WSGI handler, as gunicorn does: the live_server fixture
would not do, since it closes its connections after every request.
"""

import json
import wsgiref.util

import psycopg2
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def wsgi_get(path):
    """(status code, JSON body) of a GET through the WSGI handler, signals and all."""
    environ = {}
    wsgiref.util.setup_testing_defaults(environ)
    environ["PATH_INFO"] = path
    status = []
    result = WSGIHandler()(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        body = b"".join(result)
    finally:
        result.close()  # the end of the request, as a WSGI server signals it
    return int(status[0].split()[0]), json.loads(body)


def backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def terminate_from_elsewhere(pid):
    """End backend `pid` from a second connection, as a database restart would."""
    s = connection.settings_dict
    other = psycopg2.connect(
        dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"], host=s["HOST"], port=s["PORT"]
    )
    try:
        with other, other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cursor.fetchone() == (True,)
    finally:
        other.close()


def test_the_next_request_succeeds_after_the_database_drops_the_connection(home):
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert connection.settings_dict["CONN_MAX_AGE"] > 0
    assert wsgi_get("/health/")[0] == 200
    dropped = backend_pid()  # the connection the request above left open for the next one

    terminate_from_elsewhere(dropped)
    status, body = wsgi_get("/health/")

    assert (status, body["database"]) == (200, "ok")
    assert backend_pid() != dropped


def test_without_health_checks_the_first_request_after_a_drop_fails(home, monkeypatch):
    """The control: it is the health check that saves the request above."""
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", False)
    connection.close()
    assert wsgi_get("/health/")[0] == 200

    terminate_from_elsewhere(backend_pid())
    first = wsgi_get("/health/")
    second = wsgi_get("/health/")

    assert (first[0], first[1]["database"]) == (503, "error")
    assert second[0] == 200  # Django drops a connection that failed, at the request's end
    connection.close()
