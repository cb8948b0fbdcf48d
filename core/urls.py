from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("beheer/", views.manage, name="manage"),
    path("bestuursorganen/", views.body_list, name="body_list"),
    path("bestuursorganen/<str:code>/", views.body_detail, name="body_detail"),
]
