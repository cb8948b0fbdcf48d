"""Field-level privacy: each member decides who sees their e-mail, phone, address, photo and bio."""

from __future__ import annotations

from typing import Any

from core.roles import MEMBER_ROLES, STAFF_ROLES, roles_of

from .models import Member, Visibility

PRIVATE_FIELDS = ("email", "phone", "address", "photo", "bio")


def may_see(viewer: Any, member: Member, field: str) -> bool:
    """True when `viewer` may see `field` of `member` under the member's own privacy choice."""
    if field not in PRIVATE_FIELDS:
        raise ValueError(field)
    if viewer is None or not viewer.is_authenticated:
        return False
    if member.user_id is not None and member.user_id == viewer.pk:
        return True
    visibility = getattr(member, f"{field}_visibility")
    roles = roles_of(viewer)
    if visibility == Visibility.MEMBERS:
        return bool(roles & (MEMBER_ROLES | STAFF_ROLES))
    if visibility == Visibility.STAFF:
        return bool(roles & STAFF_ROLES)
    return False


def visible_fields(viewer: Any, member: Member) -> dict[str, bool]:
    return {field: may_see(viewer, member, field) for field in PRIVATE_FIELDS}


def visible_to_class(member: Member, *, staff: bool) -> dict[str, bool]:
    """What any association member (staff=False) or any staff member (staff=True) may see of
    `member`: for pages shared by everyone in that class (the cached directory), never the
    member's own view of themselves."""
    allowed = {Visibility.MEMBERS, Visibility.STAFF} if staff else {Visibility.MEMBERS}
    return {field: getattr(member, f"{field}_visibility") in allowed for field in PRIVATE_FIELDS}
