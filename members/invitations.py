"""Inviting many members at once, in the worker, with progress and a report of failures."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Invitation, User
from accounts.services import invite
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
    if not member_ids:
        raise ValidationError(_("Choose at least one member to invite."))
    run = InvitationRun.objects.create(started_by=started_by, member_ids=sorted(set(member_ids)))
    from .tasks import run_invitations

    transaction.on_commit(lambda: run_invitations.enqueue(run.pk))
    return run


def process_run(run_id: int) -> None:
    """Invite each member of the run; a failure is recorded and the run goes on. Progress is saved
    after every member so the page can show it. Safe to call again: done members are skipped."""
    run = InvitationRun.objects.get(pk=run_id)
    for member_id in run.member_ids[run.done :]:
        member = Member.objects.filter(pk=member_id).first()
        try:
            if member is None:
                raise ValidationError(_("The member no longer exists."))
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
