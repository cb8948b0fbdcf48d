"""The member's API tokens, in their own profile area: make one (shown once) and revoke one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.forms import add_errors
from core.mail import absolute_url
from core.permissions import require

from . import selectors, services
from .forms import TokenForm
from .models import ApiToken


def _own_token(request: HttpRequest, pk: int) -> ApiToken | None:
    """The user's own token, or None: `api.revoke_token` then refuses (404, like any other's)."""
    return selectors.own_token(request.user, pk)


@require("api.manage_tokens")
def token_list(request: HttpRequest) -> HttpResponse:
    """The list of one's tokens and the form for a new one. The new token is shown in the answer
    to the POST itself (not after a redirect), so it is never stored anywhere in clear text."""
    form = TokenForm(request.POST or None)
    new_secret = ""
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            new_token, new_secret = services.create_token(
                user=request.user, name=form.cleaned_data["name"], expires_in_days=form.cleaned_data["expires_in_days"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            form = TokenForm()
    context: dict[str, Any] = {
        "form": form,
        "tokens": list(selectors.tokens_of(request.user)),
        "new_token": new_token,
        "new_secret": new_secret,
        "docs_url": absolute_url(reverse("api:openapi-view")),
        "example_url": absolute_url(reverse("api:me")),
    }
    response = render(request, "api/tokens.html", context)
    if new_secret:
        response["Cache-Control"] = "no-store"
    return response


@require("api.revoke_token", get_object=lambda request, pk: _own_token(request, pk), hide=True)
def token_revoke(request: HttpRequest, pk: int, obj: ApiToken) -> HttpResponse:
    """Asks for confirmation; the POST revokes at once. Someone else's token is a 404."""
    if request.method == "POST":
        services.revoke_token(token=obj)
        messages.success(request, _("The token “%(name)s” has been revoked. It no longer works.") % {"name": obj.name})
        return redirect("api_tokens:list")
    return render(request, "api/token_revoke.html", {"token": obj})
