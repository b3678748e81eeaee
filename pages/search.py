"""Site search (“Sök”): a visitor's query against the stored index (`pages.search_index`).

The query is parsed here into plain words, so nothing a visitor types reaches the database
as syntax: on PostgreSQL each word becomes a `plainto_tsquery` of its own, on SQLite a quoted
FTS5 string of its stems. A page in Swedish is searched in Swedish; a page in English in
English and in the Swedish it falls back to. Every word must match (in any of those
languages). Only published pages are found, best first: on PostgreSQL by `ts_rank` over the
title (weighing most), the lead and the body's first words; on SQLite by how many of the
words the title holds, then the lead, then by FTS5's bm25 with the same weights. Counting
stops after RESULT_LIMIT. Results are cached with the page cache's content generation,
which ends whenever content changes.
"""

import functools
import hashlib
import json
import logging

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Max, Q
from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import cache as page_cache
from . import cache_store
from .models import DEFAULT_LANGUAGE, LANGUAGE_CODES, Page, SearchDocument, current_language
from .search_index import CONFIGS, WORD_RE, fold, fts_table, languages_shown, stem, words

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200
MAX_TERMS = 10
PER_PAGE = 10
# Counting stops beyond this; the page then says "more than 1,000 results" (a fixed text).
RESULT_LIMIT = 1000
# bm25 weights of the FTS5 columns title, lead, body and extra: the ratios of ts_rank's
# default weights for A, B, C and D (1.0, 0.4, 0.2, 0.1).
BM25_WEIGHTS = "10.0, 4.0, 2.0, 1.0"
# Seconds a query's results are kept at most (and never past their content generation):
# a visitor's rare query should not linger in the cache the pages share.
CACHE_TIMEOUT = 300
SNIPPET_WORDS = 30
SNIPPET_LEAD = 5  # words shown before the first match
SNIPPET_SCAN_CHARS = 20_000
BODY_FIELDS = ["body", *(f"body_{code}" for code in LANGUAGE_CODES)]
# Markers for highlighted words, from Unicode's private use area so no text contains them.
START, STOP = "\ue000", "\ue001"


def search_context(request, page):
    if "q" not in request.GET:
        return {"query": "", "results": None}
    # NUL cannot be stored or searched for in PostgreSQL; no page contains one anyway.
    query = " ".join(request.GET.get("q", "").replace("\x00", "").split())
    if not query:
        return {"query": "", "results": None, "query_empty": True}
    if len(query) > MAX_QUERY_LENGTH:
        return {"query": query[:MAX_QUERY_LENGTH], "results": None, "query_too_long": True}
    hits = search(query)
    results = Paginator(hits, PER_PAGE).get_page(request.GET.get("page"))
    return {"query": query, "results": results, "more_results": hits.more}


def parse(query: str) -> list[str]:
    """The distinct words of a query, at most MAX_TERMS; nothing else of it is used."""
    return list(dict.fromkeys(words(query)))[:MAX_TERMS]


def search(query: str, language: str | None = None) -> "Hits":
    """Published pages matching every word of `query`, best first, each with a `headline`."""
    return Hits(parse(query), language or current_language())


def published_pages():
    return Page.objects.published().exclude(kind=Page.Kind.SEARCH)


class Hits:
    """The results of one query in one language, for a Paginator.

    Each page of results is one ranking query that also counts every match, so the count
    comes with the first page; both are cached with the content generation.
    """

    def __init__(self, terms: list[str], language: str, cache_results: bool = True):
        self.terms = terms
        self.cache_results = cache_results
        self.language = language
        self.languages = languages_shown(language)
        self.more = False
        self._count = None
        self._pages = {}
        backend = PostgreSQLBackend if connection.vendor == "postgresql" else FTS5Backend
        self._backend = backend(terms, language, self.languages)

    def count(self) -> int:
        if self._count is None:
            found = self._page(0, PER_PAGE)[0] if self.terms else 0
            self.more = found > RESULT_LIMIT
            self._count = min(found, RESULT_LIMIT)
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, min(index.stop, RESULT_LIMIT)
        if not self.terms or start >= stop:
            return []
        return self._page(start, stop)[1]

    def _page(self, start, stop) -> tuple[int, list[Page]]:
        """How many pages match in all, and the pages from `start` to `stop`, best first."""
        if (start, stop) not in self._pages:
            asked = "\0".join([self.language, *self.terms])
            key = f"{hashlib.sha256(asked.encode()).hexdigest()}:{start}:{stop}"
            compute = functools.partial(self._results, start, stop)
            self._pages[start, stop] = cached(key, compute) if self.cache_results else compute()
        return self._pages[start, stop]

    def _results(self, start, stop):
        found, page_ids = self._backend.ranked(start, stop)
        # The pages without their bodies: they are cached with the results.
        own_text = Q(**{f"page__lead_{self.language}__gt": ""}) | Q(
            **{f"page__body_{self.language}__gt": ""}
        )
        documents = (
            SearchDocument.objects.filter(language=self.language, page__in=page_ids)
            .select_related("page")
            .defer(*(f"page__{field}" for field in BODY_FIELDS))
            .annotate(own_text=ExpressionWrapper(own_text, output_field=BooleanField()))
        )
        by_page = {document.page_id: document for document in documents}
        results = []
        for document in filter(None, map(by_page.get, page_ids)):
            page = document.page
            page.headline = snippet(document.text, self.terms, self.languages)
            # The language of the snippet: the page's own, or Swedish where it has none.
            page.headline_language = self.language if document.own_text else DEFAULT_LANGUAGE
            results.append(page)
        return found, results


def cached(key: str, compute):
    """`compute()`, kept in the page cache's store until a save ends the "search" tag."""
    if not page_cache.timeout():
        return compute()
    tags = {"search", cache_store.EVERYTHING}
    try:
        store, values = cache_store.first_available(
            lambda store: cache_store.current_values(store, tags)
        )
        if values is None:
            return compute()
        key = f"pages:search:{values['search']}:{values[cache_store.EVERYTHING]}:{key}"
        found = store.get(key)
    except cache_store.UNAVAILABLE:
        logger.warning("The cache is unavailable; searching without it.", exc_info=True)
        return compute()
    if found is None:
        found = compute()
        try:
            store.set(key, found, timeout=min(page_cache.timeout(), CACHE_TIMEOUT))
        except cache_store.UNAVAILABLE:
            logger.warning("Search results could not be cached.", exc_info=True)
    return found


class PostgreSQLBackend:
    """Each word a `plainto_tsquery` per language searched, OR-ed; the words AND-ed."""

    def __init__(self, terms, language, languages):
        self.language = language
        self.query = None
        for term in terms:
            alternatives = None
            for code in languages:
                part = SearchQuery(term, config=CONFIGS[code], search_type="plain")
                alternatives = part if alternatives is None else alternatives | part
            self.query = alternatives if self.query is None else self.query & alternatives

    def ranked(self, start, stop) -> tuple[int, list[int]]:
        """How many published pages match, and the ids of those from `start` to `stop`.

        Documents match on their whole text (`vector`) and are ranked on their `summary`
        (title, lead and the body's first words), which is small enough to stay in the row:
        ranking on the whole text would read every matching document's vector from TOAST
        storage, which for a common word at 10,000 pages takes hundreds of milliseconds.
        """
        hidden = hidden_pages()
        matches = (
            SearchDocument.objects.filter(
                language=self.language, vector=self.query, page_id__lte=hidden["last"]
            )
            .exclude(page_id__in=hidden["ids"])
            .annotate(rank=SearchRank(F("summary"), self.query))
            .order_by()
            .values("page_id", "rank")
        )
        sql, params = matches.query.sql_with_params()
        # OFFSET 0 keeps the matches a subquery, so that only ids and ranks are counted and
        # sorted, not whole rows.
        ranked = (
            f"SELECT page_id, count(*) OVER () FROM ({sql} OFFSET 0) AS matches"  # noqa: S608
            " ORDER BY rank DESC, page_id LIMIT %s OFFSET %s"
        )
        with transaction.atomic(), connection.cursor() as cursor:
            # The planner does not count that cost either, and would rather read every
            # document than use the GIN index for a common word: not for this query.
            cursor.execute("SELECT current_setting('enable_seqscan')")
            (before,) = cursor.fetchone()
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(ranked, [*params, stop - start, start])
            rows = cursor.fetchall()
            cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [before])
        return (rows[0][1] if rows else 0), [page_id for page_id, _found in rows]


class FTS5Backend:
    """Each word a quoted FTS5 string per stem, OR-ed; the words AND-ed.

    The table has a row per page (its rowid is the page's id) and a column per weight; its
    name comes from the active language, one of LANGUAGES, never from the query.
    """

    def __init__(self, terms, language, languages):
        self.table = fts_table(language)
        self.stems = [sorted({stem(term, code) for code in languages}) for term in terms]

    def _match(self):
        return " AND ".join(
            "(" + " OR ".join(_quoted(s) for s in stems) + ")" for stems in self.stems
        )

    def _held(self, column):
        """SQL counting the query's words found in `column`, and its parameters."""
        table = self.table
        found = f"(rowid IN (SELECT rowid FROM {table} WHERE {table} MATCH %s))"  # noqa: S608
        words = [f"{column} : ({' OR '.join(_quoted(s) for s in stems)})" for stems in self.stems]
        return " + ".join([found] * len(words)), words

    def ranked(self, start, stop) -> tuple[int, list[int]]:
        """How many published pages match, and the ids of those from `start` to `stop`.

        As with ts_rank, where the words are found counts most: pages with more of them in
        their title come first, then those with more in their lead; bm25 orders the rest.
        """
        table = self.table
        in_title, title_params = self._held("title")
        in_lead, lead_params = self._held("lead")
        sql = (
            "SELECT rowid, count(*) OVER () FROM ("  # noqa: S608
            f"SELECT rowid, {in_title} AS in_title, {in_lead} AS in_lead,"
            f" bm25({table}, {BM25_WEIGHTS}) AS score FROM {table}"
            # "+rowid": filter the matches, rather than look each id up in the index.
            f" WHERE {table} MATCH %s AND +rowid <= %s"
            " AND +rowid NOT IN (SELECT value FROM json_each(%s)))"
            " ORDER BY in_title DESC, in_lead DESC, score, rowid LIMIT %s OFFSET %s"
        )
        hidden = hidden_pages()
        params = [*title_params, *lead_params, self._match(), hidden["last"], hidden["json"]]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, stop - start, start])
            rows = cursor.fetchall()
        return (rows[0][1] if rows else 0), [page_id for page_id, _found in rows]


def hidden_pages() -> dict:
    """The pages the ranking queries leave out: those visitors may not see now ("ids", and
    as JSON), and any page newer than the list ("last" is the newest page it knows).

    Asking `Page.objects.published()` in every search would mean reading every matching
    page's publishing fields, past its texts on SQLite: tens of milliseconds at 10,000
    pages. The list is short, and cached with the content generation, which ends whenever
    a page changes or the clock reaches a publishing time.
    """

    def compute():
        last = Page.objects.aggregate(last=Max("pk"))["last"] or 0
        ids = list(
            Page.objects.filter(pk__lte=last)
            .exclude(pk__in=published_pages().values("pk"))
            .values_list("pk", flat=True)
        )
        return {"last": last, "ids": ids, "json": json.dumps(ids)}

    return cached("hidden", compute)


def _quoted(stem_: str) -> str:
    return '"' + stem_.replace('"', '""') + '"'


# --- Snippets ---------------------------------------------------------------


def snippet(text: str, terms: list[str], languages: list[str]) -> str:
    """About SNIPPET_WORDS whole words of `text` around the best match, matches marked.

    The best place is the first where the most different words of the query fall within one
    snippet; a cut end gets an ellipsis.
    """
    text = text[:SNIPPET_SCAN_CHARS]
    spans, matched, best = _scan(text, _term_lookup(terms, languages), len(terms))
    if not spans:
        return ""
    start = max(0, best - SNIPPET_LEAD) if best is not None else 0
    end = min(len(spans), start + SNIPPET_WORDS)
    pieces, cursor = [], spans[start][0]
    for index in range(start, end):
        if index in matched:
            first, last = spans[index]
            pieces += [text[cursor:first], START, text[first:last], STOP]
            cursor = last
    # To the end of the last word, or of the text (its full stop) when that is shown whole.
    pieces.append(text[cursor : spans[end - 1][1]] if end < len(spans) else text[cursor:])
    before = "… " if start > 0 else ""
    after = " …" if end < len(spans) or len(text) == SNIPPET_SCAN_CHARS else ""
    return before + "".join(pieces) + after


def _term_lookup(terms, languages):
    """A function telling which query word (by index) a word of the text matches, if any."""
    wanted = {}
    for index, term in enumerate(terms):
        for code in languages:
            wanted.setdefault((code, stem(term, code)), index)
    known = {}

    def lookup(word):
        if word not in known:
            folded = fold(word)
            found = (wanted.get((code, stem(folded, code))) for code in languages)
            known[word] = next((index for index in found if index is not None), None)
        return known[word]

    return lookup


def _scan(text, lookup, term_count):
    """The words' spans, the matching ones ({word index: query word index}) and the index of
    the first match of the best window.

    Reading stops at the first word after a snippet that holds every word of the query.
    """
    reach = SNIPPET_WORDS - SNIPPET_LEAD
    spans, matched, best, best_count = [], {}, None, 0
    for index, match in enumerate(WORD_RE.finditer(text)):
        spans.append(match.span())
        if best_count == term_count and index >= max(0, best - SNIPPET_LEAD) + SNIPPET_WORDS:
            break
        term = lookup(match.group())
        if term is None:
            continue
        matched[index] = term
        window = [p for p in matched if p > index - reach]
        count = len({matched[p] for p in window})
        if count > best_count:
            best, best_count = window[0], count
    return spans, matched, best


def highlighted(headline: str) -> str:
    """The snippet as safe HTML: everything escaped, the matched words in <mark>."""
    html = escape(" ".join((headline or "").split()))
    return mark_safe(html.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308
