"""The library's blocks on the home page (core.home): new documents from the member's own councils
and topics, and what their saved searches found in their last alert."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.home import Block, member_of
from members.models import Mandate

from .models import Document, SavedSearch

LIMIT = 5
# How far back "new" reaches.
NEW_DAYS = 30
SEARCHES = 5
HITS_PER_SEARCH = 3


def new_documents(user: Any) -> Block | None:
    """Documents shared in the last NEW_DAYS days in the councils the member sits on or about their
    topics of expertise, newest first, except their own (one query)."""
    member = member_of(user)
    if member is None:
        return None
    since = timezone.now() - datetime.timedelta(days=NEW_DAYS)
    mine = Q(body__in=Mandate.objects.current().filter(member=member).values("body")) | Q(
        topics__in=member.topics.values("pk")
    )
    documents = list(
        Document.objects.visible_to(user)
        .filter(mine, shared_at__gte=since)
        .exclude(shared_by=member)
        .select_related("body")
        .distinct()
        .order_by("-shared_at", "-pk")[:LIMIT]
    )
    return Block(
        key="library",
        title=_("New in the library for you"),
        template="library/home/documents.html",
        items=documents,
        more_url=reverse("library:search") + "?sort=date",
        more_label=_("The newest documents in the library"),
        empty=_("Nothing new from your councils or topics in the last 30 days."),
    )


def saved_search_hits(user: Any) -> Block | None:
    """The member's saved searches with what their last alert found (recorded when the alert was
    sent, see library.services.send_alerts; never a search here): two queries. Only documents that
    are still published are shown."""
    member = member_of(user)
    if member is None:
        return None
    searches = list(
        SavedSearch.objects.filter(member=member, active=True).order_by(
            F("last_hits_at").desc(nulls_last=True), "name"
        )[:SEARCHES]
    )
    wanted = {pk for saved in searches for pk in saved.last_hit_ids[:HITS_PER_SEARCH]}
    documents = Document.objects.visible_to(user).select_related("body").in_bulk(wanted) if wanted else {}
    rows = [
        {
            "search": saved,
            "documents": [documents[pk] for pk in saved.last_hit_ids[:HITS_PER_SEARCH] if pk in documents],
        }
        for saved in searches
    ]
    return Block(
        key="saved_searches",
        title=_("Your saved searches"),
        template="library/home/saved_searches.html",
        items=rows,
        more_url=reverse("library:mine"),
        more_label=_("All your saved searches"),
        empty=_(
            "No saved searches. Search the library and choose 'Save this search' to get an e-mail about new documents."
        ),
    )
