from typing import Any

from django.core.management.base import BaseCommand

from newsletter.services import housekeeping


class Command(BaseCommand):
    help = (
        "Start scheduled editions that are due, resume sends whose worker died, purge subscriptions "
        "not confirmed within a week (run every few minutes from cron)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for key, value in housekeeping().items():
            self.stdout.write(f"{key}: {value}")
