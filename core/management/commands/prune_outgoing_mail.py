"""Delete stored mails (core.models.OutgoingMail) older than --min-age-days: mails whose sending
failed and was not re-run. Sent mails are deleted by the worker at once; this only bounds how long a
failed one's (encrypted) text stays."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from core.models import OutgoingMail


class Command(BaseCommand):
    help = "Delete stored mails that were not sent within --min-age-days (failed sends)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--min-age-days", type=int, default=14)

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = timezone.now() - datetime.timedelta(days=options["min_age_days"])
        deleted, _ = OutgoingMail.objects.filter(created_at__lt=cutoff).delete()
        if options["verbosity"] > 1:
            self.stdout.write(f"{deleted} stored mails deleted")
