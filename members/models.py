"""Who our people are and where they hold office: members, mandates, factions and branches."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField
from core.models import Body, Tier
from core.text import normalise_name


class Topic(models.Model):
    """A topic of expertise from the managed list (wonen, zorg, klimaat...)."""

    slug = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=80, unique=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Branch(models.Model):
    """Afdeling (one or more municipalities) or gewest (a province)."""

    class Kind(models.TextChoices):
        LOCAL = "local", _("Local branch")
        REGIONAL = "regional", _("Regional branch")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name in the address"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    municipalities = models.ManyToManyField(
        Body,
        verbose_name=_("municipalities"),
        blank=True,
        related_name="branches",
        limit_choices_to={"tier": Tier.MUNICIPAL},
    )
    province = models.ForeignKey(
        Body,
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="regional_branches",
        limit_choices_to={"tier": Tier.PROVINCIAL},
    )
    email = models.EmailField(_("e-mail address"), blank=True)

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Visibility(models.TextChoices):
    NOBODY = "nobody", _("Nobody")
    STAFF = "staff", _("Association staff only")
    MEMBERS = "members", _("All members")


class AddressVisibility(models.TextChoices):
    # A postal address is never shown to other members.
    NOBODY = "nobody", _("Nobody")
    STAFF = "staff", _("Association staff only")


class MemberQuerySet(models.QuerySet["Member"]):
    def active(self) -> MemberQuerySet:
        return self.filter(status=Member.Status.ACTIVE)


class Member(models.Model):
    """A person in the association, usually holding or having held a mandate."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        LAPSED = "lapsed", _("Lapsed")
        FORMER = "former", _("Former member")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    given_name = models.CharField(_("given name"), max_length=100)
    infix = models.CharField(_("infix"), max_length=30, blank=True, help_text=_("For example 'van der' or 'de'."))
    family_name = models.CharField(_("family name"), max_length=150)
    sort_name = models.CharField(max_length=300, db_index=True, editable=False)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("town"), max_length=100, blank=True)
    photo = models.ImageField(_("photo"), upload_to="members/photos/", blank=True)
    bio = models.TextField(_("short bio"), blank=True, max_length=2000)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics of expertise"), blank=True, related_name="members")
    status = models.CharField(_("membership status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    member_since = models.DateField(_("member since"), default=timezone.localdate)
    member_until = models.DateField(_("member until"), null=True, blank=True)
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    email_visibility = models.CharField(
        _("who sees my e-mail address"), max_length=10, choices=Visibility.choices, default=Visibility.STAFF
    )
    phone_visibility = models.CharField(
        _("who sees my phone number"), max_length=10, choices=Visibility.choices, default=Visibility.STAFF
    )
    address_visibility = models.CharField(
        _("who sees my postal address"),
        max_length=10,
        choices=AddressVisibility.choices,
        default=AddressVisibility.STAFF,
    )
    photo_visibility = models.CharField(
        _("who sees my photo"), max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    bio_visibility = models.CharField(
        _("who sees my bio"), max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    notify_messages = models.BooleanField(_("e-mail me when a member sends me a message"), default=True)
    notify_association_news = models.BooleanField(
        _("e-mail me about meetings and courses of the association"), default=True
    )
    erased_at = models.DateTimeField(_("personal data erased"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["sort_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="member_email_ci_unique"),
            models.CheckConstraint(condition=~Q(address_visibility="members"), name="member_address_never_public"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.email = self.email.strip().lower()
        # Dutch sorting: "Jan van der Berg" sorts under B, the infix is ignored.
        self.sort_name = normalise_name(f"{self.family_name} {self.given_name}")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("members:member_detail", kwargs={"pk": self.pk})

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.infix, self.family_name) if part)

    @property
    def initials(self) -> str:
        return (self.given_name[:1] + self.family_name[:1]).upper()


class Faction(models.Model):
    """Fractie: the party's group in the council of one body."""

    body = models.OneToOneField(Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="faction")
    name = models.CharField(_("name"), max_length=200)
    chair = models.ForeignKey(
        Member,
        verbose_name=_("faction chair"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chaired_factions",
    )
    seats = models.PositiveSmallIntegerField(_("seats"), null=True, blank=True)

    class Meta:
        verbose_name = _("faction")
        verbose_name_plural = _("factions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MandateRole(models.TextChoices):
    COUNCILLOR = "councillor", _("Councillor")
    ALDERMAN = "alderman", _("Alderman")
    MAYOR = "mayor", _("Mayor")
    PROVINCIAL_COUNCILLOR = "provincial_councillor", _("Provincial councillor")
    PROVINCIAL_EXECUTIVE = "provincial_executive", _("Provincial executive")
    WATER_BOARD_MEMBER = "water_board_member", _("Water board member")
    WATER_BOARD_EXECUTIVE = "water_board_executive", _("Water board executive")
    WATER_BOARD_CHAIR = "water_board_chair", _("Water board chair")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    FACTION_CHAIR = "faction_chair", _("Faction chair")


# Which mandate roles exist in which tier.
ROLES_BY_TIER = {
    Tier.MUNICIPAL: [
        MandateRole.COUNCILLOR,
        MandateRole.ALDERMAN,
        MandateRole.MAYOR,
        MandateRole.COMMITTEE_MEMBER,
        MandateRole.FACTION_CHAIR,
    ],
    Tier.PROVINCIAL: [
        MandateRole.PROVINCIAL_COUNCILLOR,
        MandateRole.PROVINCIAL_EXECUTIVE,
        MandateRole.COMMITTEE_MEMBER,
        MandateRole.FACTION_CHAIR,
    ],
    Tier.WATER_BOARD: [
        MandateRole.WATER_BOARD_MEMBER,
        MandateRole.WATER_BOARD_EXECUTIVE,
        MandateRole.WATER_BOARD_CHAIR,
        MandateRole.FACTION_CHAIR,
    ],
}


class MandateQuerySet(models.QuerySet["Mandate"]):
    def current(self, on=None) -> MandateQuerySet:  # type: ignore[no-untyped-def]
        """Mandates that run on `on` (today) and are confirmed: a mandate a member added
        themselves counts only after staff approved it."""
        on = on or timezone.localdate()
        return (
            self.exclude(review_status__in=[Mandate.Review.PENDING, Mandate.Review.REJECTED])
            .filter(start_date__lte=on)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
        )

    def awaiting_review(self) -> MandateQuerySet:
        return self.filter(review_status__in=[Mandate.Review.PENDING, Mandate.Review.CHANGED])


class Mandate(models.Model):
    """A member holding a role in a body for a period. History is kept: a mandate ends, it is not
    deleted, and it stays linked to its body even after that body merged into another.

    Mandates a member adds themselves are PENDING (not shown as theirs) until staff approve them;
    a member's change to a confirmed mandate applies at once and is flagged CHANGED for review.
    """

    class Review(models.TextChoices):
        APPROVED = "approved", _("Confirmed")
        PENDING = "pending", _("Awaiting review")
        CHANGED = "changed", _("Changed by the member")
        REJECTED = "rejected", _("Rejected")

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="mandates")
    body = models.ForeignKey(Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="mandates")
    role = models.CharField(_("role"), max_length=30, choices=MandateRole.choices)
    faction = models.ForeignKey(
        Faction, verbose_name=_("faction"), null=True, blank=True, on_delete=models.SET_NULL, related_name="mandates"
    )
    portfolios = models.CharField(
        _("portfolios"), max_length=300, blank=True, help_text=_("For executives: the portfolios, comma separated.")
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    review_status = models.CharField(
        _("review"), max_length=10, choices=Review.choices, default=Review.APPROVED, db_index=True
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    objects = MandateQuerySet.as_manager()

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="mandate_end_after_start",
            )
        ]
        indexes = [models.Index(fields=["body", "end_date"])]

    def __str__(self) -> str:
        return f"{self.member} — {self.get_role_display()}, {self.body}"

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.start_date <= today and (self.end_date is None or self.end_date >= today)


class BranchOfficial(models.Model):
    """A member who runs a branch (chair, secretary...). Gives object-level rights on that branch."""

    class Function(models.TextChoices):
        CHAIR = "chair", _("Chair")
        SECRETARY = "secretary", _("Secretary")
        TREASURER = "treasurer", _("Treasurer")
        BOARD_MEMBER = "board_member", _("Board member")

    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="officials")
    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="branch_functions"
    )
    function = models.CharField(_("function"), max_length=20, choices=Function.choices)
    start_date = models.DateField(_("start"), default=timezone.localdate)
    end_date = models.DateField(_("end"), null=True, blank=True)

    class Meta:
        verbose_name = _("branch official")
        verbose_name_plural = _("branch officials")
        ordering = ["branch", "function"]

    def __str__(self) -> str:
        return f"{self.member} — {self.get_function_display()}, {self.branch}"


class Message(models.Model):
    """A message from one member to another through the platform. The recipient's address is never
    shown to the sender; the sender's only when they chose so."""

    sender = models.ForeignKey(Member, verbose_name=_("sender"), on_delete=models.CASCADE, related_name="sent_messages")
    recipient = models.ForeignKey(
        Member, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="received_messages"
    )
    # Encrypted at rest like the desk's cases: a message between two councillors can be as
    # sensitive as a case (a threat, a dilemma). Not searchable in the database, by design.
    body = EncryptedTextField(_("message"), max_length=5000)
    reveal_sender_email = models.BooleanField(_("show my e-mail address to the recipient"), default=False)
    created_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)
    report_reason = EncryptedTextField(_("reason for the report"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["sender", "recipient", "created_at"])]

    def __str__(self) -> str:
        return f"{self.sender} → {self.recipient} ({self.created_at:%Y-%m-%d})"


class Block(models.Model):
    """A member who no longer accepts messages from another member."""

    blocker = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="blocks")
    blocked = models.ForeignKey(Member, verbose_name=_("blocked member"), on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        constraints = [models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique")]

    def __str__(self) -> str:
        return f"{self.blocker} blocks {self.blocked}"


class PrivateFieldView(models.Model):
    """A staff member saw private fields of a member (those not visible to all members)."""

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("viewed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="+")
    fields = models.CharField(_("fields"), max_length=100)
    path = models.CharField(_("page"), max_length=300)
    viewed_at = models.DateTimeField(_("viewed"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("view of private fields")
        verbose_name_plural = _("views of private fields")
        ordering = ["-viewed_at"]

    def __str__(self) -> str:
        return f"{self.viewer} → {self.member}: {self.fields}"


class ErasureRequest(models.Model):
    """A member's request to erase their personal data (AVG/GDPR art. 17), executed by an
    administrator."""

    member = models.ForeignKey(
        Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="erasure_requests"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    reason = models.TextField(_("explanation"), blank=True, max_length=2000)
    executed_at = models.DateTimeField(_("executed"), null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("executed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.member} ({self.requested_at:%Y-%m-%d})"


class ImportBatch(models.Model):
    """An uploaded member list: checked in a dry run first, written only when confirmed."""

    class Status(models.TextChoices):
        CHECKED = "checked", _("Checked, not yet imported")
        IMPORTED = "imported", _("Imported")
        DISCARDED = "discarded", _("Discarded")

    file_name = models.CharField(_("file"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    rows = models.JSONField(_("rows"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CHECKED)
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)

    class Meta:
        verbose_name = _("member import")
        verbose_name_plural = _("member imports")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.uploaded_at:%Y-%m-%d %H:%M})"

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.get("errors"))


class InvitationRun(models.Model):
    """Invitations sent in bulk by the worker, with progress and a report of failures."""

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    member_ids = models.JSONField(default=list)
    done = models.PositiveIntegerField(_("done"), default=0)
    sent = models.PositiveIntegerField(_("sent"), default=0)
    failures = models.JSONField(_("failures"), default=list)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("bulk invitation")
        verbose_name_plural = _("bulk invitations")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}: {self.sent}/{self.total}"

    @property
    def total(self) -> int:
        return len(self.member_ids)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100
