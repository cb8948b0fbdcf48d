"""The library in the back office: looking things up. Documents are changed on the site (where
editors moderate), so that every change is indexed; saved searches are members' own business."""

from django.contrib import admin
from django.utils.translation import gettext as _

from core.admin import RaadhuisModelAdmin

from .models import Document, ImportRun, SavedSearch, SyncSource, SynonymGroup, Withdrawal


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


@admin.register(SyncSource)
class SyncSourceAdmin(RaadhuisModelAdmin):
    """Sources the library follows (manage.py sync_library, docs/IMPORT_ORI.md): added and changed
    here; the last run of each is shown in the list."""

    list_display = ["name", "kind", "location", "active", "last_run_at", "last_status", "last_run", "total"]
    list_filter = ["kind", "active", "last_status"]
    search_fields = ["name", "location", "source_key"]
    autocomplete_fields = ["body"]
    readonly_fields = ["last_run_at", "last_status", "last_run", "total", "last_error"]

    @admin.display(description=_("counts of the last run"))
    def last_run(self, obj: SyncSource) -> str:
        return _counts(obj.last_counts)

    @admin.display(description=_("totals"))
    def total(self, obj: SyncSource) -> str:
        return _counts(obj.totals)


def _counts(counts: dict[str, int]) -> str:
    if not counts:
        return "-"
    return _("%(created)s new, %(updated)s changed, %(unchanged)s unchanged, %(withdrawn)s withdrawn") % {
        name: counts.get(name, 0) for name in ("created", "updated", "unchanged", "withdrawn")
    }


@admin.register(Withdrawal)
class WithdrawalAdmin(RaadhuisModelAdmin):
    admin_actions = frozenset({"view"})
    list_display = ["title", "body", "source_id", "reason", "withdrawn_at", "sync_source"]
    list_filter = ["sync_source", "withdrawn_at"]
    search_fields = ["title", "source_id"]
    date_hierarchy = "withdrawn_at"


@admin.register(SynonymGroup)
class SynonymGroupAdmin(RaadhuisModelAdmin):
    """Synonyms count at the next search (library.synonyms): no reindex."""

    list_display = ["__str__", "active", "note", "updated_at"]
    list_filter = ["active"]
    search_fields = ["terms", "note"]
