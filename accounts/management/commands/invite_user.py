"""Invite someone from the command line, e.g. the first administrator of a new installation."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from accounts.services import invite
from core.mail import absolute_url
from core.roles import Role


class Command(BaseCommand):
    help = "Invite a person by e-mail; prints the invitation link as well."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("name")
        parser.add_argument(
            "--role", action="append", choices=Role.values, required=True, help="A role; repeat for several."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            _invitation, token = invite(
                email=options["email"], name=options["name"], roles=options["role"], invited_by=None
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(absolute_url(reverse("accounts:accept_invitation", kwargs={"token": token})))
