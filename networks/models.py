"""Networks: places where members (and invited experts) ask each other questions and discuss.

A network is a tier network (everybody with a current mandate of that kind is in it, kept in step
with the mandates), a topic network from the managed topic list (members join and leave) or a
closed network (members are invited, e.g. a course's participants). Questions and discussions are
threads of posts; what members write is encrypted at rest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField
from core.models import Tier
from members.models import MandateRole, Member, Topic


class Network(models.Model):
    class Kind(models.TextChoices):
        TIER = "tier", _("Tier network")
        TOPIC = "topic", _("Topic network")
        CLOSED = "closed", _("Closed network")

    class TierGroup(models.TextChoices):
        COUNCILLORS = "councillors", _("Councillors")
        PROVINCIAL_COUNCILLORS = "provincial_councillors", _("Provincial councillors")
        WATER_BOARD = "water_board", _("Water board members")
        EXECUTIVES = "executives", _("Aldermen, provincial executives and mayors")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name in the address"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    tier_group = models.CharField(_("who is in it"), max_length=30, choices=TierGroup.choices, blank=True)
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), null=True, blank=True, on_delete=models.PROTECT, related_name="networks"
    )
    description = models.TextField(_("description"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["tier_group"], condition=~Q(tier_group=""), name="network_tier_once"),
            models.UniqueConstraint(fields=["topic"], name="network_topic_once"),
            models.CheckConstraint(
                condition=(Q(kind="tier") & ~Q(tier_group="") & Q(topic__isnull=True))
                | (Q(kind="topic") & Q(tier_group="") & Q(topic__isnull=False))
                | (Q(kind="closed") & Q(tier_group="") & Q(topic__isnull=True)),
                name="network_kind_fits",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("networks:network", kwargs={"slug": self.slug})


# Which current mandates put a member in which tier network: (tiers of the body, roles); None
# means any.
TIER_GROUPS: dict[str, tuple[frozenset[str] | None, frozenset[str] | None]] = {
    Network.TierGroup.COUNCILLORS: (
        frozenset({Tier.MUNICIPAL}),
        frozenset({MandateRole.COUNCILLOR, MandateRole.FACTION_CHAIR}),
    ),
    Network.TierGroup.PROVINCIAL_COUNCILLORS: (
        frozenset({Tier.PROVINCIAL}),
        frozenset({MandateRole.PROVINCIAL_COUNCILLOR, MandateRole.FACTION_CHAIR}),
    ),
    Network.TierGroup.WATER_BOARD: (frozenset({Tier.WATER_BOARD}), None),
    Network.TierGroup.EXECUTIVES: (
        None,
        frozenset({MandateRole.ALDERMAN, MandateRole.PROVINCIAL_EXECUTIVE, MandateRole.MAYOR}),
    ),
}


def tier_mandates(group: str) -> Q:
    """The mandates (as a filter) that put a member in the tier network of `group`."""
    tiers, roles = TIER_GROUPS[group]
    condition = Q()
    if tiers is not None:
        condition &= Q(body__tier__in=sorted(tiers))
    if roles is not None:
        condition &= Q(role__in=sorted(roles))
    return condition


def fits_tier_group(group: str, tier: str, role: str) -> bool:
    tiers, roles = TIER_GROUPS[group]
    return (tiers is None or tier in tiers) and (roles is None or role in roles)


class Notify(models.TextChoices):
    NONE = "none", _("No e-mail")
    IMMEDIATE = "immediate", _("Immediately, for every post")
    DAILY = "daily", _("A daily digest")
    WEEKLY = "weekly", _("A weekly digest")


class Membership(models.Model):
    """A person in a network: a member (by mandate, joined or invited) or an invited expert. Every
    membership is a login account: only people who can log in can read a network."""

    class Source(models.TextChoices):
        AUTOMATIC = "automatic", _("By mandate")
        JOINED = "joined", _("Joined")
        INVITED = "invited", _("Invited")
        EXPERT = "expert", _("Expert")

    network = models.ForeignKey(
        Network, verbose_name=_("network"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="network_memberships",
    )
    source = models.CharField(_("how"), max_length=10, choices=Source.choices)
    notify = models.CharField(_("e-mail about new posts"), max_length=10, choices=Notify.choices, default=Notify.WEEKLY)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    # Posts after this moment go into the next digest.
    last_digest_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("network membership")
        verbose_name_plural = _("network memberships")
        constraints = [models.UniqueConstraint(fields=["network", "user"], name="network_membership_once")]
        indexes = [models.Index(fields=["notify", "last_digest_at"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.network}"


class Moderator(models.Model):
    """A staff user or member who moderates a network: hides reported posts, invites people."""

    network = models.ForeignKey(Network, verbose_name=_("network"), on_delete=models.CASCADE, related_name="moderators")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="moderated_networks"
    )
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    appointed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("moderator")
        verbose_name_plural = _("moderators")
        constraints = [models.UniqueConstraint(fields=["network", "user"], name="network_moderator_once")]

    def __str__(self) -> str:
        return f"{self.user} moderates {self.network}"


class NetworkInvitation(models.Model):
    """A member invited into a closed network; they accept or decline on the networks page."""

    network = models.ForeignKey(
        Network, verbose_name=_("network"), on_delete=models.CASCADE, related_name="invitations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="network_invitations",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    accepted = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("network invitation")
        verbose_name_plural = _("network invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "user"], condition=Q(answered_at__isnull=True), name="network_invitation_open_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.network}"


class Expert(models.Model):
    """An expert from outside (deskundige) invited into one network. The account comes from an
    accounts.Invitation with the expert role; its membership is made when the invitation is
    accepted. The account sees that network and nothing else of the platform."""

    network = models.ForeignKey(Network, verbose_name=_("network"), on_delete=models.CASCADE, related_name="experts")
    invitation = models.OneToOneField(
        "accounts.Invitation", verbose_name=_("invitation"), on_delete=models.CASCADE, related_name="expert"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert",
    )
    expertise = models.CharField(_("expertise"), max_length=200, help_text=_("Shown next to their name."))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.invitation.name} ({self.network})"


class Thread(models.Model):
    """A question or a discussion: its opening post and the replies."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        DISCUSSION = "discussion", _("Discussion")

    network = models.ForeignKey(Network, verbose_name=_("network"), on_delete=models.CASCADE, related_name="threads")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.QUESTION)
    title = EncryptedTextField(_("title"), max_length=200)
    topic = models.ForeignKey(
        Topic, verbose_name=_("topic"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    last_post_at = models.DateTimeField(default=timezone.now)
    # Visible replies (not counting the opening post); kept by the services.
    reply_count = models.PositiveIntegerField(default=0)
    solution = models.ForeignKey(
        "Post", verbose_name=_("helpful answer"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When a question without replies was brought to the attention of experts and advisers.
    alerted_at = models.DateTimeField(null=True, blank=True)
    # The opening post was hidden by a moderator: the thread is hidden with it.
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("question or discussion")
        verbose_name_plural = _("questions and discussions")
        ordering = ["-last_post_at"]
        indexes = [
            models.Index(fields=["network", "last_post_at"]),
            models.Index(fields=["kind", "reply_count", "alerted_at", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("networks:thread", kwargs={"slug": self.network.slug, "pk": self.pk})

    @property
    def is_question(self) -> bool:
        return self.kind == self.Kind.QUESTION


class AuthorKind(models.TextChoices):
    MEMBER = "member", _("Member")
    EXPERT = "expert", _("Expert")
    ADVISER = "adviser", _("Adviser of the association")
    STAFF = "staff", _("Staff of the association")


class Post(models.Model):
    """The opening post of a thread or a reply. The text may mention members as @{member:ID}
    (rendered with their current name, so an erased member shows as "former member")."""

    thread = models.ForeignKey(Thread, verbose_name=_("thread"), on_delete=models.CASCADE, related_name="posts")
    opening = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="network_posts"
    )
    author_member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="network_posts"
    )
    # In which capacity the author wrote it (shown next to the name).
    author_kind = models.CharField(max_length=10, choices=AuthorKind.choices, default=AuthorKind.MEMBER)
    body = EncryptedTextField(_("text"), max_length=10000)
    quote = models.ForeignKey(
        "self", verbose_name=_("quotes"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("posted"), default=timezone.now, db_index=True)
    hidden_at = models.DateTimeField(_("hidden"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["thread", "created_at"])]

    def __str__(self) -> str:
        return f"Post #{self.pk}"


class Mention(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="network_mentions")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "member"], name="network_mention_once")]

    def __str__(self) -> str:
        return f"{self.post_id} → {self.member_id}"


class LinkedDocument(models.Model):
    """A library document a post links to, shown as a card to those who may read it."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey("library.Document", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "document"], name="network_document_once")]

    def __str__(self) -> str:
        return f"{self.post_id} → {self.document_id}"


class Attachment(models.Model):
    """A file on a post, checked by its content (core.uploads); the bytes are stored encrypted."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    filename = EncryptedTextField(_("file name"))
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Attachment #{self.pk}"


class Report(models.Model):
    """A post reported to the network's moderators."""

    class Decision(models.TextChoices):
        HIDDEN = "hidden", _("Hidden")
        KEPT = "kept", _("Kept")

    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = EncryptedTextField(_("what is wrong with it"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "reporter"], condition=Q(handled_at__isnull=True), name="network_report_open_once"
            )
        ]

    def __str__(self) -> str:
        return f"Report on post #{self.post_id}"


class SearchChange(models.Model):
    """The change log of the networks' search index (networks.search_index): one row per post
    whose searchable state may have changed (written, hidden, shown again), written in the same
    transaction as the change. The single writer applies the log in order and deletes what it
    applied, as the library's index does (library.models.SearchChange)."""

    class Op(models.TextChoices):
        INDEX = "index", "index"
        REMOVE = "remove", "remove"

    id = models.BigAutoField(primary_key=True)
    post_id = models.BigIntegerField()
    op = models.CharField(max_length=6, choices=Op.choices)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.id} {self.op} {self.post_id}"
