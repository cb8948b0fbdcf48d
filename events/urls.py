from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("bijeenkomsten/", views.event_list, name="list"),
    path("bijeenkomsten/archief/", views.event_list, {"past": True}, name="archive"),
    path("bijeenkomsten/<slug:slug>/", views.event_detail, name="detail"),
    path("bijeenkomsten/<slug:slug>/aanmelden/", views.register, name="register"),
    path("bijeenkomsten/<slug:slug>/gast/", views.guest_register, name="guest_register"),
    path("bijeenkomsten/<slug:slug>/agenda.ics", views.event_ics, name="ics"),
    path("inschrijving/<str:token>/", views.registration_page, name="registration"),
    path("inschrijving/<str:token>/bevestigen/", views.guest_confirm, name="guest_confirm"),
    path("inschrijving/<str:token>/factuur.pdf", views.invoice, name="invoice"),
    path("inschrijving/<str:token>/certificaat.pdf", views.certificate, name="certificate"),
    path("inschrijving/<str:token>/evaluatie/", views.evaluate, name="evaluate"),
    path("certificaat/<int:pk>-<str:code>/", views.certificate_verify, name="certificate_verify"),
    path("agenda/", views.calendar, name="calendar"),
    path("agenda/<str:token>.ics", views.feed, name="feed"),
    path("beheer/bijeenkomsten/", views.manage_list, name="manage_list"),
    path("beheer/bijeenkomsten/nieuw/", views.create, name="create"),
    path("beheer/bijeenkomsten/incheck/<str:token>/", views.checkin_scan, name="checkin_scan"),
    path("beheer/bijeenkomsten/<slug:slug>/", views.manage, name="manage"),
    path("beheer/bijeenkomsten/<slug:slug>/bewerken/", views.edit, name="edit"),
    path("beheer/bijeenkomsten/<slug:slug>/sessies/<int:pk>/", views.checkin, name="checkin"),
    path("beheer/bijeenkomsten/<slug:slug>/export/", views.export, name="export"),
    path("beheer/bijeenkomsten/<slug:slug>/evaluatie/", views.results, name="results"),
]
