"""Large results: a sample bucket per index row, and on PostgreSQL one GIN index over the vector
and every column a search filters on (btree_gin), so that the sample, the date window and the
facet filters are applied inside the index instead of row by row (see library.engine)."""

from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations, models

# The same formula as library.engine.sample_bucket (Knuth's multiplicative hash, high bits; integer
# division on both databases).
FILL = "UPDATE library_searchdocument SET sample = (document_id * 2654435761) %% 4294967296 * 1000 / 4294967296"
COLUMNS = "vector, sample, date, kind, tier, outcome, year, province_id, body_id"


class PostgresOnly(BtreeGinExtension):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        """The extension stays: other databases objects may use it."""


def indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    schema_editor.execute(FILL)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX library_search_gin ON library_searchdocument USING GIN ({COLUMNS})")
        schema_editor.execute("DROP INDEX IF EXISTS library_search_vector_gin")
        schema_editor.execute("ANALYZE library_searchdocument")


def drop_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX library_search_vector_gin ON library_searchdocument USING GIN (vector)")
        schema_editor.execute("DROP INDEX IF EXISTS library_search_gin")


class Migration(migrations.Migration):
    dependencies = [("library", "0004_import_links")]

    operations = [
        PostgresOnly(),
        migrations.AddField(
            model_name="searchdocument", name="sample", field=models.PositiveSmallIntegerField(default=0)
        ),
        migrations.RunPython(indexes, drop_indexes),
    ]
