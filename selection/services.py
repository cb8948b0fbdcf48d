"""Writes in selection procedures: opening and setting up a procedure, the call, applications,
conflicts of interest, scores, interviews, the advice, status e-mails and retention.

Every write checks the state it needs (scoring stops once the advice is final, applications only
while the call is open) and who does it (only the branch's chair or secretary opens a procedure, only
a committee member without a conflict scores); views check permission first with
core.permissions.can. E-mails go through core.mail (rendered now, sent by the worker after commit)
and never carry the content of an application.
"""

from __future__ import annotations

import datetime
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import User, hash_token
from core.crypto import encrypt_bytes
from core.mail import absolute_url, send_rendered_mail, send_templated_mail
from core.models import Association, Body, Tier
from core.roles import Role
from library.extract import ExtractionError, extract
from members.models import Branch, BranchOfficial, Member, Topic

from .models import (
    INTEGRITY_QUESTIONS,
    Advice,
    AdvicePlace,
    Application,
    ApplicationAccess,
    CommitteeMember,
    ConflictDeclaration,
    Criterion,
    CurriculumVitae,
    Interview,
    Score,
    SelectionProcedure,
    StatusMailKind,
    StatusMailTemplate,
)
from .selectors import RUNNING_FUNCTIONS, forget_involvement, involvement

Status = SelectionProcedure.Status
AppStatus = Application.Status
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MINIMUM_AGE = 18
# Applications in these states are still in the running.
ACTIVE_STATUSES = (AppStatus.SUBMITTED, AppStatus.INVITED, AppStatus.INTERVIEWED)
# Statuses a chair or secretary may set by hand; "placed" comes only from the final advice.
MANUAL_STATUSES = (AppStatus.SUBMITTED, AppStatus.INVITED, AppStatus.INTERVIEWED, AppStatus.NOT_SELECTED)
PLACEHOLDERS = ("name", "procedure", "branch", "status_link")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


# --- helpers -----------------------------------------------------------------------------------------


def _now() -> datetime.datetime:
    return timezone.now()


def _reference() -> str:
    while True:
        reference = "KAND-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
        if not Application.objects.filter(reference=reference).exists():
            return reference


def email_digest(email: str) -> str:
    return salted_hmac("selection.application.email", email.strip().lower(), algorithm="sha256").hexdigest()


def application_for_token(token: str) -> Application | None:
    if not token or len(token) > 100:
        return None
    return (
        Application.objects.select_related("procedure", "procedure__branch")
        .filter(token_hash=hash_token(token))
        .first()
    )


def _date(value: datetime.date | None) -> str:
    return formats.date_format(value, "j F Y") if value else ""


def _officials_emails(procedure: SelectionProcedure) -> list[str]:
    today = timezone.localdate()
    return list(
        BranchOfficial.objects.filter(branch=procedure.branch, function__in=RUNNING_FUNCTIONS, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .values_list("member__email", flat=True)
    )


def _chair_email(procedure: SelectionProcedure) -> list[str]:
    return list(
        procedure.committee.filter(role=CommitteeMember.CommitteeRole.CHAIR).values_list("member__email", flat=True)
    )


def _mail_each(template: str, addresses: Sequence[str], context: dict[str, Any]) -> None:
    """One message per address: nobody learns who else was told."""
    for address in sorted({a.strip().lower() for a in addresses if a}):
        send_templated_mail(template, [address], context)


def _committee_of(procedure: SelectionProcedure, user: Any) -> CommitteeMember | None:
    return (
        CommitteeMember.objects.filter(procedure=procedure, member__user=user).select_related("member").first()
        if user is not None and user.is_authenticated
        else None
    )


def _lock(procedure_id: int) -> SelectionProcedure:
    """The procedure's row, locked until the transaction ends. Every change to the committee's
    work on one procedure (scores, conflicts, statuses, interviews, the advice, status e-mails,
    withdrawals) takes this lock first and re-reads what it decides on, so nothing changes behind
    a final advice and nothing is sent twice."""
    return SelectionProcedure.objects.select_for_update().get(pk=procedure_id)


def _reread(application: Application) -> None:
    application.refresh_from_db(fields=["status", "status_changed_at", "mailed_status"])


def _advice_is_final(procedure: SelectionProcedure) -> bool:
    return Advice.objects.filter(procedure=procedure, finalised_at__isnull=False).exists()


# --- the procedure -----------------------------------------------------------------------------------


@dataclass
class ProcedureData:
    """What the branch fills in for a procedure (the set-up form's cleaned data)."""

    title: str
    election: str
    election_date: datetime.date
    body: Body
    call_opens: datetime.date
    applications_close: datetime.date
    profile: str = ""
    interviews_from: datetime.date | None = None
    interviews_until: datetime.date | None = None
    advice_due: datetime.date | None = None
    members_meeting: datetime.date | None = None
    retention_months: int | None = None


def body_in_branch_area(branch: Branch, body: Body) -> bool:
    """A local branch recruits for its municipalities; a regional branch (gewest) for its province,
    the municipalities in it and the water boards that lie (partly) in it."""
    if branch.kind == Branch.Kind.LOCAL:
        return branch.municipalities.filter(pk=body.pk).exists()
    if branch.province_id is None:
        return False
    if body.tier == Tier.PROVINCIAL:
        return body.pk == branch.province_id
    if body.tier == Tier.MUNICIPAL:
        return body.province_id == branch.province_id
    if body.tier == Tier.WATER_BOARD:
        return body.provinces.filter(pk=branch.province_id).exists()
    return False


def bodies_for_branches(branches: Sequence[Branch]) -> list[Body]:
    """The bodies the given branches can recruit for, provinces first."""
    condition = Q(pk__in=[])
    for branch in branches:
        if branch.kind == Branch.Kind.LOCAL:
            condition |= Q(pk__in=branch.municipalities.values("pk"))
        elif branch.province_id:
            condition |= Q(pk=branch.province_id) | Q(province_id=branch.province_id)
            condition |= Q(tier=Tier.WATER_BOARD, provinces=branch.province_id)
    return list(Body.objects.current().filter(condition).distinct().order_by("tier", "search_name"))


def _validate_procedure(data: ProcedureData) -> None:
    errors: dict[str, list[str]] = {}

    def error(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not data.title.strip():
        error("title", _("Give the procedure a title."))
    if data.election != data.body.tier:
        error("body", _("Choose a body that is elected in this election."))
    if data.applications_close < data.call_opens:
        error("applications_close", _("Applications cannot close before the call opens."))
    if data.applications_close >= data.election_date:
        error("applications_close", _("Applications must close before election day."))
    if data.interviews_from and data.interviews_until and data.interviews_until < data.interviews_from:
        error("interviews_until", _("The interviews cannot end before they begin."))
    if data.interviews_from and data.interviews_from < data.call_opens:
        error("interviews_from", _("The interviews cannot begin before the call opens."))
    if data.members_meeting and data.members_meeting > data.election_date:
        error("members_meeting", _("The members' meeting has to be before election day."))
    if data.advice_due and data.members_meeting and data.advice_due > data.members_meeting:
        error("advice_due", _("The advice is due before the members' meeting."))
    if data.retention_months is not None and not 1 <= data.retention_months <= 24:
        error("retention_months", _("Keep the data between 1 and 24 months."))
    if errors:
        raise ValidationError(errors)


def _unique_slug(title: str, year: int) -> str:
    base = slugify(f"{title} {year}" if str(year) not in title else title)[:100] or "procedure"
    slug, n = base, 2
    while SelectionProcedure.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# Criteria a new procedure starts with (the branch changes them to fit its profile).
DEFAULT_CRITERIA = [
    (
        gettext_noop("Motivation and connection with the party"),
        gettext_noop("Why this person, why now, and how they carry our ideas."),
    ),
    (
        gettext_noop("Knowledge of the body and its issues"),
        gettext_noop("Knows how the council works and what matters in the area."),
    ),
    (
        gettext_noop("Communication and debate"),
        gettext_noop("Explains clearly, listens, and holds their own in a debate."),
    ),
    (
        gettext_noop("Integrity and resilience"),
        gettext_noop("Acts with integrity and can handle pressure, criticism and threats."),
    ),
    (gettext_noop("Team player"), gettext_noop("Works well in a faction and with the party's members.")),
]


def default_mail_texts() -> dict[str, tuple[str, str]]:
    """The status e-mails a procedure starts with, in Dutch (the applicants' language)."""
    with translation.override(settings.LANGUAGE_CODE):
        return {
            StatusMailKind.INVITED: (
                _("Invitation for an interview: {procedure}"),
                _(
                    "Dear {name},\n\nThank you for your application for {procedure}. The selection committee "
                    "would like to get to know you in an interview. We will contact you shortly to plan it.\n\n"
                    "You can follow your application here: {status_link}\n\nKind regards,\n"
                    "The selection committee of {branch}"
                ),
            ),
            StatusMailKind.NOT_SELECTED: (
                _("Your application for {procedure}"),
                _(
                    "Dear {name},\n\nThank you for your application and for the time you gave it. After careful "
                    "consideration the selection committee has decided not to put you forward for the candidate "
                    "list this time. We know this is disappointing, and we would gladly stay in touch: there is "
                    "a lot to do for the party besides a place on the list.\n\nYour application data will be "
                    "deleted some months after the procedure has ended; you will get a notice beforehand.\n\n"
                    "Your application: {status_link}\n\nKind regards,\nThe selection committee of {branch}"
                ),
            ),
            StatusMailKind.PLACED: (
                _("You are on the advised candidate list: {procedure}"),
                _(
                    "Dear {name},\n\nCongratulations! The selection committee advises the members' meeting to "
                    "place you on the candidate list for {procedure}. The members' meeting decides on the "
                    "final list; we will let you know its decision.\n\nYour application: {status_link}\n\n"
                    "Kind regards,\nThe selection committee of {branch}"
                ),
            ),
        }


@transaction.atomic
def open_procedure(*, user: User, branch: Branch, data: ProcedureData) -> SelectionProcedure:
    """A branch's chair or secretary opens a procedure (as a draft) for an election in a body of
    the branch's area. It starts with default criteria and status e-mails, both editable."""
    if branch.pk not in involvement(user).official_branches:
        raise PermissionDenied
    _validate_procedure(data)
    if not body_in_branch_area(branch, data.body):
        raise ValidationError({"body": [_("This body is not in the area of %(branch)s.") % {"branch": branch.name}]})
    procedure = SelectionProcedure.objects.create(
        branch=branch,
        election=data.election,
        election_date=data.election_date,
        body=data.body,
        title=data.title.strip(),
        slug=_unique_slug(data.title, data.election_date.year),
        profile=data.profile.strip(),
        call_opens=data.call_opens,
        applications_close=data.applications_close,
        interviews_from=data.interviews_from,
        interviews_until=data.interviews_until,
        advice_due=data.advice_due,
        members_meeting=data.members_meeting,
        retention_months=data.retention_months or settings.RAADHUIS_SELECTION_RETENTION_MONTHS,
        created_by=user,
    )
    with translation.override(settings.LANGUAGE_CODE):
        Criterion.objects.bulk_create(
            [
                Criterion(procedure=procedure, name=_(name), description=_(description), order=index)
                for index, (name, description) in enumerate(DEFAULT_CRITERIA, start=1)
            ]
        )
    StatusMailTemplate.objects.bulk_create(
        [
            StatusMailTemplate(procedure=procedure, kind=kind, subject=subject, body=body)
            for kind, (subject, body) in default_mail_texts().items()
        ]
    )
    forget_involvement(user)
    return procedure


@transaction.atomic
def update_procedure(*, procedure: SelectionProcedure, data: ProcedureData) -> SelectionProcedure:
    """Change the set-up: title, profile, timeline, retention. The election and body stay as they
    were opened once applications have come in."""
    if procedure.status == Status.FINISHED:
        raise ValidationError(_("This procedure has finished and can no longer be changed."))
    _validate_procedure(data)
    if (data.body.pk != procedure.body_id or data.election != procedure.election) and (
        procedure.applications.exists() or not body_in_branch_area(procedure.branch, data.body)
    ):
        raise ValidationError({"body": [_("The body can no longer be changed.")]})
    procedure.title = data.title.strip()
    procedure.election = data.election
    procedure.election_date = data.election_date
    procedure.body = data.body
    procedure.profile = data.profile.strip()
    procedure.call_opens = data.call_opens
    procedure.applications_close = data.applications_close
    procedure.interviews_from = data.interviews_from
    procedure.interviews_until = data.interviews_until
    procedure.advice_due = data.advice_due
    procedure.members_meeting = data.members_meeting
    if data.retention_months:
        procedure.retention_months = data.retention_months
    procedure.save()
    return procedure


@dataclass
class CriterionData:
    name: str
    description: str = ""
    weight: int = 1
    pk: int | None = None
    delete: bool = False


@transaction.atomic
def save_criteria(*, procedure: SelectionProcedure, criteria: Sequence[CriterionData]) -> list[Criterion]:
    """Replace the procedure's criteria in the given order. A criterion that has scores cannot be
    deleted; nothing changes once the advice is final."""
    if _advice_is_final(procedure):
        raise ValidationError(_("The advice is final: the criteria can no longer be changed."))
    existing = {c.pk: c for c in procedure.criteria.all()}
    kept: list[Criterion] = []
    for data in criteria:
        criterion = existing.get(data.pk) if data.pk else None
        if data.pk and criterion is None:
            raise ValidationError(_("Unknown criterion."))
        if data.delete:
            if criterion is not None:
                if criterion.scores.exists():
                    raise ValidationError(
                        _("“%(name)s” has been scored already and cannot be removed.") % {"name": criterion.name}
                    )
                criterion.delete()
            continue
        if not data.name.strip():
            continue
        if not 1 <= data.weight <= 5:
            raise ValidationError(_("A weight is between 1 and 5."))
        criterion = criterion or Criterion(procedure=procedure)
        criterion.name = data.name.strip()[:120]
        criterion.description = data.description.strip()[:500]
        criterion.weight = data.weight
        criterion.order = len(kept) + 1
        criterion.save()
        kept.append(criterion)
    if not kept:
        raise ValidationError(_("A procedure needs at least one criterion."))
    return kept


@transaction.atomic
def add_committee_member(*, procedure: SelectionProcedure, member: Member, chair: bool = False) -> CommitteeMember:
    """Put a member with an account on the committee (told by e-mail). An applicant of the
    procedure cannot sit on its committee."""
    if procedure.status == Status.FINISHED:
        raise ValidationError(_("This procedure has finished and can no longer be changed."))
    if member.user_id is None or member.status != Member.Status.ACTIVE:
        raise ValidationError(_("Only active members with an account can sit on the committee."))
    if Application.objects.filter(procedure=procedure, member=member).exists():
        raise ValidationError(
            _("%(name)s applied for this procedure and cannot sit on its committee.") % {"name": member.full_name}
        )
    if CommitteeMember.objects.filter(procedure=procedure, member=member).exists():
        raise ValidationError(_("%(name)s is already on the committee.") % {"name": member.full_name})
    if chair:
        procedure.committee.filter(role=CommitteeMember.CommitteeRole.CHAIR).update(
            role=CommitteeMember.CommitteeRole.MEMBER
        )
    seat = CommitteeMember.objects.create(
        procedure=procedure,
        member=member,
        role=CommitteeMember.CommitteeRole.CHAIR if chair else CommitteeMember.CommitteeRole.MEMBER,
    )
    send_templated_mail(
        "selection/email/committee",
        [member.email],
        {
            "procedure": procedure,
            "member": member,
            "chair": chair,
            "url": absolute_url(procedure.get_absolute_url()),
        },
    )
    return seat


@transaction.atomic
def make_chair(*, seat: CommitteeMember) -> CommitteeMember:
    seat.procedure.committee.filter(role=CommitteeMember.CommitteeRole.CHAIR).exclude(pk=seat.pk).update(
        role=CommitteeMember.CommitteeRole.MEMBER
    )
    seat.role = CommitteeMember.CommitteeRole.CHAIR
    seat.save(update_fields=["role"])
    return seat


@transaction.atomic
def remove_committee_member(*, seat: CommitteeMember) -> None:
    """Take someone off the committee. Their scores go with them; not after the advice is final."""
    if _advice_is_final(seat.procedure):
        raise ValidationError(_("The advice is final: the committee can no longer be changed."))
    seat.delete()


@transaction.atomic
def set_adviser(*, procedure: SelectionProcedure, adviser: User | None) -> SelectionProcedure:
    """Invite an adviser of the association to support the committee (or end the invitation)."""
    if adviser is not None and Role.ADVISER not in adviser.roles:
        raise ValidationError(_("Only an adviser of the association can be invited."))
    procedure.adviser = adviser
    procedure.save(update_fields=["adviser"])
    if adviser is not None:
        send_templated_mail(
            "selection/email/adviser",
            [adviser.email],
            {"procedure": procedure, "url": absolute_url(procedure.get_absolute_url())},
        )
    return procedure


def publication_problems(procedure: SelectionProcedure) -> list[str]:
    """What is still missing before the call can be published."""
    problems = []
    if not procedure.profile.strip():
        problems.append(_("Write the candidate profile."))
    if not procedure.criteria.exists():
        problems.append(_("Add at least one criterion."))
    if not procedure.committee.filter(role=CommitteeMember.CommitteeRole.CHAIR).exists():
        problems.append(_("Appoint the chair of the selection committee."))
    if procedure.applications_close < timezone.localdate():
        problems.append(_("The closing date for applications has passed: change the timeline."))
    return problems


@transaction.atomic
def publish(*, procedure: SelectionProcedure) -> SelectionProcedure:
    """Publish the call: from the day it opens, anyone can apply on the public call page."""
    if procedure.status != Status.DRAFT:
        raise ValidationError(_("This call has been published already."))
    problems = publication_problems(procedure)
    if problems:
        raise ValidationError(problems)
    procedure.status = Status.OPEN
    procedure.published_at = _now()
    procedure.save(update_fields=["status", "published_at"])
    return procedure


@transaction.atomic
def close_applications(*, procedure: SelectionProcedure) -> SelectionProcedure:
    if procedure.status != Status.OPEN:
        raise ValidationError(_("Only an open call can be closed."))
    procedure.status = Status.CLOSED
    procedure.save(update_fields=["status"])
    return procedure


@transaction.atomic
def finish(*, procedure: SelectionProcedure) -> SelectionProcedure:
    """The members' meeting has decided: the procedure ends, and the retention period of the data of
    applicants who were not placed starts."""
    if procedure.status != Status.ADVISED:
        raise ValidationError(_("A procedure finishes after the committee has given its advice."))
    procedure.status = Status.FINISHED
    procedure.finished_at = _now()
    procedure.save(update_fields=["status", "finished_at"])
    return procedure


# --- applying ----------------------------------------------------------------------------------------


@dataclass
class ApplicantData:
    """What an applicant fills in (the application form's cleaned data)."""

    given_name: str
    family_name: str
    email: str
    birth_date: datetime.date
    motivation: str
    integrity: dict[str, dict[str, str]]
    signed_name: str
    declaration: bool
    infix: str = ""
    phone: str = ""
    street: str = ""
    postcode: str = ""
    town: str = ""
    experience: str = ""
    availability: str = ""
    topics: Sequence[Topic] = field(default_factory=list)


@dataclass
class Submitted:
    application: Application
    token: str
    # The address had applied before: nothing new was stored, the status link was sent again.
    duplicate: bool = False


def _age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _validate_applicant(procedure: SelectionProcedure, data: ApplicantData) -> None:
    errors: dict[str, list[str]] = {}
    for name in ("given_name", "family_name", "email", "motivation"):
        if not str(getattr(data, name)).strip():
            errors.setdefault(name, []).append(_("This field is required."))
    if data.birth_date >= timezone.localdate():
        errors.setdefault("birth_date", []).append(_("Check your date of birth."))
    elif _age_on(data.birth_date, procedure.election_date) < MINIMUM_AGE:
        errors.setdefault("birth_date", []).append(
            _("You have to be at least %(age)s years old on election day.") % {"age": MINIMUM_AGE}
        )
    for key, _question, explain_if in INTEGRITY_QUESTIONS:
        given = data.integrity.get(key) or {}
        if given.get("answer") not in ("yes", "no"):
            errors.setdefault(f"integrity_{key}", []).append(_("Answer this question."))
        elif given.get("answer") == explain_if and not given.get("explanation", "").strip():
            errors.setdefault(f"integrity_{key}_explanation", []).append(_("Explain your answer."))
    if not data.declaration:
        errors.setdefault("declaration", []).append(_("Confirm the declaration to sign it."))
    if not data.signed_name.strip():
        errors.setdefault("signed_name", []).append(_("Type your name to sign."))
    if errors:
        raise ValidationError(errors)


def _read_cv(upload: UploadedFile) -> tuple[bytes, str]:
    """The CV's bytes and type, after library.extract's checks: a PDF or DOCX that opens, without
    a password, not too large. Raises ValidationError on the form's `cv` field otherwise."""
    try:
        extracted = extract(upload, max_bytes=settings.SELECTION_MAX_CV_BYTES)
    except ExtractionError as error:
        raise ValidationError({"cv": [str(error)]}) from error
    upload.seek(0)
    return upload.read(), extracted.content_type


def may_apply(procedure: SelectionProcedure, user: Any) -> str:
    """Why this user cannot apply ("" when they can): the committee and the branch's chair and
    secretary see the applications, so they cannot be applicants themselves."""
    if not procedure.accepts_applications():
        return _("This call is not open for applications.")
    if user is not None and user.is_authenticated:
        mine = involvement(user)
        if procedure.pk in mine.committee:
            return _("You sit on the selection committee of this procedure, so you cannot apply.")
        if procedure.branch_id in mine.official_branches:
            return _(
                "As chair or secretary of the branch you see the applications, so you cannot apply. "
                "Hand over that part of your function first."
            )
    return ""


def apply(
    *,
    procedure: SelectionProcedure,
    data: ApplicantData,
    cv: UploadedFile,
    member: Member | None = None,
    user: Any = None,
) -> Submitted:
    """Apply for a procedure, with or without an account. All or nothing: invalid details or a
    refused CV store nothing. The applicant gets a confirmation with the secret link to follow the
    application; the branch's chair and secretary and the committee's chair hear that there is a
    new application (not from whom). Applying twice with the same address stores nothing new and
    sends the link again, so the page never tells whether an address applied before."""
    problem = may_apply(procedure, user)
    if problem:
        raise ValidationError(problem)
    _validate_applicant(procedure, data)
    content, content_type = _read_cv(cv)
    email = data.email.strip().lower()
    digest = email_digest(email)
    with transaction.atomic():
        same_person = Q(email_digest=digest)
        if member is not None:
            same_person |= Q(member=member)
        earlier = Application.objects.filter(procedure=procedure).filter(same_person).first()
        if earlier is not None:
            if member is not None and earlier.member_id == member.pk:
                raise ValidationError(_("You have applied for this procedure already."))
            _send_received(earlier, again=True)
            return Submitted(application=earlier, token=earlier.token, duplicate=True)
        token = secrets.token_urlsafe(32)
        now = _now()
        application = Application(
            procedure=procedure,
            member=member,
            reference=_reference(),
            token_hash=hash_token(token),
            token=token,
            email_digest=digest,
            given_name=data.given_name.strip()[:100],
            infix=data.infix.strip()[:30],
            family_name=data.family_name.strip()[:150],
            email=email,
            phone=data.phone.strip()[:40],
            street=data.street.strip()[:200],
            postcode=data.postcode.strip()[:10],
            town=data.town.strip()[:100],
            birth_date=data.birth_date.isoformat(),
            motivation=data.motivation.strip(),
            experience=data.experience.strip(),
            availability=data.availability.strip(),
            integrity_answers=json.dumps(
                {
                    key: {
                        "answer": data.integrity[key]["answer"],
                        "explanation": data.integrity[key].get("explanation", "").strip(),
                    }
                    for key, _question, _explain in INTEGRITY_QUESTIONS
                }
            ),
            signed_name=data.signed_name.strip()[:200],
            signed_at=now,
            submitted_at=now,
            status_changed_at=now,
        )
        try:
            with transaction.atomic():
                application.save()
        except IntegrityError as error:  # the same address, at the same moment, in another request
            raise ValidationError(_("You have applied for this procedure already.")) from error
        application.topics.set(data.topics)
        CurriculumVitae.objects.create(
            application=application,
            filename=(cv.name or "cv")[:200],
            content_type=content_type,
            size=len(content),
            content=encrypt_bytes(content),
        )
        _send_received(application, again=False)
        _mail_each(
            "selection/email/new_application",
            [*_officials_emails(procedure), *_chair_email(procedure)],
            {"procedure": procedure, "url": absolute_url(procedure.get_absolute_url())},
        )
    return Submitted(application=application, token=token)


def _send_received(application: Application, *, again: bool) -> None:
    procedure = application.procedure
    send_templated_mail(
        "selection/email/received",
        [application.email],
        {
            "application": application,
            "procedure": procedure,
            "again": again,
            "status_url": absolute_url(application.get_status_url()),
            "applications_close": _date(procedure.applications_close),
        },
    )


@transaction.atomic
def withdraw(*, application: Application) -> Application:
    """The applicant withdraws; their data is deleted with that of the others who were not placed."""
    _lock(application.procedure_id)
    _reread(application)
    if application.status == AppStatus.WITHDRAWN:
        return application
    if application.procedure.status == Status.FINISHED:
        raise ValidationError(_("This procedure has finished."))
    application.status = AppStatus.WITHDRAWN
    application.status_changed_at = _now()
    application.save(update_fields=["status", "status_changed_at"])
    _mail_each(
        "selection/email/withdrawn",
        [*_officials_emails(application.procedure), *_chair_email(application.procedure)],
        {"procedure": application.procedure, "reference": application.reference},
    )
    return application


def log_access(*, application: Application, user: Any, what: str) -> None:
    ApplicationAccess.objects.create(
        application=application, user=user if user.is_authenticated else None, what=what[:20]
    )


# --- committee work ------------------------------------------------------------------------------------


@transaction.atomic
def declare_conflict(*, application: Application, user: Any, reason: str) -> ConflictDeclaration:
    """A committee member declares a conflict of interest with an applicant. Their scores of that
    applicant are removed; from now on they are kept out of the application."""
    procedure = _lock(application.procedure_id)
    seat = _committee_of(procedure, user)
    if seat is None:
        raise PermissionDenied
    if _advice_is_final(procedure):
        raise ValidationError(_("The advice is final and can no longer be changed."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say briefly what the conflict is.")]})
    declaration, _created = ConflictDeclaration.objects.update_or_create(
        committee_member=seat, application=application, defaults={"reason": reason.strip()[:2000]}
    )
    Score.objects.filter(committee_member=seat, application=application).delete()
    forget_involvement(user)
    return declaration


@transaction.atomic
def score(*, application: Application, user: Any, scores: dict[int, tuple[int, str]]) -> list[Score]:
    """A committee member scores an applicant: {criterion id: (1-5, note)}. Refused for someone
    not on the committee or with a conflict of interest, for a withdrawn applicant, and once the
    advice is final."""
    procedure = _lock(application.procedure_id)
    _reread(application)
    seat = _committee_of(procedure, user)
    if seat is None:
        raise PermissionDenied
    if ConflictDeclaration.objects.filter(committee_member=seat, application=application).exists():
        raise PermissionDenied
    if _advice_is_final(procedure) or procedure.status in (Status.ADVISED, Status.FINISHED):
        raise ValidationError(_("The advice is final: scores can no longer be changed."))
    if application.status == AppStatus.WITHDRAWN:
        raise ValidationError(_("This applicant has withdrawn."))
    criteria = {c.pk: c for c in procedure.criteria.all()}
    saved = []
    now = _now()
    for criterion_id, (value, note) in scores.items():
        if criterion_id not in criteria:
            raise ValidationError(_("Unknown criterion."))
        if not 1 <= int(value) <= 5:
            raise ValidationError(_("A score is between 1 and 5."))
        row, _created = Score.objects.update_or_create(
            committee_member=seat,
            application=application,
            criterion=criteria[criterion_id],
            defaults={"score": int(value), "note": note.strip()[:2000], "updated_at": now},
        )
        saved.append(row)
    return saved


@transaction.atomic
def schedule_interview(
    *, application: Application, starts_at: datetime.datetime, location: str, user: Any
) -> Interview:
    """Plan an interview; a submitted applicant is then invited."""
    _lock(application.procedure_id)
    _reread(application)
    if application.status in (AppStatus.WITHDRAWN, AppStatus.NOT_SELECTED, AppStatus.PLACED):
        raise ValidationError(_("Interviews are for applicants who are still in the running."))
    if not location.strip():
        raise ValidationError({"location": [_("Say where the interview is.")]})
    interview = Interview.objects.create(
        application=application, starts_at=starts_at, location=location.strip()[:200], created_by=user
    )
    if application.status == AppStatus.SUBMITTED:
        _set(application, AppStatus.INVITED)
    return interview


@transaction.atomic
def record_interview(*, interview: Interview, notes: str, took_place: bool) -> Interview:
    """The notes of an interview; once it took place the applicant counts as interviewed."""
    procedure = _lock(interview.application.procedure_id)
    _reread(interview.application)
    if _advice_is_final(procedure):
        raise ValidationError(_("The advice is final: interviews can no longer be changed."))
    interview.notes = notes.strip()
    interview.took_place = took_place
    interview.save(update_fields=["notes", "took_place"])
    application = interview.application
    if took_place and application.status in (AppStatus.SUBMITTED, AppStatus.INVITED):
        _set(application, AppStatus.INTERVIEWED)
    return interview


def _set(application: Application, status: str) -> None:
    application.status = status
    application.status_changed_at = _now()
    application.save(update_fields=["status", "status_changed_at"])


@transaction.atomic
def set_status(*, application: Application, status: str) -> Application:
    """Invite, mark as interviewed or turn down an applicant (or undo that). Placing happens only
    through the final advice; a withdrawn applicant stays withdrawn."""
    if status not in MANUAL_STATUSES:
        raise ValidationError(_("Choose a valid status."))
    procedure = _lock(application.procedure_id)
    _reread(application)
    if application.status in (AppStatus.WITHDRAWN, AppStatus.PLACED):
        raise ValidationError(_("This status can no longer be changed."))
    if application.mailed_status == AppStatus.NOT_SELECTED and status != AppStatus.NOT_SELECTED:
        raise ValidationError(_("This applicant has already been told by e-mail that they were not selected."))
    if _advice_is_final(procedure):
        raise ValidationError(_("The advice is final: statuses follow from it."))
    if application.status != status:
        _set(application, status)
    return application


# --- the advice ---------------------------------------------------------------------------------------


def _chair_seat(procedure: SelectionProcedure, user: Any) -> CommitteeMember:
    seat = _committee_of(procedure, user)
    if seat is None or not seat.is_chair:
        raise PermissionDenied
    return seat


@transaction.atomic
def save_advice(
    *, procedure: SelectionProcedure, user: Any, summary: str, places: Sequence[tuple[Application, str]]
) -> Advice:
    """The chair drafts the advice: the applicants in ranked order, each with a rationale. Only
    applicants still in the running can be placed; a final advice no longer changes."""
    _lock(procedure.pk)
    procedure.refresh_from_db(fields=["status"])
    seat = _chair_seat(procedure, user)
    advice, _created = Advice.objects.select_for_update().get_or_create(procedure=procedure)
    if advice.is_final:
        raise ValidationError(_("The advice is final and can no longer be changed."))
    conflicted = set(ConflictDeclaration.objects.filter(committee_member=seat).values_list("application_id", flat=True))
    statuses = dict(Application.objects.filter(pk__in=[a.pk for a, _r in places]).values_list("pk", "status"))
    seen: set[int] = set()
    for application, _rationale in places:
        if application.procedure_id != procedure.pk:
            raise ValidationError(_("Unknown applicant."))
        if application.pk in conflicted:
            raise PermissionDenied
        if statuses.get(application.pk) not in (*ACTIVE_STATUSES, AppStatus.NOT_SELECTED):
            raise ValidationError(
                _("%(reference)s is no longer in the running.") % {"reference": application.reference}
            )
        if application.pk in seen:
            raise ValidationError(_("Every applicant can have one place only."))
        seen.add(application.pk)
    advice.summary = summary.strip()
    advice.updated_at = _now()
    advice.save(update_fields=["summary", "updated_at"])
    advice.places.all().delete()
    AdvicePlace.objects.bulk_create(
        [
            AdvicePlace(advice=advice, rank=rank, application=application, rationale=rationale.strip()[:2000])
            for rank, (application, rationale) in enumerate(places, start=1)
        ]
    )
    return advice


@transaction.atomic
def finalise_advice(*, procedure: SelectionProcedure, user: Any) -> Advice:
    """The chair finalises the advice: the applicants on the list are placed, those still in the
    running who are not are not selected, scoring stops, and the procedure is advised. Status
    e-mails are then sent by the branch's secretary (send_status_mails)."""
    _lock(procedure.pk)
    procedure.refresh_from_db(fields=["status"])
    _chair_seat(procedure, user)
    advice = Advice.objects.select_for_update().filter(procedure=procedure).first()
    if advice is None or not advice.places.exists():
        raise ValidationError(_("Put at least one applicant on the list first."))
    if advice.is_final:
        raise ValidationError(_("The advice is final already."))
    if procedure.status not in (Status.OPEN, Status.CLOSED):
        raise ValidationError(_("The advice can be given once applications have come in."))
    now = _now()
    placed = list(advice.places.values_list("application_id", flat=True))
    placeable = (*ACTIVE_STATUSES, AppStatus.NOT_SELECTED)
    if procedure.applications.filter(pk__in=placed).exclude(status__in=placeable).exists():
        raise ValidationError(_("Someone on the list has withdrawn in the meantime: take them off the list first."))
    procedure.applications.filter(pk__in=placed, status__in=placeable).update(
        status=AppStatus.PLACED, status_changed_at=now
    )
    procedure.applications.filter(status__in=ACTIVE_STATUSES).exclude(pk__in=placed).update(
        status=AppStatus.NOT_SELECTED, status_changed_at=now
    )
    advice.finalised_at = now
    advice.finalised_by = user
    advice.save(update_fields=["finalised_at", "finalised_by"])
    procedure.status = Status.ADVISED
    procedure.save(update_fields=["status"])
    return advice


# --- status e-mails ------------------------------------------------------------------------------------


def check_placeholders(text: str) -> None:
    unknown = sorted({m.group(1) for m in _PLACEHOLDER.finditer(text)} - set(PLACEHOLDERS))
    if unknown:
        raise ValidationError(
            _("Unknown placeholder %(unknown)s. You can use: %(known)s.")
            % {
                "unknown": ", ".join(f"{{{u}}}" for u in unknown),
                "known": ", ".join(f"{{{p}}}" for p in PLACEHOLDERS),
            }
        )


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


@transaction.atomic
def save_mail_template(*, template: StatusMailTemplate, subject: str, body: str) -> StatusMailTemplate:
    errors: dict[str, list[str]] = {}
    for name, value in (("subject", subject), ("body", body)):
        if not value.strip():
            errors.setdefault(name, []).append(_("This field is required."))
        else:
            try:
                check_placeholders(value)
            except ValidationError as error:
                errors.setdefault(name, []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    template.subject = " ".join(subject.split())[:200]
    template.body = body.strip()
    template.save(update_fields=["subject", "body"])
    return template


def render_status_mail(
    template: StatusMailTemplate, application: Application, *, status_link: str | None = None
) -> tuple[str, str]:
    """(subject, text) of a status e-mail to `application`."""
    procedure = template.procedure
    values = {
        "name": application.full_name,
        "procedure": procedure.title,
        "branch": procedure.branch.name,
        "status_link": status_link or absolute_url(application.get_status_url()),
    }
    subject = fill_placeholders(template.subject, values)
    return f"[{Association.get().short_name}] {subject}", fill_placeholders(template.body, values)


def status_mail_due(procedure: SelectionProcedure, kind: str) -> list[Application]:
    """Applicants in status `kind` who have not yet been e-mailed about it."""
    return list(Application.objects.filter(procedure=procedure, status=kind).exclude(mailed_status=kind))


@transaction.atomic
def send_status_mails(*, procedure: SelectionProcedure, kind: str) -> int:
    """E-mail every applicant in status `kind` the procedure's text for it, once per status."""
    if kind not in StatusMailKind.values:
        raise ValidationError(_("Unknown kind of e-mail."))
    _lock(procedure.pk)
    procedure.refresh_from_db(fields=["status"])
    template = StatusMailTemplate.objects.select_related("procedure__branch").get(procedure=procedure, kind=kind)
    due = status_mail_due(procedure, kind)
    now = _now()
    for application in due:
        subject, text = render_status_mail(template, application)
        send_rendered_mail(subject=subject, to=[application.email], text=text)
        application.mailed_status = kind
        application.mailed_at = now
    Application.objects.bulk_update(due, ["mailed_status", "mailed_at"])
    return len(due)


# --- retention -----------------------------------------------------------------------------------------


@dataclass
class RetentionResult:
    notified: int = 0
    deleted: int = 0


def apply_retention(*, today: datetime.date | None = None) -> RetentionResult:
    """For every finished procedure: applicants who were not placed are told
    RAADHUIS_SELECTION_NOTICE_DAYS before their data is deleted, and their application (details,
    CV, scores, interviews, conflicts, reads) is deleted on the procedure's deletion date, but never
    sooner than the notice period after the notice. Placed applicants are kept."""
    today = today or timezone.localdate()
    notice = datetime.timedelta(days=settings.RAADHUIS_SELECTION_NOTICE_DAYS)
    result = RetentionResult()
    for procedure in SelectionProcedure.objects.filter(finished_at__isnull=False).select_related("branch"):
        deletion = procedure.deletion_date
        if deletion is None or today < deletion - notice:
            continue
        leaving = procedure.applications.exclude(status=AppStatus.PLACED)
        for application in leaving.filter(deletion_notice_at__isnull=True):
            _notify_deletion(application, max(deletion, today + notice))
            result.notified += 1
        if today >= deletion:
            due = leaving.filter(deletion_notice_at__date__lte=today - notice)
            with transaction.atomic():
                count = due.count()
                due.delete()
            result.deleted += count
    return result


@transaction.atomic
def _notify_deletion(application: Application, on: datetime.date) -> None:
    send_templated_mail(
        "selection/email/deletion_notice",
        [application.email],
        {
            "application": application,
            "procedure": application.procedure,
            "deletion_date": _date(on),
            "status_url": absolute_url(reverse("selection:status", kwargs={"token": application.token})),
        },
    )
    application.deletion_notice_at = _now()
    application.save(update_fields=["deletion_notice_at"])
