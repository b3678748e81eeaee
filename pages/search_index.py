"""The site search's stored index: one document per page and language, kept current.

A document holds what visitors read on a page in one language: title, lead, body, project
facts and contacts, with Swedish text wherever the English is missing. Words are split and
case-folded here, the same way for pages and for queries (`pages.search`), and stemmed with
the Snowball stemmers for Swedish and English: by PostgreSQL's own `swedish` and `english`
configurations into a weighted tsvector with a GIN index, and on SQLite by PyStemmer (the
same Snowball algorithms) into an FTS5 table per language, `pages_searchindex_sv` and
`pages_searchindex_en` (migration 0008), whose rowid is the page's id.

Signals re-index a page whenever it, or anything it shows, is saved or deleted, in the same
transaction, so the index commits or rolls back with the content. Raw saves (`loaddata`, and
restoring a revision) are handled the same way: every object loaded re-indexes the pages it
belongs to, so once the last one is in, the pages are complete. `manage.py
rebuild_search_index` builds the whole index afresh; `migrate` indexes pages that have none.
"""

import html
import re
import unicodedata
from dataclasses import dataclass

import Stemmer
from django.contrib.postgres.search import SearchVector
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Value
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

from contacts.models import Contact, Organisation

from . import cache_store
from .models import (
    DEFAULT_LANGUAGE,
    LANGUAGE_CODES,
    Page,
    PageContact,
    Project,
    ProjectPartner,
    SearchDocument,
    StakeholderGroup,
    StakeholderMember,
)

# Text beyond this many characters of one field is not indexed (a tsvector holds 1 MB).
MAX_FIELD_CHARS = 100_000
# How much of the body PostgreSQL ranks by, with the title and lead (pages.search).
SUMMARY_BODY_WORDS = 50
# PostgreSQL's text search configuration and the Snowball stemmer for each language.
CONFIGS = {"sv": "swedish", "en": "english"}
STEMMERS = {"sv": Stemmer.Stemmer("swedish"), "en": Stemmer.Stemmer("english")}
# The SQLite FTS5 tables' columns, one per weight.
FTS_COLUMNS = {"A": "title", "B": "lead", "C": "body", "D": "extra"}

WORD_RE = re.compile(r"[^\W_]+")
# Combining marks left over once text is composed (NFC): "o" + U+0308 has become "ö" by
# then, and what remains (stacked "Zalgo" marks) would otherwise split words in two.
COMBINING_RE = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
BLOCK_TAG_RE = re.compile(r"</?(?:p|br|h[1-6]|ul|ol|li|blockquote|div)\b[^>]*>", re.IGNORECASE)
TAG_RE = re.compile(r"<[^>]*>")


# --- Words ------------------------------------------------------------------


def fold(text: str) -> str:
    """`text` composed, case-folded and without stray combining marks: "ÖREBRO" is "örebro"."""
    text = unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())
    return COMBINING_RE.sub("", text)


def words(text: str) -> list[str]:
    """The words of `text`, folded: runs of letters and digits; everything else separates."""
    return WORD_RE.findall(fold(text))


def stem(word: str, language: str) -> str:
    return STEMMERS.get(language, STEMMERS[DEFAULT_LANGUAGE]).stemWord(word)


def plain_text(value: str) -> str:
    """Rich text as the words a visitor reads: tags gone, entities decoded, spaces folded."""
    value = TAG_RE.sub("", BLOCK_TAG_RE.sub(" ", value or ""))
    return " ".join(html.unescape(value).split())


def fts_table(language: str) -> str:
    """The SQLite FTS5 table of one language (migration 0008): a row per page, by its id."""
    return f"pages_searchindex_{language}"


def languages_shown(language: str) -> list[str]:
    """The languages of the text on a page in `language`: its own, and Swedish as fallback."""
    return list(dict.fromkeys([language, DEFAULT_LANGUAGE]))


# --- Documents --------------------------------------------------------------


@dataclass
class Part:
    text: str
    language: str  # the language the text is in, which decides its stemmer
    weight: str  # A title, B lead, C body, D project facts and contacts


def shown(obj, field: str, language: str) -> tuple[str, str]:
    """What `obj.field` shows on a page in `language`, and the language of that text."""
    own = getattr(obj, f"{field}_{language}", None)
    if own:
        return own, language
    return getattr(obj, f"{field}_{DEFAULT_LANGUAGE}", None) or "", DEFAULT_LANGUAGE


def document_parts(page, language: str) -> list[Part]:
    """Everything visitors read on `page` in `language`, as weighted parts."""
    body, body_language = shown(page, "body", language)
    parts = [
        Part(*shown(page, "title", language), "A"),
        Part(*shown(page, "lead", language), "B"),
        Part(plain_text(body), body_language, "C"),
        *_project_parts(page, language),
    ]
    for link in page.page_contacts.all():
        # getattr: while `loaddata` runs, a link may arrive before its contact.
        contact = getattr(link, "contact", None)
        if contact is None:
            continue
        parts.append(Part(contact.name, language, "D"))
        parts.append(Part(*shown(contact, "job_title", language), "D"))
        if contact.organisation:
            parts.append(Part(*shown(contact.organisation, "name", language), "D"))
    return [Part(p.text[:MAX_FIELD_CHARS], p.language, p.weight) for p in parts if p.text]


def _project_parts(page, language: str) -> list[Part]:
    try:
        project = page.project
    except Project.DoesNotExist:
        return []
    parts = [Part(project.acronym, language, "D")]
    parts += [
        Part(*shown(project, field, language), "D")
        for field in ("full_name", "programme", "extension_text")
    ]
    organisations = [getattr(partner, "organisation", None) for partner in project.partners.all()]
    group = project.stakeholder_group
    if group:
        parts.append(Part(*shown(group, "name", language), "D"))
        parts.append(Part(*shown(group, "description", language), "D"))
        organisations += [getattr(member, "organisation", None) for member in group.members.all()]
    for organisation in filter(None, organisations):
        parts.append(Part(*shown(organisation, "name", language), "D"))
        parts.append(Part(organisation.short_name, language, "D"))
    return parts


def snippet_text(parts) -> str:
    """The text snippets are cut from: all but the title, as the page shows it."""
    return " ".join(part.text for part in parts if part.weight != "A")


def _pages_with_content():
    return Page.objects.select_related("project__stakeholder_group").prefetch_related(
        "project__partners__organisation",
        "project__stakeholder_group__members__organisation",
        "page_contacts__contact__organisation",
    )


def index_pages(page_ids) -> int:
    """Bring the documents of these pages up to date and return how many pages were indexed.

    A page's documents go when the page goes (the foreign key cascades; on SQLite a trigger
    empties the FTS5 row).
    """
    documents, parts = [], []
    for page in _pages_with_content().filter(pk__in=set(page_ids)):
        for language in LANGUAGE_CODES:
            page_parts = document_parts(page, language)
            documents.append(
                SearchDocument(page=page, language=language, text=snippet_text(page_parts))
            )
            parts.append(page_parts)
    if not documents:
        return 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            for document, document_parts_ in zip(documents, parts, strict=True):
                document.vector = _vector(document_parts_)
                document.summary = _vector(summary_parts(document_parts_))
        # An upsert, so that two editors saving the same page at once cannot collide.
        SearchDocument.objects.bulk_create(
            documents,
            update_conflicts=True,
            unique_fields=["page", "language"],
            update_fields=["text", "vector", "summary"],
        )
        if connection.vendor == "sqlite":
            _write_fts(documents, parts)
    return len(documents) // len(LANGUAGE_CODES)


def summary_parts(parts) -> list[Part]:
    """The title, the lead and the body's first SUMMARY_BODY_WORDS words."""
    summary = [part for part in parts if part.weight in ("A", "B")]
    for part in parts:
        if part.weight == "C":
            text = " ".join(part.text.split()[:SUMMARY_BODY_WORDS])
            summary.append(Part(text, part.language, part.weight))
    return summary


def _vector(parts):
    """The weighted tsvector of a document, stemmed by PostgreSQL. Its words are folded and
    split here first, so that pages and queries are split alike on any database locale."""
    vector = None
    for part in parts:
        folded = " ".join(words(part.text))
        if folded:
            config = CONFIGS.get(part.language, CONFIGS[DEFAULT_LANGUAGE])
            piece = SearchVector(Value(folded), config=config, weight=part.weight)
            vector = piece if vector is None else vector + piece
    return vector


def _write_fts(documents, parts):
    rows = {language: [] for language in LANGUAGE_CODES}
    for document, document_parts_ in zip(documents, parts, strict=True):
        columns = {column: [] for column in FTS_COLUMNS.values()}
        for part in document_parts_:
            stemmer = STEMMERS.get(part.language, STEMMERS[DEFAULT_LANGUAGE])
            columns[FTS_COLUMNS[part.weight]] += stemmer.stemWords(words(part.text))
        row = (document.page_id, *(" ".join(stems) for stems in columns.values()))
        rows[document.language].append(row)
    names = ", ".join(FTS_COLUMNS.values())
    with connection.cursor() as cursor:
        for language, language_rows in rows.items():
            table = fts_table(language)
            delete = f"DELETE FROM {table} WHERE rowid = %s"  # noqa: S608
            cursor.executemany(delete, [row[:1] for row in language_rows])
            insert = f"INSERT INTO {table} (rowid, {names}) VALUES (%s, %s, %s, %s, %s)"  # noqa: S608
            cursor.executemany(insert, language_rows)


def rebuild_index(batch_size: int = 500) -> int:
    """Index every page afresh, in batches; returns the number of pages indexed."""
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                for language in LANGUAGE_CODES:
                    cursor.execute(f"DELETE FROM {fts_table(language)}")  # noqa: S608
        ids = list(Page.objects.order_by("pk").values_list("pk", flat=True))
        indexed = sum(
            index_pages(ids[start : start + batch_size]) for start in range(0, len(ids), batch_size)
        )
        if connection.vendor == "postgresql":  # fresh statistics for the planner
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE pages_searchdocument")
    # Search results are cached until the "search" tag ends: end it.
    cache_store.invalidate({"search"})
    return indexed


def index_missing() -> int:
    """Index the pages that have no documents, e.g. those that existed before the index."""
    indexed = index_pages(_flat(Page.objects.filter(search_documents=None)))
    cache_store.invalidate({"search"})
    return indexed


# --- Keeping it current -----------------------------------------------------


def _flat(queryset):
    return list(queryset.values_list("pk", flat=True))


def _pages_of_organisation(organisation):
    return [
        *_flat(Page.objects.filter(project__partners__organisation=organisation)),
        *_flat(Page.objects.filter(project__stakeholder_group__members__organisation=organisation)),
        *_flat(Page.objects.filter(page_contacts__contact__organisation=organisation)),
    ]


# For each model whose text pages show: the pages that show an instance of it.
PAGES_OF = {
    Page: lambda page: [page.pk],
    PageContact: lambda link: [link.page_id],
    Project: lambda project: [project.page_id],
    ProjectPartner: lambda partner: _flat(Page.objects.filter(project=partner.project_id)),
    StakeholderGroup: lambda group: _flat(Page.objects.filter(project__stakeholder_group=group)),
    StakeholderMember: lambda member: _flat(
        Page.objects.filter(project__stakeholder_group=member.group_id)
    ),
    Contact: lambda contact: _flat(Page.objects.filter(page_contacts__contact=contact)),
    Organisation: _pages_of_organisation,
}


def content_saved(sender, instance, **kwargs):
    index_pages(PAGES_OF[sender](instance))


def content_deleted(sender, instance, **kwargs):
    # Only pages that still have documents: when a page itself is being deleted, its
    # documents went first, and re-creating them would point at a deleted page.
    ids = PAGES_OF[sender](instance)
    index_pages(SearchDocument.objects.filter(page__in=ids).values_list("page_id", flat=True))


def contacts_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """`page.contacts.add()`, `contact.page_set.clear()` and the like."""
    if action == "pre_clear" and reverse:
        instance._search_pages = PAGES_OF[Contact](instance)
    elif action in ("post_add", "post_remove", "post_clear"):
        if not reverse:
            index_pages([instance.pk])
        else:
            index_pages(pk_set or getattr(instance, "_search_pages", []))


def migrated(sender, using=DEFAULT_DB_ALIAS, apps=None, **kwargs):
    """After `migrate`, index the pages that have no documents yet (say, those that existed
    before the index did), once every migration has run. `flush` sends this too, without
    `apps`, and leaves no pages."""
    try:
        if apps is not None:
            apps.get_model("pages", "SearchDocument")
    except LookupError:
        return
    if using != DEFAULT_DB_ALIAS or not Page.objects.filter(search_documents=None).exists():
        return
    executor = MigrationExecutor(connection)
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        index_missing()


def connect_signals():
    from django.apps import apps

    for model in PAGES_OF:
        uid = f"search-index-{model._meta.label}"
        post_save.connect(content_saved, sender=model, dispatch_uid=f"{uid}-save")
        if model is not Page:  # a page's documents cascade with it
            post_delete.connect(content_deleted, sender=model, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(
        contacts_changed, sender=Page.contacts.through, dispatch_uid="search-index-contacts"
    )
    post_migrate.connect(
        migrated, sender=apps.get_app_config("pages"), dispatch_uid="search-index-migrate"
    )
