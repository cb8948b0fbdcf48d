"""The newsletter in the back office: looking things up. Editions are composed and sent on the
site (so that sending goes through its checks); deliveries and bounces are history."""

from django.contrib import admin

from core.admin import RaadhuisModelAdmin

from .models import Bounce, Delivery, Edition, NewsItem, Publication, Subscriber, Suppression


@admin.register(NewsItem)
class NewsItemAdmin(RaadhuisModelAdmin):
    list_display = ["title", "visibility", "published_at"]
    list_filter = ["visibility", "published_at"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Publication)
class PublicationAdmin(RaadhuisModelAdmin):
    admin_actions = frozenset({"view", "change"})
    list_display = ["title", "authors", "date", "visibility", "published_at"]
    list_filter = ["visibility", "date"]
    search_fields = ["title", "authors"]
    exclude = ["text"]
    # The PDF is replaced on the site, where its text is extracted and indexed again.
    readonly_fields = ["file"]


@admin.register(Edition)
class EditionAdmin(RaadhuisModelAdmin):
    admin_actions = frozenset({"view"})
    list_display = ["number", "subject", "status", "scheduled_for", "sent_at"]
    list_filter = ["status"]
    search_fields = ["subject"]


@admin.register(Subscriber)
class SubscriberAdmin(RaadhuisModelAdmin):
    admin_actions = frozenset({"view", "change"})
    list_display = ["email", "name", "status", "member", "created_at", "confirmed_at"]
    list_filter = ["status"]
    search_fields = ["email", "name"]
    raw_id_fields = ["member"]


@admin.register(Suppression)
class SuppressionAdmin(RaadhuisModelAdmin):
    admin_actions = frozenset({"view", "add", "delete"})
    list_display = ["email", "reason", "created_at"]
    list_filter = ["reason"]
    search_fields = ["email"]


@admin.register(Bounce)
class BounceAdmin(RaadhuisModelAdmin):
    admin_actions = frozenset({"view"})
    list_display = ["email", "kind", "source", "received_at"]
    list_filter = ["kind", "source"]
    search_fields = ["email"]


@admin.register(Delivery)
class DeliveryAdmin(RaadhuisModelAdmin):
    admin_actions = frozenset({"view"})
    list_display = ["edition", "email", "status", "attempts", "sent_at"]
    list_filter = ["status", "edition"]
    search_fields = ["email"]
