"""Link a member record to an existing account (or unlink it): on the server only, never in the back
office (docs/SECURITY.md, "No role can widen its own access through a field it may write")."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from members.models import Member
from members.services import link_account


class Command(BaseCommand):
    help = (
        "Link the member record with the given id to the account with the given e-mail address (for an "
        "account made before its member record, such as a staff member who is also a member); with "
        "--unlink, take the record's account away."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("member_id", type=int)
        parser.add_argument("email", nargs="?", default="")
        parser.add_argument("--unlink", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        member = Member.objects.filter(pk=options["member_id"]).first()
        if member is None:
            raise CommandError(f"No member record with id {options['member_id']}.")
        user = None
        if not options["unlink"]:
            user = User.objects.filter(email__iexact=options["email"].strip()).first() if options["email"] else None
            if user is None:
                raise CommandError(f"No account with the e-mail address {options['email'] or '(none given)'}.")
        try:
            link_account(member=member, user=user)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"{member.full_name}: {'linked to ' + user.email if user else 'no account'}.")
