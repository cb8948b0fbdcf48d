"""Network meetings, courses (leergangen) and trainings; sessions; registrations and waitlists."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import hash_token
from core.fields import EncryptedTextField
from core.models import Body, Tier
from core.richtext import render
from core.text import format_euros
from members.models import Branch, MandateRole, Member, Topic


class EventQuerySet(models.QuerySet["Event"]):
    def published(self) -> EventQuerySet:
        return self.filter(status__in=[Event.Status.PUBLISHED, Event.Status.CANCELLED])

    def upcoming(self) -> EventQuerySet:
        return self.filter(ends_at__gte=timezone.now())

    def past(self) -> EventQuerySet:
        return self.filter(ends_at__lt=timezone.now())


class Event(models.Model):
    class Kind(models.TextChoices):
        NETWORK_MEETING = "network_meeting", _("Network meeting")
        COURSE = "course", _("Course")
        TRAINING = "training", _("Training")
        WEBINAR = "webinar", _("Webinar")
        FACTION_TRAINING = "faction_training", _("Faction training")

    class Audience(models.TextChoices):
        MEMBERS = "members", _("All members")
        TIERS = "tiers", _("Members in certain tiers")
        ROLES = "roles", _("Members with certain roles")
        BRANCH = "branch", _("Members of one branch")
        INVITED = "invited", _("Invited people only")
        PUBLIC = "public", _("Public: members and guests")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("short name in the address"), unique=True, max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NETWORK_MEETING)
    summary = models.CharField(_("summary"), max_length=300, help_text=_("One or two sentences for the list."))
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_("A blank line starts a new paragraph; lines starting with '- ' form a list; **bold**."),
    )
    description_html = models.TextField(editable=False, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.MEMBERS)
    audience_tiers = models.JSONField(_("tiers"), default=list, blank=True)
    audience_roles = models.JSONField(_("roles"), default=list, blank=True)
    audience_branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invitees = models.ManyToManyField(
        Member, verbose_name=_("invited members"), blank=True, related_name="event_invitations"
    )
    region = models.ForeignKey(
        Body,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"tier": Tier.PROVINCIAL},
        help_text=_("The province where it takes place; empty for national or online."),
    )
    capacity = models.PositiveIntegerField(_("seats"), default=30)
    registration_opens = models.DateTimeField(_("registration opens"), default=timezone.now)
    registration_closes = models.DateTimeField(_("registration closes"))
    cancellation_deadline = models.DateTimeField(_("cancellation possible until"))
    price_cents = models.PositiveIntegerField(_("price (in cents)"), default=0)
    asks_needs = models.BooleanField(_("ask for dietary or accessibility needs"), default=True)
    offer_hold_hours = models.PositiveSmallIntegerField(_("hours a freed seat is held for someone waiting"), default=48)
    certificate_share = models.PositiveSmallIntegerField(
        _("share of sessions needed for a certificate (%)"), default=80
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("organisers"), blank=True, related_name="organised_events"
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="events")
    # Denormalised from the sessions for listing and filtering without a join.
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True, editable=False, db_index=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True, editable=False, db_index=True)
    online = models.BooleanField(_("online"), default=False, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.description_html = render(self.description)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        errors = {}
        if self.registration_closes and self.registration_opens and self.registration_closes < self.registration_opens:
            errors["registration_closes"] = _("Registration cannot close before it opens.")
        if self.audience == self.Audience.TIERS and not self.audience_tiers:
            errors["audience_tiers"] = _("Choose at least one tier.")
        if self.audience == self.Audience.ROLES and not self.audience_roles:
            errors["audience_roles"] = _("Choose at least one role.")
        if self.audience == self.Audience.BRANCH and not self.audience_branch_id:
            errors["audience_branch"] = _("Choose the branch.")
        if errors:
            raise ValidationError(errors)

    @property
    def price_euros(self) -> str:
        return format_euros(self.price_cents)

    @property
    def is_paid(self) -> bool:
        return self.price_cents > 0

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_past(self) -> bool:
        return self.ends_at is not None and self.ends_at < timezone.now()

    @property
    def registration_open(self) -> bool:
        now = timezone.now()
        return self.status == self.Status.PUBLISHED and self.registration_opens <= now <= self.registration_closes

    def refresh_schedule(self) -> None:
        """Copy first start, last end and 'online' from the sessions."""
        sessions = list(self.sessions.all())
        self.starts_at = min((s.starts_at for s in sessions), default=None)
        self.ends_at = max((s.ends_at for s in sessions), default=None)
        self.online = bool(sessions) and all(s.online_url and not s.address for s in sessions)
        Event.objects.filter(pk=self.pk).update(starts_at=self.starts_at, ends_at=self.ends_at, online=self.online)


class Session(models.Model):
    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location_name = models.CharField(_("location"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True, help_text=_("Shown only to confirmed participants."))
    # Raised when the time changes, so calendar apps update the appointment (iCalendar SEQUENCE).
    revision = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start")
        ]

    def __str__(self) -> str:
        return self.title or f"{self.event.title} ({timezone.localtime(self.starts_at):%d-%m-%Y %H:%M})"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")})
        if not (self.address or self.online_url or self.location_name):
            raise ValidationError(_("Give a location with address, or an online link."))


class RegistrationQuerySet(models.QuerySet["Registration"]):
    def holding_seat(self) -> RegistrationQuerySet:
        """Registrations that occupy a seat: confirmed, or offered and not yet answered."""
        return self.filter(status__in=[Registration.Status.CONFIRMED, Registration.Status.OFFERED])

    def active(self) -> RegistrationQuerySet:
        return self.exclude(status__in=[Registration.Status.CANCELLED, Registration.Status.EXPIRED])


def _token() -> str:
    return secrets.token_urlsafe(24)


class Registration(models.Model):
    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Awaiting e-mail confirmation")
        CONFIRMED = "confirmed", _("Registered")
        WAITLISTED = "waitlisted", _("On the waitlist")
        OFFERED = "offered", _("Seat offered")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Offer expired")

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations")
    member = models.ForeignKey(
        Member, verbose_name=_("member"), null=True, blank=True, on_delete=models.CASCADE, related_name="registrations"
    )
    guest_name = models.CharField(_("name"), max_length=200, blank=True)
    guest_email = models.EmailField(_("e-mail address"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, db_index=True)
    # The waitlist order: exactly the moment of signing up.
    signed_up_at = models.DateTimeField(_("signed up"), default=timezone.now, db_index=True)
    offered_at = models.DateTimeField(_("seat offered"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer valid until"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    needs = models.TextField(_("dietary or accessibility needs"), blank=True, max_length=1000)
    on_participant_list = models.BooleanField(_("show me on the participant list"), default=False)
    # The private link in every e-mail: found by a hash of its token; the token itself is kept
    # encrypted, for the links in later e-mails and on the member's own pages. A dump shows neither.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token = EncryptedTextField(default=_token, editable=False)
    invoice_number = models.CharField(_("invoice number"), max_length=20, blank=True)
    reminded_sessions = models.JSONField(default=list, editable=False)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["signed_up_at", "pk"]
        constraints = [
            # One live registration per member per event.
            models.UniqueConstraint(
                fields=["event", "member"],
                condition=~Q(status__in=["cancelled", "expired"]) & Q(member__isnull=False),
                name="registration_one_per_member",
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=False) | (~Q(guest_name="") & ~Q(guest_email="")),
                name="registration_member_or_guest",
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "signed_up_at"])]

    def __str__(self) -> str:
        return f"{self.name} — {self.event}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.token_hash:
            self.token_hash = hash_token(self.token)
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        return self.member.full_name if self.member_id and self.member else self.guest_name

    @property
    def email(self) -> str:
        return self.member.email if self.member_id and self.member else self.guest_email

    @property
    def is_guest(self) -> bool:
        return self.member_id is None


class Attendance(models.Model):
    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE, related_name="attendance"
    )
    session = models.ForeignKey(Session, verbose_name=_("session"), on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(_("present"), default=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("marked by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["registration", "session"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.registration.name} @ {self.session}"


class Evaluation(models.Model):
    SCORES = [(n, str(n)) for n in range(1, 6)]

    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="evaluation")
    overall = models.PositiveSmallIntegerField(_("overall"), choices=SCORES)
    content = models.PositiveSmallIntegerField(_("content"), choices=SCORES)
    organisation = models.PositiveSmallIntegerField(_("organisation"), choices=SCORES)
    comment = models.TextField(_("what should we keep or change?"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")

    def __str__(self) -> str:
        return f"{self.registration}: {self.overall}"


class CalendarFeed(models.Model):
    """A member's personal calendar feed: a secret URL that can be revoked (a new token). Only a
    hash of the token is kept: the link is shown once, when it is made (events.services.new_calendar_link)."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.member}"


class InvoiceSequence(models.Model):
    """The last invoice number used in a year (numbers must be consecutive without gaps)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("invoice number sequence")
        verbose_name_plural = _("invoice number sequences")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


# Mandate roles an audience can be limited to, in a stable order for forms.
AUDIENCE_ROLE_CHOICES = MandateRole.choices
