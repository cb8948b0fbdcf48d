"""A user whose role (or committee seat) requires a second factor can do nothing without one but
set it up (or log out)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, ResolverMatch, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.roles import MFA_ROLES, roles_of
from selection.models import CommitteeMember

# Views a staff user may open before MFA is set up.
MFA_SETUP_VIEWS = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_list_webauthn",
        "mfa_add_webauthn",
        "mfa_reauthenticate",
        "mfa_reauthenticate_webauthn",
        "account_reauthenticate",
        "account_logout",
        "set_language",
        "healthz",
        "theme_css",
    }
)


# Pages of the selection namespace an applicant uses; every other selection page is the committee's.
APPLICANT_VIEWS = frozenset({"calls", "my_applications", "status", "call", "apply"})


def requires_mfa(user: Any, match: ResolverMatch | None = None) -> bool:
    """Whether `user` must have a second factor (for the page `match`): staff, branch officials
    and griffie contacts always (core.roles.MFA_ROLES); members with a seat on a selection
    committee on the committee's pages, where they read applicants' personal data and CVs."""
    if not user.is_authenticated:
        return False
    roles = roles_of(user)
    if roles & MFA_ROLES:
        return True
    if match is None or match.namespace != "selection" or match.url_name in APPLICANT_VIEWS:
        return False
    return CommitteeMember.objects.filter(member__user=user).exists()


class MfaRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and (match := self._match(request)) and self._needs_mfa(user, match):
            messages.warning(
                request,
                _(
                    "Your role gives you access to other people's data, so two-factor authentication is required. "
                    "Set it up first."
                ),
            )
            url = reverse("mfa_activate_totp")
            return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _match(request: HttpRequest) -> ResolverMatch | None:
        """The page asked for, or None when it needs no second factor (set-up pages, a 404)."""
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None  # a 404 page reveals nothing
        return None if match.url_name in MFA_SETUP_VIEWS else match

    @staticmethod
    def _needs_mfa(user: Any, match: ResolverMatch) -> bool:
        return requires_mfa(user, match) and not is_mfa_enabled(user)
