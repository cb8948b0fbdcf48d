from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("uitnodiging/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("beheer/uitnodigingen/", views.invitation_list, name="invitation_list"),
    path("beheer/uitnodigingen/nieuw/", views.invitation_create, name="invitation_create"),
    path("beheer/uitnodigingen/<int:pk>/opnieuw/", views.invitation_resend, name="invitation_resend"),
    path("beheer/uitnodigingen/<int:pk>/intrekken/", views.invitation_revoke, name="invitation_revoke"),
]
