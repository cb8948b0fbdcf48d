"""The library in the back office: looking things up. Documents are changed on the site (where
editors moderate), so that every change is indexed; saved searches are members' own business."""

from django.contrib import admin

from core.admin import RaadhuisModelAdmin

from .models import Document, ImportRun, SavedSearch


@admin.register(Document)
class DocumentAdmin(RaadhuisModelAdmin):
    admin_actions = frozenset({"view"})
    list_display = ["title", "kind", "body", "meeting_date", "outcome", "status", "visibility", "source"]
    list_filter = ["kind", "status", "visibility", "source", "outcome", "body__tier"]
    search_fields = ["title", "source_id", "body__name"]
    date_hierarchy = "shared_at"
    exclude = ["parts"]
    readonly_fields = ["text"]

    def view_on_site(self, obj: Document) -> str:
        return obj.get_absolute_url()


@admin.register(SavedSearch)
class SavedSearchAdmin(RaadhuisModelAdmin):
    admin_actions = frozenset({"view"})
    list_display = ["name", "member", "frequency", "active", "last_sent_at"]
    list_filter = ["frequency", "active"]
    search_fields = ["name", "member__family_name"]


@admin.register(ImportRun)
class ImportRunAdmin(RaadhuisModelAdmin):
    admin_actions = frozenset({"view", "delete"})
    list_display = ["file_name", "uploaded_by", "created_at", "imported_at"]
    list_filter = ["created_at", "imported_at"]
    search_fields = ["file_name"]
    exclude = ["rows"]
