"""manage.py sync_library NAME... | --all [--queue]: follow sources' changes (library.sync)."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from library import sync
from library.models import SyncSource


class Command(BaseCommand):
    help = (
        "Follow the changes of the library's sources since their stored position: new, changed and "
        "withdrawn records (see docs/IMPORT_ORI.md). Sources are added in the back office."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("names", nargs="*", help="Names of sources (see the back office).")
        parser.add_argument("--all", action="store_true", help="Every source that is synchronised on schedule.")
        parser.add_argument(
            "--queue", action="store_true", help="Queue the work for the task worker (from cron) instead of doing it."
        )
        parser.add_argument("--page-size", type=int, default=sync.PAGE_SIZE)
        parser.add_argument("--max-pages", type=int, default=None, help="Stop after this many pages (resumes later).")
        parser.add_argument(
            "--index-now",
            action="store_true",
            help="Index new documents before the command ends (default: the task worker indexes them).",
        )
        parser.add_argument("--quiet-problems", action="store_true", help="Only count skipped records.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["queue"]:
            from library.tasks import sync_sources

            result = sync_sources.enqueue(options["names"] or None)
            self.stdout.write(f"queued {result.id}")
            return
        if options["all"] == bool(options["names"]):
            raise CommandError(_("Name the sources to synchronise, or give --all."))
        if options["page_size"] < 1:
            raise CommandError(_("--page-size must be at least 1."))
        if options["all"]:
            sources = sync.due_sources()
        else:
            found = {s.name: s for s in SyncSource.objects.filter(name__in=options["names"]).select_related("body")}
            missing = [name for name in options["names"] if name not in found]
            if missing:
                known = ", ".join(SyncSource.objects.values_list("name", flat=True)) or "-"
                raise CommandError(
                    _("Unknown source: %(names)s (known: %(known)s).") % {"names": ", ".join(missing), "known": known}
                )
            sources = [found[name] for name in options["names"]]
        failed = []
        for source in sources:
            if not self._sync(source, options):
                failed.append(source.name)
        if failed:
            raise CommandError(_("Failed: %(names)s.") % {"names": ", ".join(failed)})

    def _sync(self, source: SyncSource, options: dict[str, Any]) -> bool:
        self.stdout.write(_("%(name)s: from %(position)s") % {"name": source.name, "position": _position(source)})
        started = time.monotonic()
        interactive = sys.stdout.isatty()

        def progress(report: sync.RunReport, page: sync.Page) -> None:
            done = report.processed
            rate = done / max(time.monotonic() - started, 0.001)
            counts = _("%(created)s new, %(updated)s changed, %(unchanged)s unchanged, %(withdrawn)s withdrawn") % (
                report.counts
            )
            if report.total:
                percent = min(100, int(done * 100 / report.total))
                where = f"{percent:3d}% {done}/{report.total}"
            else:
                where = _("%(done)s records") % {"done": done}
            line = _("page %(page)s: %(where)s (%(counts)s), %(rate)s/s") % {
                "page": report.pages,
                "where": where,
                "counts": counts,
                "rate": f"{rate:,.0f}",
            }
            self.stdout.write(("\r" + line) if interactive else line, ending="" if interactive else "\n")
            self.stdout.flush()

        try:
            report = sync.run(
                source,
                page_size=options["page_size"],
                max_pages=options["max_pages"],
                index_now=options["index_now"],
                progress=progress,
                stdout=self.stdout,
            )
        except (sync.FeedError, sync.SyncConflict) as error:
            if interactive:
                self.stdout.write("")
            self.stderr.write(
                _("%(name)s: stopped: %(error)s. The pages before it are written; the next run resumes there.")
                % {"name": source.name, "error": error}
            )
            return False
        if interactive:
            self.stdout.write("")
        summary = _(
            "%(name)s: %(created)s new, %(updated)s changed, %(unchanged)s unchanged, %(withdrawn)s withdrawn, "
            "%(absent)s withdrawals of records not in the library, %(skipped)s skipped, %(ignored)s of other "
            "types; %(pages)s pages in %(seconds)s s."
        ) % {
            **report.counts,
            "name": source.name,
            "pages": report.pages,
            "seconds": f"{time.monotonic() - started:.1f}",
        }
        self.stdout.write(self.style.SUCCESS(summary))
        if not report.complete:
            self.stdout.write(_("%(name)s: not at the end yet; the next run continues.") % {"name": source.name})
        if report.problems and not options["quiet_problems"]:
            self.stderr.write(_("Skipped records:"))
            for problem in report.problems:
                self.stderr.write(f"  {problem}")
        return True


def _position(source: SyncSource) -> str:
    if not source.cursor:
        return _("the beginning")
    return ", ".join(f"{key}={value}" for key, value in sorted(source.cursor.items()))
