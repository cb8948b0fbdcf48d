"""The engine-specific parts of the search index: a GIN index on PostgreSQL, an FTS5 table on SQLite."""

from django.db import migrations


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("CREATE INDEX search_entry_vector_gin ON core_searchentry USING GIN (vector)")
    elif vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE core_search_fts USING fts5("
            "kind UNINDEXED, object_id UNINDEXED, title, text, tokenize = 'unicode61 remove_diacritics 2')"
        )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_entry_vector_gin")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS core_search_fts")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_search_entry")]

    operations = [migrations.RunPython(create, drop)]
