"""Reads about advice cases for the desk, already filtered by what the reader may know: the queue
and the overdue reports show what a strictly confidential case is about (its kind, whether it
is an overdue threat report) only to those who may read it."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet

from core.roles import Role, roles_of

from .models import Case, Confidentiality, Kind, Status


def details_visible_to(user: Any) -> Q:
    """The cases whose kind `user` may know: every case that is not strictly confidential, and the
    strictly confidential ones they read (assigned to them as a counsellor, or their own)."""
    visible = ~Q(confidentiality=Confidentiality.STRICT)
    if not user.is_authenticated:
        return visible
    if Role.COUNSELLOR in roles_of(user):
        visible |= Q(assigned_to=user)
    member = getattr(user, "member", None)
    if member is not None:
        visible |= Q(requester=member)
    return visible


def queue(user: Any, *, status: str = "open", kind: str = "", mine: bool = False) -> QuerySet[Case]:
    """The desk's queue: every case that still has content, metadata only. Filtering by kind
    leaves out the strictly confidential cases whose kind the reader may not know, so a filter
    never tells what such a case is about."""
    cases = Case.objects.select_related("assigned_to", "province").filter(purged_at__isnull=True)
    if status == "open":
        cases = cases.exclude(status=Status.CLOSED)
    elif status in Status.values:
        cases = cases.filter(status=status)
    if kind in Kind.values:
        cases = cases.filter(details_visible_to(user), kind=kind)
    if mine:
        cases = cases.filter(assigned_to=user)
    return cases.order_by("status", "-created_at")


def overdue(user: Any, now: datetime.datetime | None = None) -> QuerySet[Case]:
    """Threat reports nobody answered in time, as far as `user` may know that they are threat
    reports (a strictly confidential one only for its counsellor)."""
    return Case.objects.overdue(now).filter(details_visible_to(user)).order_by("due_by")
