"""The back office (Django admin), for administrators only, via core.permissions.can."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .permissions import can


class RaadhuisAdminSite(admin.AdminSite):
    site_header = _("raadhuis back office")
    site_title = _("raadhuis back office")
    index_title = _("Back office")

    def has_permission(self, request: HttpRequest) -> bool:
        return can(request.user, "core.use_admin")

    def admin_view(self, view: Callable[..., HttpResponse], cacheable: bool = False) -> Callable[..., HttpResponse]:
        inner = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            # Anonymous users log in through the site's own login page (with MFA); a logged-in user
            # without the administrator role gets a plain 403 rather than the admin login form.
            if not self.has_permission(request):
                if request.user.is_authenticated:
                    raise PermissionDenied
                return redirect_to_login(request.get_full_path())
            return inner(request, *args, **kwargs)

        guarded.admin_site = self  # type: ignore[attr-defined]
        return guarded

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # There is one login page (with MFA): the site's. The admin's own form is never shown.
        if self.has_permission(request):
            return redirect("admin:index")
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(reverse("admin:index"))
