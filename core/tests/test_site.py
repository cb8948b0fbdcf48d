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
        "Netwerken",
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
        "Netwerken",
        "Budgetaanvragen",
        "Beheer",
    ]
    tools = [t["label"] for t in client.get("/beheer/").context["tools"]]
    # An expert (deskundige) sees their network and nothing else.
    from networks.tests.factories import closed_network, expert

    course = closed_network()
    client.force_login(expert(course))
    assert [item["label"] for item in client.get(course.get_absolute_url()).context["navigation"]] == ["Netwerken"]
    client.force_login(make_role_user(Role.ADMINISTRATOR))
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
        "Netwerken",
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


def test_the_demo_runs_with_debug_off_and_serves_its_static_files_through_whitenoise() -> None:
    """`make demo` uses raadhuis.settings.demo: no debug page (with the site's URL list) for a
    mistyped address, and the stylesheets still load without collectstatic."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    environment["DJANGO_SETTINGS_MODULE"] = "raadhuis.settings.demo"
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.WHITENOISE_USE_FINDERS, 'whitenoise.middleware.WhiteNoiseMiddleware' in s.MIDDLEWARE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["False", "True", "True"], result.stderr
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert "DJANGO_SETTINGS_MODULE ?= raadhuis.settings.demo" in makefile


def test_static_files_are_served_with_debug_off(client) -> None:  # type: ignore[no-untyped-def]
    # The test settings are the demo's in this respect: DEBUG off, WhiteNoise with the finders.
    from django.conf import settings

    assert settings.DEBUG is False
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")


@pytest.mark.parametrize(
    ("language", "not_found", "no_access"),
    [("nl", "Pagina niet gevonden", "Geen toegang"), ("en", "Page not found", "No access")],
)
def test_error_pages_are_the_sites_own_in_the_visitors_language(client, language, not_found, no_access) -> None:  # type: ignore[no-untyped-def]
    client.cookies["django_language"] = language
    response = client.get("/bestaat-niet/")
    page = response.content.decode()
    assert response.status_code == 404
    assert f'<html lang="{language}">' in page
    assert f"<h1>{not_found}</h1>" in page
    # Never the debug page with the site's URL structure.
    assert "URLconf" not in page and "bibliotheek/&lt;int:pk&gt;" not in page and "Traceback" not in page
    client.force_login(make_role_user(Role.MEMBER))
    response = client.get(reverse("accounts:invitation_list"))
    assert response.status_code == 403
    assert f"<h1>{no_access}</h1>" in response.content.decode()
