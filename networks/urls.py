from django.urls import path

from . import views

app_name = "networks"

urlpatterns = [
    path("netwerken/", views.overview, name="overview"),
    path("netwerken/gedragscode/", views.code_of_conduct, name="code_of_conduct"),
    path("netwerken/zoeken/", views.search_view, name="search"),
    path("netwerken/afmelden/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("netwerken/uitnodigingen/<int:pk>/", views.answer_invitation, name="answer_invitation"),
    path("netwerken/bericht/<int:pk>/melden/", views.report_post, name="report_post"),
    path("netwerken/bericht/<int:pk>/modereren/", views.moderate_post, name="moderate_post"),
    path("netwerken/bijlage/<int:pk>/", views.attachment_view, name="attachment"),
    path("netwerken/<slug:slug>/", views.network_view, name="network"),
    path("netwerken/<slug:slug>/nieuw/", views.new_thread, name="new_thread"),
    path("netwerken/<slug:slug>/lidmaatschap/", views.membership_view, name="membership"),
    path("netwerken/<slug:slug>/moderatie/", views.moderate, name="moderate"),
    path("netwerken/<slug:slug>/instellingen/", views.settings_view, name="settings"),
    path("netwerken/<slug:slug>/<int:pk>/", views.thread_view, name="thread"),
    path("netwerken/<slug:slug>/<int:pk>/nuttig/", views.mark_helpful, name="mark_helpful"),
    path("beheer/netwerken/", views.manage, name="manage"),
]
