"""manage.py search_index --catch-up | --rebuild: maintain the library's search index by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from library import search_index


class Command(BaseCommand):
    help = (
        "Bring the library's search index up to date with the database: --catch-up applies the change "
        "log from the index's cursor on; --rebuild empties the index and indexes every shared document."
    )

    def add_arguments(self, parser: Any) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--catch-up", action="store_true", help="Apply the changes the index has not seen.")
        group.add_argument("--rebuild", action="store_true", help="Index every shared document again.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            count = search_index.rebuild()
            self.stdout.write(f"Rebuilt the search index: {count} documents.")
        elif options["catch_up"]:
            count = search_index.apply_changes()
            self.stdout.write(f"Applied {count} changes; the index is at {search_index.cursor()}.")
        else:
            raise CommandError("Give --catch-up or --rebuild.")
