"""Back up the database and the uploaded files into one archive (see core/backup.py).

manage.py backup                                  # var/backups/raadhuis-<date>-<time>.tar.gz
manage.py backup --output /srv/backups/raadhuis-nightly.tar.gz
manage.py backup --no-media                       # the database only (media backed up elsewhere)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from core.backup import BackupError, create_backup, human_size


class Command(BaseCommand):
    help = "Back up the database and media files into one .tar.gz archive with a verifiable manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", type=Path, help="Archive to write (default: var/backups/raadhuis-<time>.tar.gz)."
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias to back up.")
        parser.add_argument("--no-media", action="store_true", help="Leave the uploaded files out.")

    def handle(self, *args: Any, **options: Any) -> None:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        output: Path = options["output"] or settings.BASE_DIR / "var" / "backups" / f"raadhuis-{stamp}.tar.gz"
        try:
            manifest = create_backup(output, using=options["database"], media=not options["no_media"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        tables = manifest["tables"]
        files = manifest["media"]["files"]
        size = output.stat().st_size
        self.stdout.write(f"Backup written to {output} ({human_size(size)})")
        self.stdout.write(
            f"  database: {manifest['database']['vendor']}, {len(tables)} tables, "
            f"{sum(t['rows'] for t in tables.values())} rows, {len(manifest['migrations'])} migrations applied"
        )
        if manifest["media"]["included"]:
            self.stdout.write(f"  media: {len(files)} files, {human_size(sum(f['size'] for f in files.values()))}")
        else:
            self.stdout.write("  media: not included (--no-media)")
        self.stdout.write(f"  app version {manifest['app_version']}, made at {manifest['created_at']}")
