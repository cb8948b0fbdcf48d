"""The desk's blocks on the home page (core.home): a member's own cases; for advisers and
counsellors the cases to triage and those assigned to them.

The desk's blocks show metadata only (reference, status, level, dates), the kind only where the
reader may know it (desk.selectors.details_visible_to), and never the subject or any other content
of somebody else's case: a home page is seen over a shoulder. A member sees the subject of their
own cases."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, F, Value, When
from django.db.models import Case as CaseWhen
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.home import Block, member_of
from core.roles import Role, roles_of

from .models import Case, Status
from .selectors import details_visible_to, overdue

LIMIT = 5


def own_cases(user: Any) -> Block | None:
    """The member's own questions and reports: open ones first, then the most recent (one query)."""
    member = member_of(user)
    if member is None:
        return None
    cases = list(
        Case.objects.filter(requester=member, purged_at__isnull=True)
        .annotate(closed=CaseWhen(When(status=Status.CLOSED, then=Value(1)), default=Value(0)))
        .order_by("closed", "-created_at")[:LIMIT]
    )
    return Block(
        key="desk",
        title=_("My questions to the desk"),
        template="desk/home/own.html",
        items=cases,
        more_url=reverse("desk:home"),
        more_label=_("All my questions and reports"),
        empty=_("You have not asked the desk anything yet."),
        empty_url=reverse("desk:ask"),
        empty_link=_("Ask a question"),
    )


def _desk_role(user: Any) -> str | None:
    roles = roles_of(user)
    if Role.ADVISER in roles:
        return str(Role.ADVISER.label)
    if Role.COUNSELLOR in roles:
        return str(Role.COUNSELLOR.label)
    return None


def _with_details(user: Any, cases: Any) -> Any:
    return cases.annotate(details=ExpressionWrapper(details_visible_to(user), output_field=BooleanField()))


def cases_to_triage(user: Any) -> Block | None:
    """New cases nobody triaged yet, oldest first, metadata only, and the number of overdue threat
    reports the reader may know of (three queries)."""
    role = _desk_role(user)
    if role is None:
        return None
    new = Case.objects.filter(status=Status.NEW, purged_at__isnull=True)
    overdue_count = overdue(user).count()
    return Block(
        key="desk_triage",
        title=_("Cases to triage"),
        template="desk/home/triage.html",
        items=list(_with_details(user, new).order_by("created_at", "pk")[:LIMIT]),
        count=new.count(),
        more_url=reverse("desk:queue") + "?status=new",
        more_label=_("The desk's queue"),
        empty=_("No new cases."),
        role=role,
        extra={"overdue": overdue_count, "has_content": bool(overdue_count)},
    )


def cases_assigned(user: Any) -> Block | None:
    """Open cases assigned to the reader, those due first (two queries)."""
    role = _desk_role(user)
    if role is None:
        return None
    mine = Case.objects.open().filter(assigned_to=user, purged_at__isnull=True)
    return Block(
        key="desk_assigned",
        title=_("Cases assigned to you"),
        template="desk/home/triage.html",
        items=list(_with_details(user, mine).order_by(F("due_by").asc(nulls_last=True), "created_at", "pk")[:LIMIT]),
        count=mine.count(),
        more_url=reverse("desk:queue") + "?mine=1",
        more_label=_("All your cases"),
        empty=_("No open cases are assigned to you."),
        role=role,
    )
