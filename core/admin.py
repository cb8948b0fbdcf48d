"""Admin registrations for core, and the base class every raadhuis ModelAdmin uses."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import uploads
from .models import Association, Body
from .permissions import can


class AdminPermissionMixin:
    """Every action in the back office needs the permission `admin_permission` (by default
    core.use_admin, i.e. administrators). Models with stricter rules override it; `admin_actions`
    limits what may be done at all (an audit log is only viewed)."""

    admin_permission = "core.use_admin"
    admin_actions: frozenset[str] = frozenset({"view", "add", "change", "delete"})

    def _allowed(self, request: HttpRequest, action: str, obj: Any = None) -> bool:
        return action in self.admin_actions and can(request.user, self.admin_permission, obj)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request, "view")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, "view", obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._allowed(request, "add")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, "change", obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, "delete", obj)


class UploadChecksMixin:
    """Files uploaded in the back office get the same checks as on the site (core.uploads): the
    type from the content and a size limit. Images are PNG, JPEG or WebP; other files PDF or Word
    unless `upload_rules` names the accepted types for a field."""

    upload_rules: dict[str, uploads.UploadValidator] = {}

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if formfield is not None and isinstance(db_field, models.FileField):
            default = uploads.IMAGE_UPLOAD if isinstance(db_field, models.ImageField) else uploads.DOCUMENT_UPLOAD
            formfield.validators.append(self.upload_rules.get(db_field.name, default))
        return formfield


class RaadhuisModelAdmin(AdminPermissionMixin, UploadChecksMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    pass


def reregister(model: Any, options: type, actions: frozenset[str] | None = None) -> None:
    """Put a third-party model's admin under our permission check, keeping its own options."""
    base = type(admin.site._registry[model]) if admin.site.is_registered(model) else admin.ModelAdmin
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    attrs = {"admin_actions": actions} if actions is not None else {}
    bases = (AdminPermissionMixin, UploadChecksMixin, options, base)
    admin.site.register(model, type(f"Raadhuis{base.__name__}", bases, attrs))


class RaadhuisTabularInline(AdminPermissionMixin, UploadChecksMixin, admin.TabularInline):  # type: ignore[type-arg]
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:  # type: ignore[override]
        return self._allowed(request, "add", obj)


@admin.register(Body)
class BodyAdmin(RaadhuisModelAdmin):
    list_display = ["name", "code", "tier", "province", "valid_from", "valid_until", "successor"]
    list_filter = ["tier", "province", ("valid_until", admin.EmptyFieldListFilter)]
    search_fields = ["name", "official_name", "code"]
    autocomplete_fields = ["province", "successor"]
    filter_horizontal = ["provinces"]
    readonly_fields = ["search_name"]
    # Bodies end (valid_until), they are not deleted: history refers to them.
    admin_actions = frozenset({"view", "add", "change"})


@admin.register(Association)
class AssociationAdmin(RaadhuisModelAdmin):
    list_display = ["name", "short_name", "newsletter_name", "email"]
    list_filter = ["newsletter_name"]
    search_fields = ["name", "short_name"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "tagline", "newsletter_name"]}),
        (_("House style"), {"fields": ["logo", "primary_colour", "accent_colour"]}),
        (_("Contact details"), {"fields": ["email", "phone", "address", "website"]}),
    ]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
