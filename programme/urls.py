from django.urls import path

from . import views

app_name = "programme"

urlpatterns = [
    path("ontwikkeltraject/aanmelden/", views.apply, name="apply"),
    path("ontwikkeltraject/goede-voorbeelden/", views.practices, name="practices"),
    path("ontwikkeltraject/goede-voorbeelden/<int:pk>/", views.practice, name="practice"),
    path("ontwikkeltraject/trajecten/<int:pk>/", views.track, name="track"),
    path("ontwikkeltraject/leergroepen/<int:pk>/", views.learning_group, name="learning_group"),
    path("ontwikkeltraject/rechten/<str:code>/<int:year>/", views.entitlements, name="entitlements"),
    path("ontwikkeltraject/budgetaanvragen/", views.budget_requests, name="budget_requests"),
    path("ontwikkeltraject/vergelijking/", views.comparison, name="comparison"),
    path("mijn-rechten/", views.my_entitlements, name="my_entitlements"),
    path("beheer/ontwikkeltraject/", views.dashboard, name="dashboard"),
    path("beheer/ontwikkeltraject/aanmeldingen/", views.applications, name="applications"),
    path("beheer/ontwikkeltraject/aanmeldingen/<int:pk>/", views.application, name="application"),
    path("beheer/ontwikkeltraject/trajecten/", views.tracks, name="tracks"),
    path("beheer/ontwikkeltraject/leergroepen/", views.learning_groups, name="learning_groups"),
]
