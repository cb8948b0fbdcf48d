from django.urls import path

from . import views

app_name = "newsletter"

urlpatterns = [
    path("nieuws/", views.news_list, name="news_list"),
    path("nieuws/<slug:slug>/", views.news_item, name="news_item"),
    path("nieuws/<slug:slug>/afbeelding/", views.news_image, name="news_image"),
    path("publicaties/", views.publication_list, name="publications"),
    path("publicaties/<slug:slug>/", views.publication, name="publication"),
    path("publicaties/<slug:slug>/pdf/", views.publication_file, name="publication_file"),
    path("nieuwsbrief/", views.archive, name="archive"),
    path("nieuwsbrief/<int:number>/", views.edition, name="edition"),
    path("nieuwsbrief/aanmelden/", views.subscribe, name="subscribe"),
    path("nieuwsbrief/bevestigen/<str:token>/", views.confirm, name="confirm"),
    path("nieuwsbrief/afmelden/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("nieuwsbrief/voorkeuren/<str:token>/", views.preferences, name="preferences"),
    path("nieuwsbrief/mijn-abonnement/", views.my_subscription, name="my_subscription"),
    path("beheer/nieuwsbrief/", views.manage, name="manage"),
    path("beheer/nieuwsbrief/nieuw/", views.edition_create, name="edition_create"),
    path("beheer/nieuwsbrief/<int:pk>/", views.compose, name="compose"),
    path("beheer/nieuwsbrief/<int:pk>/voorbeeld/", views.preview, name="preview"),
    path("beheer/nieuwsbrief/<int:pk>/test/", views.send_test, name="send_test"),
    path("beheer/nieuwsbrief/<int:pk>/versturen/", views.schedule, name="schedule"),
    path("beheer/nieuwsbrief/<int:pk>/stoppen/", views.unschedule, name="unschedule"),
    path("beheer/nieuwsbrief/<int:pk>/voortgang/", views.progress, name="progress"),
    path("beheer/nieuwsbrief/abonnees/", views.subscribers, name="subscribers"),
    path("beheer/nieuwsbrief/onderdrukt/<int:pk>/opheffen/", views.lift_suppression, name="lift_suppression"),
    path("beheer/nieuws/", views.news_manage, name="news_manage"),
    path("beheer/nieuws/nieuw/", views.news_edit, name="news_create"),
    path("beheer/nieuws/<int:pk>/", views.news_edit, name="news_edit"),
    path("beheer/publicaties/", views.publications_manage, name="publications_manage"),
    path("beheer/publicaties/nieuw/", views.publication_edit, name="publication_create"),
    path("beheer/publicaties/<int:pk>/", views.publication_edit, name="publication_edit"),
]
