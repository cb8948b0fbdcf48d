"""News, research publications and the weekly newsletter "Lokaal Bestuur": editions, subscribers,
one delivery record per recipient, bounces and suppressions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Member, Topic


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    MEMBERS = "members", _("Members only")


class ContentQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def published(self) -> ContentQuerySet:
        return self.filter(published_at__isnull=False, published_at__lte=timezone.now())

    def visible_to(self, user: object) -> ContentQuerySet:
        from core.roles import MEMBER_ROLES, STAFF_ROLES, roles_of

        published = self.published()
        if roles_of(user) & (MEMBER_ROLES | STAFF_ROLES):
            return published
        return published.filter(visibility=Visibility.PUBLIC)


class NewsItem(models.Model):
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("web address"), max_length=220, unique=True)
    summary = models.CharField(
        _("summary"), max_length=400, help_text=_("One or two sentences for lists and the newsletter.")
    )
    body = models.TextField(
        _("text"), help_text=_("A blank line starts a new paragraph; lines starting with '- ' form a list; **bold**.")
    )
    image = models.ImageField(_("image"), upload_to="news/%Y/", blank=True)
    image_alt = models.CharField(_("description of the image"), max_length=200, blank=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="news_items")
    visibility = models.CharField(
        _("who may read it"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContentQuerySet.as_manager()

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("newsletter:news_item", kwargs={"slug": self.slug})


class Publication(models.Model):
    """A research report on a pressing issue in local, regional or provincial politics."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("web address"), max_length=220, unique=True)
    summary = models.TextField(_("summary"))
    authors = models.CharField(_("authors"), max_length=300)
    date = models.DateField(_("date"))
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="publications")
    file = models.FileField(_("PDF"), upload_to="publications/%Y/")
    text = models.TextField(blank=True)
    text_note = models.CharField(max_length=300, blank=True)
    visibility = models.CharField(
        _("who may read it"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContentQuerySet.as_manager()

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("newsletter:publication", kwargs={"slug": self.slug})


class Edition(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    number = models.PositiveIntegerField(_("number"), unique=True)
    subject = models.CharField(_("subject"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    scheduled_for = models.DateTimeField(_("send at"), null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    public = models.BooleanField(
        _("public in the archive"), default=True, help_text=_("Otherwise only members can read it in the archive.")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.number}: {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("newsletter:edition", kwargs={"number": self.number})

    @property
    def editable(self) -> bool:
        return self.status == self.Status.DRAFT


class EditionItem(models.Model):
    """One entry of an edition, in order: a news item, a publication, a library document or an event."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    news_item = models.ForeignKey(NewsItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    publication = models.ForeignKey(Publication, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey("library.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(news_item__isnull=False, publication__isnull=True, document__isnull=True, event__isnull=True)
                    | Q(news_item__isnull=True, publication__isnull=False, document__isnull=True, event__isnull=True)
                    | Q(news_item__isnull=True, publication__isnull=True, document__isnull=False, event__isnull=True)
                    | Q(news_item__isnull=True, publication__isnull=True, document__isnull=True, event__isnull=False)
                ),
                name="edition_item_one_thing",
            )
        ]

    def __str__(self) -> str:
        return str(self.target)

    @property
    def target(self) -> object:
        return self.news_item or self.publication or self.document or self.event


class Subscriber(models.Model):
    """Somebody who gets the newsletter without being a member (double opt-in), or a member who
    opted out (members get it through their membership)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        ACTIVE = "active", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    member = models.OneToOneField(Member, null=True, blank=True, on_delete=models.CASCADE, related_name="subscription")
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.PENDING, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email


class Suppression(models.Model):
    """An address that gets no more newsletters: it bounced hard, bounced softly too often or
    complained. Staff can lift it."""

    class Reason(models.TextChoices):
        HARD_BOUNCE = "hard_bounce", _("Address does not exist (hard bounce)")
        SOFT_BOUNCES = "soft_bounces", _("Repeated temporary failures (soft bounces)")
        COMPLAINT = "complaint", _("Marked as spam")
        REJECTED = "rejected", _("Refused by the mail server")

    email = models.EmailField(_("e-mail address"), unique=True)
    reason = models.CharField(_("reason"), max_length=15, choices=Reason.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email


class Bounce(models.Model):
    """A bounce or complaint as reported by the provider's webhook or a bounce message."""

    class Kind(models.TextChoices):
        HARD = "hard", _("Hard bounce")
        SOFT = "soft", _("Soft bounce")
        COMPLAINT = "complaint", _("Complaint")

    email = models.EmailField(_("e-mail address"), db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    source = models.CharField(_("source"), max_length=50, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("bounce")
        verbose_name_plural = _("bounces")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.email} ({self.kind})"


class Delivery(models.Model):
    """One recipient of one edition. The send claims pending records in batches (one worker per
    record), marks each one sent right after the SMTP server accepted it, and retries transient
    failures with a backoff. See newsletter/sending.py."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SUPPRESSED = "suppressed", _("Not sent (suppressed)")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="deliveries")
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["edition", "email"], name="one_delivery_per_address")]
        indexes = [models.Index(fields=["edition", "status", "next_attempt_at"], name="delivery_queue")]

    def __str__(self) -> str:
        return f"{self.edition_id} → {self.email} ({self.status})"
