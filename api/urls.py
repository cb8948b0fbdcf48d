from django.urls import path

from . import views

app_name = "api_tokens"

urlpatterns = [
    path("profiel/api-tokens/", views.token_list, name="list"),
    path("profiel/api-tokens/<int:pk>/intrekken/", views.token_revoke, name="revoke"),
]
