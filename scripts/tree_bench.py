"""Rename and move a section with many pages below it on the configured database, and print
the statements, the time, and how feedback posted meanwhile fared.

Works in a throw-away database of the configured kind: a temporary SQLite file (with the
site's WAL and locking settings), or a test database beside DATABASE_URL's on PostgreSQL,
created and dropped here. Usage:

    .venv/bin/python scripts/tree_bench.py [--below 1000] [--others 9000]
"""

import argparse
import os
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raise_site.settings")
os.environ.setdefault("SECRET_KEY", "tree-bench-only-not-secret")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from pages.models import Feedback, Page, Redirect  # noqa: E402


def bulk_pages(parents, per_parent, prefix):
    """`per_parent` published pages below each of `parents`, inserted in one statement."""
    pages = []
    for parent in parents:
        for i in range(per_parent):
            slug_sv, slug_en = f"{prefix}-sida-{i}", f"{prefix}-page-{i}"
            pages.append(
                Page(
                    parent=parent,
                    title_sv=f"Sida {i}",
                    title_en=f"Page {i}",
                    slug_sv=slug_sv,
                    slug_en=slug_en,
                    path_sv=f"{parent.path_sv}{slug_sv}/",
                    path_en=f"{parent.path_en}{slug_en}/",
                    depth=parent.depth + 1,
                    position=i,
                    status=Page.Status.PUBLISHED,
                )
            )
    return Page.objects.bulk_create(pages, batch_size=500)


def build(below, others):
    home = Page.objects.create(
        kind=Page.Kind.HOME, title_sv="Startsida", title_en="Home", status=Page.Status.PUBLISHED
    )
    section = Page.objects.create(
        parent=home,
        title_sv="Kultur",
        title_en="Culture",
        slug_sv="kultur",
        slug_en="culture",
        status=Page.Status.PUBLISHED,
    )
    target = Page.objects.create(
        parent=home,
        title_sv="Regional utveckling",
        slug_sv="regional-utveckling",
        status=Page.Status.PUBLISHED,
    )
    # Ten subsections, each with an equal share of the rest below it: three levels in all.
    subsections = bulk_pages([section], 10, "avdelning")
    bulk_pages(subsections, (below - 10) // 10, "under")
    # The rest of the site, so the page table has its full size.
    if others:
        bulk_pages([home], others, "annan")
    return section, target


def feedback_during(action, page):
    """Run `action` while another thread posts feedback as fast as it can; return the
    action's result and the feedback figures."""
    stop, waits, failures = threading.Event(), [], []

    def post():
        try:
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    Feedback.objects.create(page=page, language="sv", helpful=True)
                except Exception as error:  # any failure is a figure to print
                    failures.append(error)
                waits.append(time.perf_counter() - started)
                time.sleep(0.005)
        finally:
            connection.close()

    thread = threading.Thread(target=post)
    thread.start()
    time.sleep(0.2)
    try:
        result = action()
    finally:
        time.sleep(0.2)
        stop.set()
        thread.join()
    return result, {"posts": len(waits), "failed": len(failures), "longest": max(waits)}


def timed_save(page):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        page.save()
        seconds = time.perf_counter() - started
    return len(queries), seconds, [q["sql"] for q in queries]


def report(name, figures, feedback):
    statements, seconds, _sql = figures
    print(
        f"{name:<8}{statements:>11}{seconds:>10.3f}"
        f"{feedback['posts']:>9}{feedback['failed']:>9}{feedback['longest']:>13.3f}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--below", type=int, default=1000, help="pages below the section")
    parser.add_argument("--others", type=int, default=9000, help="pages elsewhere on the site")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="raise-tree-bench-"))
    if connection.vendor == "sqlite":
        connection.settings_dict.setdefault("TEST", {})["NAME"] = str(work / "tree.sqlite3")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        section, target = build(args.below, args.others)
        built = time.perf_counter() - started
        deepest = Page.objects.order_by("-depth", "-pk").first()
        old_address = deepest.path_sv

        section.slug_sv, section.slug_en = "kultur-och-fritid", "culture-and-leisure"
        rename, rename_feedback = feedback_during(lambda: timed_save(section), target)
        section.parent = target
        move, move_feedback = feedback_during(lambda: timed_save(section), target)

        with CaptureQueriesContext(connection) as lookup:
            started = time.perf_counter()
            rule = Redirect.objects.for_address(old_address, "sv").select_related("page").first()
            redirect_ms = (time.perf_counter() - started) * 1000
        deepest.refresh_from_db()
        if rule.target_for(old_address) != f"/sv/{deepest.path_sv}":
            raise SystemExit(f"The old address {old_address} does not lead to the moved page.")

        vendor = connection.vendor
        if vendor == "sqlite":
            journal = connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]
            vendor = f"SQLite {connection.Database.sqlite_version}, journal {journal}"
        else:
            version = connection.cursor().connection.server_version
            vendor = f"PostgreSQL {version // 10000}.{version % 10000}"
        machine = f"{platform.machine()}, {os.cpu_count()} cores"
        print(f"Machine: {machine}, Python {platform.python_version()}")
        print(f"Database: {vendor}")
        print(
            f"Pages: {Page.objects.count()} in all, {args.below} below the section "
            f"(built in {built:.1f} s)"
        )
        print()
        print("         statements  seconds  feedback  failed  longest wait")
        report("rename", rename, rename_feedback)
        report("move", move, move_feedback)
        print()
        print(
            f"Old address of the deepest page: {len(lookup)} query, {redirect_ms:.2f} ms to "
            f"find its rule; {Redirect.objects.count()} redirect rules stored in all."
        )
        print()
        print("The rename's statements:")
        for sql in rename[2]:
            print(f"  {sql[:150]}{' …' if len(sql) > 150 else ''}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        for path in work.iterdir():
            path.unlink()
        work.rmdir()


if __name__ == "__main__":
    main()
