"""Inviting many members at once, in the worker, with progress and a report of failures."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Invitation, User
from accounts.services import invite
from core.permissions import can
from core.roles import Role

from .models import InvitationRun, Member


def members_to_invite() -> QuerySet[Member]:
    """Active members without an account and without an open invitation."""
    open_invitation = Invitation.objects.pending().filter(email__iexact=OuterRef("email"))
    account = User.objects.filter(email__iexact=OuterRef("email"))
    return (
        Member.objects.active()
        .filter(user__isnull=True, erased_at__isnull=True)
        .exclude(Exists(open_invitation))
        .exclude(Exists(account))
        .order_by("sort_name")
    )


@transaction.atomic
def start_run(*, member_ids: list[int], started_by: Any) -> InvitationRun:
    """Invite the chosen members in the worker (`members.invite`). Only members who are still to be
    invited (members_to_invite: active, no account, no open invitation) are taken; the rest of
    `member_ids` is left out."""
    if not can(started_by, "members.invite"):
        raise PermissionDenied(_("You may not invite members."))
    chosen = sorted(set(members_to_invite().filter(pk__in=member_ids).values_list("pk", flat=True)))
    if not chosen:
        raise ValidationError(_("Choose at least one member to invite."))
    run = InvitationRun.objects.create(started_by=started_by, member_ids=chosen)
    from .tasks import run_invitations

    transaction.on_commit(lambda: run_invitations.enqueue(run.pk))
    return run


def process_run(run_id: int) -> None:
    """Invite each member of the run; a failure is recorded and the run goes on. Progress is saved
    after every member so the page can show it. Safe to call again: done members are skipped."""
    run = InvitationRun.objects.select_related("started_by").get(pk=run_id)
    # The worker acts for whoever started the run: if they may no longer invite (their role was
    # taken since), nobody is invited. A run without a starter was made on the server.
    allowed = run.started_by is None or can(run.started_by, "members.invite")
    for member_id in run.member_ids[run.done :]:
        member = Member.objects.filter(pk=member_id).first()
        try:
            if not allowed:
                raise ValidationError(_("Whoever started these invitations may no longer invite members."))
            if member is None:
                raise ValidationError(_("The member no longer exists."))
            if not members_to_invite().filter(pk=member.pk).exists():
                raise ValidationError(_("This member has an account or an open invitation, or is no longer active."))
            invite(
                email=member.email, name=member.full_name, roles=[Role.MEMBER], invited_by=run.started_by, member=member
            )
        except ValidationError as error:
            run.failures.append(
                {"member": member.full_name if member else str(member_id), "error": " ".join(error.messages)}
            )
        else:
            run.sent += 1
        run.done += 1
        run.save(update_fields=["done", "sent", "failures"])
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at"])
