"""Following a source's changes (library.sync, manage.py sync_library): ORI Elasticsearch answers
from files (fixtures/sync/ori) and an OpenBesluitvorming export served by a local HTTP server, both
in their published formats. New, changed and withdrawn records; a feed that is wrong; and a run
killed (SIGKILL) in the middle of a page, resumed with nothing lost and nothing twice."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import Body
from core.roles import Role
from library import engine, search_index, sync
from library.models import Document, Kind, Outcome, SearchChange, SyncSource, Withdrawal
from library.tasks import sync_sources
from tests.factories import make_role_user

FIXTURES = Path(__file__).parent / "fixtures" / "sync"
ORI = "https://id.openraadsinformatie.nl/"


@pytest.fixture
def bodies(db: Any) -> None:
    call_command("load_bodies", verbosity=0)


@pytest.fixture
def ori_dir(tmp_path: Path, bodies: None) -> Path:
    target = tmp_path / "ori"
    shutil.copytree(FIXTURES / "ori", target)
    return target


def ori_source(location: Path | str, **fields: Any) -> SyncSource:
    return SyncSource.objects.create(
        name=fields.pop("name", "zwolle-ori"),
        kind=SyncSource.Kind.ORI,
        location=str(location),
        body=fields.pop("body", Body.objects.get(code="GM0193")),
        **fields,
    )


def sync_command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("sync_library", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def es_answer(hits: list[dict[str, Any]]) -> dict[str, Any]:
    return {"took": 1, "timed_out": False, "hits": {"total": {"value": len(hits), "relation": "eq"}, "hits": hits}}


def ori_hit(number: int, modified: str, **source: Any) -> dict[str, Any]:
    return {
        "_index": "ori_zwolle",
        "_id": str(number),
        "_source": {"@id": f"{ORI}{number}", "date_modified": modified, **source},
        "sort": [modified, str(number)],
    }


def searchable(words: str) -> set[str]:
    results = engine.search(words, public_only=False)
    return set(
        Document.objects.filter(pk__in=[h.document_id for h in results.hits]).values_list("source_id", flat=True)
    )


# --- ORI ---------------------------------------------------------------------------------------------


def test_ori_first_run_writes_new_records_page_by_page_with_progress(ori_dir: Path) -> None:
    source = ori_source(ori_dir)
    out, err = sync_command("zwolle-ori", "--page-size", "2")

    # Five hits in three pages of two: four written, the unknown council reported and skipped.
    assert "pagina 1:  40% 2/5" in out
    assert " 100% 5/5" in out
    assert "4 nieuw, 0 gewijzigd, 0 ongewijzigd, 0 teruggetrokken" in out
    assert f"[{ORI}9100005]: onbekende organisatie 'Gemeente Atlantis'" in err
    assert Document.objects.filter(source=Document.Source.IMPORT).count() == 4
    source.refresh_from_db()
    assert source.cursor == {"after": ["2023-11-02T09:30:00+01:00", "9100005"]}
    assert source.totals == {
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "withdrawn": 0,
        "absent": 0,
        "skipped": 1,
        "ignored": 0,
        "pages": 3,
    }
    assert source.last_status == SyncSource.Status.OK
    assert source.last_counts["created"] == 4
    # ORI v1 shapes: text as pages, last_discussed_at, has_organization_name, the source's council.
    motion = Document.objects.get(source_id=f"{ORI}9100001")
    assert motion.text.startswith("De raad van de gemeente Zwolle, in vergadering bijeen,\n\nverzoekt")
    assert str(motion.meeting_date) == "2023-10-30"
    assert (motion.outcome, motion.votes_for, motion.votes_against) == (Outcome.ADOPTED, 25, 12)
    assert Document.objects.get(source_id=f"{ORI}9100002").kind == Kind.AMENDMENT
    questions = Document.objects.get(source_id=f"{ORI}9100003")
    assert (questions.kind, questions.body.code) == (Kind.QUESTIONS, "GM0193")
    # The worker (here: at once) indexed the new documents.
    assert len(search_index.indexed(Document.objects.values_list("pk", flat=True))) == 4
    assert searchable("schoolpleinen") == {f"{ORI}9100001"}

    # A second run starts at the cursor: nothing new, nothing written again.
    out, _err = sync_command("zwolle-ori")
    assert "0 nieuw, 0 gewijzigd, 0 ongewijzigd" in out
    source.refresh_from_db()
    assert source.totals["created"] == 4


def test_ori_changed_and_withdrawn_records(ori_dir: Path, client: Any) -> None:
    source = ori_source(ori_dir)
    sync_command("zwolle-ori")
    withdrawn = Document.objects.get(source_id=f"{ORI}9100002")
    (ori_dir / "2023-11-03.json").write_text(
        json.dumps(
            es_answer(
                [
                    ori_hit(
                        9100001,
                        "2023-11-03T08:00:00+01:00",
                        **{
                            "@type": "Motion",
                            "name": "Motie Groene en veilige schoolpleinen",
                            "text": "verzoekt het college alle schoolpleinen te vergroenen en verkeersveilig te maken.",
                            "organization": {"identifier": "GM0193"},
                            "result": "aangenomen",
                        },
                    ),
                    ori_hit(9100002, "2023-11-03T08:10:00+01:00", deleted=True, reason="Op verzoek van de griffie"),
                    ori_hit(9100099, "2023-11-03T08:20:00+01:00", deleted=True),
                ]
            )
        )
    )
    out, _err = sync_command("zwolle-ori")
    assert "0 nieuw, 1 gewijzigd, 0 ongewijzigd, 1 teruggetrokken, 1 intrekkingen van records die niet" in out

    # Changed: written and re-indexed through the search change log.
    changed = Document.objects.get(source_id=f"{ORI}9100001")
    assert changed.title == "Motie Groene en veilige schoolpleinen"
    assert searchable("verkeersveilig") == {f"{ORI}9100001"}
    # Withdrawn: gone from the library and from search, with a record of why.
    assert not Document.objects.filter(source_id=f"{ORI}9100002").exists()
    assert searchable("parkeertarief") == set()
    assert not search_index.indexed([withdrawn.pk])
    record = Withdrawal.objects.get()
    assert (record.source_id, record.document_pk, record.title, record.reason, record.sync_source) == (
        f"{ORI}9100002",
        withdrawn.pk,
        "Amendement Parkeren in de binnenstad",
        "Op verzoek van de griffie",
        source,
    )
    assert record.body.code == "GM0193"
    source.refresh_from_db()
    assert (source.totals["updated"], source.totals["withdrawn"], source.totals["absent"]) == (1, 1, 1)

    # Its address answers "withdrawn" (410), for everybody, and the document's downloads too.
    for url in (f"/bibliotheek/{withdrawn.pk}/", f"/bibliotheek/{withdrawn.pk}/pdf/"):
        response = client.get(url)
        assert response.status_code == 410
        page = response.content.decode()
        assert "Document teruggetrokken" in page
        assert "Op verzoek van de griffie" in page
        assert "Amendement Parkeren in de binnenstad" in page
    # A number that never existed is still "not found".
    client.force_login(make_role_user(Role.MEMBER))
    assert client.get(f"/bibliotheek/{withdrawn.pk + 1000}/").status_code == 404


def test_a_withdrawn_record_published_again_is_written_again_and_linked(ori_dir: Path, client: Any) -> None:
    ori_source(ori_dir)
    sync_command("zwolle-ori")
    old = Document.objects.get(source_id=f"{ORI}9100004")
    again = {"@type": "Motion", "name": "Motie Betaalbare sportverenigingen", "organization": "GM0193"}
    (ori_dir / "2023-11-04.json").write_text(
        json.dumps(
            es_answer(
                [
                    ori_hit(9100004, "2023-11-04T08:00:00+01:00", deleted=True),
                    ori_hit(9100004, "2023-11-04T09:00:00+01:00", **again),
                ]
            )
        )
    )
    out, _err = sync_command("zwolle-ori")
    assert "1 nieuw, 0 gewijzigd, 0 ongewijzigd, 1 teruggetrokken" in out
    new = Document.objects.get(source_id=f"{ORI}9100004")
    assert new.pk != old.pk
    response = client.get(f"/bibliotheek/{old.pk}/")
    assert response.status_code == 410
    assert f'href="/bibliotheek/{new.pk}/"' in response.content.decode()


def test_a_bad_page_is_refused_whole_and_the_run_resumes_after_the_fix(ori_dir: Path) -> None:
    source = ori_source(ori_dir)
    sync_command("zwolle-ori")
    before = (Document.objects.count(), source.totals)
    source.refresh_from_db()
    cursor = source.cursor
    bad = ori_dir / "2023-11-05.json"
    bad.write_text('{"hits": {"hits": [{"_id": "1", "_source": {"@id": "x"}}, {"_id": "2"}]}}')
    with pytest.raises(CommandError, match="Mislukt: zwolle-ori"):
        sync_command("zwolle-ori")
    source.refresh_from_db()
    assert source.last_status == SyncSource.Status.FAILED
    assert "2023-11-05.json: treffers zonder _source" in source.last_error
    assert source.cursor == cursor
    assert Document.objects.count() == before[0]

    bad.write_text("{ not json")
    out = io.StringIO()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("sync_library", "zwolle-ori", stdout=out, stderr=err)
    assert "2023-11-05.json: geen geldige JSON" in err.getvalue()
    assert "de volgende run gaat daar verder" in err.getvalue()

    bad.unlink()
    sync_command("zwolle-ori")
    source.refresh_from_db()
    assert source.last_status == SyncSource.Status.OK


def test_max_pages_stops_early_and_the_next_run_continues(ori_dir: Path) -> None:
    source = ori_source(ori_dir)
    out, _err = sync_command("zwolle-ori", "--page-size", "2", "--max-pages", "1")
    assert "zwolle-ori: nog niet aan het eind; de volgende run gaat verder." in out
    source.refresh_from_db()
    assert (source.last_status, source.totals["pages"], Document.objects.count()) == (SyncSource.Status.PARTIAL, 1, 2)
    out, _err = sync_command("zwolle-ori", "--page-size", "2")
    assert "zwolle-ori: vanaf after=['2023-11-01T10:05:00+01:00', '9100002']" in out
    source.refresh_from_db()
    assert (source.last_status, source.totals["pages"], source.totals["created"]) == (SyncSource.Status.OK, 3, 4)


def test_unknown_source_and_missing_location_are_clear(bodies: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Onbekende bron: elders"):
        sync_command("elders")
    with pytest.raises(CommandError, match="Noem de bronnen"):
        sync_command()
    ori_source(tmp_path / "nergens")
    _out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("sync_library", "--all", stdout=_out, stderr=err)
    assert "nergens bestaat niet" in err.getvalue()


# --- OpenBesluitvorming ------------------------------------------------------------------------------


class ExportServer:
    """OpenBesluitvorming's export API, as documented: snapshot and changes pages of NDJSON with
    X-Next-Cursor / X-Has-More (and X-Changes-Cursor on the first snapshot page), and the entity
    detail with the document's markdownText."""

    def __init__(self, source_key: str = "zwolle") -> None:
        self.source_key = source_key
        self.snapshot: list[dict[str, Any]] = []
        self.changes: list[dict[str, Any]] = []
        self.texts: dict[str, str] = {}
        self.ori_hits: list[dict[str, Any]] = []
        self.broken: set[tuple[str, str]] = set()  # (path, cursor) answered with a bad line
        self.requests: list[str] = []
        self.changes_cursor = "0"
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append(self.path)
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path.startswith("/api/entities/"):
                    entity = unquote(url.path.removeprefix("/api/entities/"))
                    if entity not in server.texts:
                        return self._send(404, b"{}", {})
                    return self._send(200, json.dumps({"markdownText": server.texts[entity]}).encode(), {})
                if query.get("source") != server.source_key:
                    return self._send(404, b"", {})
                limit = int(query.get("limit", 500))
                cursor = query.get("cursor", "")
                if url.path == "/api/export/snapshot":
                    start = int(cursor or 0)
                    lines = server.snapshot[start : start + limit]
                    headers = {"X-Next-Cursor": str(start + len(lines))}
                    headers["X-Has-More"] = "true" if start + len(lines) < len(server.snapshot) else "false"
                    if not cursor:
                        headers["X-Changes-Cursor"] = server.changes_cursor
                elif url.path == "/api/export/changes":
                    after = int(cursor or 0)
                    lines = [c for c in server.changes if c["seq"] > after][:limit]
                    last = lines[-1]["seq"] if lines else after
                    headers = {"X-Next-Cursor": str(last)}
                    headers["X-Has-More"] = "true" if any(c["seq"] > last for c in server.changes) else "false"
                else:
                    return self._send(404, b"", {})
                body = "".join(json.dumps(line) + "\n" for line in lines).encode()
                if (url.path, cursor) in server.broken:
                    body += b'{"seq": 999, "op": "upsert"\n'
                self._send(200, body, headers)

            def do_POST(self) -> None:
                """An ORI Elasticsearch _search: hits sorted by (date_modified, _id), after search_after."""
                query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(f"POST {self.path} {json.dumps(query, sort_keys=True)}")
                if self.path != "/v1/elastic/ori_zwolle_*/_search":
                    return self._send(404, b"{}", {})
                hits = sorted(server.ori_hits, key=lambda h: h["sort"])
                if query.get("search_after"):
                    hits = [h for h in hits if h["sort"] > query["search_after"]]
                answer = es_answer(hits[: query["size"]])
                answer["hits"]["total"] = {"value": len(hits), "relation": "eq"}
                self._send(200, json.dumps(answer).encode(), {})

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/x-ndjson")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def record(self, seq: int, entity_id: str, entity_type: str, payload: dict[str, Any] | None) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "seq": seq,
            "op": "upsert" if payload is not None else "delete",
            "time": "2026-11-20T12:00:00.000Z",
            "entity_id": entity_id,
            "entity_type": entity_type,
            "source_key": self.source_key,
            "supplier": "notubiz",
            "schema_version": "v1alpha1",
        }
        if payload is not None:
            entry["payload"] = payload
            entry["content_hash"] = "sha256:" + str(abs(hash(json.dumps(payload, sort_keys=True))))
        return entry


@pytest.fixture
def export(bodies: None) -> Iterator[ExportServer]:
    server = ExportServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def motion(name: str, **fields: Any) -> dict[str, Any]:
    return {"type": "Motion", "name": name, "motion_type": "Moties", **fields}


def obv_source(export: ExportServer) -> SyncSource:
    return SyncSource.objects.create(
        name="zwolle-obv",
        kind=SyncSource.Kind.OPENBESLUITVORMING,
        location=export.url,
        source_key="zwolle",
        body=Body.objects.get(code="GM0193"),
    )


M = "motion:notubiz:gemeente:zwolle:"
D = "document:notubiz:gemeente:zwolle:"


def test_openbesluitvorming_snapshot_then_changes(export: ExportServer) -> None:
    export.snapshot = [
        export.record(
            1,
            M + "1",
            "Motion",
            motion(
                "Motie Warme wijken",
                result="aangenomen",
                tally={"in_favour": 20, "against": 11},
                parties=["GroenLinks", "D66"],
                date="2026-10-01",
                text="verzoekt het college de warmtetransitie per wijk te plannen.",
            ),
        ),
        export.record(2, M + "2", "Motion", motion("Amendement Begroting 2027", motion_type="Amendementen")),
        export.record(3, D + "3", "Document", {"type": "Document", "name": "Raadsvoorstel Woonvisie"}),
        export.record(4, "meeting:notubiz:gemeente:zwolle:4", "Meeting", {"type": "Meeting", "name": "Raad"}),
    ]
    export.texts[D + "3"] = "# Raadsvoorstel\n\nDe woonvisie regelt betaalbare huurwoningen."
    export.changes_cursor = "4"
    source = obv_source(export)
    out, err = sync_command("zwolle-obv", "--page-size", "2")
    assert not err
    assert "3 nieuw" in out and "1 van andere soorten" in out
    source.refresh_from_db()
    assert source.cursor == {"phase": "changes", "cursor": "4"}
    warm = Document.objects.get(source_id=M + "1")
    assert (warm.kind, warm.outcome, warm.votes_for, warm.votes_against) == (Kind.MOTION, Outcome.ADOPTED, 20, 11)
    assert warm.party_list == ["GroenLinks", "D66"]
    assert Document.objects.get(source_id=M + "2").kind == Kind.AMENDMENT
    assert Document.objects.get(source_id=D + "3").text.endswith("betaalbare huurwoningen.")
    assert searchable("huurwoningen") == {D + "3"}

    # The changes: a correction, a new document, a withdrawal, and one that did not change.
    export.changes = [
        export.record(5, M + "1", "Motion", motion("Motie Warme wijken (gewijzigd)", result="aangenomen")),
        export.record(6, D + "7", "Document", {"type": "Document", "name": "Besluitenlijst"}),
        export.record(7, M + "2", "Motion", None),
        export.record(8, D + "3", "Document", {"type": "Document", "name": "Raadsvoorstel Woonvisie"}),
    ]
    export.texts[D + "7"] = "Besluitenlijst van de raad."
    export.requests.clear()
    out, _err = sync_command("zwolle-obv", "--page-size", "3")
    assert "1 nieuw, 1 gewijzigd, 1 ongewijzigd, 1 teruggetrokken" in out
    assert Document.objects.get(source_id=M + "1").title == "Motie Warme wijken (gewijzigd)"
    assert not Document.objects.filter(source_id=M + "2").exists()
    assert Withdrawal.objects.get().reason == "Ingetrokken door de bron."
    # The unchanged document's text was not fetched again (its content hash was known).
    assert [r for r in export.requests if r.startswith("/api/entities/")] == [
        "/api/entities/document%3Anotubiz%3Agemeente%3Azwolle%3A7"
    ]
    source.refresh_from_db()
    assert source.cursor == {"phase": "changes", "cursor": "8"}
    assert (source.totals["created"], source.totals["updated"], source.totals["withdrawn"]) == (4, 1, 1)

    # Caught up: an empty page, the cursor stays.
    out, _err = sync_command("zwolle-obv")
    source.refresh_from_db()
    assert source.cursor == {"phase": "changes", "cursor": "8"}


def test_openbesluitvorming_bad_line_refuses_the_page_and_keeps_what_came_before(export: ExportServer) -> None:
    export.snapshot = [export.record(i, M + str(i), "Motion", motion(f"Motie nummer {i}")) for i in range(1, 7)]
    export.broken = {("/api/export/snapshot", "4")}
    source = obv_source(export)
    with pytest.raises(CommandError):
        sync_command("zwolle-obv", "--page-size", "2")
    source.refresh_from_db()
    # Pages one and two are written, page three (with the broken line) not at all.
    assert Document.objects.count() == 4
    assert source.cursor == {"phase": "snapshot", "cursor": "4", "changes_cursor": "0"}
    assert "geen exportrecord" in source.last_error or "geen geldige JSON" in source.last_error
    export.broken = set()
    sync_command("zwolle-obv", "--page-size", "2")
    source.refresh_from_db()
    assert Document.objects.count() == 6
    assert source.totals["created"] == 6


def test_openbesluitvorming_server_errors_are_reported(export: ExportServer) -> None:
    source = obv_source(export)
    source.source_key = "onbekend"
    source.save()
    with pytest.raises(CommandError):
        sync_command("zwolle-obv")
    source.refresh_from_db()
    assert "antwoordde 404" in source.last_error


def test_the_scheduled_task_syncs_every_active_source(ori_dir: Path, export: ExportServer) -> None:
    ori_source(ori_dir)
    export.snapshot = [export.record(1, M + "1", "Motion", motion("Motie Warme wijken"))]
    obv_source(export)
    SyncSource.objects.create(name="uit", kind=SyncSource.Kind.ORI, location="/nergens", active=False)
    result = sync_sources.enqueue()
    assert result.return_value["zwolle-ori"]["created"] == 4
    assert result.return_value["zwolle-obv"]["created"] == 1
    assert "uit" not in result.return_value
    out, _err = sync_command("--all", "--queue")
    assert out.startswith("queued ")


def test_ori_elasticsearch_is_followed_with_search_after(export: ExportServer) -> None:
    export.ori_hits = json.loads((FIXTURES / "ori" / "2023-11-01.json").read_text())["hits"]["hits"]
    source = ori_source(export.url + "/v1/elastic/ori_zwolle_*/_search")
    out, _err = sync_command("zwolle-ori", "--page-size", "2")
    assert "3 nieuw" in out
    assert "pagina 1:  66% 2/3" in out
    source.refresh_from_db()
    assert source.cursor == {"after": ["2023-11-01T10:10:00+01:00", "9100003"]}
    first, second = (json.loads(r.split(" ", 2)[2]) for r in export.requests[:2])
    assert first["sort"] == [{"date_modified": "asc"}, {"_id": "asc"}] and "search_after" not in first
    assert second["search_after"] == ["2023-11-01T10:05:00+01:00", "9100002"]
    assert second["query"] == {"range": {"date_modified": {"gte": "2023-11-01T10:05:00+01:00"}}}

    # Later: one changed record and a tombstone.
    export.ori_hits.append(ori_hit(9100003, "2023-11-06T08:00:00+01:00", deleted=True, reason="Vertrouwelijk"))
    export.requests.clear()
    out, _err = sync_command("zwolle-ori", "--page-size", "2")
    assert "0 nieuw, 0 gewijzigd, 0 ongewijzigd, 1 teruggetrokken" in out
    assert Withdrawal.objects.get().reason == "Vertrouwelijk"
    assert len(export.requests) == 1  # one hit, less than a page: the end


def test_a_second_run_that_moved_the_cursor_stops_this_one(ori_dir: Path) -> None:
    source = ori_source(ori_dir)

    def other_run_moves_on(report: sync.RunReport, page: sync.Page) -> None:
        if report.pages == 1:
            SyncSource.objects.filter(pk=source.pk).update(cursor={"after": ["2023-11-02T09:00:00+01:00", "9100004"]})

    with pytest.raises(sync.SyncConflict):
        sync.run(source, page_size=2, progress=other_run_moves_on)
    # Page 1 is written, page 2 was not applied on top of the other run's position.
    assert Document.objects.count() == 2
    source.refresh_from_db()
    assert source.totals["created"] == 2 and source.totals["pages"] == 1
    assert source.last_status == SyncSource.Status.FAILED
    assert "een andere run" in source.last_error


# --- interrupted runs -----------------------------------------------------------------------------------


def kill_feed(directory: Path) -> tuple[int, int, int]:
    """40 new records, then 10 of them changed and 8 withdrawn, in date order over 58 hits."""
    hits = []
    for n in range(40):
        hits.append(
            ori_hit(
                9200000 + n,
                f"2024-01-{1 + n // 10:02d}T10:{n % 10:02d}:00+01:00",
                **{
                    "@type": "Motion",
                    "name": f"Motie nummer {n}",
                    "text": f"Tekst van motie {n}.",
                    "organization": "GM0193",
                },
            )
        )
    for n in range(10):
        hits.append(
            ori_hit(
                9200000 + n,
                f"2024-02-01T10:{n:02d}:00+01:00",
                **{"@type": "Motion", "name": f"Motie nummer {n} (herzien)", "organization": "GM0193"},
            )
        )
    for n in range(30, 38):
        hits.append(ori_hit(9200000 + n, f"2024-03-01T10:{n:02d}:00+01:00", deleted=True, reason="Dubbel"))
    (directory / "feed.json").write_text(json.dumps(es_answer(hits)))
    return 40, 10, 8


def _database_for_subprocess(path: Path) -> str:
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}"
    user, host, port = settings_dict["USER"], settings_dict["HOST"] or "127.0.0.1", settings_dict["PORT"] or 5432
    password = f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


def _from_subprocess(path: Path) -> None:
    if connection.vendor == "sqlite":
        source = sqlite3.connect(path)
        source.backup(connection.connection)
        source.close()


def _run(database_url: str, *, pause: str = "") -> tuple[int, str]:
    """The command in its own process; with `pause` ("page:seconds") it is killed (SIGKILL) while
    it holds that page's transaction open, its records written but not committed."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "raadhuis.settings.test", "DATABASE_URL": database_url}
    env.pop("LIBRARY_SYNC_TEST_PAUSE", None)
    if pause:
        env["LIBRARY_SYNC_TEST_PAUSE"] = pause
    command = [sys.executable, "manage.py", "sync_library", "kill", "--page-size", "5"]
    process = subprocess.Popen(
        command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    timer = threading.Timer(120, process.kill)
    timer.start()
    output = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            if pause and line.startswith(f"holding page {pause.split(':')[0]}"):
                os.kill(process.pid, signal.SIGKILL)
                break
        return process.wait(), "".join(output)
    finally:
        timer.cancel()


@pytest.mark.django_db(transaction=True)
def test_killed_runs_resume_with_nothing_lost_and_nothing_twice(tmp_path: Path) -> None:
    call_command("load_bodies", verbosity=0)
    created, updated, withdrawn = kill_feed(tmp_path)
    source = ori_source(tmp_path, name="kill")
    url = _database_for_subprocess(tmp_path / "sync.sqlite3")

    # Killed while page 4 is written: pages 1-3 (15 records) stand, page 4 left no trace.
    code, output = _run(url, pause="4:60")
    assert code == -signal.SIGKILL, output
    _from_subprocess(tmp_path / "sync.sqlite3")
    source.refresh_from_db()
    assert source.totals["created"] == 15 and source.totals["pages"] == 3, output
    assert source.cursor == {"after": ["2024-01-02T10:04:00+01:00", "9200014"]}
    assert Document.objects.count() == 15

    # Killed again in the second run, at its fifth page (the eighth): in the changed records.
    code, output = _run(url, pause="5:60")
    assert code == -signal.SIGKILL, output
    _from_subprocess(tmp_path / "sync.sqlite3")
    source.refresh_from_db()
    assert source.totals["pages"] == 7 and source.totals["created"] == 35

    # The third run finishes.
    code, output = _run(url)
    assert code == 0, output
    _from_subprocess(tmp_path / "sync.sqlite3")
    source.refresh_from_db()
    assert source.totals == {
        "created": created,
        "updated": updated,
        "unchanged": 0,
        "withdrawn": withdrawn,
        "absent": 0,
        "skipped": 0,
        "ignored": 0,
        "pages": 12,  # 58 hits in pages of 5
    }
    assert source.last_status == SyncSource.Status.OK
    documents = Document.objects.filter(source_id__startswith=f"{ORI}92")
    assert documents.count() == created - withdrawn
    assert not documents.values("source_id").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert documents.filter(title__endswith="(herzien)").count() == updated
    assert Withdrawal.objects.count() == withdrawn
    # Every change was logged with its records and applied by the run's index writer (the index
    # itself lived in that process's memory).
    assert not SearchChange.objects.exists()
    assert sync.COUNTS  # (the totals above name every count)


@pytest.mark.django_db(transaction=True)
def test_killed_runs_resume_on_the_openbesluitvorming_export_too(tmp_path: Path) -> None:
    """The snapshot (20 motions, 4 pages of 5) and the changes after it (10 corrections and 5
    deletes, 3 pages): killed in the snapshot, killed again where it turns to the changes feed."""
    call_command("load_bodies", verbosity=0)
    server = ExportServer()
    server.thread.start()
    try:
        server.snapshot = [server.record(i, M + str(i), "Motion", motion(f"Motie nummer {i}")) for i in range(1, 21)]
        server.changes_cursor = "20"
        server.changes = [
            server.record(20 + i, M + str(i), "Motion", motion(f"Motie nummer {i} (herzien)")) for i in range(1, 11)
        ] + [server.record(30 + i, M + str(10 + i), "Motion", None) for i in range(1, 6)]
        SyncSource.objects.create(
            name="kill", kind=SyncSource.Kind.OPENBESLUITVORMING, location=server.url, source_key="zwolle"
        )
        # (The motions name no council: the source's is used.)
        SyncSource.objects.filter(name="kill").update(body=Body.objects.get(code="GM0193"))
        url = _database_for_subprocess(tmp_path / "sync.sqlite3")

        code, output = _run(url, pause="3:60")
        assert code == -signal.SIGKILL, output
        _from_subprocess(tmp_path / "sync.sqlite3")
        source = SyncSource.objects.get(name="kill")
        assert (source.totals["pages"], source.totals["created"]) == (2, 10), output
        assert source.cursor == {"phase": "snapshot", "cursor": "10", "changes_cursor": "20"}

        code, output = _run(url, pause="3:60")  # pages 3 and 4 stand: the snapshot is done
        assert code == -signal.SIGKILL, output
        _from_subprocess(tmp_path / "sync.sqlite3")
        source.refresh_from_db()
        assert source.cursor == {"phase": "changes", "cursor": "20"}
        assert (source.totals["pages"], source.totals["created"], source.totals["updated"]) == (4, 20, 0)

        code, output = _run(url)
        assert code == 0, output
        _from_subprocess(tmp_path / "sync.sqlite3")
        source.refresh_from_db()
        assert source.cursor == {"phase": "changes", "cursor": "35"}
        assert {k: source.totals[k] for k in ("pages", "created", "updated", "unchanged", "withdrawn", "absent")} == {
            "pages": 7,
            "created": 20,
            "updated": 10,
            "unchanged": 0,
            "withdrawn": 5,
            "absent": 0,
        }
        documents = Document.objects.filter(source_id__startswith=M)
        assert documents.count() == 15
        assert documents.filter(title__endswith="(herzien)").count() == 10
        assert Withdrawal.objects.count() == 5
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def test_back_office_lists_each_source_with_its_last_run(ori_dir: Path, client: Any) -> None:
    ori_source(ori_dir)
    SyncSource.objects.create(name="assen-obv", kind=SyncSource.Kind.OPENBESLUITVORMING, location="https://x")
    sync_command("zwolle-ori")
    client.force_login(make_role_user(Role.ADMINISTRATOR))
    client.get(reverse("admin:library_syncsource_changelist"))  # (the session's first request loads more)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:library_syncsource_changelist"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "4 nieuw, 0 gewijzigd, 0 ongewijzigd, 0 teruggetrokken" in page
    assert "Bijgewerkt" in page and "Nog niet gedraaid" in page
    # The list costs the same number of queries however many sources there are.
    for n in range(3):
        SyncSource.objects.create(name=f"extra-{n}", kind=SyncSource.Kind.ORI, location="/x", totals={"created": n})
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("admin:library_syncsource_changelist"))
    assert len(more) == len(queries)
    # A member does not get there.
    client.force_login(make_role_user(Role.MEMBER))
    assert client.get(reverse("admin:library_syncsource_changelist")).status_code in (302, 403)


def test_the_api_answers_410_for_a_withdrawn_document(ori_dir: Path, client: Any) -> None:
    ori_source(ori_dir)
    sync_command("zwolle-ori")
    document = Document.objects.get(source_id=f"{ORI}9100004")
    assert client.get(f"/api/documents/{document.pk}").status_code == 200
    (ori_dir / "2023-11-07.json").write_text(
        json.dumps(es_answer([ori_hit(9100004, "2023-11-07T08:00:00+01:00", deleted=True, reason="Dubbel")]))
    )
    sync_command("zwolle-ori")
    response = client.get(f"/api/documents/{document.pk}")
    assert response.status_code == 410
    assert response.json()["code"] == "withdrawn"
    assert response.json()["detail"].endswith(": Dubbel")
    assert client.get(f"/api/documents/{document.pk + 1000}").status_code == 404


def test_a_source_that_could_not_run_is_refused_when_entered(bodies: None) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        SyncSource(name="obv", kind=SyncSource.Kind.OPENBESLUITVORMING, location="/srv/obv").full_clean()
    assert refused.value.message_dict == {
        "location": ["OpenBesluitvorming wordt via HTTP(S) gelezen: geef het adres van de site."],
        "source_key": ["Geef de bronsleutel (de lijst staat op /api/sources)."],
    }
    with pytest.raises(ValidationError) as refused:
        SyncSource(name="ori", kind=SyncSource.Kind.ORI, location="ori/zwolle").full_clean()
    assert list(refused.value.message_dict) == ["location"]
    SyncSource(name="ori", kind=SyncSource.Kind.ORI, location="/srv/ori/zwolle").full_clean()
    SyncSource(
        name="obv",
        kind=SyncSource.Kind.OPENBESLUITVORMING,
        location="https://openbesluitvorming.nl",
        source_key="zwolle",
    ).full_clean()
