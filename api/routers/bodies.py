"""Bodies of government: municipalities, provinces and water boards (public reference data from
CBS; the site's body pages, which list the members in each body, need a login)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Path, Query, Router, Schema

from core.models import Body
from core.selectors import body_list

from ..auth import optional_token
from ..common import OPTIONAL_AUTH, body_ref, page
from ..errors import ERROR_STATUSES, ErrorOut
from ..schemas import NO_NUL, BodyOut, BodyPage, PageParams, TierValue

router = Router(tags=["bodies"], auth=optional_token)


class BodyFilters(Schema):
    tier: TierValue | None = None
    name: str = Field("", max_length=100, pattern=NO_NUL, description="Part of the name, or the exact code.")
    province: str = Field("", max_length=8, pattern=NO_NUL, description="Province code: bodies in that province.")


def _body(body: Body) -> dict[str, Any]:
    return {
        **(body_ref(body) or {}),
        "official_name": body.official_name,
        "province": body_ref(body.province),
        "population": body.population,
        "valid_from": body.valid_from,
        "valid_until": body.valid_until,
        "successor": body_ref(body.successor),
    }


@router.get(
    "/bodies",
    response={200: BodyPage, ERROR_STATUSES: ErrorOut},
    url_name="bodies",
    summary="Current bodies of government",
    openapi_extra=OPTIONAL_AUTH,
)
def bodies(request: HttpRequest, filters: Query[BodyFilters], paging: Query[PageParams]) -> Any:
    """Bodies that exist today, by tier and name."""
    listed = body_list(
        tier=filters.tier or None, query=filters.name.strip(), province=filters.province.strip().upper() or None
    ).select_related("successor")
    count = listed.count()
    rows = list(listed[paging.offset : paging.offset + paging.limit]) if count > paging.offset else []
    return page(count, paging, [_body(b) for b in rows])


@router.get(
    "/bodies/{code}",
    response={200: BodyOut, ERROR_STATUSES: ErrorOut},
    url_name="body",
    summary="One body, also one that no longer exists",
    openapi_extra=OPTIONAL_AUTH,
)
def body(request: HttpRequest, code: str = Path(..., max_length=8, pattern=r"^[A-Za-z]{2}[0-9]{2,4}$")) -> Any:
    found = Body.objects.select_related("province", "successor").filter(code=code.upper()).first()
    if found is None:
        raise Http404
    return _body(found)
