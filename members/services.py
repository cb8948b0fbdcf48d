"""Writes about members: profiles, mandates, messages, privacy (access log, data export, erasure)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms import ModelForm
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.mail import absolute_url, send_templated_mail
from core.permissions import can
from core.roles import STAFF_ROLES, Role

from .models import Block, BranchOfficial, ErasureRequest, ImportBatch, Mandate, Member, Message, PrivateFieldView

MESSAGES_PER_DAY = 20


def log_private_views(*, viewer: Any, shown: Iterable[tuple[Member, list[str]]], path: str) -> None:
    """Record that a staff member saw private fields: one row per member shown. One query."""
    rows = [
        PrivateFieldView(viewer=viewer, member=member, fields=",".join(fields), path=path[:300])
        for member, fields in shown
        if fields
    ]
    if rows:
        PrivateFieldView.objects.bulk_create(rows)


# --- profile and imports -------------------------------------------------------------------------


def update_profile(*, form: ModelForm[Any], by: Any) -> Member:
    """Save a member's own profile from a valid form: only one's own (which implies
    `members.edit_profile`, a member record, so that is not asked separately)."""
    member = form.instance
    if getattr(by, "member", None) != member:
        raise PermissionDenied(_("You can change your own profile only."))
    return form.save()


def discard_import(*, batch: ImportBatch, by: Any) -> ImportBatch:
    """Throw away a checked import that was not applied (`members.import`): no member is written."""
    if not can(by, "members.import"):
        raise PermissionDenied(_("You may not import members."))
    if batch.status != ImportBatch.Status.CHECKED:
        raise ValidationError(_("Only a checked import that was not applied can be discarded."))
    batch.status = ImportBatch.Status.DISCARDED
    batch.save(update_fields=["status"])
    return batch


# --- mandates ------------------------------------------------------------------------------------


@transaction.atomic
def propose_mandate(*, member: Member, submitted_by: User, **fields: Any) -> Mandate:
    """A member adds a mandate to their own profile. It is shown as theirs only after staff
    approved it (anyone could otherwise claim to be a mayor)."""
    mandate = Mandate(member=member, submitted_by=submitted_by, review_status=Mandate.Review.PENDING, **fields)
    mandate.full_clean()
    mandate.save()
    return mandate


@transaction.atomic
def change_own_mandate(
    *, mandate: Mandate, changed_by: User, end_date: datetime.date | None, portfolios: str
) -> Mandate:
    """A member ends a mandate or updates its portfolios: applied at once, flagged for staff review."""
    if end_date is not None and end_date < mandate.start_date:
        raise ValidationError({"end_date": _("The end cannot be before the start.")})
    mandate.end_date = end_date
    mandate.portfolios = portfolios
    if mandate.review_status == Mandate.Review.APPROVED:
        mandate.review_status = Mandate.Review.CHANGED
    mandate.submitted_by = changed_by
    mandate.save()
    return mandate


@transaction.atomic
def review_mandate(*, mandate: Mandate, reviewer: User, approve: bool) -> Mandate:
    mandate.review_status = Mandate.Review.APPROVED if approve else Mandate.Review.REJECTED
    mandate.reviewed_by = reviewer
    mandate.reviewed_at = timezone.now()
    mandate.save(update_fields=["review_status", "reviewed_by", "reviewed_at"])
    return mandate


# --- branch officials ----------------------------------------------------------------------------


def _widens(official: BranchOfficial, previous: BranchOfficial | None) -> bool:
    """Whether saving `official` gives its member more than `previous` (the row as stored) did: a new
    appointment, another member, branch or function, an earlier start or a later (or no) end.
    Ending or shortening an appointment widens nothing."""
    if previous is None:
        return True
    if (official.member_id, official.branch_id, official.function) != (
        previous.member_id,
        previous.branch_id,
        previous.function,
    ):
        return True
    if official.start_date < previous.start_date:
        return True
    if previous.end_date is None:
        return False
    return official.end_date is None or official.end_date > previous.end_date


def check_appointment(*, official: BranchOfficial, by: Any) -> None:
    """No role widens its own access through a field it may write (docs/SECURITY.md): a branch
    official reads the branch's selection applications, which administrators may not see. So the
    back office appoints no official whose account is the acting user's own, nor one that holds a
    staff role or the superuser flag (an administrator may keep a second administrator account).
    The refusal is logged in the audit log on the acting user's account, with whom they tried to
    appoint; nothing else is written. `official` carries the new
    values (its pk, when set, names the row as stored)."""
    previous = BranchOfficial.objects.filter(pk=official.pk).first() if official.pk else None
    if not _widens(official, previous):
        return
    member = Member.objects.select_related("user").get(pk=official.member_id)
    account = member.user
    if account is None:
        return
    if by is not None and account.pk == by.pk:
        reason, message = (
            "own account",
            _("You cannot appoint yourself as an official of a branch; ask another administrator."),
        )
    elif account.is_superuser or account.groups.filter(name__in=STAFF_ROLES).exists():
        reason = "staff account"
        message = _(
            "%(name)s has an account with a staff role; a staff account is not appointed as a branch official."
        ) % {"name": member.full_name}
    else:
        return
    if getattr(by, "pk", None) is not None:
        LogEntry.objects.log_create(
            by,
            force_log=True,
            action=LogEntry.Action.UPDATE,
            actor=by,
            changes={"branch official (refused)": ["", f"{member} — {official.get_function_display()}"]},
            additional_data={
                "refused": "appointment of a branch official",
                "reason": reason,
                "member": member.pk,
                "branch": official.branch_id,
                "function": official.function,
            },
            serialized_data=None,
        )
    raise ValidationError(message)


@transaction.atomic
def save_official(*, official: BranchOfficial, by: Any) -> BranchOfficial:
    """Appoint a branch official, or change an appointment (`members.appoint_officials`), never to
    the acting user's own account or a staff account (check_appointment)."""
    if not can(by, "members.appoint_officials", official.branch):
        raise PermissionDenied(_("You may not appoint branch officials."))
    check_appointment(official=official, by=by)
    official.full_clean()
    official.save()
    return official


@transaction.atomic
def remove_official(*, official: BranchOfficial, by: Any) -> None:
    """Delete an appointment (`members.appoint_officials`); ending it keeps the history instead."""
    if not can(by, "members.appoint_officials", official.branch):
        raise PermissionDenied(_("You may not appoint branch officials."))
    official.delete()


@transaction.atomic
def link_account(*, member: Member, user: User | None) -> Member:
    """Link a member record to an existing account, or unlink it (`user` None): on the server only
    (`manage.py link_member_account`), never in the back office, where an administrator could give
    an account of their own what the record carries (cases, messages, applications, branch functions,
    committee seats; docs/SECURITY.md). Refuses a record already linked to another account (unlink
    it first) and an account that already has a record. The audit log records the change."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if user is not None:
        if member.user_id not in (None, user.pk):
            raise ValidationError(_("This member record is linked to another account; unlink it first."))
        if Member.objects.filter(user=user).exclude(pk=member.pk).exists():
            raise ValidationError(_("This account is already linked to another member record."))
    member.user = user
    member.save(update_fields=["user", "updated_at"])
    return member


# --- messages ------------------------------------------------------------------------------------


def can_message(sender: Member, recipient: Member) -> str | None:
    """None when `sender` may write to `recipient`, else the reason (translated)."""
    if sender.pk == recipient.pk:
        return _("You cannot send a message to yourself.")
    if recipient.status != Member.Status.ACTIVE or recipient.erased_at:
        return _("This member cannot receive messages.")
    if Block.objects.filter(blocker=recipient, blocked=sender).exists():
        return _("This member does not accept messages from you.")
    return None


@transaction.atomic
def send_message(*, sender: Member, recipient: Member, body: str, reveal_sender_email: bool) -> Message:
    """Store the message and e-mail the recipient (if they want e-mail). The e-mail carries the
    text and a link to reply on the platform; the recipient's address is never shown to the
    sender, the sender's only when `reveal_sender_email`. At most MESSAGES_PER_DAY per sender."""
    reason = can_message(sender, recipient)
    if reason:
        raise PermissionDenied(reason)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write a message.")})
    # Lock the sender's row so that concurrent sends cannot pass the daily limit together.
    Member.objects.select_for_update().get(pk=sender.pk)
    since = timezone.now() - datetime.timedelta(days=1)
    if Message.objects.filter(sender=sender, created_at__gte=since).count() >= MESSAGES_PER_DAY:
        raise ValidationError(
            _("You have sent %(limit)d messages in the last 24 hours; try again tomorrow.")
            % {"limit": MESSAGES_PER_DAY}
        )
    message = Message.objects.create(
        sender=sender, recipient=recipient, body=body, reveal_sender_email=reveal_sender_email
    )
    if recipient.notify_messages:
        send_templated_mail(
            "members/email/message",
            [recipient.email],
            {
                "message": message,
                "sender_name": sender.full_name,
                "thread_url": absolute_url(reverse("members:thread", kwargs={"pk": sender.pk})),
                "preferences_url": absolute_url(reverse("members:profile")),
            },
            reply_to=[sender.email] if reveal_sender_email else None,
        )
    return message


def mark_thread_read(*, reader: Member, other: Member) -> None:
    Message.objects.filter(sender=other, recipient=reader, read_at__isnull=True).update(read_at=timezone.now())


def log_message_read(*, message: Message, reader: Any) -> None:
    """Record that `reader` opened a reported message in the back office (auditlog, action
    "access"): a member's message is read by the association only after a report, and every such
    read is on record. The entry names the message, never its text."""
    LogEntry.objects.log_create(
        message,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=reader if getattr(reader, "is_authenticated", False) else None,
        serialized_data=None,
    )


@transaction.atomic
def report_message(*, message: Message, reporter: Member, reason: str) -> None:
    """The recipient reports abuse: administrators are told (not the content by mail) and the
    message is marked for review in the back office."""
    if message.recipient_id != reporter.pk:
        raise PermissionDenied(_("Only the recipient can report a message."))
    message.reported_at = timezone.now()
    message.report_reason = reason.strip()
    message.save(update_fields=["reported_at", "report_reason"])
    administrators = list(
        User.objects.filter(groups__name=Role.ADMINISTRATOR, is_active=True).values_list("email", flat=True)
    )
    if administrators:
        send_templated_mail(
            "members/email/message_reported",
            administrators,
            {"admin_url": absolute_url(reverse("admin:members_message_change", args=[message.pk]))},
        )


@transaction.atomic
def block_member(*, blocker: Member, blocked: Member) -> None:
    if blocker.pk == blocked.pk:
        raise ValidationError(_("You cannot block yourself."))
    Block.objects.get_or_create(blocker=blocker, blocked=blocked)


@transaction.atomic
def unblock_member(*, blocker: Member, blocked: Member) -> None:
    Block.objects.filter(blocker=blocker, blocked=blocked).delete()


# --- privacy: export and erasure ------------------------------------------------------------------


def personal_data(member: Member) -> dict[str, Any]:
    """Everything the platform holds about `member`, for a data export (AVG/GDPR art. 15/20)."""
    from auditlog.models import LogEntry

    from networks.services import personal_data as network_data

    def when(value: Any) -> str | None:
        return value.isoformat() if value else None

    data: dict[str, Any] = {
        "member": {
            "given_name": member.given_name,
            "infix": member.infix,
            "family_name": member.family_name,
            "email": member.email,
            "phone": member.phone,
            "street": member.street,
            "postcode": member.postcode,
            "city": member.city,
            "bio": member.bio,
            "photo": member.photo.name if member.photo else None,
            "topics": [t.name for t in member.topics.all()],
            "status": member.status,
            "member_since": when(member.member_since),
            "member_until": when(member.member_until),
            "branch": member.branch.name if member.branch else None,
            "privacy": {f: getattr(member, f"{f}_visibility") for f in ("email", "phone", "address", "photo", "bio")},
            "notifications": {
                "messages": member.notify_messages,
                "association_news": member.notify_association_news,
            },
        },
        "mandates": [
            {
                "body": m.body.name,
                "body_code": m.body.code,
                "role": m.role,
                "faction": m.faction.name if m.faction else None,
                "portfolios": m.portfolios,
                "start": when(m.start_date),
                "end": when(m.end_date),
                "review": m.review_status,
            }
            for m in member.mandates.select_related("body", "faction").order_by("start_date")
        ],
        "branch_functions": [
            {"branch": f.branch.name, "function": f.function, "start": when(f.start_date), "end": when(f.end_date)}
            for f in member.branch_functions.select_related("branch")
        ],
        "messages_sent": [
            {"to": m.recipient.full_name, "sent": when(m.created_at), "text": m.body}
            for m in member.sent_messages.select_related("recipient")
        ],
        "messages_received": [
            {"from": m.sender.full_name, "sent": when(m.created_at), "text": m.body}
            for m in member.received_messages.select_related("sender")
        ],
        # Networks: memberships, everything the member wrote there (the texts with the names
        # they mentioned), their reports.
        "networks": network_data(member),
        "views_of_private_fields_by_staff": [
            {"viewer": v.viewer.name if v.viewer else None, "fields": v.fields, "at": when(v.viewed_at)}
            for v in PrivateFieldView.objects.filter(member=member).select_related("viewer")
        ],
        "change_history": [
            {"at": when(e.timestamp), "action": e.get_action_display(), "changes": e.changes_dict}
            for e in LogEntry.objects.get_for_object(member).order_by("timestamp")
        ],
    }
    if member.user_id:
        user = member.user
        assert user is not None
        data["account"] = {
            "email": user.email,
            "name": user.name,
            "roles": sorted(user.roles),
            "joined": when(user.date_joined),
            "last_login": when(user.last_login),
            # The API tokens as their owner sees them on the token page (the secrets are not kept).
            "api_tokens": [
                {
                    "name": t.name,
                    "starts_with": t.prefix,
                    "created": when(t.created_at),
                    "last_used": when(t.last_used_at),
                    "expires": when(t.expires_at),
                    "revoked": when(t.revoked_at),
                }
                for t in user.api_tokens.all()
            ],
        }
    return data


@transaction.atomic
def request_erasure(*, member: Member, reason: str) -> ErasureRequest:
    existing = member.erasure_requests.filter(executed_at__isnull=True).first()
    if existing:
        return existing
    request = ErasureRequest.objects.create(member=member, reason=reason.strip())
    administrators = list(
        User.objects.filter(groups__name=Role.ADMINISTRATOR, is_active=True).values_list("email", flat=True)
    )
    if administrators:
        send_templated_mail(
            "members/email/erasure_requested",
            administrators,
            {"admin_url": absolute_url(reverse("admin:members_erasurerequest_change", args=[request.pk]))},
        )
    return request


@transaction.atomic
def erase_member(*, request: ErasureRequest, executed_by: User) -> Member:
    """Anonymise the member: personal data removed, the account closed. Content shared with others
    (messages, later motions, network posts) stays, shown without the name; the audit trail stays."""
    from networks.services import forget_user as forget_network_user

    request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    if request.executed_at:
        raise ValidationError(_("This request has already been executed."))
    member = request.member
    if member.photo:
        member.photo.delete(save=False)
    anonymous_email = f"verwijderd-{member.pk}@invalid.example"
    member.given_name = _("Former")
    member.infix = ""
    member.family_name = _("member")
    member.email = anonymous_email
    member.phone = member.street = member.postcode = member.city = member.bio = ""
    member.status = Member.Status.FORMER
    member.member_until = member.member_until or timezone.localdate()
    member.erased_at = timezone.now()
    member.notify_messages = member.notify_association_news = False
    member.save()
    member.topics.clear()
    Block.objects.filter(blocker=member).delete()
    if member.user_id:
        user = member.user
        assert user is not None
        user.email = f"verwijderd-account-{user.pk}@invalid.example"
        user.name = str(_("Former member"))
        user.is_active = False
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        EmailAddress.objects.filter(user=user).delete()
        # Out of every network; their posts stay, shown as written by a former member.
        forget_network_user(user=user)
        Authenticator.objects.filter(user=user).delete()
        user.api_tokens.all().delete()
        member.user = None
        member.save(update_fields=["user"])
    request.executed_at = timezone.now()
    request.executed_by = executed_by
    request.save(update_fields=["executed_at", "executed_by"])
    return member
