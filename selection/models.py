"""Candidate recruitment and selection (werving en selectie) for branches: a procedure per election
and body, its profile and criteria, the selection committee, applications (personal details, CV
and integrity answers encrypted at rest), conflicts of interest, scores, interviews, the
committee's advice (a ranked list) and the status e-mails to applicants.

Who sees what is decided in selection/rules.py; what is deleted when, in selection/services.py
(`apply_retention`).
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField
from core.models import Body, Tier
from members.models import Branch, Member, Topic


def default_retention_months() -> int:
    return int(settings.RAADHUIS_SELECTION_RETENTION_MONTHS)


class Election(models.TextChoices):
    """The election a procedure recruits for; its value is the tier of the body elected."""

    MUNICIPAL = Tier.MUNICIPAL.value, _("Municipal council election")
    PROVINCIAL = Tier.PROVINCIAL.value, _("Provincial Council election")
    WATER_BOARD = Tier.WATER_BOARD.value, _("Water board election")


class SelectionProcedure(models.Model):
    """A branch's recruitment and selection of candidates for one election in one body."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Call open")
        CLOSED = "closed", _("Applications closed")
        ADVISED = "advised", _("Advice given")
        FINISHED = "finished", _("Finished")

    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="selection_procedures"
    )
    election = models.CharField(_("election"), max_length=20, choices=Election.choices)
    election_date = models.DateField(_("election day"))
    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short name in the address"), max_length=120, unique=True)
    profile = models.TextField(
        _("candidate profile"),
        max_length=10000,
        blank=True,
        help_text=_("What the branch looks for in its candidates (the profielschets). Shown on the public call."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    call_opens = models.DateField(_("call opens"))
    applications_close = models.DateField(_("applications close"))
    interviews_from = models.DateField(_("interviews from"), null=True, blank=True)
    interviews_until = models.DateField(_("interviews until"), null=True, blank=True)
    advice_due = models.DateField(_("advice due"), null=True, blank=True)
    members_meeting = models.DateField(_("members' meeting"), null=True, blank=True)
    retention_months = models.PositiveSmallIntegerField(
        _("months to keep data of applicants who were not placed"), default=default_retention_months
    )
    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited adviser of the association"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="advised_selection_procedures",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("opened"), default=timezone.now)
    published_at = models.DateTimeField(_("call published"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("selection procedure")
        verbose_name_plural = _("selection procedures")
        ordering = ["-election_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(applications_close__gte=models.F("call_opens")), name="selection_close_after_open"
            ),
        ]
        indexes = [models.Index(fields=["status", "applications_close"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("selection:procedure", kwargs={"pk": self.pk})

    def get_call_url(self) -> str:
        return reverse("selection:call", kwargs={"slug": self.slug})

    def accepts_applications(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status == self.Status.OPEN and self.call_opens <= today <= self.applications_close

    @property
    def deletion_date(self) -> datetime.date | None:
        """The day the data of applicants who were not placed is deleted: the end of the procedure
        plus the retention period. None while the procedure has not ended."""
        if self.finished_at is None:
            return None
        from dateutil.relativedelta import relativedelta

        return timezone.localdate(self.finished_at) + relativedelta(months=self.retention_months)

    def timeline(self) -> list[tuple[Any, datetime.date | None, datetime.date | None]]:
        """(label, from, until) of each step, for the call page and the dashboard."""
        return [
            (_("Call opens"), self.call_opens, None),
            (_("Applications close"), self.applications_close, None),
            (_("Interviews"), self.interviews_from, self.interviews_until),
            (_("Advice of the committee"), self.advice_due, None),
            (_("Members' meeting"), self.members_meeting, None),
            (_("Election day"), self.election_date, None),
        ]


class Criterion(models.Model):
    """Something the committee scores every applicant on (1-5), with a weight in the total."""

    procedure = models.ForeignKey(SelectionProcedure, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=120)
    description = models.CharField(_("explanation"), max_length=500, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=1, weight__lte=5), name="selection_weight_1_to_5"),
        ]

    def __str__(self) -> str:
        return self.name


class CommitteeMember(models.Model):
    """A member of the selection committee (kandidatencommissie) of one procedure."""

    class CommitteeRole(models.TextChoices):
        CHAIR = "chair", _("Chair")
        MEMBER = "member", _("Member")

    procedure = models.ForeignKey(SelectionProcedure, on_delete=models.CASCADE, related_name="committee")
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="selection_committees"
    )
    role = models.CharField(_("role"), max_length=10, choices=CommitteeRole.choices, default=CommitteeRole.MEMBER)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["role", "member__sort_name"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "member"], name="selection_committee_once"),
            models.UniqueConstraint(
                fields=["procedure"], condition=Q(role="chair"), name="selection_committee_one_chair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} ({self.get_role_display()})"

    @property
    def is_chair(self) -> bool:
        return self.role == self.CommitteeRole.CHAIR


# The integrity questionnaire every applicant fills in and signs: (key, question, the answer that
# needs an explanation).
INTEGRITY_QUESTIONS: list[tuple[str, Any, str]] = [
    (
        "criminal",
        _("Have you ever been convicted of a criminal offence, or is a criminal case against you pending?"),
        "yes",
    ),
    (
        "interests",
        _("Do you hold other positions or have financial interests that could conflict with this office?"),
        "yes",
    ),
    (
        "past",
        _("Is there anything in your past or present that could harm you or the party if it became public?"),
        "yes",
    ),
    ("debts", _("Do you have debts or financial problems that could make you open to pressure?"), "yes"),
    (
        "certificate",
        _("Are you willing to ask for a certificate of conduct (VOG) if the branch asks for one?"),
        "no",
    ),
]


class Application(models.Model):
    """An application for a procedure, by a member or by someone without an account. Everything
    personal is encrypted at rest; the applicant follows it through a secret link (`token`, of
    which the SHA-256 is kept for lookup)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        INVITED = "invited", _("Invited for an interview")
        INTERVIEWED = "interviewed", _("Interviewed")
        NOT_SELECTED = "not_selected", _("Not selected")
        PLACED = "placed", _("Placed on the list")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    procedure = models.ForeignKey(SelectionProcedure, on_delete=models.CASCADE, related_name="applications")
    member = models.ForeignKey(
        Member,
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="selection_applications",
    )
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token = EncryptedTextField(editable=False)
    # A keyed hash of the e-mail address: one application per address per procedure, without
    # keeping the address in clear.
    email_digest = models.CharField(max_length=64, editable=False)
    given_name = EncryptedTextField(_("given name"))
    infix = EncryptedTextField(_("infix"), blank=True)
    family_name = EncryptedTextField(_("family name"))
    email = EncryptedTextField(_("e-mail address"))
    phone = EncryptedTextField(_("phone"), blank=True)
    street = EncryptedTextField(_("street and number"), blank=True)
    postcode = EncryptedTextField(_("postcode"), blank=True)
    town = EncryptedTextField(_("town"), blank=True)
    birth_date = EncryptedTextField(_("date of birth"))
    motivation = EncryptedTextField(_("motivation"))
    experience = EncryptedTextField(_("experience"), blank=True)
    availability = EncryptedTextField(_("availability"), blank=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="+")
    integrity_answers = EncryptedTextField(_("integrity questionnaire"))
    signed_name = EncryptedTextField(_("signed by"))
    signed_at = models.DateTimeField(_("signed"))
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    # The status the applicant was last e-mailed about (status mails are sent once per status).
    mailed_status = models.CharField(max_length=15, blank=True)
    mailed_at = models.DateTimeField(null=True, blank=True)
    deletion_notice_at = models.DateTimeField(_("deletion notice sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "email_digest"], name="selection_one_per_address"),
            models.UniqueConstraint(
                fields=["procedure", "member"], condition=Q(member__isnull=False), name="selection_one_per_member"
            ),
        ]
        indexes = [models.Index(fields=["procedure", "status"])]

    def __str__(self) -> str:
        # Never the name: an application's name in lists, logs and the back office is its reference.
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("selection:application", kwargs={"pk": self.procedure_id, "application": self.pk})

    def get_status_url(self) -> str:
        return reverse("selection:status", kwargs={"token": self.token})

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.infix, self.family_name) if part)

    @property
    def sort_key(self) -> str:
        return f"{self.family_name} {self.given_name}".lower()

    @property
    def date_of_birth(self) -> datetime.date | None:
        try:
            return datetime.date.fromisoformat(self.birth_date)
        except (TypeError, ValueError):
            return None

    @property
    def integrity(self) -> list[dict[str, Any]]:
        """The questionnaire with this applicant's answers, in the order of the questions."""
        try:
            answers = json.loads(self.integrity_answers or "{}")
        except ValueError:
            answers = {}
        rows = []
        for key, question, explain_if in INTEGRITY_QUESTIONS:
            given = answers.get(key) or {}
            rows.append(
                {
                    "question": question,
                    "answer": given.get("answer", ""),
                    "explanation": given.get("explanation", ""),
                    "attention": given.get("answer") == explain_if,
                }
            )
        return rows

    @property
    def is_active(self) -> bool:
        return self.status != self.Status.WITHDRAWN


class CurriculumVitae(models.Model):
    """An applicant's CV (PDF or DOCX). The bytes are stored encrypted, never on disk in clear, and
    only in this table, so that the list of applications never loads them."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="cv")
    filename = EncryptedTextField(_("file name"))
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content = models.BinaryField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("CV")
        verbose_name_plural = _("CVs")

    def __str__(self) -> str:
        return f"CV {self.application_id}"


class ConflictDeclaration(models.Model):
    """A committee member declares a conflict of interest with an applicant: from then on they do
    not see that application, its scores or interviews, and cannot score it."""

    committee_member = models.ForeignKey(CommitteeMember, on_delete=models.CASCADE, related_name="conflicts")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="conflicts")
    reason = EncryptedTextField(_("reason"))
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(fields=["committee_member", "application"], name="selection_conflict_once")
        ]

    def __str__(self) -> str:
        return f"{self.committee_member.member} × {self.application}"


class Score(models.Model):
    """One committee member's score (1-5) of one applicant on one criterion."""

    committee_member = models.ForeignKey(CommitteeMember, on_delete=models.CASCADE, related_name="scores")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(_("score"))
    note = EncryptedTextField(_("note"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["committee_member", "application", "criterion"], name="selection_score_once"
            ),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="selection_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.application} / {self.criterion}: {self.score}"


class Interview(models.Model):
    """A (planned) interview with an applicant, and the committee's notes of it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="interviews")
    starts_at = models.DateTimeField(_("date and time"))
    location = models.CharField(_("location"), max_length=200)
    notes = EncryptedTextField(_("notes"), blank=True)
    took_place = models.BooleanField(_("the interview took place"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.application} {self.starts_at:%Y-%m-%d %H:%M}"


class Advice(models.Model):
    """The committee's advice: a ranked list of candidates with a rationale per place. Drafted
    and finalised by the committee's chair; once final, nobody scores any more."""

    procedure = models.OneToOneField(SelectionProcedure, on_delete=models.CASCADE, related_name="advice")
    summary = EncryptedTextField(_("explanation of the advice"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    finalised_at = models.DateTimeField(_("finalised"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("advice")
        verbose_name_plural = _("advices")

    def __str__(self) -> str:
        return f"{self.procedure}"

    @property
    def is_final(self) -> bool:
        return self.finalised_at is not None


class AdvicePlace(models.Model):
    advice = models.ForeignKey(Advice, on_delete=models.CASCADE, related_name="places")
    rank = models.PositiveSmallIntegerField(_("place"))
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="advice_places")
    rationale = EncryptedTextField(_("rationale"), blank=True)

    class Meta:
        verbose_name = _("place on the list")
        verbose_name_plural = _("places on the list")
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["advice", "rank"], name="selection_place_rank_once"),
            models.UniqueConstraint(fields=["advice", "application"], name="selection_place_applicant_once"),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.application}"


class StatusMailKind(models.TextChoices):
    INVITED = "invited", _("Invitation for an interview")
    NOT_SELECTED = "not_selected", _("Not selected")
    PLACED = "placed", _("Placed on the list")


class StatusMailTemplate(models.Model):
    """The text of a status e-mail to applicants, editable per procedure. Placeholders in braces
    ({name}, {procedure}, {branch}, {status_link}) are filled in per applicant."""

    procedure = models.ForeignKey(SelectionProcedure, on_delete=models.CASCADE, related_name="mail_templates")
    kind = models.CharField(_("kind"), max_length=15, choices=StatusMailKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), max_length=5000)

    class Meta:
        verbose_name = _("status e-mail")
        verbose_name_plural = _("status e-mails")
        ordering = ["kind"]
        constraints = [models.UniqueConstraint(fields=["procedure", "kind"], name="selection_mail_template_once")]

    def __str__(self) -> str:
        return f"{self.procedure}: {self.get_kind_display()}"


class ApplicationAccess(models.Model):
    """A read of an application or its CV: who, when, what. The applicant sees this log."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    what = models.CharField(_("what"), max_length=20)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("application access")
        verbose_name_plural = _("application accesses")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.application}: {self.user} {self.what}"
