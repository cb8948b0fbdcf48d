from django.contrib import admin

from core.admin import RaadhuisModelAdmin, RaadhuisTabularInline

from .models import Branch, BranchOfficial, Faction, Mandate, Member, Topic


class MandateInline(RaadhuisTabularInline):
    model = Mandate
    autocomplete_fields = ["body", "faction"]
    fields = ["body", "role", "faction", "portfolios", "start_date", "end_date"]


class BranchOfficialInline(RaadhuisTabularInline):
    model = BranchOfficial
    autocomplete_fields = ["member"]


@admin.register(Member)
class MemberAdmin(RaadhuisModelAdmin):
    list_display = ["full_name", "email", "status", "branch", "member_since"]
    list_filter = ["status", "branch", "topics", "mandates__body__tier"]
    search_fields = ["given_name", "family_name", "email"]
    autocomplete_fields = ["branch", "user"]
    filter_horizontal = ["topics"]
    readonly_fields = ["sort_name", "created_at", "updated_at"]
    inlines = [MandateInline]


@admin.register(Mandate)
class MandateAdmin(RaadhuisModelAdmin):
    list_display = ["member", "role", "body", "faction", "start_date", "end_date"]
    list_filter = ["role", "body__tier", ("end_date", admin.EmptyFieldListFilter)]
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


@admin.register(BranchOfficial)
class BranchOfficialAdmin(RaadhuisModelAdmin):
    list_display = ["member", "function", "branch", "start_date", "end_date"]
    list_filter = ["function", "branch"]
    search_fields = ["member__given_name", "member__family_name", "branch__name"]
    autocomplete_fields = ["member", "branch"]


@admin.register(Topic)
class TopicAdmin(RaadhuisModelAdmin):
    list_display = ["name", "slug"]
    list_filter = ["name"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
