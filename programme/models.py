"""The municipal development programme: applications, tracks with intake and plan, learning
groups, good practices, and what councillors are entitled to (with their training budgets)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Body, Tier
from members.models import Member


class Theme(models.TextChoices):
    TRAINING = "training", _("Training and a personal training budget")
    SUPPORT = "support", _("Faction support and official assistance")


class ThemeRole(models.TextChoices):
    GOOD_EXAMPLE = "good_example", _("Good example")
    CANDIDATE = "candidate", _("Candidate for guidance")


MUNICIPALITIES = {"tier": Tier.MUNICIPAL}


class Application(models.Model):
    """A municipality signs up (public form, no account)."""

    class Function(models.TextChoices):
        GRIFFIER = "griffier", _("Clerk of the council (griffier)")
        COUNCILLOR = "raadslid", _("Councillor")
        MAYOR = "burgemeester", _("Mayor")
        ALDERMAN = "wethouder", _("Alderman")
        SECRETARY = "secretaris", _("Municipal secretary")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        MORE_INFO = "more_info", _("More information asked")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    municipality = models.ForeignKey(
        Body,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="programme_applications",
        limit_choices_to=MUNICIPALITIES,
    )
    contact_name = models.CharField(_("contact person"), max_length=200)
    contact_function = models.CharField(_("function"), max_length=20, choices=Function.choices)
    contact_email = models.EmailField(_("e-mail address"))
    contact_phone = models.CharField(_("phone"), max_length=40, blank=True)
    description = models.TextField(_("the current situation"), max_length=5000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True)
    decision_note = models.TextField(_("reason or question"), blank=True)
    created_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.municipality} ({self.created_at:%d-%m-%Y})"


class ApplicationTheme(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="themes")
    theme = models.CharField(_("theme"), max_length=10, choices=Theme.choices)
    role = models.CharField(_("registers as"), max_length=15, choices=ThemeRole.choices)

    class Meta:
        verbose_name = _("theme of an application")
        verbose_name_plural = _("themes of applications")
        constraints = [models.UniqueConstraint(fields=["application", "theme"], name="application_theme_once")]

    def __str__(self) -> str:
        return f"{self.get_theme_display()}: {self.get_role_display()}"


class ProgrammeContact(models.Model):
    """A user with the griffie contact role, for one municipality: sees and comments on its tracks,
    keeps its entitlements and decides its councillors' budget requests."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="programme_contacts")
    municipality = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="programme_contacts", limit_choices_to=MUNICIPALITIES
    )

    class Meta:
        verbose_name = _("clerk's office contact")
        verbose_name_plural = _("clerk's office contacts")
        constraints = [models.UniqueConstraint(fields=["user", "municipality"], name="programme_contact_once")]

    def __str__(self) -> str:
        return f"{self.user} — {self.municipality}"


class Track(models.Model):
    """Guidance for one municipality on one theme."""

    class Status(models.TextChoices):
        INTAKE = "intake", _("Intake")
        ACTIVE = "active", _("In progress")
        COMPLETED = "completed", _("Completed")
        STOPPED = "stopped", _("Stopped")

    municipality = models.ForeignKey(
        Body,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="tracks",
        limit_choices_to=MUNICIPALITIES,
    )
    theme = models.CharField(_("theme"), max_length=10, choices=Theme.choices)
    role = models.CharField(_("role"), max_length=15, choices=ThemeRole.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.INTAKE)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("programme officer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    applications = models.ManyToManyField(Application, blank=True, related_name="tracks")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        ordering = ["municipality__search_name", "theme"]
        constraints = [models.UniqueConstraint(fields=["municipality", "theme"], name="one_track_per_theme")]

    def __str__(self) -> str:
        return f"{self.municipality} — {self.get_theme_display()}"

    def get_absolute_url(self) -> str:
        return reverse("programme:track", kwargs={"pk": self.pk})


class IntakeMeeting(models.Model):
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="intakes")
    date = models.DateField(_("date"))
    participants = models.TextField(_("participants"), help_text=_("One per line: name and function."))
    notes = models.TextField(_("notes"), blank=True)
    agreed_goals = models.TextField(_("agreed goals"), blank=True)

    class Meta:
        verbose_name = _("intake meeting")
        verbose_name_plural = _("intake meetings")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.track} {self.date}"

    @property
    def participant_lines(self) -> list[str]:
        return [line.strip() for line in self.participants.splitlines() if line.strip()]


class PlanItem(models.Model):
    class Kind(models.TextChoices):
        GOAL = "goal", _("Goal")
        ACTIVITY = "activity", _("Activity")
        MILESTONE = "milestone", _("Milestone")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="plan")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    due_date = models.DateField(_("date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.title


class TrackComment(models.Model):
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.track}: {self.body[:40]}"


class LearningGroup(models.Model):
    name = models.CharField(_("name"), max_length=200)
    theme = models.CharField(_("theme"), max_length=10, choices=Theme.choices)
    municipalities = models.ManyToManyField(
        Body,
        verbose_name=_("municipalities"),
        blank=True,
        related_name="learning_groups",
        limit_choices_to=MUNICIPALITIES,
    )
    description = models.TextField(_("description"), blank=True)
    events = models.ManyToManyField("events.Event", verbose_name=_("sessions"), blank=True, related_name="+")

    class Meta:
        verbose_name = _("learning group")
        verbose_name_plural = _("learning groups")
        ordering = ["theme", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programme:learning_group", kwargs={"pk": self.pk})


class LearningGroupDocument(models.Model):
    group = models.ForeignKey(LearningGroup, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"))
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("shared document")
        verbose_name_plural = _("shared documents")
        ordering = ["-added_at"]

    def __str__(self) -> str:
        return self.title


class GoodPractice(models.Model):
    municipality = models.ForeignKey(
        Body,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="good_practices",
        limit_choices_to=MUNICIPALITIES,
    )
    theme = models.CharField(_("theme"), max_length=10, choices=Theme.choices)
    title = models.CharField(_("title"), max_length=200)
    arrangement = models.TextField(_("what the municipality arranges"))
    amounts = models.CharField(_("amounts"), max_length=300, blank=True)
    bylaw = models.CharField(_("bylaw and article"), max_length=300, blank=True)
    bylaw_url = models.URLField(_("link to the bylaw"), blank=True)
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("good practice")
        verbose_name_plural = _("good practices")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("programme:practice", kwargs={"pk": self.pk})


class Entitlement(models.Model):
    """What councillors of a municipality are entitled to in a year, with its source. An empty
    amount means unknown, never zero. Changes are kept in the audit log."""

    municipality = models.ForeignKey(
        Body,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="entitlements",
        limit_choices_to=MUNICIPALITIES,
    )
    year = models.PositiveSmallIntegerField(_("year"))
    council_seats = models.PositiveSmallIntegerField(_("seats in the council"), null=True, blank=True)
    training_budget_cents = models.PositiveIntegerField(
        _("personal training budget per councillor (cents)"), null=True, blank=True
    )
    faction_fixed_cents = models.PositiveIntegerField(
        _("faction support: fixed amount per faction (cents)"), null=True, blank=True
    )
    faction_per_seat_cents = models.PositiveIntegerField(
        _("faction support: amount per seat (cents)"), null=True, blank=True
    )
    official_assistance = models.TextField(_("official assistance"), blank=True, help_text=_("Hours or a description."))
    other_facilities = models.TextField(_("other facilities"), blank=True)
    how_to_use = models.TextField(_("how to use the training budget"), blank=True)
    source_name = models.CharField(_("source: bylaw"), max_length=300, blank=True)
    source_article = models.CharField(_("source: article"), max_length=100, blank=True)
    source_url = models.URLField(_("source: link"), blank=True)
    source_date = models.DateField(_("source: date"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("entitlements")
        verbose_name_plural = _("entitlements")
        ordering = ["municipality__search_name", "-year"]
        constraints = [models.UniqueConstraint(fields=["municipality", "year"], name="entitlement_once_per_year")]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year}"


class BudgetRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the clerk's office")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    member = models.ForeignKey(
        Member, verbose_name=_("councillor"), on_delete=models.CASCADE, related_name="budget_requests"
    )
    municipality = models.ForeignKey(
        Body,
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="budget_requests",
        limit_choices_to=MUNICIPALITIES,
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount_cents = models.PositiveIntegerField(_("amount (cents)"))
    description = models.CharField(_("what for"), max_length=300)
    registration = models.ForeignKey(
        "events.Registration",
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("budget request")
        verbose_name_plural = _("budget requests")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount_cents__gt=0), name="budget_request_positive")]

    def __str__(self) -> str:
        return f"{self.member} {self.amount_cents / 100:.2f} ({self.year})"
