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
from django.db.models import Q
from django.forms import ModelForm
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import uploads
from core.crypto import encrypt_bytes
from core.mail import absolute_url, send_templated_mail
from core.permissions import can
from core.roles import Role
from members.models import Mandate, Member

from . import rules
from .models import (
    OPEN_STATUSES,
    THREAT_KINDS,
    Case,
    CaseAccess,
    CaseAttachment,
    CaseMessage,
    Confidentiality,
    ConfidentialityChange,
    ConfidentialityConsent,
    Helper,
    IntervisionGroup,
    IntervisionSignup,
    Kind,
    Organisation,
    Referral,
    Status,
    level_rank,
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
    if rules.is_requester(author, case):
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


class LevelRefused(PermissionDenied):
    """A change of confidentiality that the person may not make; the message says why."""


def _lock(case: Case) -> Case:
    """Re-read the case's row under a lock: a decision about its level is taken on what is
    stored, not on what a form saw."""
    case.refresh_from_db(from_queryset=Case.objects.select_for_update())
    rules.forget_counsellors(case)
    return case


def _apply_level(
    *, case: Case, level: str, by: Any, consent: ConfidentialityConsent | None = None
) -> ConfidentialityChange | None:
    previous = case.confidentiality
    if previous == level:
        return None
    case.confidentiality = level
    case.save(update_fields=["confidentiality"])
    change = ConfidentialityChange.objects.create(
        case=case, changed_by=by, from_level=previous, to_level=level, consent=consent
    )
    if consent is not None:
        consent.used_at = change.changed_at
        consent.save(update_fields=["used_at"])
    # Any other open consent loses its meaning once the level changed.
    others = case.level_consents.filter(used_at__isnull=True, withdrawn_at__isnull=True)
    if consent is not None:
        others = others.exclude(pk=consent.pk)
    others.update(withdrawn_at=change.changed_at)
    if case.requester:
        level_url = absolute_url(reverse("desk:confidentiality", kwargs={"reference": case.reference}))
        _notify(case, "level_changed", [case.requester.email], level_url=level_url)
    return change


def _refuse_level(case: Case, level: str) -> LevelRefused:
    if level_rank(level) < level_rank(case.confidentiality):
        return LevelRefused(
            _(
                "You may not lower the confidentiality of this case. Only the requester can, from their "
                "own case page, or its counsellor with the requester's consent."
            )
        )
    return LevelRefused(_("You may not choose this level of confidentiality for this case."))


@transaction.atomic
def change_level_as_requester(*, case: Case, level: str, by: Any) -> ConfidentialityChange | None:
    """The requester chooses who may read their case: any level, up or down. Recorded in the
    case's trail; the requester is told by e-mail (so a change they did not make is noticed)."""
    case = _lock(case)
    if level not in Confidentiality.values or level not in rules.levels_for_requester(by, case):
        raise _refuse_level(case, level) if level in Confidentiality.values else LevelRefused(_("Unknown level."))
    return _apply_level(case=case, level=level, by=by)


@transaction.atomic
def triage(*, case: Case, by: Any, kind: str | None = None, confidentiality: str | None = None) -> Case:
    """The desk sorts a case: its kind (only who may know it, `desk.set_kind`) and its level, which
    only goes up (`desk.rules.levels_at_triage`); the assigned counsellor of a strictly
    confidential case may lower it as far as the requester consented to. A refused change
    raises LevelRefused and changes nothing. Only the desk triages (`desk.triage`)."""
    if not can(by, "desk.triage"):
        raise PermissionDenied(_("You may not do this."))
    case = _lock(case)
    if confidentiality is not None and confidentiality != case.confidentiality:
        if confidentiality not in Confidentiality.values:
            raise LevelRefused(_("Unknown level."))
        if confidentiality not in rules.levels_at_triage(by, case):
            raise _refuse_level(case, confidentiality)
    if kind is not None and kind != case.kind:
        if kind not in Kind.values:
            raise ValidationError(_("Unknown kind."))
        if not can(by, "desk.set_kind", case):
            raise PermissionDenied(_("You may not change what this case is about."))
    fields = []
    if kind is not None and kind != case.kind:
        case.kind = kind
        fields.append("kind")
    if case.status == Status.NEW:
        case.status = Status.TRIAGED
        fields.append("status")
    if fields:
        case.save(update_fields=fields)
    if confidentiality is not None and confidentiality != case.confidentiality:
        lowering = level_rank(confidentiality) < level_rank(case.confidentiality)
        consent = rules.open_consent(case, by) if lowering else None
        _apply_level(case=case, level=confidentiality, by=by, consent=consent)
    return case


@transaction.atomic
def give_consent(*, case: Case, level: str, by: Any) -> ConfidentialityConsent:
    """The requester of a strictly confidential case allows its assigned counsellor to lower the
    level, at most down to `level`. Replaces an earlier open consent."""
    case = _lock(case)
    if not rules.is_requester(by, case):
        raise PermissionDenied(_("Only the requester can give this consent."))
    if case.confidentiality != Confidentiality.STRICT:
        raise ValidationError(_("Only a strictly confidential case needs your consent to be lowered."))
    if case.assigned_to is None or Role.COUNSELLOR not in case.assigned_to.roles:
        raise ValidationError(_("Your case has no counsellor yet."))
    if level not in Confidentiality.values or level_rank(level) >= level_rank(case.confidentiality):
        raise ValidationError(_("Choose a lower level."))
    now = timezone.now()
    case.level_consents.filter(used_at__isnull=True, withdrawn_at__isnull=True).update(withdrawn_at=now)
    return ConfidentialityConsent.objects.create(
        case=case, level=level, counsellor=case.assigned_to, given_by=by, given_at=now
    )


@transaction.atomic
def withdraw_consent(*, case: Case, by: Any) -> int:
    if not rules.is_requester(by, case):
        raise PermissionDenied(_("Only the requester can withdraw this consent."))
    return case.level_consents.filter(used_at__isnull=True, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )


def desk_readers(case: Case, level: str) -> list[User]:
    """The people at the desk who would read `case` at `level` (the requester always does),
    decided by the one rule (desk.rules.reads_at_level): what the requester is shown before they
    choose a level."""
    candidates = (
        User.objects.filter(
            Q(groups__name__in=[Role.ADVISER, Role.COUNSELLOR]) | Q(pk=case.assigned_to_id) | Q(counselled_cases=case),
            is_active=True,
        )
        .distinct()
        .select_related("member")
        .prefetch_related("groups")
        .order_by("name")
    )
    readers = []
    for user in candidates:
        # The roles from the prefetched groups (core.roles.roles_of reads this cache).
        setattr(user, "_raadhuis_roles", frozenset(group.name for group in user.groups.all()))  # noqa: B010
        if not rules.is_requester(user, case) and rules.reads_at_level(user, case, level):
            readers.append(user)
    return readers


def _not_to_oneself(case: Case, user: User, by: Any) -> None:
    """No role widens its own access through a field it may write: whoever may not read a case that
    is someone else's cannot give it (or a seat on it) to themselves. Taking up a new, unassigned
    case is the desk's work and stays allowed."""
    if by is None or by.pk != user.pk or case.assigned_to_id in (None, by.pk) or rules.may_read_content(by, case):
        return
    raise ValidationError(
        _("You cannot give yourself a case you may not read; its adviser or a colleague can hand it to you.")
    )


@transaction.atomic
def assign(*, case: Case, user: User, by: Any = None) -> Case:
    """Give the case to an adviser or counsellor. A strictly confidential case can only go to a
    counsellor, who is then the only one at the desk who can read it. `by`, the person doing it,
    cannot take a case they may not read from someone else (_not_to_oneself)."""
    _not_to_oneself(case, user, by)
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
def add_counsellor(*, case: Case, user: User, by: Any = None) -> Case:
    _not_to_oneself(case, user, by)
    if Role.COUNSELLOR not in user.roles and not hasattr(user, "helper"):
        raise ValidationError(_("Only counsellors and coaches can be added to a case."))
    if case.confidentiality == Confidentiality.STRICT:
        raise ValidationError(_("A strictly confidential case has one counsellor: assign it instead."))
    case.counsellors.add(user)
    rules.forget_counsellors(case)
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


def suggest_helpers(case: Case, limit: int = 5, *, by_kind: bool = True) -> list[Helper]:
    """Available counsellors and coaches, best match first: same kind of case, same region.
    Without `by_kind` (for someone who may not know what the case is about) the order says
    nothing about its kind."""
    helpers = list(Helper.objects.filter(available=True, user__is_active=True).select_related("user", "region"))

    def score(helper: Helper) -> tuple[int, str]:
        points = 0
        if by_kind and case.kind in (helper.case_kinds or []):
            points += 2
        if case.province_id and helper.region_id == case.province_id:
            points += 1
        return (-points, helper.user.name)

    return sorted(helpers, key=score)[:limit]


# --- directory -----------------------------------------------------------------------------------------


def add_organisation(*, form: ModelForm[Any], by: Any) -> Organisation:
    """Add an address to the referral directory from a valid form (`desk.manage_directory`)."""
    if not can(by, "desk.manage_directory"):
        raise PermissionDenied(_("You may not change the desk's directory."))
    return form.save()


def set_own_availability(*, user: Any, available: bool, on_duty: bool) -> Helper:
    """A counsellor or coach says whether they take new cases and whether they are on duty; only
    their own entry (`desk.manage_directory`)."""
    if not can(user, "desk.manage_directory"):
        raise PermissionDenied(_("You may not change the desk's directory."))
    helper = Helper.objects.filter(user=user).first()
    if helper is None:
        raise PermissionDenied(_("You are not in the desk's list of counsellors and coaches."))
    helper.available, helper.on_duty = available, on_duty
    helper.save(update_fields=["available", "on_duty"])
    return helper


# --- statistics --------------------------------------------------------------------------------------

SMALL_CELL = 5


def statistics_overview(*, since: datetime.date | None = None) -> dict[str, Any]:
    """Counts of cases per kind, month, tier and province, and time to first response. A count
    below 5 is shown as "< 5" (None), so that no one can be recognised from a small number.
    Strictly confidential cases are counted (in the total, the open cases and on their own line)
    but never broken down: their kind, month, tier, province and response time stay out."""
    cases = Case.objects.all()
    if since:
        cases = cases.filter(created_at__date__gte=since)
    detailed = cases.exclude(confidentiality=Confidentiality.STRICT)
    rows = list(detailed.values_list("kind", "created_at", "tier", "province__name", "first_response_at"))
    strict = cases.filter(confidentiality=Confidentiality.STRICT).count()

    def table(values: list[Any]) -> list[tuple[Any, int | None]]:
        counts = Counter(values)
        return sorted(((key, n if n >= SMALL_CELL else None) for key, n in counts.items()), key=lambda kv: str(kv[0]))

    response_hours = [(first - created).total_seconds() / 3600 for _kind, created, _t, _p, first in rows if first]
    return {
        "total": len(rows) + strict,
        "strict": strict if strict >= SMALL_CELL or strict == 0 else None,
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
