"""Reads about members, already filtered by permission and privacy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from core import search
from core.models import Body
from core.roles import STAFF_ROLES, roles_of

from .models import Branch, BranchOfficial, Mandate, MandateRole, Member, Topic, Visibility
from .privacy import PRIVATE_FIELDS, may_see, visible_fields

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


@dataclass(frozen=True)
class DirectoryFilters:
    query: str = ""
    tier: str = ""
    body: str = ""
    province: str = ""
    role: str = ""
    topic: str = ""
    branch: str = ""
    sort: str = "name"

    @property
    def active(self) -> bool:
        return any((self.query, self.tier, self.body, self.province, self.role, self.topic, self.branch))


def directory(*, filters: DirectoryFilters) -> QuerySet[Member]:
    """Active members matching the filters, with their current mandates (and bodies), topics and
    branch prefetched: the number of queries does not depend on the page size.

    Sorted on family name without infix (Dutch style), or by relevance when searching and
    `sort == "relevance"`.
    """
    members: QuerySet[Member] = Member.objects.active().select_related("branch")
    current = Mandate.objects.current().filter(member=OuterRef("pk"))
    if filters.tier:
        members = members.filter(Exists(current.filter(body__tier=filters.tier)))
    if filters.body:
        members = members.filter(Exists(current.filter(body__code=filters.body)))
    if filters.province:
        in_province = Q(body__province__code=filters.province) | Q(body__code=filters.province)
        in_province |= Q(body__provinces__code=filters.province)
        members = members.filter(Exists(current.filter(in_province)))
    if filters.role:
        members = members.filter(Exists(current.filter(role=filters.role)))
    if filters.topic:
        members = members.filter(
            Exists(Member.topics.through.objects.filter(member=OuterRef("pk"), topic__slug=filters.topic))
        )
    if filters.branch:
        members = members.filter(branch__slug=filters.branch)
    if filters.query:
        members = search.filter_ranked(members, "member", filters.query)
        if filters.sort != "relevance":
            members = members.order_by("sort_name", "pk")
    else:
        members = members.order_by("sort_name", "pk")
    return members.prefetch_related(
        Prefetch(
            "mandates",
            queryset=Mandate.objects.current().select_related("body").order_by("body__tier", "body__search_name"),
            to_attr="current_mandates",
        ),
        "topics",
    )


def staff_visible_private_fields(viewer: Any, member: Member) -> list[str]:
    """The private fields (not visible to all members) that `viewer` sees of `member` only because
    they are staff: these views are logged."""
    if member.user_id == getattr(viewer, "pk", None) or not (roles_of(viewer) & STAFF_ROLES):
        return []
    fields = []
    for field in PRIVATE_FIELDS:
        visibility = getattr(member, f"{field}_visibility")
        if visibility == Visibility.STAFF and may_see(viewer, member, field):
            fields.append(field)
    return fields


def visible_topics() -> QuerySet[Topic]:
    return Topic.objects.order_by("name")


def branches() -> QuerySet[Branch]:
    return Branch.objects.order_by("kind", "name")
