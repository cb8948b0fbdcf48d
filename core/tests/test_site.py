import io

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from core.models import Association
from core.roles import Role
from tests.factories import make_role_user

pytestmark = pytest.mark.django_db


def test_logo_is_served_publicly_as_an_image(client) -> None:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    association = Association.get()
    association.logo.save("logo.png", ContentFile(buffer.getvalue()))
    response = client.get(reverse("association_logo"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert 'src="/vereniging/logo"' in client.get("/").content.decode()


def test_navigation_shows_what_the_role_allows(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_role_user(Role.MEMBER))
    labels = [item["label"] for item in client.get("/").context["navigation"]]
    assert labels == [
        "Start",
        "Leden",
        "Bestuursorganen",
        "Bibliotheek",
        "Nieuws",
        "Bijeenkomsten",
        "Berichten",
        "Advies",
        "Mijn rechten",
    ]
    client.force_login(make_role_user(Role.GRIFFIE_CONTACT))
    labels = [item["label"] for item in client.get("/").context["navigation"]]
    assert labels == ["Start", "Bestuursorganen", "Bibliotheek", "Nieuws", "Bijeenkomsten", "Budgetaanvragen"]
    client.force_login(make_role_user(Role.ADMINISTRATOR))
    labels = [item["label"] for item in client.get("/").context["navigation"]]
    assert labels == [
        "Start",
        "Leden",
        "Bestuursorganen",
        "Bibliotheek",
        "Nieuws",
        "Bijeenkomsten",
        "Budgetaanvragen",
        "Beheer",
    ]
    tools = [t["label"] for t in client.get("/beheer/").context["tools"]]
    assert tools == [
        "Uitnodigingen",
        "Leden importeren",
        "Leden in één keer uitnodigen",
        "Mandaten controleren",
        "Leden exporteren",
        "Bijeenkomsten en scholing",
        "Ontwikkeltraject",
        "Nieuwsbrief",
        "Nieuws en publicaties",
        "Documenten importeren",
        "Backoffice",
    ]


def test_server_error_page_renders_without_the_database(settings) -> None:  # type: ignore[no-untyped-def]
    from django.urls import path

    from raadhuis import urls

    def boom(request):  # type: ignore[no-untyped-def]
        raise RuntimeError("kapot")

    settings.ROOT_URLCONF = type(
        "urls", (), {"urlpatterns": [path("kapot/", boom), *urls.urlpatterns], "handler500": urls.handler500}
    )
    response = Client(raise_request_exception=False).get("/kapot/")
    assert response.status_code == 500
    assert "Er ging iets mis" in response.content.decode()


def test_csrf_failure_page_is_friendly() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("account_login"), {"login": "a@example.org", "password": "x"})
    assert response.status_code == 403
    assert "Formulier verlopen" in response.content.decode()
