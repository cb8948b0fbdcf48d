"""Member-to-member messages (and report reasons) encrypted at rest, as the desk's cases are.

Existing rows are encrypted with the current key; the reverse migration decrypts them again (it
needs the same keys). The column type stays text, so only the values change."""

from typing import Any

from django.db import migrations

import core.fields

COLUMNS = ["body", "report_reason"]


def _convert(schema_editor: Any, convert: Any) -> None:
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    table = quote("members_message")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {', '.join(quote(c) for c in COLUMNS)} FROM {table}")  # noqa: S608
        rows = cursor.fetchall()
    assignments = ", ".join(f"{quote(c)} = %s" for c in COLUMNS)
    with connection.cursor() as cursor:
        for pk, *values in rows:
            cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s", [*map(convert, values), pk])  # noqa: S608


def encrypt(apps: Any, schema_editor: Any) -> None:
    from core.crypto import rotate_text  # encrypts plain text, leaves encrypted text readable

    _convert(schema_editor, rotate_text)


def decrypt(apps: Any, schema_editor: Any) -> None:
    from core.crypto import decrypt_text

    _convert(schema_editor, decrypt_text)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0003_directory_messages_privacy"),
    ]

    operations = [
        migrations.AlterField(
            model_name="message",
            name="body",
            field=core.fields.EncryptedTextField(max_length=5000, verbose_name="message"),
        ),
        migrations.AlterField(
            model_name="message",
            name="report_reason",
            field=core.fields.EncryptedTextField(blank=True, max_length=2000, verbose_name="reason for the report"),
        ),
        migrations.RunPython(encrypt, decrypt),
    ]
