"""An expert's account sees their network and nothing else of the platform."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from core.roles import Role, roles_of

# Views outside networks an expert may use: their own account (password, e-mail address, two-factor
# authentication), logging out, the language and what every page loads.
EXPERT_VIEWS = frozenset(
    {
        "account_logout",
        "account_change_password",
        "account_email",
        "account_reauthenticate",
        "mfa_index",
        "mfa_activate_totp",
        "mfa_deactivate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_reauthenticate",
        "set_language",
        "healthz",
        "theme_css",
        "association_logo",
    }
)


def expert_may_open(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return True  # a 404 page reveals nothing
    return match.namespace == "networks" or match.url_name in EXPERT_VIEWS


class ExpertConfinementMiddleware:
    """Every other address sends an expert to their network (or, without one, to the networks
    page, which tells them they have none). The rules of networks then limit them to their one
    network."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and Role.EXPERT in roles_of(user) and not expert_may_open(request.path_info):
            from .selectors import expert_network

            network = expert_network(user)
            return redirect(network.get_absolute_url() if network else reverse("networks:overview"))
        return self.get_response(request)
