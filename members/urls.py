from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("leden/<int:pk>/", views.member_detail, name="member_detail"),
    path("leden/<int:pk>/foto", views.member_photo, name="member_photo"),
]
