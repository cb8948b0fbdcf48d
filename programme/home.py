"""The programme's blocks on the home page (core.home): a councillor's entitlements this year; for
a griffie contact their municipality's programme state and the budget requests to decide; for the
programme officer the new applications of municipalities."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.home import Block, member_of
from core.models import Body
from core.roles import Role, roles_of

from .models import Application, BudgetRequest, Entitlement, Track
from .services import councils_of

LIMIT = 4


def my_entitlements(user: Any) -> Block | None:
    """This year's entitlements in each council the member sits on (two queries); unknown stays
    unknown. Members without a council seat get no block."""
    member = member_of(user)
    if member is None:
        return None
    councils = councils_of(member)
    if not councils:
        return None
    year = timezone.localdate().year
    known = {item.municipality_id: item for item in Entitlement.objects.filter(municipality__in=councils, year=year)}
    return Block(
        key="entitlements",
        title=_("Your entitlements in %(year)s") % {"year": year},
        template="programme/home/entitlements.html",
        items=[{"municipality": body, "entitlement": known.get(body.pk)} for body in councils],
        more_url=reverse("programme:my_entitlements"),
        more_label=_("All your entitlements and your training budget"),
        extra={"year": year},
    )


def municipality_state(user: Any) -> Block | None:
    """For a griffie contact: per municipality they are a contact of, the tracks and their status,
    whether this year's entitlements are filled in, and the budget requests waiting for a decision
    (two queries)."""
    if Role.GRIFFIE_CONTACT not in roles_of(user):
        return None
    year = timezone.localdate().year
    municipalities = list(
        Body.objects.filter(programme_contacts__user=user)
        .annotate(
            pending_requests=Count(
                "budget_requests", filter=Q(budget_requests__status=BudgetRequest.Status.PENDING), distinct=True
            ),
            has_entitlements=Exists(Entitlement.objects.filter(municipality=OuterRef("pk"), year=year)),
        )
        .prefetch_related(Prefetch("tracks", queryset=Track.objects.order_by("theme")))
        .order_by("search_name")
    )
    return Block(
        key="griffie",
        title=_("Your municipality in the programme"),
        template="programme/home/griffie.html",
        items=municipalities,
        count=sum(m.pending_requests for m in municipalities),
        more_url=reverse("programme:budget_requests"),
        more_label=_("All budget requests"),
        empty=_("You are not yet the contact of a municipality. Ask the programme officer."),
        role=Role.GRIFFIE_CONTACT.label,
        extra={"year": year},
    )


def new_applications(user: Any) -> Block | None:
    """For the programme officer: applications of municipalities that wait for an answer, oldest
    first (two queries)."""
    if Role.PROGRAMME_OFFICER not in roles_of(user):
        return None
    waiting = Application.objects.filter(status__in=[Application.Status.NEW, Application.Status.MORE_INFO])
    return Block(
        key="programme_applications",
        title=_("Applications to answer"),
        template="programme/home/applications.html",
        items=list(waiting.select_related("municipality").order_by("created_at", "pk")[:LIMIT]),
        count=waiting.count(),
        more_url=reverse("programme:applications"),
        more_label=_("All applications"),
        empty=_("No applications wait for an answer."),
        role=Role.PROGRAMME_OFFICER.label,
    )
