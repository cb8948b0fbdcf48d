from typing import Any

from django.core.management.base import BaseCommand

from library.tasks import send_search_alerts


class Command(BaseCommand):
    help = "Queue the saved-search alert e-mails that are due (run hourly from cron; the worker sends them)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", action="store_true", help="Do the work in this process instead of queueing it.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            for frequency, sent in send_search_alerts.call().items():
                self.stdout.write(f"{frequency}: {sent}")
        else:
            result = send_search_alerts.enqueue()
            self.stdout.write(f"queued {result.id}")
