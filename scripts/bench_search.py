"""Fill the configured database with pages of Swedish text and time the site search.

    .venv/bin/python scripts/bench_search.py --pages 10000 [--runs 7] [--keep] [--reuse]

Uses the site's settings (DATABASE_URL: give it a throw-away database). Migrates, loads the
demo content when there is no home page, then adds the pages below a section of their own
with bulk inserts: titles, leads and bodies of about 400 words drawn from the demo
content's Swedish vocabulary with a Zipf distribution (a fifth of the pages translated into
English), indexes them, and times searches for a common word, a rare word (on one page in a
thousand) and a word found nowhere, as the search page runs them (count, first ten results,
their pages and texts), with the results not cached (the list of unpublished pages is, as on
the site). It prints, per query, the median over the runs of
the database time (every statement, timed around its execution) and of the whole search
(snippets included). Afterwards it removes what it added, unless --keep.
"""

import argparse
import json
import os
import platform
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "raise_site.settings")
os.environ.setdefault("SECRET_KEY", "search-benchmark-only")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from pages import cache_store, search  # noqa: E402
from pages.models import Page, SearchDocument  # noqa: E402
from pages.search_index import index_pages, plain_text  # noqa: E402

SECTION_SLUG = "sokprov"
COMMON, RARE, NOWHERE = "utveckling", "kulturarvsdatabasen", "xylofonkvartett"
WORD_RE = re.compile(r"[A-Za-zÅÄÖåäöÉé]{2,}")


class Timer:
    """Database time: every statement the connection executes, timed around its execution."""

    def __init__(self):
        self.seconds = 0.0
        self.statements = 0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.statements += 1


def vocabulary(language):
    """The demo content's words in `language`, most frequent first, plus compounds of them."""
    fixture = json.loads((ROOT / "fixtures" / "demo.json").read_text())
    counts = {}
    for item in fixture:
        for field in ("title", "lead", "body"):
            text = plain_text(item["fields"].get(f"{field}_{language}") or "")
            for word in WORD_RE.findall(text.lower()):
                counts[word] = counts.get(word, 0) + 1
    words = sorted(counts, key=lambda w: (-counts[w], w))
    long_words = [w for w in words if len(w) > 5]
    rng = random.Random(language)  # noqa: S311 (made-up text, not secrets)
    compounds = {rng.choice(long_words) + rng.choice(long_words) for _ in range(3000)}
    return words + sorted(compounds - {RARE, NOWHERE})


class Writer:
    """Sentences and paragraphs from a vocabulary, with Zipf-distributed word frequencies."""

    def __init__(self, language, seed):
        self.words = vocabulary(language)
        self.weights = [1 / (rank + 1) for rank in range(len(self.words))]
        self.rng = random.Random(seed)  # noqa: S311

    def words_(self, count):
        return self.rng.choices(self.words, self.weights, k=count)

    def sentence(self, low=6, high=16):
        text = " ".join(self.words_(self.rng.randint(low, high)))
        return text[0].upper() + text[1:] + "."

    def body(self, words, extra=""):
        paragraphs, written = [], 0
        while written < words:
            sentences = [self.sentence() for _ in range(self.rng.randint(3, 6))]
            if extra and not paragraphs:
                sentences.insert(1, extra)
            written += sum(len(s.split()) for s in sentences)
            if len(paragraphs) % 3 == 2:
                paragraphs.append(f"<h2>{self.sentence(2, 5)[:-1]}</h2>")
            paragraphs.append("<p>" + " ".join(sentences) + "</p>")
        return "".join(paragraphs)


def section_page():
    home = Page.objects.get(kind=Page.Kind.HOME, parent=None)
    section, _created = Page.objects.get_or_create(
        parent=home,
        slug_sv=SECTION_SLUG,
        defaults={"title_sv": "Sökprov", "status": Page.Status.PUBLISHED, "show_in_menu": False},
    )
    return section


def fill(section, count):
    swedish, english = Writer("sv", 1), Writer("en", 2)
    pages = []
    for i in range(count):
        page = Page(
            parent=section,
            depth=section.depth + 1,
            path_sv=f"{section.path_sv}sida-{i}/",
            path_en=f"{section.path_en}page-{i}/",
            slug_sv=f"sida-{i}",
            title_sv=swedish.sentence(2, 6)[:-1],
            lead_sv=swedish.sentence(15, 30),
            body_sv=swedish.body(400, extra=f"Om {RARE}." if i % 1000 == 1 else ""),
            status=Page.Status.PUBLISHED,
            show_in_menu=False,
        )
        # As modeltranslation keeps them: the untranslated columns hold the Swedish text.
        page.title, page.lead, page.body = page.title_sv, page.lead_sv, page.body_sv
        if i % 5 == 0:
            page.slug_en = f"page-{i}"
            page.title_en = english.sentence(2, 6)[:-1]
            page.lead_en = english.sentence(15, 30)
            page.body_en = english.body(400)
        pages.append(page)
    with transaction.atomic():
        Page.objects.bulk_create(pages, batch_size=500)
    return list(Page.objects.filter(parent=section).values_list("pk", flat=True))


def time_query(query, language, runs):
    """Database and total milliseconds (median and, in brackets, the fastest run), the
    statements run and what was found."""
    database, total = [], []
    for _ in range(runs + 1):  # the first run warms the caches and is not counted
        timer = Timer()
        start = time.perf_counter()
        with connection.execute_wrapper(timer):
            hits = search.Hits(search.parse(query), language, cache_results=False)
            found = hits.count()
            shown = hits[0 : search.PER_PAGE]
        total.append(time.perf_counter() - start)
        database.append(timer.seconds)
    label = f"more than {search.RESULT_LIMIT}" if hits.more else str(found)
    database, total = database[1:], total[1:]
    return (
        f"{1000 * statistics.median(database):.1f} ({1000 * min(database):.1f})",
        f"{1000 * statistics.median(total):.1f} ({1000 * min(total):.1f})",
        timer.statements,
        label,
        len(shown),
    )


def database_version():
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="leave the pages in the database")
    parser.add_argument("--reuse", action="store_true", help="time the pages a --keep run left")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if not Page.objects.filter(kind=Page.Kind.HOME).exists():
        call_command("loaddata", "demo", verbosity=0)
    section = section_page()
    if Page.objects.filter(parent=section).exists() and not args.reuse:
        sys.exit(f"Pages below /{section.path_sv} exist already: --reuse them, or remove them.")
    if args.reuse:
        added = "reused"
    else:
        start = time.perf_counter()
        ids = fill(section, args.pages)
        filled = time.perf_counter() - start
        start = time.perf_counter()
        for first in range(0, len(ids), 500):
            index_pages(ids[first : first + 500])
        indexed = time.perf_counter() - start
        with connection.cursor() as cursor:  # as autovacuum would, soon after
            cursor.execute("ANALYZE")
        added = f"{len(ids)} added in {filled:.1f} s, indexed in {indexed:.1f} s"

    print(f"Database: {database_version()}")
    cores = f"{os.cpu_count()} cores"
    print(f"Machine: {platform.machine()}, {cores}, Python {platform.python_version()}")
    print(
        f"Pages: {Page.objects.count()} ({added}); search documents:"
        f" {SearchDocument.objects.count()}"
    )
    cache_store.invalidate({"search"})
    timer = Timer()
    with connection.execute_wrapper(timer):
        hidden = search.hidden_pages()  # once per content generation, then cached
    print(
        f"First search after a content change: {1000 * timer.seconds:.1f} ms more, listing"
        f" the {len(hidden['ids'])} pages visitors may not see"
    )
    print(f"Runs per query: {args.runs}: median (fastest); results not cached\n")
    print(f"{'query':<40}{'found':>16}{'shown':>7}{'DB ms':>15}{'total ms':>15}{'statements':>12}")
    for name, query, language in (
        ("common word", COMMON, "sv"),
        ("rare word", RARE, "sv"),
        ("no-hit word", NOWHERE, "sv"),
        ("two common words", f"{COMMON} regional", "sv"),
        ("common word, English", "development", "en"),
    ):
        database, total, statements, found, shown = time_query(query, language, args.runs)
        label = f"{name} ({query})"
        print(f"{label:<40}{found:>16}{shown:>7}{database:>15}{total:>15}{statements:>12}")

    if not args.keep:
        with transaction.atomic():
            Page.objects.filter(parent=section).delete()
            section.delete()
        print("\nRemoved the added pages (use --keep to leave them).")


if __name__ == "__main__":
    main()
