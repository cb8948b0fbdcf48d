"""Who is asking: the owner of a personal API token (Authorization: Bearer <token>), or nobody.

The API never looks at the session cookie: a browser that is logged in to the site reads the API
as an anonymous visitor unless it sends a token. So no page on another site can make a member's
browser read (or, if the API ever writes, change) anything with the member's cookie, and no CSRF
token is needed. Rate limits are counted here, before anything else: per token, or per client
address for requests without a (valid) token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from core.clients import client_address

from . import services
from .errors import ApiError
from .models import ApiToken
from .ratelimit import hit


@dataclass(frozen=True)
class Viewer:
    """request.auth of every API operation: the user whose permissions apply."""

    user: Any
    token: ApiToken | None = None

    @property
    def member(self) -> Any:
        return getattr(self.user, "member", None) if self.token is not None else None


class TokenAuth(HttpBearer):
    """Bearer token authentication. With `required=False` a request without an Authorization
    header is let through as anonymous; a header with a bad, revoked or expired token is always
    refused (401), never silently read as anonymous."""

    def __init__(self, *, required: bool) -> None:
        super().__init__()
        self.required = required

    def __call__(self, request: HttpRequest) -> Viewer:
        header = request.headers.get("Authorization", "")
        address = client_address(request)
        if not header:
            hit("anonymous", address)
            if self.required:
                raise ApiError(401, "not_authenticated", _("This needs an API token: Authorization: Bearer <token>."))
            return Viewer(AnonymousUser())
        scheme, _space, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            hit("anonymous", address)
            raise ApiError(401, "token_invalid", _("Send the token as Authorization: Bearer <token>."))
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Viewer:
        try:
            found = services.authenticate(token)
        except services.TokenRefused as refused:
            hit("anonymous", client_address(request))
            raise ApiError(401, refused.code, refused.message) from None
        hit("token", str(found.pk))
        return Viewer(found.user, found)


optional_token = TokenAuth(required=False)
required_token = TokenAuth(required=True)
