"""The networks' blocks on the home page (core.home): what is new in the networks a member is in
and the unanswered questions about their topics; for moderators (and administrators) the reported
posts that wait for them."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.home import Block
from core.roles import Role, roles_of

from .models import Membership, Moderator, Network, Thread
from .selectors import active_member

LIMIT = 5
QUESTIONS = 3
# How far back "new" reaches.
NEW_DAYS = 14


def network_news(user: Any) -> Block | None:
    """Questions and discussions with new posts in the last NEW_DAYS days in the member's
    networks, and questions about their topics of expertise that nobody answered yet in networks
    they may read (two queries; hidden threads never)."""
    member = active_member(user)
    if member is None:
        return None
    since = timezone.now() - datetime.timedelta(days=NEW_DAYS)
    mine = Membership.objects.filter(network=OuterRef("network"), user=user)
    recent = list(
        Thread.objects.filter(Exists(mine), hidden_at__isnull=True, last_post_at__gte=since)
        .select_related("network")
        .order_by("-last_post_at", "-pk")[:LIMIT]
    )
    unanswered = list(
        Thread.objects.filter(
            Exists(mine) | Q(network__kind=Network.Kind.TOPIC),
            kind=Thread.Kind.QUESTION,
            reply_count=0,
            solution__isnull=True,
            hidden_at__isnull=True,
            topic__in=member.topics.values("pk"),
        )
        .exclude(author=user)
        .exclude(pk__in=[thread.pk for thread in recent])
        .select_related("network", "topic")
        .order_by("-created_at", "-pk")[:QUESTIONS]
    )
    for thread in recent:
        thread.is_new = thread.created_at >= since  # type: ignore[attr-defined]
    return Block(
        key="networks",
        title=_("New in your networks"),
        template="networks/home/news.html",
        items=recent,
        more_url=reverse("networks:overview"),
        more_label=_("All networks"),
        empty=_("Nothing new in your networks in the last two weeks."),
        extra={"unanswered": unanswered, "has_content": bool(unanswered)},
    )


def reported_posts(user: Any) -> Block | None:
    """For moderators and administrators: the networks they moderate with reports nobody handled
    yet (one query, two when they moderate nothing)."""
    administrator = Role.ADMINISTRATOR in roles_of(user)
    networks = Network.objects.all()
    if not administrator:
        networks = networks.filter(Exists(Moderator.objects.filter(network=OuterRef("pk"), user=user)))
    waiting = list(
        networks.annotate(
            open_reports=Count(
                "threads__posts__reports", filter=Q(threads__posts__reports__handled_at__isnull=True), distinct=True
            )
        )
        .filter(open_reports__gt=0)
        .order_by("name")
    )
    if not administrator and not waiting and not Moderator.objects.filter(user=user).exists():
        return None
    return Block(
        key="reported_posts",
        title=_("Reported posts in networks"),
        template="networks/home/reports.html",
        items=waiting,
        count=sum(network.open_reports for network in waiting),
        more_url=reverse("networks:manage") if administrator else reverse("networks:overview"),
        more_label=_("All networks"),
        empty=_("No reported posts."),
        role=Role.ADMINISTRATOR.label if administrator else _("Moderator"),
    )
