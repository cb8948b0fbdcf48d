"""One error format for the whole API: {"detail": text for people (translated), "code": stable
text for programs}; validation errors add "errors" with the location of each problem. 429s carry
Retry-After, 401s WWW-Authenticate."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from core.middleware import request_rebuild
from core.search_index import SchemaChanged

from .ratelimit import RateLimited


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(Schema):
    detail: str
    code: str
    errors: list[FieldError] | None = None


# The error statuses every operation documents.
ERROR_STATUSES = frozenset({400, 401, 403, 404, 422, 429})


def _response(api: NinjaAPI, request: HttpRequest, status: int, code: str, detail: str, **extra: Any) -> HttpResponse:
    response = api.create_response(request, {"detail": detail, "code": code, **extra}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn every expected failure into the error format."""

    def api_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return _response(api, request, exc.status, exc.code, exc.detail)

    def rate_limited(request: HttpRequest, exc: Any) -> HttpResponse:
        response = _response(
            api,
            request,
            429,
            "rate_limited",
            _("Too many requests. Try again in %(s)s seconds.") % {"s": exc.retry_after},
        )
        response["Retry-After"] = str(exc.retry_after)
        return response

    def validation_error(request: HttpRequest, exc: Any) -> HttpResponse:
        errors = [
            {
                "loc": [part if isinstance(part, int) else str(part) for part in error.get("loc", ())],
                "msg": str(error.get("msg", "")),
                "type": str(error.get("type", "")),
            }
            for error in exc.errors
        ]
        return _response(api, request, 422, "invalid_parameters", _("Some parameters are not valid."), errors=errors)

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return _response(api, request, 404, "not_found", _("Not found."))

    def permission_denied(request: HttpRequest, exc: Any) -> HttpResponse:
        return _response(api, request, 403, "permission_denied", _("You may not see this."))

    def authentication_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return _response(api, request, 401, "not_authenticated", _("This needs an API token."))

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return _response(api, request, exc.status_code, "error", str(exc))

    def search_unavailable(request: HttpRequest, exc: Any) -> HttpResponse:
        request_rebuild(exc)
        response = _response(
            api, request, 503, "search_unavailable", _("Search is being updated. Try again in a few minutes.")
        )
        response["Retry-After"] = "300"
        return response

    api.add_exception_handler(ApiError, api_error)
    api.add_exception_handler(SchemaChanged, search_unavailable)
    api.add_exception_handler(RateLimited, rate_limited)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(PermissionDenied, permission_denied)
    api.add_exception_handler(AuthenticationError, authentication_error)
    api.add_exception_handler(HttpError, http_error)
