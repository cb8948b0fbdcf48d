"""Give or take the desk's roles (adviser, counsellor): on the server only, never on the site."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from accounts.services import set_desk_roles
from core.roles import DESK_ROLES


class Command(BaseCommand):
    help = (
        "Set the desk roles (adviser, counsellor) of an existing account; the roles named are given, "
        "the other desk role is taken. Without --role both are taken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--role", action="append", choices=sorted(DESK_ROLES), default=[])

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"No account with the e-mail address {options['email']}.")
        try:
            set_desk_roles(user=user, roles=options["role"])
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        roles = ", ".join(sorted(DESK_ROLES & user.roles)) or "none"
        self.stdout.write(f"{user.email}: desk roles now {roles}.")
