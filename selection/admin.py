"""The back office sees what a procedure is and that applications exist, never what they say:
no names, addresses, motivations, CVs, scores or notes. Administrators cannot read an application
here, whatever their flags; the procedure's own pages decide who reads it (selection/rules.py)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.admin import RaadhuisModelAdmin
from core.fields import encrypted_fields

from .models import Application, ApplicationAccess, SelectionProcedure

PROCEDURE_FIELDS = [
    "title",
    "branch",
    "election",
    "election_date",
    "body",
    "status",
    "call_opens",
    "applications_close",
    "interviews_from",
    "interviews_until",
    "advice_due",
    "members_meeting",
    "retention_months",
    "adviser",
    "created_by",
    "created_at",
    "published_at",
    "finished_at",
]
APPLICATION_METADATA = [
    "reference",
    "procedure",
    "status",
    "submitted_at",
    "status_changed_at",
    "mailed_status",
    "mailed_at",
    "deletion_notice_at",
]
# The encrypted columns: the back office never even loads them.
ENCRYPTED = encrypted_fields(Application)


@admin.register(SelectionProcedure)
class SelectionProcedureAdmin(RaadhuisModelAdmin):
    list_display = ["title", "branch", "election", "election_date", "status", "applications_close"]
    list_filter = ["status", "election", "election_date"]
    search_fields = ["title", "branch__name", "body__name"]
    list_select_related = ["branch"]
    fields = PROCEDURE_FIELDS
    readonly_fields = PROCEDURE_FIELDS
    admin_actions = frozenset({"view"})


@admin.register(Application)
class ApplicationAdmin(RaadhuisModelAdmin):
    list_display = ["reference", "procedure", "status", "submitted_at"]
    list_filter = ["status", "submitted_at"]
    search_fields = ["reference"]
    list_select_related = ["procedure"]
    fields = APPLICATION_METADATA
    readonly_fields = APPLICATION_METADATA
    admin_actions = frozenset({"view"})

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).defer(*ENCRYPTED)


@admin.register(ApplicationAccess)
class ApplicationAccessAdmin(RaadhuisModelAdmin):
    list_display = ["application", "user", "what", "at"]
    list_filter = ["what", "at"]
    search_fields = ["application__reference", "user__email"]
    list_select_related = ["application", "user"]
    admin_actions = frozenset({"view"})

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).defer(*(f"application__{name}" for name in ENCRYPTED))
