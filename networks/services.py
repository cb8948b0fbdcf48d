"""Writes in networks: who is in which network, questions and replies, moderation, and the
e-mails about them.

E-mails are sent by the task worker: a service enqueues a task with ids only (after the
transaction commits), and the task reads the post, renders the e-mail and hands it to the mail
backend itself (`_deliver`), so no post text is ever stored in the task queue.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.models import Invitation, User
from core import uploads
from core.crypto import decrypt_bytes, encrypt_bytes
from core.mail import absolute_url, deliver_now, render_mail, unsubscribe_headers
from core.permissions import can
from core.roles import MEMBER_ROLES, Role, forget_roles
from members.models import Block, Mandate, Member, Topic

from . import search_index
from . import text as post_text
from .models import (
    Attachment,
    AuthorKind,
    Expert,
    LinkedDocument,
    Membership,
    Mention,
    Moderator,
    Network,
    NetworkInvitation,
    Notify,
    Post,
    Report,
    SearchChange,
    Thread,
    fits_tier_group,
    tier_mandates,
)
from .selectors import access, active_member, forget_access

logger = logging.getLogger(__name__)

ATTACHMENT_TYPES = frozenset({uploads.PDF, uploads.DOCX, uploads.XLSX, uploads.PNG, uploads.JPEG, uploads.TEXT})
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 5
MAX_TITLE = 200
MAX_BODY = 10000
POSTS_PER_HOUR = 30
# A question without any reply this long is brought to the attention of experts and advisers.
UNANSWERED_AFTER = datetime.timedelta(days=3)
DIGEST_PERIOD = {Notify.DAILY: datetime.timedelta(days=1), Notify.WEEKLY: datetime.timedelta(days=7)}
# Digests are due a little early, so that an hourly run never slips a whole hour per period.
DIGEST_MARGIN = datetime.timedelta(minutes=30)
DIGEST_MAX_THREADS = 20
UNSUBSCRIBE_SALT = "networks.unsubscribe"
# Addresses under /netwerken/ that are pages of their own, not networks.
RESERVED_SLUGS = frozenset({"gedragscode", "zoeken", "afmelden", "uitnodigingen", "bericht", "bijlage"})
DEFAULT_NOTIFY = {
    Membership.Source.AUTOMATIC: Notify.WEEKLY,
    Membership.Source.JOINED: Notify.WEEKLY,
    Membership.Source.INVITED: Notify.WEEKLY,
    Membership.Source.EXPERT: Notify.IMMEDIATE,
}


# --- tier networks: membership follows the mandates ---------------------------------------------------------


def _tier_users(network: Network) -> QuerySet[User]:
    """The accounts that belong in a tier network: active members with a current, confirmed
    mandate of the network's kind."""
    mandates = Mandate.objects.current().filter(tier_mandates(network.tier_group))
    return User.objects.filter(
        is_active=True,
        member__status=Member.Status.ACTIVE,
        member__erased_at__isnull=True,
        member__in=mandates.values("member"),
    )


@transaction.atomic
def sync_tier_network(network: Network) -> tuple[int, int]:
    """Bring a tier network's automatic memberships in line with the mandates: who has a
    matching current mandate is in it, who no longer has one is out. Returns (added, removed).
    Idempotent; a few queries whatever the size."""
    if network.kind != Network.Kind.TIER:
        return 0, 0
    expected = set(_tier_users(network).values_list("pk", flat=True))
    present = dict(Membership.objects.filter(network=network).values_list("user_id", "source"))
    now = timezone.now()
    missing = [pk for pk in expected if pk not in present]
    Membership.objects.bulk_create(
        [
            Membership(
                network=network,
                user_id=pk,
                source=Membership.Source.AUTOMATIC,
                notify=DEFAULT_NOTIFY[Membership.Source.AUTOMATIC],
                joined_at=now,
                last_digest_at=now,
            )
            for pk in missing
        ],
        ignore_conflicts=True,
    )
    stale = [pk for pk, source in present.items() if source == Membership.Source.AUTOMATIC and pk not in expected]
    removed, _detail = Membership.objects.filter(network=network, user_id__in=stale).delete()
    return len(missing), removed


def sync_all_tier_networks() -> dict[str, tuple[int, int]]:
    """Every tier network in line with the mandates (daily, for mandates that ended by date)."""
    return {n.slug: sync_tier_network(n) for n in Network.objects.filter(kind=Network.Kind.TIER)}


@transaction.atomic
def sync_member(member: Member) -> None:
    """One member's tier networks after their mandates or membership changed: three queries, and
    writes only for what changed."""
    if member.user_id is None:
        return
    networks = {n.tier_group: n for n in Network.objects.filter(kind=Network.Kind.TIER)}
    if not networks:
        return
    qualifies = member.status == Member.Status.ACTIVE and not member.erased_at
    held = (
        set(Mandate.objects.current().filter(member=member).values_list("body__tier", "role")) if qualifies else set()
    )
    belongs = {n.pk for group, n in networks.items() if any(fits_tier_group(group, t, r) for t, r in held)}
    present = dict(
        Membership.objects.filter(user_id=member.user_id, network__kind=Network.Kind.TIER).values_list(
            "network_id", "source"
        )
    )
    now = timezone.now()
    Membership.objects.bulk_create(
        [
            Membership(
                network_id=pk,
                user_id=member.user_id,
                source=Membership.Source.AUTOMATIC,
                notify=DEFAULT_NOTIFY[Membership.Source.AUTOMATIC],
                joined_at=now,
                last_digest_at=now,
            )
            for pk in belongs
            if pk not in present
        ],
        ignore_conflicts=True,
    )
    stale = [pk for pk, source in present.items() if source == Membership.Source.AUTOMATIC and pk not in belongs]
    if stale:
        Membership.objects.filter(user_id=member.user_id, network_id__in=stale).delete()


# --- networks and their moderators -------------------------------------------------------------------------


@transaction.atomic
def create_network(
    *,
    kind: str,
    name: str,
    description: str = "",
    tier_group: str = "",
    topic: Topic | None = None,
    created_by: User | None,
) -> Network:
    """A new network. A tier network is filled from the mandates at once; a topic network takes
    the topic's name unless another is given. One network per tier group and per topic."""
    if kind not in Network.Kind.values:
        raise ValidationError({"kind": _("Choose the kind of network.")})
    if kind == Network.Kind.TIER:
        if tier_group not in Network.TierGroup.values:
            raise ValidationError({"tier_group": _("Choose who is in the network.")})
        if Network.objects.filter(tier_group=tier_group).exists():
            raise ValidationError({"tier_group": _("There is already a network for them.")})
        topic = None
        name = name.strip() or str(Network.TierGroup(tier_group).label)
    elif kind == Network.Kind.TOPIC:
        if topic is None:
            raise ValidationError({"topic": _("Choose the topic.")})
        if Network.objects.filter(topic=topic).exists():
            raise ValidationError({"topic": _("There is already a network for this topic.")})
        tier_group = ""
        name = name.strip() or topic.name
    else:
        tier_group, topic = "", None
        name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the network a name.")})
    base = slugify(name)[:50] or "netwerk"
    if base in RESERVED_SLUGS:
        base = f"{base}-netwerk"
    slug, n = base, 2
    while Network.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    network = Network.objects.create(
        kind=kind,
        name=name[:120],
        slug=slug,
        tier_group=tier_group,
        topic=topic,
        description=description.strip()[:2000],
        created_by=created_by,
    )
    sync_tier_network(network)
    return network


@transaction.atomic
def update_network(*, network: Network, name: str, description: str) -> Network:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the network a name.")})
    network.name = name[:120]
    network.description = description.strip()[:2000]
    network.save(update_fields=["name", "description"])
    return network


def _may_moderate(user: User) -> bool:
    """Staff, or a member in good standing: an expert or a member without standing cannot
    moderate."""
    roles = user.roles
    return user.is_active and Role.EXPERT not in roles and (bool(roles & MEMBER_ROLES) or user.is_staff_member)


@transaction.atomic
def appoint_moderator(*, network: Network, email: str, appointed_by: User) -> Moderator:
    """Make the account with `email` a moderator of `network`: a staff user, or a member who is
    in the network (or, for a topic network, any member)."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None or not _may_moderate(user):
        raise ValidationError(
            {"email": _("No member or staff account with this e-mail address can moderate networks.")}
        )
    if not user.is_staff_member and not access(user, network).read:
        raise ValidationError({"email": _("This member is not in the network.")})
    moderator, _created = Moderator.objects.get_or_create(
        network=network, user=user, defaults={"appointed_by": appointed_by}
    )
    forget_access(user)
    return moderator


@transaction.atomic
def remove_moderator(*, moderator: Moderator) -> None:
    moderator.delete()


# --- joining, leaving, invitations --------------------------------------------------------------------------


@transaction.atomic
def join(*, network: Network, user: User) -> Membership:
    """A member joins a topic network (idempotent)."""
    if not can(user, "networks.join", network) and access(user, network).membership is None:
        raise PermissionDenied(_("You cannot join this network."))
    membership, _created = Membership.objects.get_or_create(
        network=network,
        user=user,
        defaults={"source": Membership.Source.JOINED, "notify": DEFAULT_NOTIFY[Membership.Source.JOINED]},
    )
    forget_access(user)
    return membership


@transaction.atomic
def leave(*, network: Network, user: User) -> None:
    """A member leaves a topic or closed network. Tier networks follow the mandates (notifications
    can be turned off there instead); experts are removed by a moderator."""
    if not can(user, "networks.leave", network):
        raise PermissionDenied(_("You cannot leave this network."))
    Membership.objects.filter(network=network, user=user).delete()
    forget_access(user)


@transaction.atomic
def set_notify(*, network: Network, user: User, notify: str) -> Membership:
    # A membership row alone is not enough: a lapsed member keeps theirs but reads nothing.
    if not can(user, "networks.set_notifications", network):
        raise PermissionDenied(_("You are not in this network."))
    if notify not in Notify.values:
        raise ValidationError({"notify": _("Choose how you want to hear about new posts.")})
    membership = Membership.objects.select_for_update().filter(network=network, user=user).first()
    if membership is None:
        raise PermissionDenied(_("You are not in this network."))
    if membership.notify != notify:
        membership.notify = notify
        # A digest starts from now: switching does not mail the whole history.
        membership.last_digest_at = timezone.now()
        membership.save(update_fields=["notify", "last_digest_at"])
    return membership


@transaction.atomic
def invite_members(*, network: Network, users: Iterable[User], invited_by: User) -> int:
    """Invite members into a closed network. Who is already in it, or already invited, is
    skipped; only active association members can be invited. Returns how many were invited."""
    if network.kind != Network.Kind.CLOSED:
        raise ValidationError(_("Only closed networks have invitations; members join other networks themselves."))
    candidates = list({u.pk: u for u in users if u.is_active and active_member(u) is not None}.values())
    if not candidates:
        return 0
    ids = [u.pk for u in candidates]
    present = set(Membership.objects.filter(network=network, user_id__in=ids).values_list("user_id", flat=True))
    invited = set(
        NetworkInvitation.objects.filter(network=network, user_id__in=ids, answered_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    new = [u for u in candidates if u.pk not in present and u.pk not in invited]
    from .tasks import send_invitation_mail

    for user in new:
        invitation = NetworkInvitation.objects.create(network=network, user=user, invited_by=invited_by)
        transaction.on_commit(partial(send_invitation_mail.enqueue, invitation.pk))
    return len(new)


def invitable_members(network: Network, *, emails: Iterable[str] = (), event: Any = None) -> list[User]:
    """The accounts of members given by e-mail address, or of an event's participants (a
    course's confirmed registrations), for `invite_members`."""
    users = User.objects.filter(is_active=True, member__isnull=False).select_related("member")
    found: list[User] = []
    addresses = [e.strip().lower() for e in emails if e.strip()]
    if addresses:
        found += list(users.filter(Q(email__in=addresses) | Q(member__email__in=addresses)))
    if event is not None:
        found += list(users.filter(member__registrations__event=event, member__registrations__status="confirmed"))
    return list({u.pk: u for u in found}.values())


@transaction.atomic
def answer_invitation(*, invitation: NetworkInvitation, accept: bool) -> Membership | None:
    invitation = NetworkInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.answered_at is not None:
        raise ValidationError(_("This invitation has already been answered."))
    invitation.answered_at = timezone.now()
    invitation.accepted = accept
    invitation.save(update_fields=["answered_at", "accepted"])
    if not accept:
        return None
    membership, _created = Membership.objects.get_or_create(
        network=invitation.network,
        user=invitation.user,
        defaults={"source": Membership.Source.INVITED, "notify": DEFAULT_NOTIFY[Membership.Source.INVITED]},
    )
    forget_access(invitation.user)
    return membership


# --- experts ------------------------------------------------------------------------------------------------


EXPERT_MAIL = "networks/email/expert_invitation"


@transaction.atomic
def invite_expert(*, network: Network, email: str, name: str, expertise: str, invited_by: User | None) -> Expert:
    """Invite an expert from outside into `network`: an account invitation with the expert role
    (the link's token is stored only as a hash), e-mailed with the network's name. The account
    will see this network and nothing else."""
    name, expertise = name.strip(), expertise.strip()
    if not name:
        raise ValidationError({"name": _("Give the expert's name.")})
    if not expertise:
        raise ValidationError({"expertise": _("Say briefly what the expert knows about.")})
    invitation, token = account_services.invite(
        email=email, name=name, roles=[Role.EXPERT], invited_by=invited_by, send=False
    )
    expert = Expert.objects.create(
        network=network, invitation=invitation, expertise=expertise[:200], invited_by=invited_by
    )
    account_services.send_invitation(invitation, token, template=EXPERT_MAIL, context={"expert": expert})
    return expert


@transaction.atomic
def resend_expert_invitation(*, expert: Expert) -> str:
    """A new link for an expert who has not chosen a password yet (the old one stops working)."""
    return account_services.resend_invitation(
        invitation=expert.invitation, template=EXPERT_MAIL, context={"expert": expert}
    )


def expert_accepted(*, invitation: Invitation, user: User) -> None:
    """The expert chose a password: their account gets its one network."""
    expert = Expert.objects.filter(invitation=invitation, removed_at__isnull=True).first()
    if expert is None:
        return
    expert.user = user
    expert.save(update_fields=["user"])
    Membership.objects.get_or_create(
        network=expert.network,
        user=user,
        defaults={"source": Membership.Source.EXPERT, "notify": DEFAULT_NOTIFY[Membership.Source.EXPERT]},
    )


@transaction.atomic
def remove_expert(*, expert: Expert) -> None:
    """The expert's work is done: their account is closed (their posts stay, with their name)."""
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if expert.removed_at:
        return
    expert.removed_at = timezone.now()
    expert.save(update_fields=["removed_at"])
    invitation = expert.invitation
    if invitation.accepted_at is None and invitation.revoked_at is None:
        account_services.revoke_invitation(invitation=invitation)
    if expert.user_id:
        user = expert.user
        assert user is not None
        Membership.objects.filter(user=user).delete()
        user.is_active = False
        user.save(update_fields=["is_active"])
        user.groups.clear()
        forget_roles(user)


# --- questions, discussions and replies ---------------------------------------------------------------------


@dataclass(frozen=True)
class Written:
    post: Post
    # "@Names" that matched nobody who can read the network (nobody was told).
    unresolved: list[str]


def check_files(files: Iterable[Any]) -> list[tuple[Any, str, bytes]]:
    """(upload, content type, bytes) of each file, or a translated ValidationError: at most
    MAX_ATTACHMENTS files of an accepted type (by content, core.uploads) and size."""
    files = [f for f in files if f]
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError({"files": _("Attach at most %(count)d files to one post.") % {"count": MAX_ATTACHMENTS}})
    checked = []
    for upload in files:
        try:
            kind = uploads.check(upload, accept=ATTACHMENT_TYPES, max_bytes=MAX_ATTACHMENT_BYTES)
        except ValidationError as error:
            raise ValidationError({"files": error.messages}) from error
        if kind == uploads.TEXT and not (upload.name or "").lower().endswith(".txt"):
            raise ValidationError(
                {"files": _("%(name)s is not a file of an accepted type.") % {"name": upload.name or _("The file")}}
            )
        checked.append((upload, kind, uploads.read_limited(upload, MAX_ATTACHMENT_BYTES)))
    return checked


def mention_candidates(network: Network) -> Any:
    """Who can be mentioned in `network`: members in good standing with an account who can read
    it (in a topic network every member; elsewhere those in the network)."""

    def candidates(first_words: set[str]) -> QuerySet[Member]:
        members = Member.objects.filter(
            status=Member.Status.ACTIVE,
            erased_at__isnull=True,
            user__is_active=True,
            user__groups__name__in=MEMBER_ROLES,
        ).distinct()
        if network.kind != Network.Kind.TOPIC:
            members = members.filter(Exists(Membership.objects.filter(network=network, user=OuterRef("user"))))
        return post_text.first_name_filter(members, first_words)

    return candidates


def author_kind(user: User) -> str:
    roles = user.roles
    if Role.EXPERT in roles:
        return AuthorKind.EXPERT
    if Role.ADVISER in roles:
        return AuthorKind.ADVISER
    if roles & MEMBER_ROLES and getattr(user, "member", None) is not None:
        return AuthorKind.MEMBER
    return AuthorKind.STAFF


def _check_rate(author: User) -> None:
    since = timezone.now() - datetime.timedelta(hours=1)
    if Post.objects.filter(author=author, created_at__gte=since).count() >= POSTS_PER_HOUR:
        raise ValidationError(_("You have posted a lot in the last hour; try again later."))


def _write_post(
    *, thread: Thread, author: User, body: str, opening: bool, quote: Post | None, files: list[Any], notify: bool
) -> Written:
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write something first.")})
    if len(body) > MAX_BODY:
        raise ValidationError({"body": _("Keep it under %(count)d characters.") % {"count": MAX_BODY}})
    checked = check_files(files)
    mentions = post_text.resolve_mentions(body, mention_candidates(thread.network))
    now = timezone.now()
    post = Post.objects.create(
        thread=thread,
        opening=opening,
        author=author,
        author_member=getattr(author, "member", None),
        author_kind=author_kind(author),
        body=mentions.text,
        quote=quote,
        created_at=now,
    )
    Mention.objects.bulk_create(
        [Mention(post=post, member=m) for m in mentions.members if m.user_id != author.pk], ignore_conflicts=True
    )
    from library.models import Document

    documents = Document.objects.filter(pk__in=post_text.linked_document_ids(body)).select_related("body")
    LinkedDocument.objects.bulk_create(
        [LinkedDocument(post=post, document=d) for d in documents if can(author, "library.view_document", d)]
    )
    for upload, kind, data in checked:
        Attachment.objects.create(
            post=post,
            filename=uploads.safe_name(upload.name or "", kind, default="bijlage")[:200],
            content_type=kind,
            size=len(data),
            content=encrypt_bytes(data),
        )
    search_index.record_changes([post.pk], SearchChange.Op.INDEX)
    if notify:
        from .tasks import notify_post

        transaction.on_commit(lambda: notify_post.enqueue(post.pk))
    return Written(post, mentions.unresolved)


@transaction.atomic
def start_thread(
    *,
    network: Network,
    author: User,
    kind: str,
    title: str,
    body: str,
    topic: Topic | None = None,
    files: Iterable[Any] = (),
    notify: bool = True,
) -> Written:
    """Ask a question or start a discussion. The people in the network hear of it as they chose;
    those @mentioned at once (`notify=False` only for the demo data: nobody is e-mailed)."""
    if not access(author, network).post:
        raise PermissionDenied(_("You cannot post in this network."))
    if kind not in Thread.Kind.values:
        raise ValidationError({"kind": _("Choose a question or a discussion.")})
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": _("Give it a title.")})
    if len(title) > MAX_TITLE:
        raise ValidationError({"title": _("Keep the title under %(count)d characters.") % {"count": MAX_TITLE}})
    _check_rate(author)
    now = timezone.now()
    thread = Thread.objects.create(
        network=network,
        kind=kind,
        title=title,
        topic=network.topic if network.kind == Network.Kind.TOPIC else topic,
        author=author,
        author_member=getattr(author, "member", None),
        created_at=now,
        last_post_at=now,
    )
    return _write_post(
        thread=thread, author=author, body=body, opening=True, quote=None, files=list(files), notify=notify
    )


@transaction.atomic
def reply(
    *,
    thread: Thread,
    author: User,
    body: str,
    quote: Post | None = None,
    files: Iterable[Any] = (),
    notify: bool = True,
) -> Written:
    """Reply to a question or discussion, optionally quoting one of its posts."""
    thread = Thread.objects.select_for_update().select_related("network").get(pk=thread.pk)
    if not access(author, thread.network).post:
        raise PermissionDenied(_("You cannot post in this network."))
    if thread.hidden_at:
        raise PermissionDenied(_("This conversation was hidden by a moderator."))
    if quote is not None and (quote.thread_id != thread.pk or quote.hidden_at):
        raise ValidationError(_("You can only quote a visible post of this conversation."))
    _check_rate(author)
    written = _write_post(
        thread=thread, author=author, body=body, opening=False, quote=quote, files=list(files), notify=notify
    )
    thread.reply_count = _visible_replies(thread)
    thread.last_post_at = written.post.created_at
    thread.save(update_fields=["reply_count", "last_post_at"])
    return written


def _visible_replies(thread: Thread) -> int:
    return Post.objects.filter(thread=thread, opening=False, hidden_at__isnull=True).count()


@transaction.atomic
def mark_helpful(*, thread: Thread, post: Post | None, user: User) -> Thread:
    """The asker marks the reply that helped (or, with None, takes the mark back)."""
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    if not can(user, "networks.mark_helpful", thread):
        raise PermissionDenied(_("Only the one who asked can mark the helpful answer."))
    if post is not None and (post.thread_id != thread.pk or post.opening or post.hidden_at):
        raise ValidationError(_("Mark a visible reply to this question."))
    thread.solution = post
    thread.save(update_fields=["solution"])
    return thread


# --- moderation --------------------------------------------------------------------------------------------


@transaction.atomic
def report_post(*, post: Post, reporter: User, reason: str) -> Report:
    """Report a post to the network's moderators. They are told by e-mail that there is a report
    (not what it says); reporting the same post twice before it is handled changes nothing."""
    if not can(reporter, "networks.report_post", post):
        raise PermissionDenied(_("You cannot report this post."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say briefly what is wrong with it.")})
    existing = Report.objects.filter(post=post, reporter=reporter, handled_at__isnull=True).first()
    if existing:
        return existing
    report = Report.objects.create(post=post, reporter=reporter, reason=reason[:2000])
    from .tasks import send_report_mail

    moderators = set(
        Moderator.objects.filter(network=post.thread.network_id, user__is_active=True).values_list("user_id", flat=True)
    )
    if not moderators:
        moderators = set(
            User.objects.filter(groups__name=Role.ADMINISTRATOR, is_active=True).values_list("pk", flat=True)
        )
    for user_id in sorted(moderators):
        transaction.on_commit(partial(send_report_mail.enqueue, report.pk, user_id))
    return report


def _recount(thread: Thread) -> None:
    thread.reply_count = _visible_replies(thread)
    fields = ["reply_count"]
    if thread.solution_id and Post.objects.filter(pk=thread.solution_id, hidden_at__isnull=False).exists():
        thread.solution = None
        fields.append("solution")
    thread.save(update_fields=fields)


def _record_search_changes(post: Post, op: str) -> None:
    """A post was hidden or shown again: the search index follows (in this transaction's log).
    The opening post takes its whole conversation with it; indexing skips what is still hidden."""
    ids = list(Post.objects.filter(thread=post.thread_id).values_list("pk", flat=True)) if post.opening else [post.pk]
    search_index.record_changes(ids, op)


@transaction.atomic
def hide_post(*, post: Post, moderator: User) -> Post:
    """Hide a post that breaks the code of conduct; hiding the opening post hides the whole
    conversation. Its open reports are handled with it."""
    post = Post.objects.select_for_update().select_related("thread__network").get(pk=post.pk)
    if not access(moderator, post.thread.network).moderate:
        raise PermissionDenied(_("Only the network's moderators can hide posts."))
    now = timezone.now()
    if post.hidden_at is None:
        post.hidden_at = now
        post.hidden_by = moderator
        post.save(update_fields=["hidden_at", "hidden_by"])
    if post.opening:
        Thread.objects.filter(pk=post.thread_id).update(hidden_at=now)
    # Out of the search index: the post, or with the opening post the whole conversation.
    _record_search_changes(post, SearchChange.Op.REMOVE)
    _recount(post.thread)
    post.reports.filter(handled_at__isnull=True).update(
        handled_at=now, handled_by=moderator, decision=Report.Decision.HIDDEN
    )
    return post


@transaction.atomic
def unhide_post(*, post: Post, moderator: User) -> Post:
    post = Post.objects.select_for_update().select_related("thread__network").get(pk=post.pk)
    if not access(moderator, post.thread.network).moderate:
        raise PermissionDenied(_("Only the network's moderators can hide posts."))
    post.hidden_at = None
    post.hidden_by = None
    post.save(update_fields=["hidden_at", "hidden_by"])
    if post.opening:
        Thread.objects.filter(pk=post.thread_id).update(hidden_at=None)
    _record_search_changes(post, SearchChange.Op.INDEX)
    _recount(post.thread)
    return post


@transaction.atomic
def keep_post(*, post: Post, moderator: User) -> int:
    """The moderator looked at the reports and leaves the post as it is."""
    if not access(moderator, post.thread.network).moderate:
        raise PermissionDenied(_("Only the network's moderators handle reports."))
    return post.reports.filter(handled_at__isnull=True).update(
        handled_at=timezone.now(), handled_by=moderator, decision=Report.Decision.KEPT
    )


# --- e-mails (run by the task worker) ----------------------------------------------------------------------


def unsubscribe_token(membership: Membership) -> str:
    """A signed token for the one-click unsubscribe link of a membership's e-mails."""
    return signing.dumps([membership.pk, membership.user_id], salt=UNSUBSCRIBE_SALT)


def membership_for_token(token: str) -> Membership | None:
    try:
        pk, user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return Membership.objects.filter(pk=pk, user_id=user_id).select_related("network", "user").first()


@transaction.atomic
def unsubscribe(*, membership: Membership) -> Membership:
    if membership.notify != Notify.NONE:
        membership.notify = Notify.NONE
        membership.save(update_fields=["notify"])
    return membership


def author_name(post: Post | Thread) -> str:
    """How an author is shown: their current name, "former member" after erasure."""
    member = post.author_member
    if member is not None:
        return str(_("former member")) if member.erased_at else member.full_name
    if post.author is not None:
        return post.author.name
    return str(_("former member"))


def mention_names(post: Post) -> dict[int, str]:
    return {
        m.member_id: (str(_("former member")) if m.member.erased_at else m.member.full_name)
        for m in post.mentions.all()
    }


def _deliver(template: str, user: User, context: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    """Render and send one e-mail in this process (the worker): the text never goes into the
    task queue."""
    subject, body, html = render_mail(template, context)
    deliver_now(subject=subject, to=[user.email], text=body, html=html, reply_to=[], headers=headers)


def _membership_context(membership: Membership | None) -> tuple[dict[str, Any], dict[str, str] | None]:
    if membership is None:
        return {}, None
    url = absolute_url(reverse("networks:unsubscribe", kwargs={"token": unsubscribe_token(membership)}))
    return {"unsubscribe_url": url, "membership": membership}, unsubscribe_headers(url)


def notify_post(post_id: int) -> int:
    """Queue the e-mails about a new post: the members it mentions, and everybody in the network
    who wants every post. Returns how many were queued."""
    post = Post.objects.select_related("thread__network").filter(pk=post_id, hidden_at__isnull=True).first()
    if post is None:
        return 0
    from .tasks import send_post_mail

    mentioned = set(
        Mention.objects.filter(post=post, member__user__isnull=False).values_list("member__user_id", flat=True)
    )
    if post.author_member_id:
        blocked_by = set(
            Block.objects.filter(blocked_id=post.author_member_id, blocker__user__isnull=False).values_list(
                "blocker__user_id", flat=True
            )
        )
        mentioned -= blocked_by
    watchers = set(
        Membership.objects.filter(network=post.thread.network, notify=Notify.IMMEDIATE, user__is_active=True)
        .exclude(user_id=post.author_id or 0)
        .values_list("user_id", flat=True)
    )
    queued = 0
    for user_id in sorted(mentioned):
        send_post_mail.enqueue(post.pk, user_id, "mention")
        queued += 1
    for user_id in sorted(watchers - mentioned):
        send_post_mail.enqueue(post.pk, user_id, "post")
        queued += 1
    return queued


def send_post_mail(post_id: int, user_id: int, reason: str) -> bool:
    """One e-mail about one post, if the recipient can still read it."""
    post = Post.objects.select_related("thread__network", "author_member", "author").filter(pk=post_id).first()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if post is None or user is None or post.hidden_at or post.thread.hidden_at:
        return False
    network = post.thread.network
    if not access(user, network).read:
        return False
    membership = Membership.objects.filter(network=network, user=user).first()
    context, headers = _membership_context(membership)
    _deliver(
        "networks/email/mention" if reason == "mention" else "networks/email/post",
        user,
        {
            **context,
            "network": network,
            "thread": post.thread,
            "post": post,
            "author": author_name(post),
            "text": post_text.plain(post.body, mention_names(post)),
            "post_url": absolute_url(post.thread.get_absolute_url()) + f"#bericht-{post.pk}",
        },
        headers,
    )
    return True


def send_report_mail(report_id: int, user_id: int) -> bool:
    report = Report.objects.select_related("post__thread__network").filter(pk=report_id).first()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if report is None or user is None or report.handled_at:
        return False
    network = report.post.thread.network
    _deliver(
        "networks/email/report",
        user,
        {
            "network": network,
            "moderation_url": absolute_url(reverse("networks:moderate", kwargs={"slug": network.slug})),
        },
    )
    return True


def send_invitation_mail(invitation_id: int) -> bool:
    invitation = NetworkInvitation.objects.select_related("network", "user").filter(pk=invitation_id).first()
    if invitation is None or invitation.answered_at or not invitation.user.is_active:
        return False
    _deliver(
        "networks/email/invitation",
        invitation.user,
        {"network": invitation.network, "networks_url": absolute_url(reverse("networks:overview"))},
    )
    return True


def unanswered_questions(now: datetime.datetime | None = None) -> QuerySet[Thread]:
    now = now or timezone.now()
    return Thread.objects.filter(
        kind=Thread.Kind.QUESTION,
        reply_count=0,
        alerted_at__isnull=True,
        hidden_at__isnull=True,
        created_at__lte=now - UNANSWERED_AFTER,
    )


def alert_recipients(thread: Thread) -> list[int]:
    """Accounts to tell about an unanswered question: members with the question's topic of
    expertise who can read the network, and the association's advisers; never the asker."""
    network = thread.network
    topic_id = thread.topic_id or network.topic_id
    ids: set[int] = set(User.objects.filter(groups__name=Role.ADVISER, is_active=True).values_list("pk", flat=True))
    if topic_id:
        experts = User.objects.filter(
            is_active=True,
            groups__name__in=MEMBER_ROLES,
            member__status=Member.Status.ACTIVE,
            member__erased_at__isnull=True,
            member__topics=topic_id,
        )
        if network.kind != Network.Kind.TOPIC:
            experts = experts.filter(network_memberships__network=network)
        ids |= set(experts.values_list("pk", flat=True))
    ids.discard(thread.author_id or 0)
    return sorted(ids)


def send_unanswered_alerts(now: datetime.datetime | None = None) -> int:
    """Bring every question that has had no reply for UNANSWERED_AFTER to the attention of the
    members with its topic of expertise and of the advisers, once: the question is marked under a
    row lock before its e-mails are queued, so a second run (or a second worker) sends nothing
    again. Returns the number of questions."""
    from .tasks import send_alert_mail

    done = 0
    for pk in list(unanswered_questions(now).values_list("pk", flat=True)):
        with transaction.atomic():
            thread = (
                unanswered_questions(now)
                .select_for_update(skip_locked=True)
                .select_related("network")
                .filter(pk=pk)
                .first()
            )
            if thread is None:
                continue
            thread.alerted_at = timezone.now()
            thread.save(update_fields=["alerted_at"])
            for user_id in alert_recipients(thread):
                transaction.on_commit(partial(send_alert_mail.enqueue, thread.pk, user_id))
            done += 1
    return done


def send_alert_mail(thread_id: int, user_id: int) -> bool:
    thread = Thread.objects.select_related("network", "topic", "network__topic").filter(pk=thread_id).first()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if thread is None or user is None or thread.hidden_at or thread.reply_count:
        return False
    if not access(user, thread.network).read:
        return False
    opening = thread.posts.filter(opening=True).prefetch_related("mentions__member").first()
    _deliver(
        "networks/email/unanswered",
        user,
        {
            "network": thread.network,
            "thread": thread,
            "topic": thread.topic or thread.network.topic,
            "adviser": Role.ADVISER in user.roles,
            "excerpt": post_text.excerpt(opening.body, mention_names(opening), 600) if opening else "",
            "thread_url": absolute_url(thread.get_absolute_url()),
        },
    )
    return True


def due_digests(now: datetime.datetime | None = None) -> QuerySet[Membership]:
    now = now or timezone.now()
    due = Q()
    for frequency, period in DIGEST_PERIOD.items():
        due |= Q(notify=frequency, last_digest_at__lte=now - period + DIGEST_MARGIN)
    return Membership.objects.filter(due, user__is_active=True)


def send_due_digests(now: datetime.datetime | None = None) -> int:
    """Queue a digest task for every membership whose daily or weekly digest is due. The task
    itself decides again under a row lock, so queueing twice sends once."""
    from .tasks import send_digest

    ids = list(due_digests(now).values_list("pk", flat=True))
    for pk in ids:
        send_digest.enqueue(pk)
    return len(ids)


def digest_threads(membership: Membership, since: datetime.datetime, until: datetime.datetime) -> list[dict[str, Any]]:
    """What is new in the membership's network between `since` and `until`, by thread: new
    questions and discussions and new replies, not counting the reader's own posts."""
    posts = (
        Post.objects.filter(
            thread__network=membership.network,
            created_at__gt=since,
            created_at__lte=until,
            hidden_at__isnull=True,
            thread__hidden_at__isnull=True,
        )
        .exclude(author_id=membership.user_id)
        .select_related("thread", "author_member", "author")
        .prefetch_related("mentions__member")
        .order_by("created_at")
    )
    threads: dict[int, dict[str, Any]] = {}
    for post in posts:
        entry = threads.setdefault(
            post.thread_id,
            {
                "thread": post.thread,
                "new": False,
                "replies": 0,
                "latest": None,
                "url": absolute_url(post.thread.get_absolute_url()),
            },
        )
        if post.opening:
            entry["new"] = True
        else:
            entry["replies"] += 1
        entry["latest"] = {"author": author_name(post), "excerpt": post_text.excerpt(post.body, mention_names(post))}
    ordered = sorted(threads.values(), key=lambda e: (not e["new"], -e["thread"].last_post_at.timestamp()))
    return ordered[:DIGEST_MAX_THREADS]


def send_digest(membership_id: int, now: datetime.datetime | None = None) -> bool:
    """E-mail one membership's digest if it is due and there is something new; move its clock on
    either way. Runs under the membership's row lock, so the same digest never goes twice."""
    now = now or timezone.now()
    with transaction.atomic():
        membership = (
            due_digests(now)
            .select_for_update(of=("self",))
            .select_related("network", "user")
            .filter(pk=membership_id)
            .first()
        )
        if membership is None:
            return False
        since = membership.last_digest_at
        membership.last_digest_at = now
        membership.save(update_fields=["last_digest_at"])
        if not access(membership.user, membership.network).read:
            return False
        entries = digest_threads(membership, since, now)
        if not entries:
            return False
        context, headers = _membership_context(membership)
        # Sent inside the transaction: if sending fails, the clock is not moved and the next run
        # tries again.
        _deliver(
            "networks/email/digest",
            membership.user,
            {
                **context,
                "network": membership.network,
                "entries": entries,
                "weekly": membership.notify == Notify.WEEKLY,
                "network_url": absolute_url(membership.network.get_absolute_url()),
            },
            headers,
        )
    return True


def housekeeping(now: datetime.datetime | None = None) -> dict[str, Any]:
    """What runs hourly: tier networks in line with the mandates, unanswered questions brought to
    attention, digests that are due queued, and the search index caught up with its change log
    (should a task have been lost)."""
    synced = sync_all_tier_networks()
    return {
        "tier_networks": {slug: {"added": a, "removed": r} for slug, (a, r) in synced.items()},
        "unanswered": send_unanswered_alerts(now),
        "digests": send_due_digests(now),
        "search_changes": search_index.apply_changes(),
    }


# --- attachments -------------------------------------------------------------------------------------------


def attachment_bytes(attachment: Attachment) -> bytes:
    return decrypt_bytes(bytes(attachment.content))


# --- privacy ------------------------------------------------------------------------------------------------


def personal_data(member: Member) -> dict[str, Any]:
    """A member's part of networks for their data export: memberships, what they wrote (with
    the names they mentioned), their reports."""

    def when(value: Any) -> str | None:
        return value.isoformat() if value else None

    user = member.user
    posts = (
        Post.objects.filter(author_member=member)
        .select_related("thread__network")
        .prefetch_related("mentions__member", Prefetch("attachments", queryset=Attachment.objects.defer("content")))
        .order_by("created_at")
    )
    return {
        "memberships": [
            {"network": m.network.name, "how": m.source, "email": m.notify, "since": when(m.joined_at)}
            for m in (Membership.objects.filter(user=user).select_related("network") if user else [])
        ],
        "posts": [
            {
                "network": p.thread.network.name,
                "conversation": p.thread.title,
                "kind": p.thread.kind if p.opening else "reply",
                "posted": when(p.created_at),
                "text": post_text.plain(p.body, mention_names(p)),
                "attachments": [a.filename for a in p.attachments.all()],
                "hidden_by_moderator": when(p.hidden_at),
            }
            for p in posts
        ],
        "reports": [
            {"network": r.post.thread.network.name, "reported": when(r.created_at), "reason": r.reason}
            for r in (Report.objects.filter(reporter=user).select_related("post__thread__network") if user else [])
        ],
    }


def forget_user(*, user: User) -> None:
    """Erasure of a member: they leave every network, moderate none and have no open
    invitations. Their posts stay, shown as "former member" (Post.author_member is erased)."""
    Membership.objects.filter(user=user).delete()
    Moderator.objects.filter(user=user).delete()
    NetworkInvitation.objects.filter(user=user, answered_at__isnull=True).delete()
