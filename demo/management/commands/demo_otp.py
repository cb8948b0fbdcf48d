from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from core.roles import STAFF_ROLES
from demo.services import DEMO_ACCOUNTS, current_code


class Command(BaseCommand):
    help = "Print the current one-time (TOTP) code of the demo staff accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", nargs="?", help="Only this demo account.")

    def handle(self, *args: Any, **options: Any) -> None:
        seconds_left = 30 - int(timezone.now().timestamp()) % 30
        accounts = [a for a in DEMO_ACCOUNTS if a.role in STAFF_ROLES]
        if options["email"]:
            accounts = [a for a in accounts if a.email == options["email"]]
        for account in accounts:
            self.stdout.write(f"{account.email}: {current_code(account.email)}")
        self.stdout.write(f"(valid for another {seconds_left} s)")
