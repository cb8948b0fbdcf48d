"""manage.py networks_search_index --catch-up | --rebuild: maintain the networks' search index by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from networks import search_index


class Command(BaseCommand):
    help = (
        "Bring the networks' search index up to date with the database: --catch-up applies the change "
        "log; --rebuild empties the index and indexes every visible question, discussion and reply."
    )

    def add_arguments(self, parser: Any) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--catch-up", action="store_true", help="Apply the changes the index has not seen.")
        group.add_argument("--rebuild", action="store_true", help="Index every visible post again.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            count = search_index.rebuild()
            self.stdout.write(f"Rebuilt the networks' search index: {count} posts.")
        elif options["catch_up"]:
            count = search_index.apply_changes()
            self.stdout.write(f"Applied {count} changes; the index is at {search_index.cursor()}.")
        else:
            raise CommandError("Give --catch-up or --rebuild.")
