"""manage.py import_ori FILE_OR_DIR: import Open Raadsinformatie / Popolo-style records."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from library import importing


class Command(BaseCommand):
    help = "Import ORI/Popolo-style JSON or JSON Lines records into the library (idempotent; see docs/IMPORT_ORI.md)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("paths", nargs="+", help="Files (.json, .jsonl) or directories.")
        parser.add_argument("--batch-size", type=int, default=importing.BATCH_SIZE)
        parser.add_argument("--quiet-problems", action="store_true", help="Only count skipped records.")
        parser.add_argument(
            "--index-now",
            action="store_true",
            help="(Kept for existing scripts: the import always indexes its documents before it ends.)",
        )
        parser.add_argument(
            "--index-workers",
            type=int,
            default=None,
            help="Processes that read, map and analyse the records ahead (default: one per CPU).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = []
        for raw in options["paths"]:
            path = Path(raw)
            if not path.exists():
                raise CommandError(f"{raw} does not exist.")
            paths.extend(importing.files_in(path))
        if not paths:
            raise CommandError("No .json or .jsonl files found.")
        total = importing.count_records(paths)
        started = time.monotonic()
        interactive = sys.stdout.isatty()
        last_shown = [-1]

        def progress(report: importing.Report) -> None:
            done = report.processed
            percent = int(done * 100 / total) if total else 100
            rate = done / max(time.monotonic() - started, 0.001)
            if interactive:
                bar = "#" * (percent // 4) + "." * (25 - percent // 4)
                self.stdout.write(f"\r[{bar}] {percent:3d}% {done}/{total} records, {rate:,.0f}/s", ending="")
                self.stdout.flush()
            elif percent // 10 != last_shown[0]:
                last_shown[0] = percent // 10
                self.stdout.write(f"{percent:3d}% {done}/{total} records, {rate:,.0f}/s")

        importer = importing.Importer(
            progress=progress,
            batch_size=options["batch_size"],
            bulk_index=True,
            index_workers=options["index_workers"],
        )
        report = importer.run(importing.read_items(paths))
        if interactive:
            self.stdout.write("")
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(created)s new, %(updated)s updated, %(unchanged)s unchanged, "
                    "%(skipped)s skipped in %(seconds)s s."
                )
                % {**report.counts(), "seconds": f"{seconds:.1f}"}
            )
        )
        pending = importing.pending_documents().count()
        if pending:
            self.stdout.write(
                _(
                    "%(pending)s documents are being indexed by the task worker (run_worker); they become "
                    "searchable as it goes. Without a worker: manage.py search_index --catch-up."
                )
                % {"pending": pending}
            )
        for warning in report.warnings:
            self.stdout.write(_("note: %(warning)s") % {"warning": warning})
        if report.problems and not options["quiet_problems"]:
            self.stderr.write(_("Skipped records:"))
            for problem in report.problems:
                self.stderr.write(f"  {problem}")
