"""The back office sees only metadata of cases: no subject, description, messages or files.
Administrators cannot read a case's content here, whatever their flags.

Strictly confidential cases are not in the back office at all: not in the list, its filters and
their counts, not on a change or history page, not among the reads. That is decided here in code
(the querysets below), not by a permission that could be granted on a permissions screen: what
such a case is about is known to its counsellor only (desk/rules.py)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.admin import RaadhuisModelAdmin

from .models import Case, CaseAccess, Confidentiality, Helper, IntervisionGroup, IntervisionSignup, Organisation

METADATA = [
    "reference",
    "kind",
    "confidentiality",
    "status",
    "assigned_to",
    "tier",
    "province",
    "created_at",
    "due_by",
    "first_response_at",
    "closed_at",
    "purged_at",
    "deletion_requested_at",
]


@admin.register(Case)
class CaseAdmin(RaadhuisModelAdmin):
    list_display = ["reference", "kind", "confidentiality", "status", "created_at", "closed_at"]
    list_filter = ["status", "kind", "confidentiality", "tier", "created_at"]
    search_fields = ["reference"]
    fields = METADATA
    readonly_fields = METADATA
    admin_actions = frozenset({"view"})

    def get_queryset(self, request: HttpRequest) -> Any:
        # Defer the encrypted columns: the back office never even loads them.
        return (
            super()
            .get_queryset(request)
            .exclude(confidentiality=Confidentiality.STRICT)
            .defer("subject", "description", "outcome")
            .select_related("assigned_to", "province")
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.confidentiality == Confidentiality.STRICT:
            return False
        return super().has_view_permission(request, obj)


@admin.register(CaseAccess)
class CaseAccessAdmin(RaadhuisModelAdmin):
    list_display = ["case", "user", "what", "at"]
    list_filter = ["at"]
    search_fields = ["case__reference", "user__email"]
    list_select_related = ["case", "user"]
    admin_actions = frozenset({"view"})

    def get_queryset(self, request: HttpRequest) -> Any:
        return (
            super()
            .get_queryset(request)
            .exclude(case__confidentiality=Confidentiality.STRICT)
            .defer("case__subject", "case__description", "case__outcome")
        )


@admin.register(Organisation)
class OrganisationAdmin(RaadhuisModelAdmin):
    list_display = ["name", "kind", "region", "email", "phone"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "expertise"]


@admin.register(Helper)
class HelperAdmin(RaadhuisModelAdmin):
    list_display = ["user", "kind", "region", "available", "on_duty"]
    list_filter = ["kind", "available", "on_duty", "region"]
    search_fields = ["user__name", "user__email"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["expertise"]


@admin.register(IntervisionSignup)
class IntervisionSignupAdmin(RaadhuisModelAdmin):
    list_display = ["member", "tier", "group", "created_at"]
    list_filter = ["tier", "group"]
    search_fields = ["member__family_name"]
    autocomplete_fields = ["member"]


@admin.register(IntervisionGroup)
class IntervisionGroupAdmin(RaadhuisModelAdmin):
    list_display = ["name", "facilitator", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name"]
