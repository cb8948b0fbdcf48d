import json
from typing import Any

from django.core.management.base import BaseCommand

from networks.tasks import housekeeping


class Command(BaseCommand):
    help = (
        "Queue the hourly work of networks (run hourly from cron; the worker does it): tier networks "
        "in line with the mandates, questions without a reply after three days brought to the attention "
        "of members with that expertise and of the advisers, daily and weekly digests that are due."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--now", action="store_true", help="Do the work in this process instead of queueing it.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            self.stdout.write(json.dumps(housekeeping.call(), indent=2))
        else:
            result = housekeeping.enqueue()
            self.stdout.write(f"queued {result.id}")
