"""Reads about events, filtered by what the viewer may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from core.roles import MEMBER_ROLES, STAFF_ROLES, roles_of

from .models import Event, Registration


@dataclass(frozen=True)
class EventFilters:
    kind: str = ""
    topic: str = ""
    month: str = ""  # YYYY-MM
    region: str = ""  # province code
    format: str = ""  # online | offline


def visible_events(viewer: Any) -> QuerySet[Event]:
    """Published events the viewer may see: public ones for everybody, the rest for association
    members and staff (invitation-only events for invitees), and everything they organise."""
    events = Event.objects.published()
    roles = roles_of(viewer)
    if not roles & (MEMBER_ROLES | STAFF_ROLES):
        visible = events.filter(audience=Event.Audience.PUBLIC)
    else:
        member = getattr(viewer, "member", None)
        condition = ~Q(audience=Event.Audience.INVITED)
        if member is not None:
            condition |= Q(invitees=member)
        visible = events.filter(condition)
    if viewer.is_authenticated:
        visible = visible | Event.objects.filter(organisers=viewer)
    return visible.distinct()


def event_list(*, viewer: Any, filters: EventFilters, past: bool = False) -> QuerySet[Event]:
    now = timezone.now()
    events = visible_events(viewer)
    events = events.filter(ends_at__lt=now) if past else events.filter(Q(ends_at__gte=now) | Q(ends_at__isnull=True))
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.topic:
        events = events.filter(topics__slug=filters.topic)
    if filters.region:
        events = events.filter(region__code=filters.region)
    if filters.format == "online":
        events = events.filter(online=True)
    elif filters.format == "offline":
        events = events.filter(online=False)
    if filters.month:
        try:
            first = datetime.date.fromisoformat(filters.month + "-01")
        except ValueError:
            first = None
        if first:
            following = (first + datetime.timedelta(days=32)).replace(day=1)
            events = events.filter(starts_at__date__gte=first, starts_at__date__lt=following)
    order = "-starts_at" if past else "starts_at"
    return (
        events.select_related("region")
        .prefetch_related("topics")
        .annotate(
            seats_taken=Count(
                "registrations", filter=Q(registrations__status__in=["confirmed", "offered"]), distinct=True
            ),
            session_count=Count("sessions", distinct=True),
        )
        .order_by(order, "pk")
    )


def my_registration(event: Event, member: Any) -> Registration | None:
    if member is None:
        return None
    return event.registrations.active().filter(member=member).first()


def seats_taken(event: Event) -> int:
    return event.registrations.holding_seat().count()


def participant_list(event: Event) -> QuerySet[Registration]:
    """Confirmed participants who chose to be on the list (shown to other participants)."""
    return event.registrations.filter(status=Registration.Status.CONFIRMED, on_participant_list=True).select_related(
        "member"
    )


def evaluation_summary(event: Event) -> dict[str, Any]:
    """Per question: how many gave each score 1-5, and the average."""
    from .models import Evaluation

    evaluations = list(Evaluation.objects.filter(registration__event=event))
    summary: dict[str, Any] = {"count": len(evaluations), "questions": [], "comments": []}
    for field, label in (
        ("overall", Evaluation._meta.get_field("overall").verbose_name),
        ("content", Evaluation._meta.get_field("content").verbose_name),
        ("organisation", Evaluation._meta.get_field("organisation").verbose_name),
    ):
        counts = [sum(1 for e in evaluations if getattr(e, field) == score) for score in range(1, 6)]
        average = sum(getattr(e, field) for e in evaluations) / len(evaluations) if evaluations else None
        top = max(counts) or 1
        bars = []
        for index, count in enumerate(counts):
            height = round(100 * count / top)
            x = 30 + index * 44
            bars.append(
                {
                    "score": index + 1,
                    "count": count,
                    "x": x,
                    "y": 130 - height,
                    "height": height,
                    "label_x": x + 16,
                    "count_y": 125 - height,
                }
            )
        summary["questions"].append(
            {"field": field, "label": label, "counts": counts, "average": average, "bars": bars}
        )
    summary["comments"] = [e.comment for e in evaluations if e.comment]
    return summary
