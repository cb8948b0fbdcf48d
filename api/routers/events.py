"""Events and courses: what the site's list shows the viewer (events.selectors.event_list), limited
to published and cancelled events; drafts never appear in the API, not even to their organisers."""

from __future__ import annotations

from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema

from core.permissions import can
from events import selectors
from events.models import Event

from ..auth import optional_token
from ..common import OPTIONAL_AUTH, body_ref, page, site_url, topics, viewer_of
from ..errors import ERROR_STATUSES, ErrorOut
from ..schemas import NO_NUL, EventDetailOut, EventKind, EventPage, PageParams

router = Router(tags=["events"], auth=optional_token)

SHOWN_STATUSES = (Event.Status.PUBLISHED, Event.Status.CANCELLED)


class EventFilters(Schema):
    kind: EventKind | None = None
    topic: str = Field("", max_length=50, pattern=NO_NUL, description="Topic code (slug).")
    region: str = Field("", max_length=8, pattern=NO_NUL, description="Province code, e.g. PV23.")
    month: str = Field("", pattern=r"^((19|20)\d{2}-(0[1-9]|1[0-2]))?$", description="YYYY-MM: starting in that month.")
    format: Literal["online", "offline"] | None = None
    past: bool = Field(False, description="Past events (newest first) instead of coming ones.")


def _event(event: Event, seats_taken: int) -> dict[str, Any]:
    return {
        "slug": event.slug,
        "title": event.title,
        "kind": event.kind,
        "summary": event.summary,
        "status": event.status,
        "audience": event.audience,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "online": event.online,
        "region": body_ref(event.region),
        "capacity": event.capacity,
        "seats_taken": seats_taken,
        "price_cents": event.price_cents,
        "registration_opens": event.registration_opens,
        "registration_closes": event.registration_closes,
        "topics": topics(event.topics.all()),
        "url": site_url(event.get_absolute_url()),
    }


@router.get(
    "/events",
    response={200: EventPage, ERROR_STATUSES: ErrorOut},
    url_name="events",
    summary="Events and courses",
    openapi_extra=OPTIONAL_AUTH,
)
def events(request: HttpRequest, filters: Query[EventFilters], paging: Query[PageParams]) -> Any:
    """Coming events, soonest first (or past ones, newest first). Without a token: public events."""
    listed = selectors.event_list(
        viewer=viewer_of(request).user,
        filters=selectors.EventFilters(
            kind=filters.kind or "",
            topic=filters.topic,
            month=filters.month,
            region=filters.region,
            format=filters.format or "",
        ),
        past=filters.past,
    ).filter(status__in=SHOWN_STATUSES)
    count = listed.count()
    rows = list(listed[paging.offset : paging.offset + paging.limit]) if count > paging.offset else []
    return page(count, paging, [_event(e, getattr(e, "seats_taken", 0)) for e in rows])


@router.get(
    "/events/{slug}",
    response={200: EventDetailOut, ERROR_STATUSES: ErrorOut},
    url_name="event",
    summary="One event with its sessions",
    openapi_extra=OPTIONAL_AUTH,
)
def event(request: HttpRequest, slug: str = Path(..., max_length=80, pattern=r"^[-a-zA-Z0-9_]+$")) -> Any:
    """An event the viewer may see on the site (404 otherwise)."""
    found = (
        Event.objects.filter(slug=slug, status__in=SHOWN_STATUSES)
        .select_related("region")
        .prefetch_related("topics", "sessions")
        .first()
    )
    if found is None or not can(viewer_of(request).user, "events.view_event", found):
        raise Http404
    sessions = [
        {
            "title": s.title,
            "starts_at": s.starts_at,
            "ends_at": s.ends_at,
            "location_name": s.location_name,
            "address": s.address,
            "online": bool(s.online_url),
        }
        for s in sorted(found.sessions.all(), key=lambda s: (s.starts_at, s.pk))
    ]
    return {
        **_event(found, selectors.seats_taken(found)),
        "description": found.description,
        "sessions": sessions,
    }
