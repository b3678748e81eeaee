"""Site search (“Sök”): full-text with stemming on PostgreSQL, a plain fallback elsewhere."""

import re

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import ExpressionWrapper, F, Func, Q, TextField, Value
from django.db.models.functions import Coalesce, Concat, NullIf
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from .models import DEFAULT_LANGUAGE, LANGUAGE_CODES, Page, current_language

MAX_QUERY_LENGTH = 200
PER_PAGE = 10
# PostgreSQL's text search configuration for each language's fields.
CONFIGS = {"sv": "swedish", "en": "english"}
TEXT_SPACE = Value(" ", output_field=TextField())
# Markers for highlighted words, from Unicode's private use area so no text contains them.
START, STOP = "\ue000", "\ue001"


def search_context(request, page):
    # NUL cannot be stored or searched for in PostgreSQL; no page contains one anyway.
    query = " ".join(request.GET.get("q", "").replace("\x00", "").split())
    if "q" not in request.GET:
        return {"query": "", "results": None}
    if not query:
        return {"query": "", "results": None, "query_empty": True}
    if len(query) > MAX_QUERY_LENGTH:
        return {"query": query[:MAX_QUERY_LENGTH], "results": None, "query_too_long": True}
    results = Paginator(search(query), PER_PAGE).get_page(request.GET.get("page"))
    return {"query": query, "results": results}


def search(query):
    """Published pages matching `query`, best first, each with a highlighted `snippet`."""
    pages = Page.objects.published().exclude(kind=Page.Kind.SEARCH)
    if connection.vendor == "postgresql":
        return _full_text(pages, query)
    return _plain(pages, query)


def _strip_tags_sql(field):
    return Func(
        F(field),
        Value("<[^>]+>"),
        TEXT_SPACE,
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def _full_text(pages, query):
    language = current_language()
    vector = None
    for code in LANGUAGE_CODES:
        for field, weight in (("title", "A"), ("lead", "B"), ("body", "C")):
            expression = (
                _strip_tags_sql(f"{field}_{code}") if field == "body" else f"{field}_{code}"
            )
            part = SearchVector(expression, weight=weight, config=CONFIGS[code])
            vector = part if vector is None else vector + part
    search_query = None
    for config in CONFIGS.values():
        part = SearchQuery(query, config=config, search_type="websearch")
        search_query = part if search_query is None else search_query | part
    text = Concat(
        _localised("lead", language),
        TEXT_SPACE,
        _strip_tags_sql(f"body_{language}"),
    )
    fallback_text = Concat(
        F(f"lead_{DEFAULT_LANGUAGE}"), TEXT_SPACE, _strip_tags_sql(f"body_{DEFAULT_LANGUAGE}")
    )
    return (
        pages.annotate(document=vector, rank=SearchRank(vector, search_query))
        .filter(document=search_query)
        .annotate(
            headline=ExpressionWrapper(
                SearchHeadline(
                    Coalesce(NullIf(text, TEXT_SPACE), fallback_text, output_field=TextField()),
                    search_query,
                    config=CONFIGS[language],
                    start_sel=START,
                    stop_sel=STOP,
                    max_words=30,
                    min_words=12,
                ),
                output_field=TextField(),
            )
        )
        .order_by("-rank", "pk")
        .defer(*(f"body_{code}" for code in LANGUAGE_CODES))
    )


def _localised(field, language):
    return Coalesce(
        NullIf(F(f"{field}_{language}"), Value("", output_field=TextField())),
        F(f"{field}_{DEFAULT_LANGUAGE}"),
        output_field=TextField(),
    )


def _plain(pages, query):
    """Every word of `query` somewhere in a page's title, lead or body, in any language."""
    words = query.split()[:10]
    for word in words:
        condition = Q()
        for code in LANGUAGE_CODES:
            for field in ("title", "lead", "body"):
                condition |= Q(**{f"{field}_{code}__icontains": word})
        pages = pages.filter(condition)
    return _PlainResults(pages.order_by("depth", "position", "pk"), words)


class _PlainResults:
    """A lazily sliced result list that adds snippets to the pages it hands out."""

    def __init__(self, queryset, words):
        self.queryset = queryset
        self.words = words

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        pages = list(self.queryset[index])
        language = current_language()
        for page in pages:
            text = " ".join(
                strip_tags(getattr(page, f"{field}_{language}") or getattr(page, field))
                for field in ("lead", "body")
            )
            page.headline = _plain_headline(text, self.words)
        return pages


def _plain_headline(text, words):
    text = " ".join(text.split())
    lowered = text.lower()
    positions = [lowered.find(w.lower()) for w in words if lowered.find(w.lower()) >= 0]
    start = max(0, min(positions) - 80) if positions else 0
    excerpt = text[start : start + 240]
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    return pattern.sub(lambda m: f"{START}{m.group()}{STOP}", excerpt)


def highlighted(headline: str) -> str:
    """The snippet as safe HTML: everything escaped, the matched words in <mark>."""
    html = escape(" ".join((headline or "").split()))
    return mark_safe(html.replace(START, "<mark>").replace(STOP, "</mark>"))  # noqa: S308
