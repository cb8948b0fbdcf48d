"""The public front page: real public content in blocks, an empty state per block, both languages,
and a query count that does not grow with the content."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from newsletter import services as newsletter
from newsletter.models import Publication
from selection.tests.factories import make_procedure
from tests.factories import EventFactory, make_role_user

pytestmark = pytest.mark.django_db


def _publication(title: str, *, visibility: str = "public", days_ago: int = 1) -> Publication:
    return Publication.objects.create(
        title=title,
        slug=title.lower().replace(" ", "-"),
        summary="Samenvatting.",
        authors="A. de Boer",
        date=timezone.localdate() - datetime.timedelta(days=days_ago),
        file="publications/x.pdf",
        visibility=visibility,
        published_at=timezone.now(),
    )


def _fill(n: int, offset: int = 0) -> None:
    for i in range(offset, offset + n):
        newsletter.save_news_item(title=f"Openbaar bericht {i}", summary="x", body="x", publish=True)
        _publication(f"Onderzoek {i}", days_ago=i + 1)
        EventFactory(title=f"Open avond {i}", slug=f"open-avond-{i}", audience="public")


def test_an_empty_site_shows_every_block_with_its_empty_state_and_the_fixed_entries(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/").content.decode()
    for empty in (
        "Nog geen nieuws.",
        "Nog geen publicaties.",
        "Er zijn op dit moment geen openbare bijeenkomsten gepland.",
        "Er zijn op dit moment geen open oproepen.",
    ):
        assert empty in html, empty
    for link in (
        reverse("newsletter:news_list"),
        reverse("newsletter:publications"),
        reverse("events:list"),
        reverse("selection:calls"),
        reverse("newsletter:archive"),
        reverse("programme:apply"),
        reverse("account_login"),
    ):
        assert f'href="{link}"' in html, link
    assert f'action="{reverse("library:search")}"' in html and 'name="q"' in html
    assert f'action="{reverse("newsletter:subscribe")}"' in html and 'name="email"' in html


def test_the_front_page_shows_only_public_content_newest_first(client) -> None:  # type: ignore[no-untyped-def]
    _fill(4)
    newsletter.save_news_item(title="Alleen voor leden", summary="x", body="x", visibility="members", publish=True)
    newsletter.save_news_item(title="Nog een concept", summary="x", body="x", publish=False)
    _publication("Intern onderzoek", visibility="members")
    EventFactory(title="Ledenvergadering", slug="ledenvergadering", audience="members")
    procedure = make_procedure()
    html = client.get("/").content.decode()
    assert "Alleen voor leden" not in html and "Nog een concept" not in html
    assert "Intern onderzoek" not in html and "Ledenvergadering" not in html
    # At most three of each, the newest news and research, the soonest events.
    assert "Openbaar bericht 3" in html and "Openbaar bericht 0" not in html
    assert "Onderzoek 0" in html and "Onderzoek 3" not in html
    assert html.count("Open avond") == 3
    assert procedure.procedure.title in html and procedure.procedure.get_call_url() in html


def test_the_query_count_does_not_grow_with_the_content(client) -> None:  # type: ignore[no-untyped-def]
    _fill(1)
    client.get("/")  # warm the association's cache
    with CaptureQueriesContext(connection) as few:
        assert client.get("/").status_code == 200
    _fill(5, offset=1)
    make_procedure()
    make_procedure(province_code="PV22", province_name="Drenthe")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/").status_code == 200
    assert len(many) == len(few) <= 8, [q["sql"] for q in many.captured_queries]


def test_the_front_page_in_english(client) -> None:  # type: ignore[no-untyped-def]
    _fill(1)
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    for text in ("Search the library", "Coming events", "Become a candidate", "Register your municipality"):
        assert text in html
    assert "Nieuwsbrief" not in html and "Zoeken in de bibliotheek" not in html


def test_logged_in_users_get_their_own_overview_not_the_front_page(client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_role_user(Role.MEMBER))
    html = client.get("/").content.decode()
    assert "Zoeken in de bibliotheek" not in html and reverse("programme:apply") not in html
