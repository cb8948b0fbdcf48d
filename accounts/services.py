"""Writes about accounts: invitations and roles."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.mail import absolute_url, send_templated_mail
from core.roles import DESK_ROLES, Role, forget_roles

from .models import Invitation, User, hash_token
from .signals import invitation_accepted

if TYPE_CHECKING:
    from members.models import Member


class InvitationError(Exception):
    """The invitation cannot be used; the message says why, in the user's language."""


def ensure_role_groups() -> None:
    """Create the group of every role (idempotent)."""
    for role in Role.values:
        Group.objects.get_or_create(name=role)


def _issue_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(token)
    return token


def send_invitation(
    invitation: Invitation,
    token: str,
    *,
    template: str = "accounts/email/invitation",
    context: dict[str, Any] | None = None,
) -> None:
    """E-mail the invitation's link (`template` and extra `context` for invitations with a text
    of their own, such as an expert's into a network)."""
    link = absolute_url(reverse("accounts:accept_invitation", kwargs={"token": token}))
    send_templated_mail(
        template,
        [invitation.email],
        {
            "invitation": invitation,
            "link": link,
            "valid_days": settings.RAADHUIS_INVITATION_VALID_DAYS,
            **(context or {}),
        },
    )
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["sent_at", "token_hash"])


def desk_roles_on_server_message() -> str:
    return str(
        _(
            "The adviser and counsellor roles open advice cases; they are given on the server only "
            "(manage.py set_desk_roles), not on the site."
        )
    )


@transaction.atomic
def set_desk_roles(*, user: User, roles: Iterable[str]) -> User:
    """Give `user` exactly the desk roles in `roles` (core.roles.DESK_ROLES), keeping their other
    roles. For the server's command line only: no page calls this (docs/SECURITY.md)."""
    wanted = set(roles)
    if not wanted <= DESK_ROLES:
        raise ValidationError(_("Only the adviser and counsellor roles are set here."))
    ensure_role_groups()
    user.groups.remove(*Group.objects.filter(name__in=DESK_ROLES - wanted))
    user.groups.add(*Group.objects.filter(name__in=wanted))
    forget_roles(user)
    return user


@transaction.atomic
def invite(
    *,
    email: str,
    name: str,
    roles: Iterable[str],
    invited_by: User | None,
    member: Member | None = None,
    valid_days: int | None = None,
    send: bool = True,
) -> tuple[Invitation, str]:
    """Create an invitation and e-mail its link (unless `send` is False: the caller sends it with
    `send_invitation`). Returns the invitation and the one-time token.

    Refuses (ValidationError, nothing written) an address that already has an account or a
    pending invitation, unknown roles, and the desk's roles from a person on the site
    (`invited_by`): those are given on the server only (core.roles.DESK_ROLES).
    """
    email = email.strip().lower()
    roles = list(dict.fromkeys(roles))
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise ValidationError(_("Unknown role: %(roles)s") % {"roles": ", ".join(unknown)})
    if invited_by is not None and DESK_ROLES.intersection(roles):
        raise ValidationError({"roles": desk_roles_on_server_message()})
    if not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("An account with this e-mail address already exists.")})
    if Invitation.objects.pending().filter(email__iexact=email).exists():
        raise ValidationError({"email": _("This e-mail address already has an open invitation; resend that one.")})
    ensure_role_groups()
    days = valid_days if valid_days is not None else settings.RAADHUIS_INVITATION_VALID_DAYS
    invitation = Invitation(
        email=email,
        name=name.strip(),
        member=member,
        created_by=invited_by,
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    token = _issue_token(invitation)
    invitation.save()
    invitation.roles.set(Group.objects.filter(name__in=roles))
    if send:
        send_invitation(invitation, token)
    return invitation, token


@transaction.atomic
def resend_invitation(
    *, invitation: Invitation, template: str = "accounts/email/invitation", context: dict[str, Any] | None = None
) -> str:
    """Issue a new link (the old one stops working), extend the validity and e-mail it again."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise InvitationError(_("This invitation has already been accepted."))
    invitation.revoked_at = None
    invitation.expires_at = timezone.now() + datetime.timedelta(days=settings.RAADHUIS_INVITATION_VALID_DAYS)
    token = _issue_token(invitation)
    invitation.save(update_fields=["revoked_at", "expires_at", "token_hash"])
    send_invitation(invitation, token, template=template, context=context)
    return token


@transaction.atomic
def revoke_invitation(*, invitation: Invitation) -> None:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise InvitationError(_("This invitation has already been accepted."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])


def invitation_for_token(token: str) -> Invitation | None:
    return Invitation.objects.filter(token_hash=hash_token(token)).prefetch_related("roles").first()


@transaction.atomic
def accept_invitation(*, token: str, password: str) -> User:
    """Turn an invitation into an account with a verified e-mail address and the invited roles.

    Works exactly once: concurrent or repeated use raises InvitationError and creates nothing.
    An unacceptable password raises ValidationError and leaves the invitation usable.
    """
    invitation = Invitation.objects.select_for_update().filter(token_hash=hash_token(token)).first()
    if invitation is None:
        raise InvitationError(_("This invitation link is not valid."))
    status = invitation.status
    if status == Invitation.Status.ACCEPTED:
        raise InvitationError(_("This invitation has already been used. Log in with your e-mail address."))
    if status == Invitation.Status.REVOKED:
        raise InvitationError(_("This invitation has been withdrawn."))
    if status == Invitation.Status.EXPIRED:
        raise InvitationError(_("This invitation has expired. Ask the association for a new one."))
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationError(_("An account with this e-mail address already exists. Log in instead."))

    user = User(email=invitation.email, name=invitation.name)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    user.groups.set(invitation.roles.all())
    forget_roles(user)
    # Following the link proves the address, so no separate verification mail is needed.
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    if invitation.member_id:
        member = invitation.member
        assert member is not None
        member.user = user
        member.save(update_fields=["user"])
    invitation.accepted_at = timezone.now()
    invitation.user = user
    invitation.save(update_fields=["accepted_at", "user"])
    invitation_accepted.send(sender=Invitation, invitation=invitation, user=user)
    return user
