"""The stored search index: a document per page and language (see pages/search_index.py).

On PostgreSQL the documents carry weighted tsvectors, the whole text's in a GIN index made
without fastupdate: every change goes straight into the index, where the pending list a
rebuild leaves would make every search read through it until the next vacuum. SQLite gets
no index on that column (it stays empty there).

On SQLite the stemmed words go into an FTS5 table per language instead, a row per page (its
rowid is the page's id), emptied by a trigger whenever a document is deleted, however that
happens (a page deleted, the database flushed). The words are stemmed before they are
stored, so FTS5's own `ascii` tokenizer only has to split them at spaces. A later migration
that makes SQLite rebuild pages_searchdocument (altering a column) drops the triggers:
create them again there.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

LANGUAGES = ("sv", "en")
GIN_INDEX = "pages_search_vector_gin"
POSTGRESQL_CREATE = [
    f"CREATE INDEX {GIN_INDEX} ON pages_searchdocument USING gin (vector)"
    " WITH (fastupdate = off)"
]
POSTGRESQL_DROP = [f"DROP INDEX IF EXISTS {GIN_INDEX}"]
SQLITE_CREATE = []
SQLITE_DROP = []
for language in LANGUAGES:
    table = f"pages_searchindex_{language}"
    SQLITE_CREATE += [
        f"CREATE VIRTUAL TABLE {table} USING fts5(title, lead, body, extra, tokenize='ascii')",
        f"CREATE TRIGGER {table}_document_deleted AFTER DELETE ON pages_searchdocument"
        f" WHEN old.language = '{language}'"
        f" BEGIN DELETE FROM {table} WHERE rowid = old.page_id; END",
    ]
    SQLITE_DROP += [f"DROP TRIGGER IF EXISTS {table}_document_deleted", f"DROP TABLE IF EXISTS {table}"]


def run_on(vendor, statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == vendor:
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("pages", "0007_tree_redirect_prefix"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("language", models.CharField(choices=[("sv", "Swedish"), ("en", "English")], max_length=8, verbose_name="language")),
                ("text", models.TextField(blank=True, verbose_name="text")),
                ("vector", django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ("summary", django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ("page", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="search_documents", to="pages.page", verbose_name="page")),
            ],
            options={
                "verbose_name": "search document",
                "verbose_name_plural": "search documents",
                "ordering": ["page", "language"],
                "constraints": [models.UniqueConstraint(fields=("page", "language"), name="unique_search_document")],
            },
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="searchdocument",
                    index=django.contrib.postgres.indexes.GinIndex(fields=["vector"], name=GIN_INDEX),
                ),
            ],
            database_operations=[
                migrations.RunPython(run_on("postgresql", POSTGRESQL_CREATE), run_on("postgresql", POSTGRESQL_DROP)),
            ],
        ),
        migrations.RunPython(run_on("sqlite", SQLITE_CREATE), run_on("sqlite", SQLITE_DROP)),
    ]
