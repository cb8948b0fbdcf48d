"""Reads of reference data, and the blocks of the public front page."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from .models import Body, Tier
from .text import MUNICIPALITY_ALIASES, normalise_name


def match_bodies(name: str, tier: str | None = None) -> list[Body]:
    """Bodies whose name matches `name`, tolerant of case, accents, CBS suffixes and common
    aliases ("Den Haag" for 's-Gravenhage). Returns [] for no match and several bodies when the
    name is ambiguous ("Bergen"); a CBS suffix ("Bergen (NH.)") disambiguates.
    """
    wanted = normalise_name(name)
    if not wanted:
        return []
    bodies = Body.objects.all()
    if tier:
        bodies = bodies.filter(tier=tier)
    candidates = list(bodies.filter(search_name=wanted))
    if not candidates and wanted in MUNICIPALITY_ALIASES:
        candidates = list(bodies.filter(search_name=MUNICIPALITY_ALIASES[wanted]))
    if not candidates and wanted.startswith(("gemeente ", "provincie ", "waterschap ")):
        return match_bodies(wanted.split(" ", 1)[1], tier)
    if len(candidates) > 1:
        with_suffix = normalise_name(name, keep_suffix=True)
        exact = [b for b in candidates if normalise_name(b.official_name or b.name, keep_suffix=True) == with_suffix]
        if exact:
            return exact
        current = [b for b in candidates if b.is_current]
        if len(current) == 1:
            return current
    return candidates


def body_list(*, tier: str | None = None, query: str = "", province: str | None = None) -> QuerySet[Body]:
    """Current bodies for the body list page, with their province and a count of municipalities."""
    bodies = Body.objects.current().select_related("province")
    if tier:
        bodies = bodies.filter(tier=tier)
    if province:
        in_province = Body.objects.filter(
            Q(province__code=province) | Q(code=province) | Q(provinces__code=province)
        ).values("pk")
        bodies = bodies.filter(pk__in=in_province)
    if query:
        wanted = normalise_name(query)
        alias = MUNICIPALITY_ALIASES.get(wanted)
        condition = Q(search_name__contains=wanted) | Q(code__iexact=query.strip())
        if alias:
            condition |= Q(search_name=alias)
        bodies = bodies.filter(condition)
    return bodies.annotate(municipality_count=Count("municipalities", distinct=True)).order_by("tier", "search_name")


def provinces() -> QuerySet[Body]:
    return Body.objects.current().filter(tier=Tier.PROVINCIAL).order_by("search_name")


# --- the public front page -----------------------------------------------------------------------


FRONT_PAGE_ITEMS = 3


def front_page(viewer: Any) -> dict[str, list[Any]]:
    """What an anonymous visitor sees on the front page: the latest public news and research, the
    next public events and the open candidate calls, at most FRONT_PAGE_ITEMS of each. Only what
    `viewer` may see (each app's own visibility rule); one query per block, whatever the amount."""
    from events.selectors import EventFilters, event_list
    from newsletter.models import NewsItem, Publication
    from selection.selectors import open_calls

    return {
        "news": list(NewsItem.objects.visible_to(viewer).order_by("-published_at", "-pk")[:FRONT_PAGE_ITEMS]),
        "publications": list(Publication.objects.visible_to(viewer).order_by("-date", "-pk")[:FRONT_PAGE_ITEMS]),
        "events": list(event_list(viewer=viewer, filters=EventFilters()).prefetch_related(None)[:FRONT_PAGE_ITEMS]),
        "calls": list(open_calls()[:FRONT_PAGE_ITEMS]),
    }
