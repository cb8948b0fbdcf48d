"""Reads about members, already filtered by permission and privacy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.models import Body

from .models import BranchOfficial, Mandate, MandateRole, Member
from .privacy import visible_fields

# Executives first, then chairs, then the council members.
ROLE_ORDER = {
    role: index
    for index, role in enumerate(
        [
            MandateRole.MAYOR,
            MandateRole.WATER_BOARD_CHAIR,
            MandateRole.ALDERMAN,
            MandateRole.PROVINCIAL_EXECUTIVE,
            MandateRole.WATER_BOARD_EXECUTIVE,
            MandateRole.FACTION_CHAIR,
            MandateRole.COUNCILLOR,
            MandateRole.PROVINCIAL_COUNCILLOR,
            MandateRole.WATER_BOARD_MEMBER,
            MandateRole.COMMITTEE_MEMBER,
        ]
    )
}


@dataclass(frozen=True)
class MandateRow:
    mandate: Mandate
    member: Member
    visible: dict[str, bool]


def mandates_in_body(*, body: Body, viewer: Any) -> list[MandateRow]:
    """Current mandates in `body` held by active members, executives first, each with the member's
    fields that `viewer` may see. One query whatever the number of mandates."""
    mandates = (
        Mandate.objects.current()
        .filter(body=body, member__status=Member.Status.ACTIVE)
        .select_related("member", "faction")
        .order_by("member__sort_name")
    )
    rows = [MandateRow(mandate=m, member=m.member, visible=visible_fields(viewer, m.member)) for m in mandates]
    rows.sort(key=lambda row: (ROLE_ORDER.get(MandateRole(row.mandate.role), 99), row.member.sort_name))
    return rows


def branches_run_by(user: Any) -> frozenset[int]:
    """Ids of the branches in which the user holds a current function; cached per user object."""
    cached: frozenset[int] | None = getattr(user, "_raadhuis_branches", None)
    if cached is None:
        today = timezone.localdate()
        cached = frozenset(
            BranchOfficial.objects.filter(member__user=user, start_date__lte=today)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
            .values_list("branch_id", flat=True)
        )
        user._raadhuis_branches = cached
    return cached


def member_profile(member: Member) -> QuerySet[Mandate]:
    return member.mandates.select_related("body", "faction").order_by("-start_date")
