from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin import RaadhuisModelAdmin, RaadhuisTabularInline

from . import services
from .models import (
    Block,
    Branch,
    BranchOfficial,
    ErasureRequest,
    Faction,
    ImportBatch,
    InvitationRun,
    Mandate,
    Member,
    Message,
    PrivateFieldView,
    Topic,
)

VIEW_ONLY = frozenset({"view"})


class MandateInline(RaadhuisTabularInline):
    model = Mandate
    autocomplete_fields = ["body", "faction"]
    fields = ["body", "role", "faction", "portfolios", "start_date", "end_date", "review_status"]


class BranchOfficialForm(forms.ModelForm):  # type: ignore[type-arg]
    """An appointment as the back office edits it: refused (a form error, nothing written) where it
    would give the acting user, or a staff account, a branch's rights (services.check_appointment).
    `actor` is set per request by the admin below."""

    actor: Any = None

    class Meta:
        model = BranchOfficial
        fields = ["branch", "member", "function", "start_date", "end_date"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        needed = ("member", "function", "start_date")
        if cleaned.get("DELETE") or self.actor is None or any(cleaned.get(name) is None for name in needed):
            return cleaned
        branch = cleaned.get("branch")
        official = BranchOfficial(
            pk=self.instance.pk,
            member=cleaned["member"],
            branch_id=branch.pk if branch is not None else self.instance.branch_id,
            function=cleaned["function"],
            start_date=cleaned["start_date"],
            end_date=cleaned.get("end_date"),
        )
        try:
            services.check_appointment(official=official, by=self.actor)
        except ValidationError as error:
            self.add_error("member", error)
        return cleaned


def official_form_for(request: HttpRequest) -> type[BranchOfficialForm]:
    return type("BranchOfficialFormFor", (BranchOfficialForm,), {"actor": request.user})


class BranchOfficialInline(RaadhuisTabularInline):
    model = BranchOfficial
    autocomplete_fields = ["member"]

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        kwargs["form"] = official_form_for(request)
        return super().get_formset(request, obj, **kwargs)


@admin.register(Member)
class MemberAdmin(RaadhuisModelAdmin):
    list_display = ["name", "email", "status", "branch", "member_since"]
    list_filter = ["status", "branch", "topics", "mandates__body__tier"]
    search_fields = ["given_name", "family_name", "email"]
    autocomplete_fields = ["branch"]
    filter_horizontal = ["topics"]
    # The account is linked when the member accepts an invitation for this record (members'
    # invitations), or on the server (`manage.py link_member_account`); never here: the account
    # would get what the record carries (the member's cases, messages, applications, branch
    # functions and committee seats), and the administrator could pick an account of their own.
    readonly_fields = ["user", "sort_name", "created_at", "updated_at"]
    inlines = [MandateInline]

    @admin.display(description=_("name"), ordering="sort_name")
    def name(self, obj: Member) -> str:
        return obj.full_name

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        # The back office shows every field: a staff view of private fields, logged.
        member = self.get_object(request, object_id)
        if member is not None and self.has_view_permission(request, member):
            services.log_private_views(
                viewer=request.user, shown=[(member, ["email", "phone", "address"])], path=request.path
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Mandate)
class MandateAdmin(RaadhuisModelAdmin):
    list_display = ["member", "role", "body", "faction", "start_date", "end_date", "review_status"]
    list_filter = ["review_status", "role", "body__tier", ("end_date", admin.EmptyFieldListFilter)]
    search_fields = ["member__given_name", "member__family_name", "body__name", "body__code"]
    autocomplete_fields = ["member", "body", "faction"]
    list_select_related = ["member", "body", "faction"]


@admin.register(Faction)
class FactionAdmin(RaadhuisModelAdmin):
    list_display = ["name", "body", "chair", "seats"]
    list_filter = ["body__tier"]
    search_fields = ["name", "body__name"]
    autocomplete_fields = ["body", "chair"]
    list_select_related = ["body", "chair"]


@admin.register(Branch)
class BranchAdmin(RaadhuisModelAdmin):
    list_display = ["name", "kind", "province"]
    list_filter = ["kind", "province"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["municipalities", "province"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [BranchOfficialInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not BranchOfficial:
            super().save_formset(request, form, formset, change)
            return
        # Appointments go through the service that checks who may be appointed, by whom.
        appointments = formset.save(commit=False)
        for official in formset.deleted_objects:
            services.remove_official(official=official, by=request.user)
        for official in appointments:
            services.save_official(official=official, by=request.user)


@admin.register(BranchOfficial)
class BranchOfficialAdmin(RaadhuisModelAdmin):
    list_display = ["member", "function", "branch", "start_date", "end_date"]
    list_filter = ["function", "branch"]
    search_fields = ["member__given_name", "member__family_name", "branch__name"]
    autocomplete_fields = ["member", "branch"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["form"] = official_form_for(request)
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request: HttpRequest, obj: BranchOfficial, form: Any, change: bool) -> None:
        services.save_official(official=obj, by=request.user)

    def delete_model(self, request: HttpRequest, obj: BranchOfficial) -> None:
        services.remove_official(official=obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[BranchOfficial]) -> None:
        for official in queryset:
            services.remove_official(official=official, by=request.user)


@admin.register(Topic)
class TopicAdmin(RaadhuisModelAdmin):
    list_display = ["name", "slug"]
    list_filter = ["name"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Message)
class MessageAdmin(RaadhuisModelAdmin):
    """Only reported messages are here, for the administrators who handle the report; every time
    one is opened that read is logged (auditlog, action "access", with the reader). Messages
    nobody reported are private between sender and recipient and not in the back office at all."""

    list_display = ["sender", "recipient", "created_at", "reported_at"]
    list_filter = ["reported_at", "created_at"]
    # Body and reason are encrypted: the back office searches names only.
    search_fields = ["sender__family_name", "recipient__family_name"]
    list_select_related = ["sender", "recipient"]
    readonly_fields = [
        "sender",
        "recipient",
        "body",
        "reveal_sender_email",
        "created_at",
        "read_at",
        "reported_at",
        "report_reason",
    ]
    # Messages are evidence in an abuse report: read and delete, never edit.
    admin_actions = frozenset({"view", "delete"})

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        return super().get_queryset(request).filter(reported_at__isnull=False).defer("body", "report_reason")

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        message = self.get_object(request, object_id)
        if message is not None and self.has_view_permission(request, message):
            services.log_message_read(message=message, reader=request.user)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Block)
class BlockAdmin(RaadhuisModelAdmin):
    list_display = ["blocker", "blocked", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["blocker__family_name", "blocked__family_name"]
    list_select_related = ["blocker", "blocked"]
    admin_actions = frozenset({"view", "delete"})


@admin.register(PrivateFieldView)
class PrivateFieldViewAdmin(RaadhuisModelAdmin):
    list_display = ["viewed_at", "viewer", "member", "fields", "path"]
    list_filter = ["viewed_at", "fields"]
    search_fields = ["viewer__email", "member__family_name", "member__email"]
    list_select_related = ["viewer", "member"]
    admin_actions = VIEW_ONLY


@admin.register(ErasureRequest)
class ErasureRequestAdmin(RaadhuisModelAdmin):
    list_display = ["member", "requested_at", "executed_at", "executed_by"]
    list_filter = [("executed_at", admin.EmptyFieldListFilter), "requested_at"]
    search_fields = ["member__family_name", "member__email"]
    readonly_fields = ["member", "requested_at", "reason", "executed_at", "executed_by"]
    admin_actions = frozenset({"view", "change"})
    actions = ["execute"]

    @admin.action(description=_("Erase the personal data of the selected members"))
    def execute(self, request: HttpRequest, queryset: QuerySet[ErasureRequest]) -> None:
        done = 0
        for erasure in queryset.filter(executed_at__isnull=True):
            try:
                services.erase_member(request=erasure, executed_by=request.user)  # type: ignore[arg-type]
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                done += 1
        self.message_user(request, _("%(count)d member(s) erased.") % {"count": done}, messages.SUCCESS)


@admin.register(ImportBatch)
class ImportBatchAdmin(RaadhuisModelAdmin):
    list_display = ["file_name", "uploaded_by", "uploaded_at", "status"]
    list_filter = ["status", "uploaded_at"]
    search_fields = ["file_name"]
    admin_actions = VIEW_ONLY


@admin.register(InvitationRun)
class InvitationRunAdmin(RaadhuisModelAdmin):
    list_display = ["started_at", "started_by", "done", "sent", "finished_at"]
    list_filter = ["started_at"]
    search_fields = ["started_by__email"]
    admin_actions = VIEW_ONLY

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]
