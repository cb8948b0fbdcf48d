import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponseBase, QueryDict
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.module_loading import import_string

from core.search_index import SchemaChanged

logger = logging.getLogger(__name__)


class DutchFirstLocaleMiddleware(LocaleMiddleware):
    """Dutch unless the visitor chose another language with the language switch (a cookie).

    The browser's Accept-Language is deliberately ignored: the platform's working language is Dutch,
    also for members whose browser happens to be set to English.
    """

    def process_request(self, request: HttpRequest) -> None:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class PermissionsPolicyMiddleware:
    """Sends the Permissions-Policy header from settings.PERMISSIONS_POLICY (feature -> allowed
    origins, "self" for our own; an empty list switches the feature off everywhere)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.header = permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


def permissions_policy(policy: dict[str, list[str]]) -> str:
    def origin(value: str) -> str:
        return value if value in ("self", "*") else f'"{value}"'

    return ", ".join(f"{feature}=({' '.join(origin(v) for v in allowed)})" for feature, allowed in policy.items())


# Control characters (C0 except tab, newline and carriage return, and DEL): never meant in a query
# string, and PostgreSQL refuses a NUL in any string it is given (a 500 instead of a page).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class QueryStringMiddleware:
    """Leaves control characters out of every GET parameter before a view reads it, so that no
    filter or search passes them to the database; the page then says so (`request.query_cleaned`,
    shown by templates/base.html). Invalid UTF-8 is already replaced by Django when it decodes.
    The API is left alone: its schema refuses such a parameter (422, with the validation error), as documented."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path_info.startswith("/api/") and any(
            CONTROL_CHARACTERS.search(key) or any(CONTROL_CHARACTERS.search(v) for v in values)
            for key, values in request.GET.lists()
        ):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(CONTROL_CHARACTERS.sub("", key), [CONTROL_CHARACTERS.sub("", v) for v in values])
            request.GET = QueryDict(cleaned.urlencode())  # immutable, as Django's own
            request.query_cleaned = True  # type: ignore[attr-defined]
        return self.get_response(request)


class SearchIndexUnavailableMiddleware:
    """A search index written by another version (an upgrade not migrated yet) answers a clear
    503 on the page that needs it, not a 500, and asks the worker (at most every five minutes)
    to rebuild it: its apply task does that on meeting the old index."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponseBase | None:
        if not isinstance(exception, SchemaChanged):
            return None
        logger.error("Search index unavailable: %s", exception)
        request_rebuild(exception)
        response = render(request, "503_search.html", status=503)
        response["Retry-After"] = "300"
        return response


def request_rebuild(exception: SchemaChanged) -> None:
    if exception.task and cache.add(f"search-rebuild-asked:{exception.task}", True, 300):
        import_string(exception.task).enqueue()
