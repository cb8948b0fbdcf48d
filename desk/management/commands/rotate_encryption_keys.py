"""Re-encrypt everything with the first key of RAADHUIS_ENCRYPTION_KEYS.

Key rotation: put a new key in front of the list (keep the old one behind it), deploy, run this
command, then remove the old key from the list.
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from core.crypto import rotate_bytes, rotate_text

# table, primary key, text columns, binary columns
ENCRYPTED = [
    ("desk_case", ["subject", "description", "outcome"], []),
    ("desk_casemessage", ["body"], []),
    ("desk_caseattachment", ["filename"], ["content"]),
    ("desk_referral", ["note"], []),
    (
        "selection_application",
        [
            "token",
            "given_name",
            "infix",
            "family_name",
            "email",
            "phone",
            "street",
            "postcode",
            "town",
            "birth_date",
            "motivation",
            "experience",
            "availability",
            "integrity_answers",
            "signed_name",
        ],
        [],
    ),
    ("selection_curriculumvitae", ["filename"], ["content"]),
    ("selection_conflictdeclaration", ["reason"], []),
    ("selection_score", ["note"], []),
    ("selection_interview", ["notes"], []),
    ("selection_advice", ["summary"], []),
    ("selection_adviceplace", ["rationale"], []),
]


class Command(BaseCommand):
    help = "Re-encrypt all data encrypted at rest with the current (first) key."

    def handle(self, *args: Any, **options: Any) -> None:
        quote = connection.ops.quote_name
        for table, texts, binaries in ENCRYPTED:
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
