"""The newsletter's blocks on the home page (core.home): the latest edition for a member; for the
editor the next edition and the news items and publications not yet published."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.home import Block, member_of
from core.roles import Role, roles_of

from .models import Edition, NewsItem, Publication

LIMIT = 4


def latest_edition(user: Any) -> Block | None:
    """The newest edition that was sent (one query)."""
    if member_of(user) is None:
        return None
    edition = Edition.objects.filter(status=Edition.Status.SENT).order_by("-sent_at", "-number").first()
    return Block(
        key="newsletter",
        title=_("The latest newsletter"),
        template="newsletter/home/edition.html",
        items=[edition] if edition else [],
        more_url=reverse("newsletter:archive"),
        more_label=_("All editions"),
        empty=_("No edition has been sent yet."),
    )


def editor_work(user: Any) -> Block | None:
    """For the editor: the editions not yet sent (the next one first) and the drafts of news items
    and publications (three queries)."""
    if Role.EDITOR not in roles_of(user):
        return None
    editions = list(Edition.objects.exclude(status=Edition.Status.SENT).order_by("scheduled_for", "number")[:LIMIT])
    news = list(NewsItem.objects.filter(published_at__isnull=True).order_by("-updated_at", "-pk")[:LIMIT])
    publications = list(Publication.objects.filter(published_at__isnull=True).order_by("-pk")[:LIMIT])
    return Block(
        key="editor",
        title=_("Next edition and drafts"),
        template="newsletter/home/editor.html",
        items=editions,
        count=len(news) + len(publications),
        more_url=reverse("newsletter:manage"),
        more_label=_("The newsletter"),
        empty=_("No edition in preparation."),
        empty_url=reverse("newsletter:edition_create"),
        empty_link=_("Start the next edition"),
        role=Role.EDITOR.label,
        extra={"news": news, "publications": publications, "has_content": bool(news or publications)},
    )
