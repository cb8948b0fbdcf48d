"""The back office (Django admin), for administrators only, via core.permissions.can."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.views import shortcut
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
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

    def get_urls(self) -> list[Any]:
        urls = super().get_urls()
        for index, pattern in enumerate(urls):
            if getattr(pattern, "name", None) == "view_on_site":
                urls[index] = path(
                    "r/<int:content_type_id>/<path:object_id>/",
                    self.admin_view(self.view_on_site),
                    name="view_on_site",
                )
        return urls

    def view_on_site(self, request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
        """Django's "view on site" redirects to any object's page by content type and id, also of
        objects the back office does not show (a strictly confidential case, an application),
        which tells their address and that they exist. Here it leads only to objects that the
        model's back-office page itself shows this user; for anything else it answers 404."""
        try:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
        except ContentType.DoesNotExist:
            raise Http404 from None
        model_admin = self._registry.get(model) if model is not None else None
        if model_admin is None or not model_admin.view_on_site:
            raise Http404
        try:
            obj = model_admin.get_queryset(request).filter(pk=object_id).first()
        except (ValueError, ValidationError):
            obj = None
        if obj is None or not model_admin.has_view_permission(request, obj):
            raise Http404
        return shortcut(request, content_type_id, object_id)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # There is one login page (with MFA): the site's. The admin's own form is never shown.
        if self.has_permission(request):
            return redirect("admin:index")
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(reverse("admin:index"))
