"""Member data, only with a token: the directory (the site's selector, with each member's field
privacy as association members see it) and the token owner's own profile and registrations.

Privacy: the directory shows a private field only when its owner shows it to all members
(members.privacy.visible_to_class, the rule of the cached directory page). Fields a member shows
to staff only are never in the API, not even for a staff member's token: the API has no staff
view, so nothing needs the staff-view log (PrivateFieldView) and a leaked token reveals no more
than any member could read."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema

from core.permissions import can
from core.roles import roles_of
from events.models import Registration
from members.models import Member
from members.privacy import PRIVATE_FIELDS, visible_to_class
from members.selectors import DirectoryFilters, directory, member_profile

from ..auth import required_token
from ..common import body_ref, page, site_url, topics, viewer_of
from ..errors import ERROR_STATUSES, ErrorOut
from ..schemas import (
    MAX_ID,
    NO_NUL,
    MandateRoleValue,
    MemberOut,
    MemberPage,
    MeOut,
    PageParams,
    RegistrationPage,
    TierValue,
)

router = Router(tags=["members (token)"], auth=required_token)


class MemberFilters(Schema):
    q: str = Field("", max_length=100, pattern=NO_NUL, description="Search in names, bios and topics.")
    tier: TierValue | None = None
    body: str = Field("", max_length=8, pattern=NO_NUL, description="Body code: members with a mandate there.")
    province: str = Field("", max_length=8, pattern=NO_NUL, description="Province code.")
    role: MandateRoleValue | None = None
    topic: str = Field("", max_length=50, pattern=NO_NUL, description="Topic code (slug).")
    branch: str = Field("", max_length=50, pattern=NO_NUL, description="Branch code (slug).")


def _mandate(mandate: Any) -> dict[str, Any]:
    return {
        "role": mandate.role,
        "role_label": str(mandate.get_role_display()),
        "body": body_ref(mandate.body),
        "portfolios": mandate.portfolios,
        "start_date": mandate.start_date,
        "end_date": mandate.end_date,
    }


def _branch(member: Member) -> dict[str, str] | None:
    return {"slug": member.branch.slug, "name": member.branch.name} if member.branch else None


def _member(member: Member) -> dict[str, Any]:
    """A directory entry: a private field only when its owner shows it to all members."""
    visible = visible_to_class(member, staff=False)
    return {
        "id": member.pk,
        "name": member.full_name,
        "branch": _branch(member),
        "mandates": [_mandate(m) for m in member.current_mandates],  # type: ignore[attr-defined]
        "topics": topics(member.topics.all()),
        "email": member.email if visible["email"] else None,
        "phone": (member.phone or None) if visible["phone"] else None,
        "bio": member.bio if visible["bio"] else None,
        "url": site_url(member.get_absolute_url()),
    }


def _require_directory(viewer: Any) -> None:
    if not can(viewer.user, "members.view_directory"):
        raise PermissionDenied


@router.get(
    "/members",
    response={200: MemberPage, ERROR_STATUSES: ErrorOut},
    url_name="members",
    summary="The member directory",
)
def members(request: HttpRequest, filters: Query[MemberFilters], paging: Query[PageParams]) -> Any:
    """Active members, by family name (or best match first when searching)."""
    viewer = viewer_of(request)
    _require_directory(viewer)
    listed = directory(
        filters=DirectoryFilters(
            query=filters.q.strip(),
            tier=filters.tier or "",
            body=filters.body.strip().upper(),
            province=filters.province.strip().upper(),
            role=filters.role or "",
            topic=filters.topic.strip(),
            branch=filters.branch.strip(),
            sort="relevance" if filters.q.strip() else "name",
        )
    )
    count = listed.count()
    rows = list(listed[paging.offset : paging.offset + paging.limit]) if count > paging.offset else []
    return page(count, paging, [_member(m) for m in rows])


@router.get(
    "/members/{member_id}",
    response={200: MemberOut, ERROR_STATUSES: ErrorOut},
    url_name="member",
    summary="One member of the directory",
)
def member(request: HttpRequest, member_id: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    viewer = viewer_of(request)
    _require_directory(viewer)
    found = directory(filters=DirectoryFilters()).filter(pk=member_id).first()
    if found is None or not can(viewer.user, "members.view_member", found):
        raise Http404
    return _member(found)


@router.get(
    "/me",
    response={200: MeOut, ERROR_STATUSES: ErrorOut},
    url_name="me",
    summary="Your own account and profile",
)
def me(request: HttpRequest) -> Any:
    """The token owner's account and member profile, all of it (it is their own)."""
    viewer = viewer_of(request)
    user, own = viewer.user, viewer.member
    profile = None
    if own is not None:
        own_member = Member.objects.select_related("branch").prefetch_related("topics").get(pk=own.pk)
        profile = {
            "id": own_member.pk,
            "name": own_member.full_name,
            "given_name": own_member.given_name,
            "infix": own_member.infix,
            "family_name": own_member.family_name,
            "email": own_member.email,
            "phone": own_member.phone,
            "bio": own_member.bio,
            "branch": _branch(own_member),
            "topics": topics(own_member.topics.all()),
            "mandates": [{**_mandate(m), "review_status": m.review_status} for m in member_profile(own_member)],
            "privacy": {field: getattr(own_member, f"{field}_visibility") for field in PRIVATE_FIELDS},
            "url": site_url(own_member.get_absolute_url()),
        }
    return {
        "email": user.email,
        "name": getattr(user, "name", "") or (own.full_name if own else ""),
        "roles": sorted(roles_of(user)),
        "member": profile,
        "token_name": viewer.token.name,
        "token_expires_at": viewer.token.expires_at,
    }


@router.get(
    "/me/registrations",
    response={200: RegistrationPage, ERROR_STATUSES: ErrorOut},
    url_name="my_registrations",
    summary="Your registrations for events",
)
def my_registrations(request: HttpRequest, paging: Query[PageParams]) -> Any:
    """All your registrations (also cancelled ones), newest sign-up first."""
    own = viewer_of(request).member
    if own is None:
        return page(0, paging, [])
    registrations = Registration.objects.filter(member=own).select_related("event").order_by("-signed_up_at", "-pk")
    count = registrations.count()
    rows = list(registrations[paging.offset : paging.offset + paging.limit]) if count > paging.offset else []
    return page(
        count,
        paging,
        [
            {
                "event": {
                    "slug": r.event.slug,
                    "title": r.event.title,
                    "starts_at": r.event.starts_at,
                    "url": site_url(r.event.get_absolute_url()),
                },
                "status": r.status,
                "signed_up_at": r.signed_up_at,
                "offer_expires_at": r.offer_expires_at,
                "cancelled_at": r.cancelled_at,
            }
            for r in rows
        ],
    )
