from typing import Any

from django.core.management.base import BaseCommand

from selection.services import apply_retention


class Command(BaseCommand):
    help = (
        "Tell applicants who were not placed that their data will be deleted, and delete it when the "
        "procedure's retention period has passed (run daily)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = apply_retention()
        self.stdout.write(f"notified: {result.notified}")
        self.stdout.write(f"deleted: {result.deleted}")
