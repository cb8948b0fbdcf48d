"""The engine-specific parts of the library index: a GIN index on PostgreSQL, an FTS5 table on
SQLite (rowid = document id; the columns hold Dutch Snowball stems, see library.engine)."""

from django.db import migrations


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("CREATE INDEX library_search_vector_gin ON library_searchdocument USING GIN (vector)")
    elif vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE library_fts USING fts5("
            "title, parts, text, attachments, tokenize = 'unicode61 remove_diacritics 2', detail = full)"
        )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS library_search_vector_gin")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS library_fts")


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
