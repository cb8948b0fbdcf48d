"""A saved search's unsubscribe token is no longer stored readable (issue 18): kept as a hash (to
find it by the link) and encrypted (for the next alert). Links already sent keep working."""

import hashlib

from django.db import migrations, models

import core.fields
import library.models


def hash_tokens(apps, schema_editor):  # type: ignore[no-untyped-def]
    SavedSearch = apps.get_model("library", "SavedSearch")
    # The column still holds the plain token; writing it back through the field encrypts it.
    for pk, token in SavedSearch.objects.values_list("pk", "token"):
        SavedSearch.objects.filter(pk=pk).update(token_hash=hashlib.sha256(token.encode()).hexdigest(), token=token)


def decrypt_tokens(apps, schema_editor):  # type: ignore[no-untyped-def]
    SavedSearch = apps.get_model("library", "SavedSearch")
    quote = schema_editor.connection.ops.quote_name
    table = quote(SavedSearch._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        for pk, token in SavedSearch.objects.values_list("pk", "token"):
            cursor.execute(f"UPDATE {table} SET {quote('token')} = %s WHERE id = %s", [token, pk])  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0009_sync_sources"),
    ]

    operations = [
        migrations.AddField(
            model_name="savedsearch",
            name="token_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="savedsearch",
            name="token",
            field=core.fields.EncryptedTextField(default=library.models._token, editable=False),
        ),
        migrations.RunPython(hash_tokens, decrypt_tokens),
    ]
