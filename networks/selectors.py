"""Reads for networks, already limited to what the user may see.

`access(user, network)` is the one place that decides who reads, posts in and moderates a network
(networks.rules asks it); it is computed once per user and network and kept on the user object for
the rest of the request, so a page with many posts asks the database twice, not per post.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from core.roles import MEMBER_ROLES, Role, roles_of
from members.models import Member

from .models import (
    Attachment,
    LinkedDocument,
    Membership,
    Moderator,
    Network,
    NetworkInvitation,
    Post,
    Report,
    Thread,
)


@dataclass(frozen=True)
class Access:
    read: bool = False
    post: bool = False
    moderate: bool = False
    membership: Membership | None = None
    expert: bool = False


NO_ACCESS = Access()


def active_member(user: Any) -> Member | None:
    """The user's member record when they are an association member in good standing."""
    if not (roles_of(user) & MEMBER_ROLES):
        return None
    member = getattr(user, "member", None)
    if member is None or member.status != Member.Status.ACTIVE or member.erased_at:
        return None
    return member


def access(user: Any, network: Network | None) -> Access:
    """What `user` may do in `network`:

    - experts read and post in the one network they were invited into, nothing else;
    - association members read topic networks (open to every member) and the networks they are
      in, and post where they are in (a topic network after joining);
    - the association's advisers read and post in every network (unanswered questions are
      brought to them); administrators read every network and moderate it;
    - a network's moderators read, post and moderate there.
    """
    if network is None or user is None or not user.is_authenticated:
        return NO_ACCESS
    roles = roles_of(user)
    if not roles:
        return NO_ACCESS
    cache: dict[int, Access] = user.__dict__.setdefault("_network_access", {})
    if network.pk in cache:
        return cache[network.pk]
    membership = Membership.objects.filter(network=network, user=user).first()
    if Role.EXPERT in roles:
        allowed = membership is not None and membership.source == Membership.Source.EXPERT
        result = Access(read=allowed, post=allowed, membership=membership if allowed else None, expert=True)
    else:
        moderator = Moderator.objects.filter(network=network, user=user).exists()
        member = active_member(user) is not None
        adviser = Role.ADVISER in roles
        administrator = Role.ADMINISTRATOR in roles
        in_network = member and membership is not None
        result = Access(
            read=moderator or adviser or administrator or in_network or (member and network.kind == Network.Kind.TOPIC),
            post=moderator or adviser or in_network,
            moderate=moderator or administrator,
            membership=membership if member or moderator else None,
        )
    cache[network.pk] = result
    return result


def readable_network_ids(user: Any) -> list[int]:
    """The ids of every network `user` may read, in one query: the same decision as `access`
    (experts their one network; members the topic networks and the networks they are in;
    advisers and administrators all; moderators theirs), for filtering many networks at once."""
    if user is None or not user.is_authenticated:
        return []
    roles = roles_of(user)
    if not roles:
        return []
    mine = Membership.objects.filter(network=OuterRef("pk"), user=user)
    if Role.EXPERT in roles:
        readable = Network.objects.filter(Exists(mine.filter(source=Membership.Source.EXPERT)))
    elif roles & {Role.ADVISER, Role.ADMINISTRATOR}:
        readable = Network.objects.all()
    else:
        visible = Q(Exists(Moderator.objects.filter(network=OuterRef("pk"), user=user)))
        if active_member(user) is not None:
            visible |= Q(Exists(mine)) | Q(kind=Network.Kind.TOPIC)
        readable = Network.objects.filter(visible)
    return sorted(readable.values_list("pk", flat=True))


def forget_access(user: Any) -> None:
    """Drop the cached access after the user's memberships changed (join, leave)."""
    user.__dict__.pop("_network_access", None)


def expert_network(user: Any) -> Network | None:
    """The network an expert was invited into (None for everybody else, and for an expert who was
    removed)."""
    if Role.EXPERT not in roles_of(user):
        return None
    membership = Membership.objects.filter(user=user, source=Membership.Source.EXPERT).select_related("network").first()
    return membership.network if membership else None


def moderates_any(user: Any) -> bool:
    return bool(user.is_authenticated and Moderator.objects.filter(user=user).exists())


def networks_for(user: Any) -> QuerySet[Network]:
    """The networks `user` may read, each annotated with the user's membership (`my_notify`,
    `my_source`), whether they moderate it, the number of people in it and of open questions."""
    roles = roles_of(user)
    networks = Network.objects.select_related("topic")
    mine = Membership.objects.filter(network=OuterRef("pk"), user=user)
    if Role.EXPERT in roles:
        networks = networks.filter(Exists(mine.filter(source=Membership.Source.EXPERT)))
    elif not roles & {Role.ADVISER, Role.ADMINISTRATOR}:
        moderated = Moderator.objects.filter(network=OuterRef("pk"), user=user)
        visible = Exists(mine) | Exists(moderated)
        if active_member(user) is not None:
            visible |= Q(kind=Network.Kind.TOPIC)
        networks = networks.filter(visible)
    people = Membership.objects.filter(network=OuterRef("pk")).values("network").annotate(n=Count("pk")).values("n")
    open_questions = (
        Thread.objects.filter(
            network=OuterRef("pk"), kind=Thread.Kind.QUESTION, solution__isnull=True, hidden_at__isnull=True
        )
        .values("network")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return networks.annotate(
        my_source=Subquery(mine.values("source")[:1]),
        my_notify=Subquery(mine.values("notify")[:1]),
        i_moderate=Exists(Moderator.objects.filter(network=OuterRef("pk"), user=user)),
        people=Subquery(people),
        open_questions=Subquery(open_questions),
    ).order_by("kind", "name")


def open_invitations(user: Any) -> QuerySet[NetworkInvitation]:
    return NetworkInvitation.objects.filter(user=user, answered_at__isnull=True).select_related("network")


def threads(network: Network, *, show: str = "", moderator: bool = False) -> QuerySet[Thread]:
    """The threads of a network, newest activity first. Hidden threads only for moderators.
    `show`: "open" (questions without a helpful answer), "questions", "discussions" or all."""
    result = Thread.objects.filter(network=network).select_related("network", "author_member", "author", "topic")
    if not moderator:
        result = result.filter(hidden_at__isnull=True)
    if show == "open":
        result = result.filter(kind=Thread.Kind.QUESTION, solution__isnull=True)
    elif show == "questions":
        result = result.filter(kind=Thread.Kind.QUESTION)
    elif show == "discussions":
        result = result.filter(kind=Thread.Kind.DISCUSSION)
    return result.order_by("-last_post_at", "-pk")


def thread_posts(thread: Thread) -> QuerySet[Post]:
    """The posts of a thread with everything the page shows (authors, quotes, mentions, linked
    documents, attachments) in a fixed number of queries, however long the thread."""
    return (
        Post.objects.filter(thread=thread)
        .select_related("author_member", "author", "author__expert", "quote", "quote__author_member", "quote__author")
        .prefetch_related(
            "mentions__member",
            "quote__mentions__member",
            Prefetch(
                "documents",
                queryset=LinkedDocument.objects.select_related("document", "document__body").order_by("pk"),
            ),
            Prefetch("attachments", queryset=Attachment.objects.defer("content")),
        )
        .order_by("created_at", "pk")
    )


def open_reports(network: Network) -> QuerySet[Post]:
    """Posts of the network with reports that no moderator handled yet, oldest report first."""
    return (
        Post.objects.filter(
            Exists(Report.objects.filter(post=OuterRef("pk"), handled_at__isnull=True)), thread__network=network
        )
        .select_related("thread__network", "author_member", "author")
        .prefetch_related("mentions__member")
        .order_by("pk")
    )
