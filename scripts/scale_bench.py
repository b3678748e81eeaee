"""Measure every kind of request at a region's scale and print a table of figures.

    python scripts/scale_bench.py --size S|M|L [--database sqlite|postgresql]

Builds a throw-away database of the chosen kind (a temporary SQLite file, or a PostgreSQL
database beside DATABASE_URL's server, created and dropped here), loads the demo content,
fills it with `generate_content.py`'s content of the chosen size, and then, in this process,
with the page cache off, times each request: CPU of this process plus, on PostgreSQL, of the
database server process that answered it. Memory is Python's peak allocation during the
request. `make bench SIZE=L` runs it.
"""

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def configure(database):
    """Point the settings at a new throw-away database, before Django starts."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "raise_site.settings",
            "SECRET_KEY": "scale-bench-only-not-secret",
            "DEBUG": "true",  # static files without collectstatic; queries are counted anyway
            "ALLOWED_HOSTS": "testserver",
            "PAGE_CACHE_TIMEOUT": "0",
            "LOG_LEVEL": "ERROR",
        }
    )
    os.environ.pop("REDIS_URL", None)
    if database == "sqlite":
        folder = tempfile.mkdtemp(prefix="raise-scale-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/scale.sqlite3"
        return lambda: None
    import psycopg2

    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    name = f"raise_scale_{uuid.uuid4().hex[:8]}"
    base, _slash, _old = server.rpartition("/")
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = f"{base}/{name}"

    def drop():
        from django.db import connections

        connections.close_all()
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}"')

    return drop


def server_cpu(connection):
    """CPU seconds the PostgreSQL process serving `connection` has used so far."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def measure(client, url, connection, consume=None):
    """Status, CPU ms, queries, bytes and peak MiB of one request; CPU and memory are taken in
    separate runs, since tracing allocations slows Python several times over."""
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: code paths, connections, caches of the database server
    connection.queries_log.clear()  # a full log (it keeps 9,000) would count nothing
    database_before, cpu_before = server_cpu(connection), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        size = consume(response) if consume else len(response.content)
    cpu = time.process_time() - cpu_before + server_cpu(connection) - database_before
    tracemalloc.start()
    response = client.get(url)
    if consume:
        consume(response)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return response.status_code, cpu * 1000, len(queries), size, peak / 2**20


def streamed(response):
    """The response's size in bytes, read chunk by chunk as a client would."""
    if getattr(response, "streaming", False):
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def requests_to_measure(section, projects, word):
    return [
        ("home page", "/sv/", None),
        (
            "RaiSE page",
            "/sv/kultur-och-civilsamhalle/pagaende-insatser/projekt/"
            "stark-sociala-foretags-konkurrenskraft/",
            None,
        ),
        ("search, common word", f"/sv/sok/?q={word}", None),
        ("search, no hits", "/sv/sok/?q=xyzzyvarg", None),
        ("calendar", "/sv/kalender/", None),
        ("calendar archive year", "/sv/kalender/?year=2025", None),
        ("events.ics", "/sv/events.ics", None),
        ("sitemap index", "/sitemap.xml", None),
        ("sitemap section", "/sitemap-pages-1.xml", None),
        ("section with subpages", f"/sv/{section}", None),
        ("project list", f"/sv/{projects}", None),
        ("admin page list", "/admin/pages/page/", None),
        ("admin feedback list", "/admin/pages/feedback/", None),
        ("admin feedback, one page", "/admin/pages/feedback/?page__id__exact=5", None),
    ]


def csv_export(client, connection):
    """The feedback CSV of every answer, as the admin action sends it."""
    from pages.models import Feedback

    def export():
        return client.post(
            "/admin/pages/feedback/",
            {"action": "export_csv", "select_across": "1", "index": "0", "_selected_action": "1"},
        )

    # Resident memory's high-water mark, which only the export can still raise: it runs last.
    high_water = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu_before, database_before = time.process_time(), server_cpu(connection)
    response = export()
    size = streamed(response)
    cpu = time.process_time() - cpu_before + server_cpu(connection) - database_before
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - high_water) / 1024
    return response.status_code, cpu * 1000, f"{Feedback.objects.count()} rows", size, grown


def rename(connection):
    from django.test.utils import CaptureQueriesContext

    from pages.models import Page

    section = Page.objects.get(path_sv="gen-stor-sektion/")
    below = Page.objects.filter(path_sv__startswith="gen-stor-sektion/").count() - 1
    section.slug_sv = "gen-omdopt-sektion"
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        section.save()
    return below, len(queries), time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["S", "M", "L"], default="M")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    drop = configure(args.database)
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import generate_content

        run(args, generate_content)
    finally:
        drop()


def run(args, generate_content):
    import random

    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("loaddata", "demo", verbosity=0)
    started = time.perf_counter()
    generator = generate_content.Generator(args.size, random.Random(args.size))  # noqa: S311
    generate_content.fill(generator)
    filled = time.perf_counter() - started
    admin = User.objects.create_superuser("bench", "bench@example.se", "not-a-real-password")
    visitor, editor = Client(), Client()
    editor.force_login(admin)
    sizes = generate_content.SIZES[args.size]
    machine = f"{platform.machine()}, {os.cpu_count()} cores"
    print(f"Machine: {machine}, Python {platform.python_version()}")
    print(f"Database: {connection.vendor}; size {args.size}: {sizes} (filled in {filled:.0f} s)")
    print("CPU: this process plus the database server; the page cache off.\n")
    print(f"{'request':30} {'status':>6} {'CPU ms':>8} {'queries':>7} {'KB':>8} {'peak MiB':>9}")
    for name, url, consume in requests_to_measure("gen-stor-sektion/", "gen-projekt/", "region"):
        client = editor if url.startswith("/admin/") else visitor
        row(name, *measure(client, url, connection, consume))
    below, statements, seconds = rename(connection)
    row("feedback CSV, all answers (RSS)", *csv_export(editor, connection))
    print(f"\nRenamed a section, {below} pages below: {statements} statements, {seconds:.2f} s")


def row(name, status, cpu, queries, size, peak):
    print(f"{name:30} {status:>6} {cpu:>8.1f} {queries!s:>7} {size / 1024:>8.0f} {peak:>9.1f}")


if __name__ == "__main__":
    main()
