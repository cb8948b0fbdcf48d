from django.contrib import admin

from core.admin import RaadhuisModelAdmin, RaadhuisTabularInline

from .models import Attendance, CalendarFeed, Evaluation, Event, InvoiceSequence, Registration, Session

VIEW_ONLY = frozenset({"view"})


class SessionInline(RaadhuisTabularInline):
    model = Session
    fields = ["title", "starts_at", "ends_at", "location_name", "address", "online_url"]


@admin.register(Event)
class EventAdmin(RaadhuisModelAdmin):
    list_display = ["title", "kind", "status", "starts_at", "capacity", "audience"]
    list_filter = ["status", "kind", "audience", "region", "starts_at"]
    search_fields = ["title", "summary", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["organisers", "topics", "invitees"]
    autocomplete_fields = ["region", "audience_branch"]
    readonly_fields = ["starts_at", "ends_at", "online", "cancelled_at"]
    inlines = [SessionInline]


@admin.register(Registration)
class RegistrationAdmin(RaadhuisModelAdmin):
    list_display = ["event", "member", "guest_name", "status", "signed_up_at", "invoice_number"]
    list_filter = ["status", "event__kind", "signed_up_at"]
    search_fields = ["event__title", "member__family_name", "member__email", "guest_name", "guest_email"]
    list_select_related = ["event", "member"]
    autocomplete_fields = ["member"]
    readonly_fields = ["signed_up_at", "offered_at", "offer_expires_at", "cancelled_at", "invoice_number"]
    # Seats change only through the registration service (it takes the lock): no status edits here.
    admin_actions = frozenset({"view"})


@admin.register(Attendance)
class AttendanceAdmin(RaadhuisModelAdmin):
    list_display = ["registration", "session", "present", "marked_at"]
    list_filter = ["present", "marked_at"]
    search_fields = ["registration__member__family_name", "registration__event__title"]
    admin_actions = VIEW_ONLY


@admin.register(Evaluation)
class EvaluationAdmin(RaadhuisModelAdmin):
    list_display = ["registration", "overall", "content", "organisation", "created_at"]
    list_filter = ["overall", "created_at"]
    search_fields = ["registration__event__title", "comment"]
    admin_actions = VIEW_ONLY


@admin.register(CalendarFeed)
class CalendarFeedAdmin(RaadhuisModelAdmin):
    list_display = ["member", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["member__family_name", "member__email"]
    admin_actions = frozenset({"view", "delete"})


@admin.register(InvoiceSequence)
class InvoiceSequenceAdmin(RaadhuisModelAdmin):
    list_display = ["year", "last"]
    list_filter = ["year"]
    search_fields = ["year"]
    admin_actions = VIEW_ONLY
