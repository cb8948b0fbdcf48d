"""The events' blocks on the home page (core.home): a member's next registrations and sessions, an
organiser's upcoming events with the registrations that wait for them."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.home import Block, member_of
from core.roles import Role, roles_of

from .models import Event, Registration, Session

LIMIT = 5


def next_registrations(user: Any) -> Block | None:
    """The member's live registrations for events that have not ended, soonest first, each with its
    next session: two queries."""
    member = member_of(user)
    if member is None:
        return None
    now = timezone.now()
    registrations = list(
        Registration.objects.active()
        .filter(member=member)
        .filter(Q(event__ends_at__gte=now) | Q(event__ends_at__isnull=True))
        .select_related("event")
        .prefetch_related(
            Prefetch(
                "event__sessions",
                queryset=Session.objects.filter(ends_at__gte=now).order_by("starts_at", "pk"),
                to_attr="coming_sessions",
            )
        )
        .order_by("event__starts_at", "pk")[:LIMIT]
    )
    return Block(
        key="events",
        title=_("My registrations"),
        template="events/home/registrations.html",
        items=registrations,
        more_url=reverse("events:calendar"),
        more_label=_("All my registrations and my calendar"),
        empty=_("You are not registered for any coming event."),
        empty_url=reverse("events:list"),
        empty_link=_("See what is coming up"),
    )


def organiser_events(user: Any) -> Block | None:
    """For an event organiser: the coming events they organise with seats taken, the waitlist and
    the registrations of the past week (one query)."""
    if Role.EVENT_ORGANISER not in roles_of(user):
        return None
    now = timezone.now()
    week_ago = now - datetime.timedelta(days=7)
    live = ~Q(registrations__status__in=[Registration.Status.CANCELLED, Registration.Status.EXPIRED])
    events = list(
        Event.objects.filter(organisers=user)
        .filter(Q(ends_at__gte=now) | Q(ends_at__isnull=True))
        .exclude(status=Event.Status.CANCELLED)
        .annotate(
            seats_taken=Count(
                "registrations",
                filter=Q(registrations__status__in=[Registration.Status.CONFIRMED, Registration.Status.OFFERED]),
            ),
            waitlisted=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)),
            new_this_week=Count("registrations", filter=live & Q(registrations__signed_up_at__gte=week_ago)),
        )
        .order_by("starts_at", "pk")[:LIMIT]
    )
    return Block(
        key="organiser",
        title=_("Your coming events"),
        template="events/home/organiser.html",
        items=events,
        count=sum(e.waitlisted for e in events),
        more_url=reverse("events:manage_list"),
        more_label=_("All events you organise"),
        empty=_("You organise no coming events."),
        role=Role.EVENT_ORGANISER.label,
    )
