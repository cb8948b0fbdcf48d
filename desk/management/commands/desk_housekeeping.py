from typing import Any

from django.core.management.base import BaseCommand

from desk.services import overdue, purge_expired


class Command(BaseCommand):
    help = "Delete the content of cases past their retention period; report overdue threat reports (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"purged: {purge_expired()}")
        self.stdout.write(f"overdue threat reports: {overdue().count()}")
