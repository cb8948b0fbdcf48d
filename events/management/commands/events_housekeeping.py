from typing import Any

from django.core.management.base import BaseCommand

from events.services import housekeeping


class Command(BaseCommand):
    help = "Pass on expired seat offers, send due reminders, delete needs 30 days after events (run hourly)."

    def handle(self, *args: Any, **options: Any) -> None:
        for key, value in housekeeping().items():
            self.stdout.write(f"{key}: {value}")
