"""Load or update bodies of government. Idempotent: a second run reports no changes.

    manage.py load_bodies                         # the reference files in RAADHUIS_DATA_DIR
    manage.py load_bodies --cbs gemeenten-2026.csv --valid-from 2026-01-01 \\
        --successor GM0001=GM1990                 # next year's CBS list, with a merger
"""

import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.models import Tier
from core.services import (
    ReferenceDataError,
    load_bodies,
    read_cbs_municipality_list,
    read_reference_directory,
)


class Command(BaseCommand):
    help = "Load municipalities, provinces and water boards (reference data or a CBS list)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", type=Path, help="Directory with the reference CSV files.")
        parser.add_argument("--cbs", type=Path, help="A municipality list in the CBS format (code, name, province).")
        parser.add_argument(
            "--valid-from",
            type=datetime.date.fromisoformat,
            help="Date the CBS list takes effect (YYYY-MM-DD); municipalities missing from it end the day before.",
        )
        parser.add_argument(
            "--successor",
            action="append",
            default=[],
            metavar="OLD=NEW",
            help="A merger: the municipality OLD merged into NEW (codes).",
        )
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Delete missing bodies that nothing refers to, instead of ending them.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        successors = {}
        for pair in options["successor"]:
            old, sep, new = pair.partition("=")
            if not sep:
                raise CommandError(f"--successor takes OLD=NEW, not {pair!r}")
            successors[old.strip().upper()] = new.strip().upper()
        try:
            if options["cbs"]:
                if not options["valid_from"]:
                    raise CommandError("--cbs needs --valid-from (the date the list takes effect).")
                records = read_cbs_municipality_list(options["cbs"])
                report = load_bodies(
                    records,
                    valid_from=options["valid_from"],
                    end_missing_tiers=[Tier.MUNICIPAL],
                    successors=successors,
                    prune=options["prune"],
                )
            else:
                data_dir = options["data_dir"] or Path(settings.RAADHUIS_DATA_DIR)
                records = read_reference_directory(data_dir)
                report = load_bodies(records, valid_from=options["valid_from"], successors=successors)
        except ReferenceDataError as exc:
            raise CommandError(str(exc)) from exc
        if options["verbosity"] == 0:
            return
        for line in report.lines():
            self.stdout.write(line)
