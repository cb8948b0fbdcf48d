"""The members app's blocks on the home page (core.home): a member's unread messages; for the
administrator the mandates to check and the messages members reported."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.home import Block
from core.permissions import can
from core.roles import Role, roles_of

from .models import Mandate, Message

LIMIT = 4


def unread_messages(user: Any) -> Block | None:
    """The member's unread messages, newest first, with how many there are (two queries)."""
    if not can(user, "members.use_messages"):
        return None
    unread = Message.objects.filter(recipient=user.member, read_at__isnull=True)
    return Block(
        key="messages",
        title=_("Unread messages"),
        template="members/home/messages.html",
        items=list(unread.select_related("sender").order_by("-created_at", "-pk")[:LIMIT]),
        count=unread.count(),
        more_url=reverse("members:inbox"),
        more_label=_("All messages"),
        empty=_("No unread messages."),
    )


def mandates_to_check(user: Any) -> Block | None:
    """For the administrator: mandates members added or changed, oldest first (two queries)."""
    if not can(user, "members.review_mandates"):
        return None
    waiting = Mandate.objects.awaiting_review()
    return Block(
        key="mandate_reviews",
        title=_("Mandates to check"),
        template="members/home/mandates.html",
        items=list(waiting.select_related("member", "body").order_by("start_date", "pk")[:LIMIT]),
        count=waiting.count(),
        more_url=reverse("members:mandate_reviews"),
        more_label=_("All mandates to check"),
        empty=_("No mandates to check."),
        role=Role.ADMINISTRATOR.label,
    )


def reported_messages(user: Any) -> Block | None:
    """For the administrator: messages members reported, newest first (two queries). The message
    itself is read in the back office, not here."""
    if Role.ADMINISTRATOR not in roles_of(user):
        return None
    reported = Message.objects.filter(reported_at__isnull=False)
    return Block(
        key="reported_messages",
        title=_("Reported messages"),
        template="members/home/reported.html",
        items=list(reported.select_related("sender", "recipient").order_by("-reported_at", "-pk")[:LIMIT]),
        count=reported.count(),
        more_url=reverse("admin:members_message_changelist") + "?reported_at__isnull=False",
        more_label=_("Reported messages in the back office"),
        empty=_("No reported messages."),
        role=Role.ADMINISTRATOR.label,
    )
