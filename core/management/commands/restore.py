"""Restore a backup made by `manage.py backup` into an empty database and media storage, then
check that every table's row count and checksum and every media file equal the backup's.

    manage.py restore var/backups/raadhuis-20261130-010000.tar.gz
    manage.py restore backup.tar.gz --force       # replace the contents of a non-empty target
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from core.backup import BackupError, human_size, restore_backup


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and media storage, and verify it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="The .tar.gz written by manage.py backup.")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias to restore into.")
        parser.add_argument(
            "--force", action="store_true", help="Replace the contents of a database and storage that are not empty."
        )
        parser.add_argument("--no-media", action="store_true", help="Restore the database only.")

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        if not archive.is_file():
            raise CommandError(f"{archive} does not exist.")
        target = connections[options["database"]].settings_dict["NAME"]
        try:
            report = restore_backup(
                archive, using=options["database"], force=options["force"], media=not options["no_media"]
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = report.manifest
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']} (app version {manifest['app_version']}) into {target}:"
        )
        self.stdout.write(f"  database: {report.tables} tables, {report.rows} rows; counts and checksums identical")
        if options["no_media"] or not manifest["media"]["included"]:
            self.stdout.write("  media: not restored")
        else:
            self.stdout.write(
                f"  media: {report.media_files} files, {human_size(report.media_bytes)}; checksums identical"
            )
        if report.unknown:
            self.stdout.write(
                self.style.WARNING(
                    f"  The backup has {len(report.unknown)} migrations this code does not know "
                    f"(it was made with newer code): {', '.join(report.unknown[:5])}"
                )
            )
        if report.unapplied:
            self.stdout.write(
                f"  This code has {len(report.unapplied)} migrations the backup lacks: run manage.py migrate."
            )
