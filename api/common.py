"""Small helpers shared by the routers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.mail import absolute_url

from .schemas import PageParams


def site_url(path: str) -> str:
    return absolute_url(path)


def body_ref(body: Any) -> dict[str, Any] | None:
    if body is None:
        return None
    return {"code": body.code, "name": body.name, "tier": body.tier}


def topics(items: Iterable[Any]) -> list[dict[str, str]]:
    return [{"slug": t.slug, "name": t.name} for t in items]


def page(count: int, params: PageParams, results: list[dict[str, Any]]) -> dict[str, Any]:
    return {"count": count, "limit": params.limit, "offset": params.offset, "results": results}


def viewer_of(request: Any) -> Any:
    """The Viewer (api.auth) of the request; never request.user, which is the session's user."""
    return request.auth


# A public operation: an API token is optional (it widens what is shown). In the OpenAPI document
# the empty requirement next to the token's says so.
OPTIONAL_AUTH: dict[str, Any] = {"security": [{}]}
