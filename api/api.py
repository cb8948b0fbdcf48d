"""The JSON API at /api/ (django-ninja): OpenAPI document at /api/openapi.json, documentation
at /api/docs. Read only (GET). One router per app; see docs/ARCHITECTURE.md."""

from __future__ import annotations

from ninja import NinjaAPI

from . import errors
from .docs import docs
from .routers import bodies, events, library, members, newsletter

DESCRIPTION = """
Public data of the association (library documents, news, publications, the newsletter archive,
events, bodies of government) without a token. With a personal API token, made on your profile
page (Profiel → API-tokens) and sent as `Authorization: Bearer <token>`, the same operations also
return what you may see as a member, and the member operations work.

Lists take `limit` (at most 100) and `offset` and return `count`, `limit`, `offset`, `results`.
Every error is `{"detail": "...", "code": "..."}` (validation errors add `errors`). Requests are
rate limited per token, or per address without one: a 429 says in `Retry-After` when to try again.
"""

api = NinjaAPI(
    title="raadhuis API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=docs(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("", library.router)
api.add_router("", newsletter.router)
api.add_router("", events.router)
api.add_router("", bodies.router)
api.add_router("", members.router)
