from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo data set (idempotent) and print the demo accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Also when DEBUG is off.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or settings.DEMO_DATA_ALLOWED or options["force"]):
            raise CommandError(
                "Demo accounts have known passwords; refusing without DEBUG or DEMO_DATA_ALLOWED (use --force)."
            )
        counts = load_demo()
        if counts["members"]:
            self.stdout.write(f"Demo: {counts['members']} members, {counts['mandates']} mandates created.")
        else:
            self.stdout.write("Demo data already present; demo accounts refreshed.")
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD})")
        width = max(len(a.email) for a in DEMO_ACCOUNTS)
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.email.ljust(width)}  {account.role}")
        self.stdout.write("Staff accounts ask for a one-time code: run `make otp` (manage.py demo_otp).")
