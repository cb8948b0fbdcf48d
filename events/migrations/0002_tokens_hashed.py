"""Tokens that grant access are no longer stored readable (issue 18): a registration's token is
kept as a hash (to find it by the link) and encrypted (for later e-mails); a calendar feed's only as
a hash. Links already sent keep working: they are found by the hash of the token they carry."""

import hashlib

from django.db import migrations, models

import core.fields
import events.models


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_tokens(apps, schema_editor):  # type: ignore[no-untyped-def]
    hash_registration_tokens(apps, schema_editor)
    CalendarFeed = apps.get_model("events", "CalendarFeed")
    for pk, token in CalendarFeed.objects.values_list("pk", "token"):
        CalendarFeed.objects.filter(pk=pk).update(token_hash=_hash(token))


def hash_registration_tokens(apps, schema_editor):  # type: ignore[no-untyped-def]
    Registration = apps.get_model("events", "Registration")
    # The token column still holds the plain token (an encrypted field reads plain text as is);
    # writing it back through the field stores it encrypted.
    for pk, token in Registration.objects.values_list("pk", "token"):
        Registration.objects.filter(pk=pk).update(token_hash=_hash(token), token=token)


def decrypt_tokens(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Back: registrations get their plain token again (calendar feeds were removed by 0003's way back)."""
    decrypt_registration_tokens(apps, schema_editor)


def decrypt_registration_tokens(apps, schema_editor):  # type: ignore[no-untyped-def]
    Registration = apps.get_model("events", "Registration")
    quote = schema_editor.connection.ops.quote_name
    table = quote(Registration._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        for pk, token in Registration.objects.values_list("pk", "token"):
            cursor.execute(f"UPDATE {table} SET {quote('token')} = %s WHERE id = %s", [token, pk])  # noqa: S608


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="token_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="registration",
            name="token",
            field=core.fields.EncryptedTextField(default=events.models._token, editable=False),
        ),
        migrations.AddField(
            model_name="calendarfeed",
            name="token_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(hash_tokens, decrypt_tokens),
    ]
