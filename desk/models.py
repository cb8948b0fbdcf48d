"""The advice and support desk: cases, their conversation and attachments (encrypted at rest),
who read them, referrals, counsellors and intervision groups."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField
from core.models import Body, Tier
from members.models import Branch, Faction, Member, Topic


class Kind(models.TextChoices):
    POLITICAL = "political", _("Political or content advice")
    INTEGRITY_OWN = "integrity_own", _("Integrity: my own dilemma")
    INTEGRITY_CONCERN = "integrity_concern", _("Integrity: a concern about someone else")
    THREAT_PHYSICAL = "threat_physical", _("Aggression or physical threat")
    THREAT_DIGITAL = "threat_digital", _("Online threat or hate")
    DOXXING = "doxxing", _("Personal details made public (doxxing)")
    COACHING = "coaching", _("Coaching")
    MEDIATION = "mediation", _("Mediation (e.g. a conflict in the faction)")
    INTERVISION = "intervision", _("Intervision")
    FACTION_TRAINING = "faction_training", _("Faction training")
    CANDIDATE_SUPPORT = "candidate_support", _("Support with candidate recruitment")
    OTHER = "other", _("Something else")


THREAT_KINDS = frozenset({Kind.THREAT_PHYSICAL, Kind.THREAT_DIGITAL, Kind.DOXXING})


class Confidentiality(models.TextChoices):
    NORMAL = "normal", _("Normal: the advisers' team")
    CONFIDENTIAL = "confidential", _("Confidential: my adviser and counsellors only")
    STRICT = "strict", _("Strictly confidential: one counsellor only")


# From open to closed: a level "goes up" when fewer people may read the case.
LEVEL_ORDER = [Confidentiality.NORMAL, Confidentiality.CONFIDENTIAL, Confidentiality.STRICT]


def level_rank(level: str) -> int:
    return LEVEL_ORDER.index(Confidentiality(level))


class Status(models.TextChoices):
    NEW = "new", _("New")
    TRIAGED = "triaged", _("Triaged")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    REFERRED = "referred", _("Referred")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = [Status.NEW, Status.TRIAGED, Status.ASSIGNED, Status.IN_PROGRESS, Status.REFERRED]


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> CaseQuerySet:
        return self.exclude(status=Status.CLOSED)

    def overdue(self, now: datetime.datetime | None = None) -> CaseQuerySet:
        """Threat reports nobody has answered yet although their response time has passed."""
        now = now or timezone.now()
        return self.filter(kind__in=THREAT_KINDS, first_response_at__isnull=True, due_by__lt=now).exclude(
            status=Status.CLOSED
        )


class Case(models.Model):
    """A question to the desk. The narrative (subject, description, outcome) is encrypted; the
    metadata (kind, dates, tier, province) stays readable for triage and anonymous statistics."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    confidentiality = models.CharField(
        _("confidentiality"), max_length=12, choices=Confidentiality.choices, default=Confidentiality.NORMAL
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True)
    requester = models.ForeignKey(
        Member, verbose_name=_("requester"), null=True, on_delete=models.SET_NULL, related_name="cases"
    )
    for_faction = models.ForeignKey(
        Faction,
        verbose_name=_("on behalf of faction"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    for_branch = models.ForeignKey(
        Branch,
        verbose_name=_("on behalf of branch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    counsellors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("counsellors"), blank=True, related_name="counselled_cases"
    )
    subject = EncryptedTextField(_("subject"))
    description = EncryptedTextField(_("what is it about?"))
    outcome = EncryptedTextField(_("outcome"), blank=True)
    # For anonymous statistics only: no person can be identified from these.
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, blank=True)
    province = models.ForeignKey(
        Body,
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"tier": Tier.PROVINCIAL},
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    due_by = models.DateTimeField(_("answer due by"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    purged_at = models.DateTimeField(_("content deleted"), null=True, blank=True)
    deletion_requested_at = models.DateTimeField(_("deletion requested"), null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        # Never the subject: a case's name in lists, logs and the back office is its reference.
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("desk:case", kwargs={"reference": self.reference})

    @property
    def is_threat(self) -> bool:
        return self.kind in THREAT_KINDS

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.is_threat
            and self.first_response_at is None
            and self.due_by
            and self.due_by < timezone.now()
            and self.status != Status.CLOSED
        )


class CaseMessage(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = EncryptedTextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case.reference} #{self.pk}"


class ConfidentialityChange(models.Model):
    """A change of a case's confidentiality level: who, when, from, to, and the requester's
    consent it relied on (a counsellor lowering a strictly confidential case). Kept with the case
    and shown to everyone who reads it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="level_changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("when"), default=timezone.now)
    from_level = models.CharField(_("from"), max_length=12, choices=Confidentiality.choices)
    to_level = models.CharField(_("to"), max_length=12, choices=Confidentiality.choices)
    consent = models.ForeignKey(
        "ConfidentialityConsent",
        verbose_name=_("with the requester's consent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("change of confidentiality")
        verbose_name_plural = _("changes of confidentiality")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.from_level} → {self.to_level}"

    @property
    def lowered(self) -> bool:
        return level_rank(self.to_level) < level_rank(self.from_level)


class ConfidentialityConsent(models.Model):
    """The requester of a strictly confidential case allows its assigned counsellor to lower the
    level, at most down to `level`. Used once; the requester can withdraw it before."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="level_consents")
    level = models.CharField(_("lowest level"), max_length=12, choices=Confidentiality.choices)
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("counsellor"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("given by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    given_at = models.DateTimeField(_("given"), default=timezone.now)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent to lower the confidentiality")
        verbose_name_plural = _("consents to lower the confidentiality")
        ordering = ["-given_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.level}"

    @property
    def is_open(self) -> bool:
        return self.used_at is None and self.withdrawn_at is None


class CaseAttachment(models.Model):
    """A file on a case. The bytes are stored encrypted in `content` (never on disk in clear)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        CaseMessage, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = EncryptedTextField(_("file name"))
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content = models.BinaryField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.case.reference} attachment #{self.pk}"


class CaseAccess(models.Model):
    """A read of a case's content: who, when, what. The requester sees this log."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    what = models.CharField(_("what"), max_length=100)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("case access")
        verbose_name_plural = _("case accesses")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.user} {self.what}"


class Organisation(models.Model):
    """Somewhere to refer to: an organisation or an expert."""

    class OrganisationKind(models.TextChoices):
        POLICE = "police", _("Police")
        LEGAL = "legal", _("Legal help")
        MENTAL_HEALTH = "mental_health", _("Mental health")
        INTEGRITY = "integrity", _("Integrity office")
        MEDIATION = "mediation", _("Mediation")
        COACHING = "coaching", _("Coaching")
        GOVERNMENT = "government", _("Government body")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    expertise = models.TextField(_("expertise"), blank=True)
    region = models.ForeignKey(
        Body,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"tier": Tier.PROVINCIAL},
        help_text=_("Empty for national."),
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("referral address")
        verbose_name_plural = _("referral addresses")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Referral(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("referred to"), on_delete=models.PROTECT, related_name="referrals"
    )
    note = EncryptedTextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case.reference} → {self.organisation}"


class Helper(models.Model):
    """A confidential counsellor or coach the desk can bring in, with expertise and availability."""

    class HelperKind(models.TextChoices):
        COUNSELLOR = "counsellor", _("Confidential counsellor")
        COACH = "coach", _("Coach")
        MEDIATOR = "mediator", _("Mediator")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helper")
    kind = models.CharField(_("kind"), max_length=12, choices=HelperKind.choices)
    expertise = models.ManyToManyField(Topic, verbose_name=_("expertise"), blank=True, related_name="+")
    case_kinds = models.JSONField(_("kinds of cases"), default=list, blank=True)
    region = models.ForeignKey(
        Body,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"tier": Tier.PROVINCIAL},
    )
    available = models.BooleanField(_("available for new cases"), default=True)
    on_duty = models.BooleanField(_("on duty for urgent reports"), default=False)

    class Meta:
        verbose_name = _("counsellor or coach")
        verbose_name_plural = _("counsellors and coaches")
        ordering = ["user__name"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_kind_display()})"


class IntervisionSignup(models.Model):
    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="intervision_signup")
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="+")
    note = models.TextField(_("what would you like to bring in?"), blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    group = models.ForeignKey(
        "IntervisionGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="signups"
    )

    class Meta:
        verbose_name = _("intervision sign-up")
        verbose_name_plural = _("intervision sign-ups")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.member} ({self.get_tier_display()})"


class IntervisionGroup(models.Model):
    name = models.CharField(_("name"), max_length=200)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    event = models.ForeignKey(
        "events.Event",
        verbose_name=_("meetings"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The group's meetings, as a course (invitation only) in the events."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("intervision group")
        verbose_name_plural = _("intervision groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
