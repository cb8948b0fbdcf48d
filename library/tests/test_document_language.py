"""A motion's fixed words ("constaterende dat", "verzoekt het college", "en gaat over tot de orde
van de dag") stay Dutch in the English interface; the page then marks them lang="nl", so a screen
reader pronounces them as Dutch. On the Dutch page they need no mark."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core.roles import Role
from library.models import Kind
from tests.factories import DocumentFactory, make_role_user

pytestmark = pytest.mark.django_db


def page(language: str, **document: object) -> str:
    shown = DocumentFactory(**document)
    client = Client()
    client.force_login(make_role_user(Role.MEMBER))
    client.cookies["django_language"] = language
    return client.get(reverse("library:document", kwargs={"pk": shown.pk})).content.decode()


MOTION = {
    "kind": Kind.MOTION,
    "parts": {
        "considering": ["de zwembaden dicht zijn"],
        "whereas": ["kinderen moeten leren zwemmen"],
        "request_verb": "instructs",
        "requests": ["de zwembaden te openen"],
    },
}


def test_the_fixed_words_of_a_motion_are_marked_dutch_on_the_english_page() -> None:
    english = page("en", **MOTION)
    assert '<html lang="en"' in english
    for words in ("constaterende dat:", "overwegende dat:", "draagt het college op:"):
        assert f'<h3 class="document__section" lang="nl">{words}</h3>' in english
    assert '<em lang="nl">en gaat over tot de orde van de dag.</em>' in english


def test_on_the_dutch_page_they_need_no_mark() -> None:
    dutch = page("nl", **MOTION)
    assert '<h3 class="document__section">verzoekt het college:</h3>' not in dutch  # the verb chosen is "instructs"
    assert '<h3 class="document__section">draagt het college op:</h3>' in dutch
    assert "<em>en gaat over tot de orde van de dag.</em>" in dutch
    assert 'lang="nl">' not in dutch.split("<body", 1)[1]


def test_written_questions_headings_are_marked_too() -> None:
    english = page("en", kind=Kind.QUESTIONS, parts={"questions": ["Klopt het bericht?"], "answers": ["Ja."]})
    assert '<h3 class="document__section" lang="nl">Vragen</h3>' in english
