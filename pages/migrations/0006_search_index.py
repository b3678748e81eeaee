"""The stored search index: a document per page and language.

On PostgreSQL the documents carry a weighted tsvector with a GIN index. On SQLite the stemmed
words go into an FTS5 table per language instead, a row per page (its rowid is the page's
id), emptied by a trigger whenever a document is deleted, however that happens (a page
deleted, the database flushed). The words are stemmed before they are stored, so FTS5's own
`ascii` tokenizer only has to split them at spaces. A later migration that makes SQLite
rebuild pages_searchdocument (altering a column) drops the triggers: create them again.
"""

from django.db import migrations, models
import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion

LANGUAGES = ("sv", "en")
CREATE_SQL = []
DROP_SQL = []
for language in LANGUAGES:
    table = f"pages_searchindex_{language}"
    CREATE_SQL += [
        f"CREATE VIRTUAL TABLE {table} USING fts5(title, lead, body, extra, tokenize='ascii')",
        f"""CREATE TRIGGER {table}_document_deleted AFTER DELETE ON pages_searchdocument
        WHEN old.language = '{language}' BEGIN DELETE FROM {table} WHERE rowid = old.page_id; END""",
    ]
    DROP_SQL += [f"DROP TRIGGER IF EXISTS {table}_document_deleted", f"DROP TABLE IF EXISTS {table}"]


def run_on_sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('pages', '0005_editors_group'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('language', models.CharField(choices=[('sv', 'Swedish'), ('en', 'English')], max_length=8, verbose_name='language')),
                ('text', models.TextField(blank=True, verbose_name='text')),
                ('vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ('page', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='search_documents', to='pages.page', verbose_name='page')),
            ],
            options={
                'verbose_name': 'search document',
                'verbose_name_plural': 'search documents',
                'ordering': ['page', 'language'],
                'indexes': [django.contrib.postgres.indexes.GinIndex(fields=['vector'], name='pages_search_vector_gin')],
                'constraints': [models.UniqueConstraint(fields=('page', 'language'), name='unique_search_document')],
            },
        ),
        migrations.RunPython(run_on_sqlite(CREATE_SQL), run_on_sqlite(DROP_SQL)),
    ]
