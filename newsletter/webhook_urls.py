"""The mail providers' webhooks (django-anymail), mounted at /anymail/ in raadhuis/urls.py.

Every URL of anymail.urls is kept, with its name, in the "anymail" namespace, so the address to
give the provider is the one in anymail's documentation (e.g. /anymail/postmark/tracking/). Each
view is guarded so that a request that cannot be authenticated gets a 4xx, never a 500 (which
anymail gives for a missing key or a malformed body) nor a 200 (which anymail gives, with a
warning, to anybody when no WEBHOOK_SECRET is set):

- Without WEBHOOK_SECRET (HTTP basic auth, ANYMAIL in the settings) every webhook answers 404.
  The settings always set one: when the environment gives none, a random one nobody knows, so
  POSTs are refused with 400 (Amazon SES: 401, it asks for the credentials first).
- A provider whose own key is missing (Mailgun's signing key, Postal's, Mandrill's, MailerSend's,
  Unisender Go's; an inbound webhook's API key; boto3 or svix not installed) answers 404: its
  webhook is off. The error is logged.
- A request on which anymail's own checks fail in any other way (a body they cannot parse) is
  refused with 400, like a wrong signature.

Only the tracking events are used (newsletter/signals.py); the inbound webhooks receive nothing we
read, but stay reachable with the same guard so that the URL table is anymail's.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.webhooks.base import AnymailCoreWebhookView
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.urls import URLPattern, include, path

logger = logging.getLogger(__name__)


def guarded(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """`view` (an anymail webhook) with its request checks made strict, answering 404 while the
    webhook cannot authenticate anything (no WEBHOOK_SECRET, or the provider's key is missing)."""
    view_class: type[AnymailCoreWebhookView] = view.view_class  # type: ignore[attr-defined]

    class Guarded(view_class):  # type: ignore[valid-type,misc]
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            if not getattr(self, "basic_auth", None):
                raise ImproperlyConfigured("ANYMAIL WEBHOOK_SECRET is not set")

        def run_validators(self, request: HttpRequest) -> None:
            # Anymail's checks assume a well-formed body and fail on others with whatever
            # error parsing raises (a 500); a request that does not pass them is refused.
            try:
                super().run_validators(request)
            except (AnymailWebhookValidationFailure, ImproperlyConfigured):
                raise
            except Exception as error:
                raise AnymailWebhookValidationFailure(f"malformed {self.esp_name} webhook request") from error

    Guarded.__name__ = Guarded.__qualname__ = f"Guarded{view_class.__name__}"
    guarded_view = Guarded.as_view()

    @functools.wraps(guarded_view)  # keeps csrf_exempt and login_not_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return guarded_view(request, *args, **kwargs)
        except ImproperlyConfigured as error:
            logger.warning("mail provider webhook %s called but not configured: %s", request.path, error)
            return HttpResponseNotFound()

    return wrapper


def _guarded_patterns() -> list[URLPattern]:
    patterns = []
    for pattern in anymail_urls.urlpatterns:
        if not isinstance(pattern, URLPattern):
            raise TypeError(f"unexpected entry in anymail.urls: {pattern!r}")
        patterns.append(URLPattern(pattern.pattern, guarded(pattern.callback), pattern.default_args, pattern.name))
    return patterns


urlpatterns = [
    path("", include((_guarded_patterns(), anymail_urls.app_name))),
]
