"""Re-encrypt everything with the first key of RAADHUIS_ENCRYPTION_KEYS.

Key rotation: put a new key in front of the list (keep the old one behind it), deploy, run this
command, then remove the old key from the list.
"""

from typing import Any

from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from accounts.adapter import convert_authenticator_data
from core.crypto import rotate_bytes, rotate_text
from core.fields import encrypted_fields

# Columns holding bytes encrypted by the services (core.crypto.encrypt_bytes) before they are stored.
ENCRYPTED_BYTES = {
    "desk_caseattachment": ["content"],
    "selection_curriculumvitae": ["content"],
    "networks_attachment": ["content"],
}


def encrypted_columns() -> list[tuple[str, list[str], list[str]]]:
    """(table, text columns, binary columns) of every model with data encrypted at rest: the text
    columns are its `EncryptedTextField`s, so a new one is rotated without changing this command."""
    found = []
    for model in apps.get_models():
        table = model._meta.db_table
        texts = [model._meta.get_field(name).column for name in encrypted_fields(model)]
        binaries = ENCRYPTED_BYTES.get(table, [])
        if texts or binaries:
            found.append((table, texts, binaries))
    return found


class Command(BaseCommand):
    help = "Re-encrypt all data encrypted at rest with the current (first) key."

    def handle(self, *args: Any, **options: Any) -> None:
        quote = connection.ops.quote_name
        for table, texts, binaries in encrypted_columns():
            columns = [*texts, *binaries]
            count = 0
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SELECT id, {', '.join(quote(c) for c in columns)} FROM {quote(table)}")  # noqa: S608
                for row in cursor.fetchall():
                    pk, values = row[0], row[1:]
                    new = [rotate_text(v) for v in values[: len(texts)]] + [
                        rotate_bytes(bytes(v)) for v in values[len(texts) :]
                    ]
                    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
                    with connection.cursor() as update:
                        update.execute(f"UPDATE {quote(table)} SET {assignments} WHERE id = %s", [*new, pk])  # noqa: S608
                    count += 1
            self.stdout.write(f"{table}: {count} rows re-encrypted")
        self._rotate_second_factors()

    def _rotate_second_factors(self) -> None:
        """TOTP secrets and recovery-code seeds live inside a JSON column (allauth's
        Authenticator.data), encrypted by accounts.adapter.MfaAdapter."""
        count = 0
        with transaction.atomic():
            for authenticator in Authenticator.objects.select_for_update().exclude(type=Authenticator.Type.WEBAUTHN):
                data = convert_authenticator_data(authenticator.data, rotate_text)
                Authenticator.objects.filter(pk=authenticator.pk).update(data=data)
                count += 1
        self.stdout.write(f"{Authenticator._meta.db_table}: {count} rows re-encrypted")
