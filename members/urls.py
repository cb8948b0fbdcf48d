from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("leden/", views.directory_view, name="directory"),
    path("leden/<int:pk>/", views.member_detail, name="member_detail"),
    path("leden/<int:pk>/foto", views.member_photo, name="member_photo"),
    path("afdelingen/<slug:slug>/", views.branch_detail, name="branch_detail"),
    path("profiel/", views.profile, name="profile"),
    path("profiel/mandaten/nieuw/", views.mandate_propose, name="mandate_propose"),
    path("profiel/mandaten/<int:pk>/", views.mandate_change, name="mandate_change"),
    path("profiel/gegevens/", views.data_export, name="data_export"),
    path("profiel/verwijderen/", views.erasure_request, name="erasure_request"),
    path("berichten/", views.inbox, name="inbox"),
    path("berichten/met/<int:pk>/", views.thread, name="thread"),
    path("berichten/met/<int:pk>/blokkeren/", views.block, name="block"),
    path("berichten/<int:pk>/melden/", views.report_message, name="report_message"),
    path("beheer/mandaten/", views.mandate_reviews, name="mandate_reviews"),
    path("beheer/mandaten/<int:pk>/", views.mandate_review, name="mandate_review"),
    path("beheer/leden/import/", views.import_upload, name="import_upload"),
    path("beheer/leden/import/<int:pk>/", views.import_detail, name="import_detail"),
    path("beheer/leden/uitnodigen/", views.invite_bulk, name="invite_bulk"),
    path("beheer/leden/uitnodigen/<int:pk>/", views.invite_run, name="invite_run"),
    path("beheer/leden/export/", views.export, name="export"),
]
