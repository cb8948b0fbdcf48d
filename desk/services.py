"""Writes about advice cases. Content is encrypted by the model fields; e-mails only say that
there is news, never what it is."""

from __future__ import annotations

import datetime
import secrets
import statistics
from collections import Counter
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import uploads
from core.crypto import encrypt_bytes
from core.mail import absolute_url, send_templated_mail
from core.roles import Role
from members.models import Mandate, Member

from .models import (
    OPEN_STATUSES,
    THREAT_KINDS,
    Case,
    CaseAccess,
    CaseAttachment,
    CaseMessage,
    Confidentiality,
    Helper,
    IntervisionGroup,
    IntervisionSignup,
    Organisation,
    Referral,
    Status,
)

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Accepted files, recognised by their content (core.uploads), not by their name or by what the
# browser claims; text only from a .txt file whose content is plain text.
ACCEPTED_TYPES = frozenset({uploads.PDF, uploads.PNG, uploads.JPEG, uploads.DOCX})
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _reference() -> str:
    while True:
        reference = "HULP-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
        if not Case.objects.filter(reference=reference).exists():
            return reference


def _content_type(upload: UploadedFile, data: bytes) -> str:
    content_type = uploads.content_type_of(data)
    if content_type in ACCEPTED_TYPES:
        return content_type
    if content_type == uploads.TEXT and (upload.name or "").lower().endswith(".txt"):
        return content_type
    raise ValidationError(_("Upload a PDF, Word document (.docx), photo (JPEG, PNG) or text file."))


def _attach(case: Case, message: CaseMessage | None, files: list[UploadedFile], user: Any) -> None:
    for upload in files:
        data = uploads.read_limited(upload, MAX_ATTACHMENT_BYTES)
        content_type = _content_type(upload, data)
        CaseAttachment.objects.create(
            case=case,
            message=message,
            filename=uploads.safe_name(upload.name or "", content_type, default="bijlage")[:200],
            content_type=content_type,
            size=len(data),
            content=encrypt_bytes(data),
            uploaded_by=user,
        )


def _desk_emails(roles: list[str]) -> list[str]:
    return list(User.objects.filter(groups__name__in=roles, is_active=True).values_list("email", flat=True).distinct())


def _notify(case: Case, template: str, to: list[str], **extra: Any) -> None:
    if not to:
        return
    context = {
        "case": case,
        "reference": case.reference,
        "case_url": absolute_url(reverse("desk:case", kwargs={"reference": case.reference})),
        "queue_url": absolute_url(reverse("desk:queue")),
        **extra,
    }
    # One message per recipient: nobody learns who else was told.
    for address in to:
        send_templated_mail(f"desk/email/{template}", [address], context)


@transaction.atomic
def open_case(
    *,
    requester: Member,
    kind: str,
    subject: str,
    description: str,
    confidentiality: str = Confidentiality.NORMAL,
    for_faction: Any = None,
    for_branch: Any = None,
    files: list[UploadedFile] | None = None,
) -> Case:
    """A member asks the desk a question (or reports a threat). A threat alerts the advisers on
    duty at once and is due within RAADHUIS_THREAT_RESPONSE_HOURS."""
    if not subject.strip() or not description.strip():
        raise ValidationError(_("Describe briefly what it is about."))
    now = timezone.now()
    mandate = (
        Mandate.objects.current()
        .filter(member=requester)
        .select_related("body", "body__province")
        .order_by("start_date")
        .first()
    )
    province = None
    if mandate:
        province = mandate.body if mandate.body.tier == "provincial" else mandate.body.province
    case = Case.objects.create(
        reference=_reference(),
        kind=kind,
        confidentiality=confidentiality,
        requester=requester,
        for_faction=for_faction,
        for_branch=for_branch,
        subject=subject.strip(),
        description=description.strip(),
        tier=mandate.body.tier if mandate else "",
        province=province,
        created_at=now,
        due_by=now + datetime.timedelta(hours=settings.RAADHUIS_THREAT_RESPONSE_HOURS)
        if kind in THREAT_KINDS
        else None,
    )
    _attach(case, None, files or [], requester.user)
    _notify(case, "received", [requester.email])
    if case.is_threat:
        on_duty = list(Helper.objects.filter(on_duty=True, user__is_active=True).values_list("user__email", flat=True))
        _notify(case, "urgent", sorted(set(on_duty + _desk_emails([Role.ADVISER]))))
    else:
        _notify(case, "new", _desk_emails([Role.ADVISER]))
    return case


def log_access(*, case: Case, user: Any, what: str) -> None:
    CaseAccess.objects.create(case=case, user=user if user.is_authenticated else None, what=what[:100])


def _is_requester(case: Case, user: Any) -> bool:
    member = getattr(user, "member", None)
    return member is not None and case.requester_id == member.pk


@transaction.atomic
def add_message(*, case: Case, author: Any, body: str, files: list[UploadedFile] | None = None) -> CaseMessage:
    if case.purged_at:
        raise ValidationError(_("The content of this case has been deleted."))
    if case.status == Status.CLOSED:
        raise ValidationError(_("This case is closed. Ask a new question if you need more help."))
    if not body.strip() and not files:
        raise ValidationError(_("Write a message or add a file."))
    message = CaseMessage.objects.create(case=case, author=author, body=body.strip())
    _attach(case, message, files or [], author)
    if _is_requester(case, author):
        staff = {u.email for u in case.counsellors.all()}
        if case.assigned_to:
            staff.add(case.assigned_to.email)
        if not staff and case.confidentiality == Confidentiality.NORMAL:
            staff.update(_desk_emails([Role.ADVISER]))
        _notify(case, "news_staff", sorted(staff))
    else:
        fields = ["status"]
        if case.first_response_at is None:
            case.first_response_at = timezone.now()
            fields.append("first_response_at")
        if case.status in (Status.NEW, Status.TRIAGED, Status.ASSIGNED):
            case.status = Status.IN_PROGRESS
        case.save(update_fields=fields)
        if case.requester:
            _notify(case, "news", [case.requester.email])
    return message


@transaction.atomic
def triage(*, case: Case, kind: str, confidentiality: str) -> Case:
    case.kind = kind
    case.confidentiality = confidentiality
    if case.status == Status.NEW:
        case.status = Status.TRIAGED
    case.save(update_fields=["kind", "confidentiality", "status"])
    return case


@transaction.atomic
def assign(*, case: Case, user: User) -> Case:
    """Give the case to an adviser or counsellor. A strictly confidential case can only go to a
    counsellor, who is then the only one at the desk who can read it."""
    if not ({Role.ADVISER, Role.COUNSELLOR} & user.roles):
        raise ValidationError(_("Assign the case to an adviser or a counsellor."))
    if case.confidentiality == Confidentiality.STRICT and Role.COUNSELLOR not in user.roles:
        raise ValidationError(_("A strictly confidential case can only be assigned to a counsellor."))
    case.assigned_to = user
    if case.status in (Status.NEW, Status.TRIAGED):
        case.status = Status.ASSIGNED
    case.save(update_fields=["assigned_to", "status"])
    _notify(case, "assigned", [user.email])
    return case


@transaction.atomic
def add_counsellor(*, case: Case, user: User) -> Case:
    if Role.COUNSELLOR not in user.roles and not hasattr(user, "helper"):
        raise ValidationError(_("Only counsellors and coaches can be added to a case."))
    if case.confidentiality == Confidentiality.STRICT:
        raise ValidationError(_("A strictly confidential case has one counsellor: assign it instead."))
    case.counsellors.add(user)
    _notify(case, "assigned", [user.email])
    return case


@transaction.atomic
def refer(*, case: Case, organisation: Organisation, note: str, by: Any) -> Referral:
    referral = Referral.objects.create(case=case, organisation=organisation, note=note.strip(), created_by=by)
    case.status = Status.REFERRED
    if case.first_response_at is None:
        case.first_response_at = timezone.now()
    case.save(update_fields=["status", "first_response_at"])
    if case.requester:
        _notify(case, "news", [case.requester.email])
    return referral


@transaction.atomic
def close(*, case: Case, outcome: str) -> Case:
    case.status = Status.CLOSED
    case.outcome = outcome.strip()
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "outcome", "closed_at"])
    if case.deletion_requested_at:
        purge(case=case)
    elif case.requester:
        _notify(case, "news", [case.requester.email])
    return case


@transaction.atomic
def purge(*, case: Case) -> Case:
    """Delete the content of a case; what remains (kind, dates, tier, province) is anonymous."""
    case.subject = ""
    case.description = ""
    case.outcome = ""
    case.requester = None
    case.for_faction = None
    case.for_branch = None
    case.purged_at = timezone.now()
    case.save()
    case.messages.all().delete()
    case.attachments.all().delete()
    case.referrals.update(note="")
    case.accesses.all().delete()
    return case


@transaction.atomic
def request_deletion(*, case: Case, member: Member) -> Case:
    """The requester asks to delete their case: at once when it is closed, else when it closes."""
    if case.requester_id != member.pk:
        raise PermissionDenied
    if case.status == Status.CLOSED:
        return purge(case=case)
    case.deletion_requested_at = timezone.now()
    case.save(update_fields=["deletion_requested_at"])
    return case


def purge_expired(now: datetime.datetime | None = None) -> int:
    """Delete the content of cases closed longer ago than the retention period."""
    now = now or timezone.now()
    limit = now - datetime.timedelta(days=settings.RAADHUIS_CASE_RETENTION_DAYS)
    count = 0
    for case in Case.objects.filter(status=Status.CLOSED, closed_at__lt=limit, purged_at__isnull=True):
        purge(case=case)
        count += 1
    return count


def suggest_helpers(case: Case, limit: int = 5) -> list[Helper]:
    """Available counsellors and coaches, best match first: same kind of case, same region."""
    helpers = list(Helper.objects.filter(available=True, user__is_active=True).select_related("user", "region"))

    def score(helper: Helper) -> tuple[int, str]:
        points = 0
        if case.kind in (helper.case_kinds or []):
            points += 2
        if case.province_id and helper.region_id == case.province_id:
            points += 1
        return (-points, helper.user.name)

    return sorted(helpers, key=score)[:limit]


# --- statistics --------------------------------------------------------------------------------------

SMALL_CELL = 5


def statistics_overview(*, since: datetime.date | None = None) -> dict[str, Any]:
    """Counts of cases per kind, month, tier and province, and time to first response. A count
    below 5 is shown as "< 5" (None), so that no one can be recognised from a small number."""
    cases = Case.objects.all()
    if since:
        cases = cases.filter(created_at__date__gte=since)
    rows = list(cases.values_list("kind", "created_at", "tier", "province__name", "first_response_at"))

    def table(values: list[Any]) -> list[tuple[Any, int | None]]:
        counts = Counter(values)
        return sorted(((key, n if n >= SMALL_CELL else None) for key, n in counts.items()), key=lambda kv: str(kv[0]))

    response_hours = [(first - created).total_seconds() / 3600 for _kind, created, _t, _p, first in rows if first]
    return {
        "total": len(rows),
        "by_kind": table([kind for kind, *_rest in rows]),
        "by_month": table([timezone.localtime(created).strftime("%Y-%m") for _k, created, *_rest in rows]),
        "by_tier": table([tier or "" for _k, _c, tier, *_rest in rows]),
        "by_province": table([province or "" for _k, _c, _t, province, _f in rows]),
        "median_response_hours": statistics.median(response_hours) if len(response_hours) >= SMALL_CELL else None,
        "open": cases.filter(status__in=OPEN_STATUSES).count(),
    }


# --- intervision ---------------------------------------------------------------------------------------


@transaction.atomic
def sign_up_for_intervision(*, member: Member, tier: str, topics: list[Any], note: str) -> IntervisionSignup:
    signup, _created = IntervisionSignup.objects.update_or_create(
        member=member, defaults={"tier": tier, "note": note.strip()}
    )
    signup.topics.set(topics)
    return signup


@transaction.atomic
def form_group(*, name: str, signups: list[IntervisionSignup], facilitator: Any) -> IntervisionGroup:
    if len(signups) < 2:
        raise ValidationError(_("A group needs at least two members."))
    group = IntervisionGroup.objects.create(name=name.strip(), facilitator=facilitator)
    IntervisionSignup.objects.filter(pk__in=[s.pk for s in signups]).update(group=group)
    for signup in signups:
        _notify_member_group(signup.member, group)
    return group


def _notify_member_group(member: Member, group: IntervisionGroup) -> None:
    send_templated_mail("desk/email/intervision_group", [member.email], {"group": group, "member": member})


def overdue(now: datetime.datetime | None = None) -> Any:
    return Case.objects.overdue(now).order_by("due_by")
