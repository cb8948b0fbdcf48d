"""An upgrade that changes the search index's fields: `migrate` rebuilds the index, and until it
is rebuilt the search page and the API answer a clear 503 (never a 500) while the worker heals it."""

from __future__ import annotations

import pytest
import tantivy
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from core import middleware
from core.roles import Role
from library import engine, search_index
from tests.factories import DocumentFactory, make_role_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_index(settings, tmp_path):
    """An index on disk written by an earlier version (other fields), with a published document in
    the database that it does not hold."""
    old = tantivy.SchemaBuilder()
    old.add_integer_field("id", stored=True, indexed=True, fast=True)
    old.add_text_field("title", tokenizer_name="whitespace")
    writer = tantivy.Index(old.build(), path=str(tmp_path)).writer(15_000_000, 1)
    writer.commit()
    del writer
    settings.LIBRARY_SEARCH_APPLY_INLINE = False  # the change log waits for the worker
    document = DocumentFactory(title="Verkeersdrempels in de Dorpsstraat")
    settings.LIBRARY_SEARCH_INDEX_DIR = str(tmp_path)
    search_index.reset()
    yield document
    search_index.reset()  # the next test's index lives in memory again


def found(query: str) -> list[int]:
    return [hit.document_id for hit in engine.search(query, public_only=False).hits]


def test_migrate_rebuilds_an_index_written_with_other_fields(old_index):
    with pytest.raises(search_index.SchemaChanged):
        found("drempel")
    call_command("migrate", verbosity=0)
    assert found("drempel") == [old_index.pk]
    assert search_index.pending() == 0


def test_the_page_and_the_api_answer_503_until_the_worker_rebuilt_the_index(old_index, monkeypatch):
    cache.clear()
    asked: list[str] = []

    class Task:
        def __init__(self, path: str) -> None:
            self.path = path

        def enqueue(self) -> None:
            asked.append(self.path)

    monkeypatch.setattr(middleware, "import_string", Task)
    client = Client()
    client.force_login(make_role_user(Role.MEMBER))
    response = client.get(reverse("library:search"), {"q": "drempel"})
    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    assert "De zoekfunctie wordt bijgewerkt" in response.content.decode()

    api = client.get("/api/documents", {"q": "drempel"})
    assert api.status_code == 503
    assert api.json()["code"] == "search_unavailable"
    assert api.json()["detail"] == "De zoekfunctie wordt bijgewerkt. Probeer het over een paar minuten opnieuw."
    # The worker was asked to rebuild it, once (not on every request).
    assert asked == ["library.tasks.apply_search_changes"]

    # The worker's task, meeting the old index, rebuilds it instead of failing.
    assert search_index.apply_changes() == 0
    response = client.get(reverse("library:search"), {"q": "drempel"})
    assert response.status_code == 200
    assert found("drempel") == [old_index.pk]
