from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth.models import Group
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from core.admin import RaadhuisModelAdmin, reregister
from core.roles import DESK_ROLES, Role, forget_roles, role_label

from .models import Invitation, User


def without_desk_roles() -> Any:
    """The roles the back office offers: all but the desk's (core.roles.DESK_ROLES), which are given
    on the server only, so no administrator can give them to an account of their own."""
    return Group.objects.exclude(name__in=DESK_ROLES).order_by("name")


def with_role_names(formfield: Any) -> Any:
    """A choice of roles shows their translated names, not the groups' slugs."""
    if formfield is not None:
        formfield.label_from_instance = lambda group: role_label(group.name)
    return formfield


class RoleFilter(admin.SimpleListFilter):
    """Filter by role, by its translated name (the group's name is the role's slug)."""

    title = _("role")
    parameter_name = "role"
    lookup = "groups__name"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        existing = set(Group.objects.values_list("name", flat=True))
        return [(role.value, str(role.label)) for role in Role if role.value in existing]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value():
            return queryset.filter(**{self.lookup: self.value()}).distinct()
        return queryset


class GroupRoleFilter(RoleFilter):
    lookup = "name"


class InvitationRoleFilter(RoleFilter):
    lookup = "roles__name"


def keep_desk_roles(form: Any, field: str) -> None:
    """The form offers no desk role, so saving it would take them away: keep the ones the object had
    (taking them is done on the server too)."""
    instance = form.instance
    kept = list(getattr(instance, field).filter(name__in=DESK_ROLES)) if instance.pk else []
    form.cleaned_data[field] = [*form.cleaned_data.get(field, []), *kept]


@admin.register(User)
class UserAdmin(RaadhuisModelAdmin):
    list_display = ["email", "name", "is_active", "role_list", "date_joined", "last_login"]
    list_filter = ["is_active", RoleFilter, "date_joined"]
    search_fields = ["email", "name"]
    filter_horizontal = ["groups"]
    fields = ["email", "name", "is_active", "groups", "date_joined", "last_login"]
    # The sign-in address is its owner's to change (on the site, confirmed by a link to the new
    # address): set here, it would let an administrator reset the password of any account (a
    # counsellor's) to an address of their own and sign in as them.
    readonly_fields = ["email", "date_joined", "last_login"]
    ordering = ["name"]
    # Accounts are deactivated, not deleted: the audit log refers to them.
    admin_actions = frozenset({"view", "change"})

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "groups":
            kwargs["queryset"] = without_desk_roles()
            return with_role_names(super().formfield_for_manytomany(db_field, request, **kwargs))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        keep_desk_roles(form, "groups")
        super().save_related(request, form, formsets, change)
        forget_roles(form.instance)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # No role widens its own access: an administrator cannot give themselves a role (say
        # counsellor or adviser, and with it a way to strictly confidential cases) or take away
        # their own account; another administrator has to.
        if obj is not None and obj.pk == request.user.pk:
            return [*self.readonly_fields, "groups", "is_active"]
        return list(self.readonly_fields)

    @admin.display(description=_("roles"))
    def role_list(self, obj: User) -> str:
        return ", ".join(obj.role_labels)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).prefetch_related("groups")


@admin.register(Invitation)
class InvitationAdmin(RaadhuisModelAdmin):
    list_display = ["email", "name", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = [
        "created_at",
        InvitationRoleFilter,
        ("accepted_at", admin.EmptyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email", "name"]
    # Address and member record are whom the invitation is for: changed here, a resent link would go
    # to an address of the administrator's choosing and give the account made with it that record
    # (its cases, messages, applications). Withdraw it and invite anew instead.
    readonly_fields = ["email", "member", "token_hash", "created_at", "sent_at", "accepted_at", "user", "created_by"]
    filter_horizontal = ["roles"]
    # New invitations go through the invitation page, which sends the e-mail.
    admin_actions = frozenset({"view", "change", "delete"})

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "roles":
            kwargs["queryset"] = without_desk_roles()
            return with_role_names(super().formfield_for_manytomany(db_field, request, **kwargs))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        keep_desk_roles(form, "roles")
        super().save_related(request, form, formsets, change)


class GroupAdminOptions(admin.ModelAdmin):  # type: ignore[type-arg]
    """Roles, by their translated names (a group's name is the role's slug); view only."""

    list_display = ["role_name"]
    list_filter = [GroupRoleFilter]
    search_fields = ["name"]
    fields = ["role_name", "name"]
    readonly_fields = ["role_name"]

    @admin.display(description=_("role"), ordering="name")
    def role_name(self, obj: Group) -> str:
        return role_label(obj.name)

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> tuple[Any, bool]:
        """Search by the translated name too ("beheerder" finds the administrator role)."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip().lower()
        named = [role.value for role in Role if term and term in str(role.label).lower()]
        return (found | queryset.filter(name__in=named)) if named else found, duplicates


class EmailAddressAdminOptions(admin.ModelAdmin):  # type: ignore[type-arg]
    list_filter = ["verified", "primary"]
    search_fields = ["email", "user__email", "user__name"]


class AuthenticatorAdminOptions(admin.ModelAdmin):  # type: ignore[type-arg]
    """Which second factors a user has, never what is in them: `data` (the TOTP secret, the
    recovery-code seed, a security key's credential) is not on any back-office page."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type", "created_at"]
    search_fields = ["user__email", "user__name"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = ["user", "type", "created_at", "last_used_at"]
    list_select_related = ["user"]


class LogEntryAdminOptions(admin.ModelAdmin):  # type: ignore[type-arg]
    list_filter = ["action", "content_type", "timestamp"]
    search_fields = ["object_repr", "changes", "actor__email"]


class TaskResultAdminOptions(admin.ModelAdmin):  # type: ignore[type-arg]
    """Task results without their arguments and return values: the back office shows what ran and
    how it ended, never what a task carried (mail tasks carry an id only, but no task's data is
    for the administrator's eyes)."""

    list_filter = ["status", "queue_name", "enqueued_at"]
    search_fields = ["task_path", "id"]
    hidden_fields = ("args_kwargs", "return_value")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = super().get_readonly_fields(request, obj)
        return [name for name in fields if name not in self.hidden_fields]


VIEW_ONLY = frozenset({"view"})

# A role is a group named by the role's slug (core.roles): renaming, adding or deleting one would
# move a role to other people (rename "administrator" to "counsellor"). Roles are given per account.
reregister(Group, GroupAdminOptions, VIEW_ONLY)
# Sign-in addresses are their owners' (see UserAdmin.readonly_fields); a stale one may be deleted.
reregister(EmailAddress, EmailAddressAdminOptions, frozenset({"view", "delete"}))
# Deleting an authenticator resets a user's MFA (lost phone); nobody edits one.
reregister(Authenticator, AuthenticatorAdminOptions, frozenset({"view", "delete"}))
reregister(LogEntry, LogEntryAdminOptions, VIEW_ONLY)
reregister(DBTaskResult, TaskResultAdminOptions, VIEW_ONLY)
