"""The library's home page blocks: a saved search's hits are recorded when its alert is sent and
shown on the member's home page from that record, never by searching on the page."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.roles import Role
from library import engine, services
from library.models import Document, SavedSearch
from tests.factories import DocumentFactory, MunicipalityFactory, make_role_user

pytestmark = pytest.mark.django_db


def test_an_alert_records_its_hits_and_the_home_page_shows_them_without_searching(client) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.MEMBER)
    saved = SavedSearch.objects.create(
        member=user.member, name="Armoede", query_string="q=armoede", frequency=SavedSearch.Frequency.DAILY
    )
    council = MunicipalityFactory()
    found = DocumentFactory(title="Aanpak kinderarmoede", body=council)
    DocumentFactory(title="Fietspaden", body=council)
    engine.index_documents(Document.objects.all())
    sent_at = timezone.now() + datetime.timedelta(days=1)
    assert services.send_alerts(frequency="daily", now=sent_at) == 1
    saved.refresh_from_db()
    assert saved.last_hit_count == 1
    assert saved.last_hit_ids == [found.pk]
    assert saved.last_hits_at == saved.last_sent_at

    # A later alert without new matches keeps the last hits.
    assert services.send_alerts(frequency="daily", now=sent_at + datetime.timedelta(days=1, hours=1)) == 0
    saved.refresh_from_db()
    assert saved.last_hit_ids == [found.pk] and saved.last_hits_at < saved.last_sent_at

    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/").content.decode()
    assert "Aanpak kinderarmoede" in html
    assert "1 nieuw document op" in html
    tables = " ".join(query["sql"] for query in captured.captured_queries)
    assert "library_searchdocument" not in tables and "library_fts" not in tables
