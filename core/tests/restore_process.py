"""`manage.py restore` in its own process, against the database in DATABASE_URL and a media
folder, as an operator runs it; then a description of what it restored, for core/tests/test_backup.py.

    python -m core.tests.restore_process ARCHIVE MEDIA_ROOT REPORT_JSON [--force] [--add-extra]

--add-extra first writes a member and a media file (to make the target non-empty). The report
holds every model table's rows, the restored advice case decrypted, and the id a new member gets.
"""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path
from typing import Any

import django


def table_rows(alias: str = "default") -> dict[str, list[str]]:
    """Every row of every model table, in primary key order, as text (binary as hex)."""
    from django.db import connections

    from core.backup import model_tables

    conn = connections[alias]
    found: dict[str, list[str]] = {}
    with conn.cursor() as cursor:
        for table, pk in model_tables():
            quote = conn.ops.quote_name
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {quote(pk)}")  # noqa: S608
            found[table] = [
                repr(tuple(bytes(v).hex() if isinstance(v, bytes | memoryview) else v for v in row))
                for row in cursor.fetchall()
            ]
    return found


def main(argv: list[str]) -> int:
    archive, media_root, report_path = Path(argv[0]), Path(argv[1]), Path(argv[2])
    django.setup()
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management import CommandError, call_command
    from django.test import override_settings

    from core import crypto
    from desk.models import Case, CaseAttachment
    from members.models import Member

    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, MEDIA_ROOT=str(media_root)):
        if "--add-extra" in argv:
            call_command("migrate", verbosity=0)
            Member.objects.create(
                given_name="Extra", family_name="Rij", email=f"extra-{secrets.token_hex(4)}@example.org"
            )
            default_storage.save("extra.txt", ContentFile(b"weg ermee"))
        try:
            call_command("restore", archive, force="--force" in argv)
        except CommandError as error:
            print(error, file=sys.stderr)
            return 1
        report: dict[str, Any] = {"tables": table_rows(), "cases": []}
        for case in Case.objects.order_by("pk"):
            attachments = [
                crypto.decrypt_bytes(bytes(a.content)).hex() for a in CaseAttachment.objects.filter(case=case)
            ]
            report["cases"].append([case.pk, case.subject, case.description, attachments])
        newest = Member.objects.order_by("-pk").first()
        added = Member.objects.create(given_name="Nieuw", family_name="Lid", email="nieuw@example.org")
        report["new_member"] = [newest.pk if newest else None, added.pk]
        added.delete()
    report_path.write_text(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
