from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from demo.services import DEMO_ACCOUNTS, current_code, needs_mfa


class Command(BaseCommand):
    help = "Print the current one-time (TOTP) code of the demo accounts that sign in with a second factor."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", nargs="?", help="Only this demo account.")

    def handle(self, *args: Any, **options: Any) -> None:
        seconds_left = 30 - int(timezone.now().timestamp()) % 30
        accounts = [a for a in DEMO_ACCOUNTS if needs_mfa(a)]
        if options["email"]:
            accounts = [a for a in accounts if a.email == options["email"]]
        for account in accounts:
            self.stdout.write(f"{account.email}: {current_code(account.email)}")
        self.stdout.write(f"(valid for another {seconds_left} s)")
