from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def plain(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/plain", plain), path("", include("raadhuis.urls"))]
