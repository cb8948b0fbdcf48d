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
class PersonInBody:
    member: Member
    mandates: list[Mandate]
    visible: dict[str, bool]

    @property
    def roles(self) -> str:
        return " · ".join(str(m.get_role_display()) for m in self.mandates)

    @property
    def portfolios(self) -> str:
        return ", ".join(m.portfolios for m in self.mandates if m.portfolios)


def mandates_in_body(*, body: Body, viewer: Any) -> list[PersonInBody]:
    """The active members with a current mandate in `body`, one entry per person with all their
    roles there (executives first), and the fields `viewer` may see. One query whatever the number
    of mandates."""
    mandates = (
        Mandate.objects.current()
        .filter(body=body, member__status=Member.Status.ACTIVE)
        .select_related("member", "faction")
        .order_by("member__sort_name")
    )
    by_member: dict[int, list[Mandate]] = {}
    for mandate in mandates:
        by_member.setdefault(mandate.member_id, []).append(mandate)
    people = []
    for held in by_member.values():
        held.sort(key=lambda m: ROLE_ORDER.get(MandateRole(m.role), 99))
        people.append(
            PersonInBody(member=held[0].member, mandates=held, visible=visible_fields(viewer, held[0].member))
        )
    people.sort(key=lambda p: (ROLE_ORDER.get(MandateRole(p.mandates[0].role), 99), p.member.sort_name))
    return people


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
