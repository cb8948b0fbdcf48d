from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from api.api import api
from core import views as core_views

urlpatterns = [
    path("", include("core.urls")),
    path("", include("accounts.urls")),
    path("", include("members.urls")),
    path("", include("events.urls")),
    path("", include("desk.urls")),
    path("", include("programme.urls")),
    path("", include("library.urls")),
    path("anymail/", include("newsletter.webhook_urls")),
    path("", include("newsletter.urls")),
    path("", include("selection.urls")),
    path("", include("networks.urls")),
    path("", include("api.urls")),
    path("api/", api.urls),
    path("account/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("taal/", set_language, name="set_language"),
    path("healthz", core_views.healthz, name="healthz"),
    path("thema.css", core_views.theme_css, name="theme_css"),
    path("vereniging/logo", core_views.association_logo, name="association_logo"),
]

handler404 = "core.views.page_not_found"
handler403 = "core.views.permission_denied"
handler500 = "core.views.server_error"
