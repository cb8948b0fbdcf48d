from django.contrib import admin

from core.admin import RaadhuisModelAdmin, RaadhuisTabularInline

from .models import (
    Application,
    ApplicationTheme,
    BudgetRequest,
    Entitlement,
    GoodPractice,
    IntakeMeeting,
    LearningGroup,
    LearningGroupDocument,
    PlanItem,
    ProgrammeContact,
    Track,
)


class ApplicationThemeInline(RaadhuisTabularInline):
    model = ApplicationTheme


@admin.register(Application)
class ApplicationAdmin(RaadhuisModelAdmin):
    list_display = ["municipality", "contact_name", "status", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["municipality__name", "contact_name", "contact_email"]
    autocomplete_fields = ["municipality"]
    inlines = [ApplicationThemeInline]


class PlanItemInline(RaadhuisTabularInline):
    model = PlanItem


@admin.register(Track)
class TrackAdmin(RaadhuisModelAdmin):
    list_display = ["municipality", "theme", "role", "status", "officer"]
    list_filter = ["theme", "status", "role"]
    search_fields = ["municipality__name"]
    autocomplete_fields = ["municipality"]
    filter_horizontal = ["applications"]
    inlines = [PlanItemInline]


@admin.register(IntakeMeeting)
class IntakeMeetingAdmin(RaadhuisModelAdmin):
    list_display = ["track", "date"]
    list_filter = ["date"]
    search_fields = ["track__municipality__name", "participants"]


@admin.register(ProgrammeContact)
class ProgrammeContactAdmin(RaadhuisModelAdmin):
    list_display = ["user", "municipality"]
    list_filter = ["municipality__province"]
    search_fields = ["user__email", "user__name", "municipality__name"]
    autocomplete_fields = ["user", "municipality"]


class LearningGroupDocumentInline(RaadhuisTabularInline):
    model = LearningGroupDocument


@admin.register(LearningGroup)
class LearningGroupAdmin(RaadhuisModelAdmin):
    list_display = ["name", "theme"]
    list_filter = ["theme"]
    search_fields = ["name"]
    autocomplete_fields = ["municipalities"]
    filter_horizontal = ["events"]
    inlines = [LearningGroupDocumentInline]


@admin.register(GoodPractice)
class GoodPracticeAdmin(RaadhuisModelAdmin):
    list_display = ["title", "municipality", "theme", "published"]
    list_filter = ["theme", "published"]
    search_fields = ["title", "arrangement", "municipality__name"]
    autocomplete_fields = ["municipality"]


@admin.register(Entitlement)
class EntitlementAdmin(RaadhuisModelAdmin):
    list_display = ["municipality", "year", "training_budget_cents", "faction_per_seat_cents", "updated_at"]
    list_filter = ["year"]
    search_fields = ["municipality__name"]
    autocomplete_fields = ["municipality"]


@admin.register(BudgetRequest)
class BudgetRequestAdmin(RaadhuisModelAdmin):
    list_display = ["member", "municipality", "year", "amount_cents", "status", "created_at"]
    list_filter = ["status", "year"]
    search_fields = ["member__family_name", "municipality__name", "description"]
    # Budgets change only through the service (it locks and checks the balance).
    admin_actions = frozenset({"view"})
