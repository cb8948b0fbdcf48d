"""import_ori with the fixture set in fixtures/ori (its README lists every record and why). The
command speaks Dutch, like the rest of raadhuis."""

from __future__ import annotations

import datetime
import io
import json
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from core import analysis
from core.models import SearchTerm
from library import engine, importing, search_index, services
from library.models import Document, Kind, SearchChange

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "ori"
ORI = "https://id.openraadsinformatie.nl/"


@pytest.fixture(autouse=True)
def bodies(db):  # type: ignore[no-untyped-def]
    call_command("load_bodies", verbosity=0)


def run_command(*paths: Path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_ori", *[str(p) for p in paths], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_first_import_creates_valid_records_and_reports_broken_ones():
    out, err = run_command(FIXTURES)
    assert "25 nieuw, 0 bijgewerkt, 1 ongewijzigd, 9 overgeslagen" in out
    assert Document.objects.count() == 25
    # Every refused record is reported with where it is, its identifier and why.
    for where, reason in [
        ("zwolle.jsonl:5", "geen geldige JSON"),
        ("zwolle.jsonl:8", "geen kenmerk"),
        ("zwolle.jsonl:11", "geen JSON-object"),
        ("assen.json#3", "geen titel"),
        ("assen.json#4", "ongeldige datum '2023-13-45'"),
        ("provincie.json#2", "onbekend type 'Meeting'"),
        ("provincie.json#5", "aantal stemmen -1 is onmogelijk"),
        ("regio.jsonl:4", "onbekende organisatie 'Gemeente Atlantis'"),
        ("regio.jsonl:6", "geen organisatie"),
    ]:
        line = next((line for line in err.splitlines() if where in line), "")
        assert reason in line, f"{where}: {line!r}"
    assert "[" + ORI + "6240005]" in err
    assert "onbekend onderwerp 'Dierenwelzijn' overgeslagen" in out


def test_fields_are_mapped():
    run_command(FIXTURES)
    motion = Document.objects.get(source_id=ORI + "8190002")
    assert motion.kind == Kind.MOTION and motion.body.code == "GM0193"
    assert motion.meeting_date == datetime.date(2022, 11, 7)
    assert motion.outcome == "adopted" and (motion.votes_for, motion.votes_against) == (30, 9)
    assert {t.slug for t in motion.topics.all()} == {"energie", "armoede"}
    assert motion.visibility == Document.Visibility.PUBLIC and motion.source == Document.Source.IMPORT
    alternative = Document.objects.get(source_id=ORI + "8190009")
    assert alternative.outcome == "held_over" and alternative.meeting_date == datetime.date(2021, 6, 28)
    assert alternative.agenda_item and alternative.source_url.startswith("http")
    assert Document.objects.get(source_id=ORI + "7330008").body.code == "PV23"
    assert Document.objects.get(source_id=ORI + "5510007").body.code == "WS0663"
    assert Document.objects.get(source_id=ORI + "6240002").kind == Kind.QUESTIONS
    assert Document.objects.get(source_id=ORI + "6240006").parts == {"draft_decision": "Programmabegroting 2024"}
    assert Document.objects.get(source_id=ORI + "5510007").outcome == "unknown"


def test_amendments_and_answers_are_linked():
    run_command(FIXTURES)
    amendment = Document.objects.get(source_id=ORI + "8190004")
    assert amendment.amends.source_id == ORI + "8190003"
    for answer, questions in [("8190007", "8190006"), ("6240003", "6240002"), ("7330005", "7330004")]:
        assert Document.objects.get(source_id=ORI + answer).answers_to.source_id == ORI + questions
    assert Document.objects.get(source_id=ORI + "6240006").amends is None


def test_links_resolve_when_the_target_arrives_in_a_later_import(tmp_path):
    (tmp_path / "answer.jsonl").write_text(
        '{"@id": "a-1", "@type": "Answer", "name": "Antwoord", "organization": "Zwolle", "answers": "q-1"}\n'
    )
    (tmp_path / "questions.jsonl").write_text(
        '{"@id": "q-1", "@type": "WrittenQuestions", "name": "Vragen", "organization": "Zwolle"}\n'
    )
    run_command(tmp_path / "answer.jsonl")
    assert Document.objects.get(source_id="a-1").answers_to is None
    run_command(tmp_path / "questions.jsonl")
    assert Document.objects.get(source_id="a-1").answers_to.source_id == "q-1"


def test_second_run_changes_nothing_and_writes_nothing():
    run_command(FIXTURES)
    before = {d.pk: d.updated_at for d in Document.objects.all()}
    with CaptureQueriesContext(connection) as queries:
        out, _err = run_command(FIXTURES)
    assert "0 nieuw, 0 bijgewerkt, 26 ongewijzigd, 9 overgeslagen" in out
    assert {d.pk: d.updated_at for d in Document.objects.all()} == before
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


def test_a_changed_record_is_updated_and_reindexed(tmp_path):
    record = '{"@id": "x-1", "@type": "Motion", "name": "Motie %s", "organization": "GM0193", "text": "%s"}\n'
    path = tmp_path / "one.jsonl"
    path.write_text(record % ("fietspaden", "Meer fietspaden."))
    run_command(path)
    path.write_text(record % ("wandelpaden", "Meer wandelpaden."))
    out, _err = run_command(path)
    assert "0 nieuw, 1 bijgewerkt, 0 ongewijzigd" in out
    document = Document.objects.get(source_id="x-1")
    assert document.title == "Motie wandelpaden"
    assert [h.document_id for h in engine.search("wandelpaden", public_only=True).hits] == [document.pk]
    assert engine.search("fietspaden", public_only=True).total == 0


def test_imported_documents_are_found_with_dutch_word_forms_and_facets():
    run_command(FIXTURES)
    results = engine.search("armoede", public_only=True)
    found = {Document.objects.get(pk=h.document_id).source_id.rsplit("/", 1)[1] for h in results.hits}
    assert {"6240001", "8190002", "7330007", "8190006", "8190007"} <= found
    # The one with the word itself ranks first, compounds after it.
    assert Document.objects.get(pk=results.hits[0].document_id).source_id == ORI + "6240001"
    assert dict(results.facets["tier"]).get("provincial") == 1
    assert engine.search("financiele", public_only=True).total == 10


def test_bad_file_is_reported_not_fatal(tmp_path):
    (tmp_path / "kapot.json").write_text("{dit is geen json")
    (tmp_path / "goed.jsonl").write_text('{"@id": "g-1", "@type": "Motion", "name": "Goed", "organization": "Assen"}\n')
    out, err = run_command(tmp_path)
    assert "1 nieuw" in out and "kapot.json" in err and "geen geldige JSON" in err


@pytest.fixture
def database_refuses_bad(monkeypatch):  # type: ignore[no-untyped-def]
    """The database refuses every write that includes the record with identifier "bad"."""
    original = importing.Importer._write

    def write(self, writes):  # type: ignore[no-untyped-def]
        if any(mapped.identifier == "bad" for _item, mapped, _pk in writes):
            raise RuntimeError("database refused")
        return original(self, writes)

    monkeypatch.setattr(importing.Importer, "_write", write)


def test_a_record_the_database_refuses_is_skipped_alone(tmp_path, database_refuses_bad):
    lines = [
        '{"@id": "ok-1", "@type": "Motion", "name": "Een", "organization": "Assen"}',
        '{"@id": "bad", "@type": "Motion", "name": "Twee", "organization": "Assen"}',
        '{"@id": "ok-2", "@type": "Motion", "name": "Drie", "organization": "Assen"}',
    ]
    (tmp_path / "drie.jsonl").write_text("\n".join(lines) + "\n")
    report = importing.Importer().run(importing.read_items([tmp_path / "drie.jsonl"]))
    assert report.created == 2 and [p.identifier for p in report.problems] == ["bad"]
    assert set(Document.objects.values_list("source_id", flat=True)) == {"ok-1", "ok-2"}


def test_import_ori_makes_its_documents_searchable_before_it_ends(tmp_path, settings):
    # The database task backend: a task would wait in the queue, as in production.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.LIBRARY_SEARCH_APPLY_INLINE = False
    line = '{"@id": "w-%s", "@type": "Motion", "name": "Motie fietspaden %s", "organization": "GM0193"}\n'
    (tmp_path / "drie.jsonl").write_text("".join(line % (i, i) for i in range(3)))
    out, _err = run_command(tmp_path / "drie.jsonl")
    assert "3 nieuw" in out and "geïndexeerd" not in out
    assert engine.search("fietspaden", public_only=True).total == 3
    assert not DBTaskResult.objects.exists() and not SearchChange.objects.exists()


def test_a_deferred_import_leaves_indexing_to_the_worker(tmp_path, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.LIBRARY_SEARCH_APPLY_INLINE = False
    line = '{"@id": "w-%s", "@type": "Motion", "name": "Motie fietspaden %s", "organization": "GM0193"}\n'
    (tmp_path / "drie.jsonl").write_text("".join(line % (i, i) for i in range(3)))
    with django_capture_on_commit_callbacks(execute=True):
        report = importing.Importer(defer_indexing=True).run(importing.read_items([tmp_path / "drie.jsonl"]))
    assert report.created == 3 and importing.pending_documents().count() == 3
    assert engine.search("fietspaden", public_only=True).total == 0
    assert DBTaskResult.objects.filter(task_path="library.tasks.apply_search_changes").count() == 1

    assert services.index_pending() == 3
    assert engine.search("fietspaden", public_only=True).total == 3
    assert services.index_pending() == 0 and not importing.pending_documents().exists()


def test_index_now_indexes_before_the_command_ends(tmp_path, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    (tmp_path / "een.jsonl").write_text(
        '{"@id": "n-1", "@type": "Motion", "name": "Zwembad", "organization": "Assen"}\n'
    )
    out, err = io.StringIO(), io.StringIO()
    call_command("import_ori", str(tmp_path / "een.jsonl"), "--index-now", stdout=out, stderr=err)
    assert engine.search("zwembad", public_only=True).total == 1
    assert "geïndexeerd" not in out.getvalue()
    assert not DBTaskResult.objects.exists()


def test_nul_characters_are_removed(tmp_path):
    record = (
        '{"@id": "z-1", "@type": "Motion", "name": "Motie\\u0000 zwembad", "organization": "Assen", '
        '"text": "Open\\u0000 houden"}\n'
    )
    (tmp_path / "nul.jsonl").write_text(record)
    report = importing.Importer().run(importing.read_items([tmp_path / "nul.jsonl"]))
    assert report.created == 1 and not report.problems
    document = Document.objects.get(source_id="z-1")
    assert (document.title, document.text) == ("Motie zwembad", "Open houden")


@pytest.mark.django_db(transaction=True)
def test_workers_share_the_indexing_and_index_each_document_once(tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite's test database is one shared in-memory file)")
    call_command("load_bodies", verbosity=0)  # (a transactional test starts from empty tables)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.LIBRARY_SEARCH_APPLY_INLINE = False
    line = '{"@id": "c-%s", "@type": "Motion", "name": "Motie zonnepanelen %s", "organization": "GM0193"}\n'
    (tmp_path / "veel.jsonl").write_text("".join(line % (i, i) for i in range(60)))
    importing.Importer(defer_indexing=True, batch_size=7).run(importing.read_items([tmp_path / "veel.jsonl"]))
    barrier = threading.Barrier(3)
    done: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            done.append(services.index_pending())
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(done) == 60  # each change applied by exactly one of the workers (the index's one writer)
    assert engine.search("zonnepanelen", public_only=True).total == 60
    # The vocabulary counts every document once (a document indexed twice would count double).
    assert SearchTerm.objects.get(stem="zonnepanel").count == 60


def test_a_document_imported_before_lines_were_fingerprinted_by_their_bytes_is_not_rewritten(tmp_path):
    path = tmp_path / "een.jsonl"
    path.write_text('{"@id": "l-1", "@type": "Motion", "name": "Motie fietspaden", "organization": "GM0193"}\n')
    run_command(path)
    document = Document.objects.get(source_id="l-1")
    # As the importer fingerprinted records before: canonical JSON.
    legacy = importing.fingerprint(
        {"@id": "l-1", "@type": "Motion", "name": "Motie fietspaden", "organization": "GM0193"}
    )
    Document.objects.filter(pk=document.pk).update(source_hash=legacy)
    out, _err = run_command(path)
    assert "0 nieuw, 0 bijgewerkt, 1 ongewijzigd" in out
    document.refresh_from_db()
    assert document.source_hash == importing.Item("x", raw=path.read_bytes()).fingerprint
    assert "0 nieuw, 0 bijgewerkt, 1 ongewijzigd" in run_command(path)[0]


def test_a_line_that_could_not_be_saved_is_reported_each_time_it_appears(tmp_path, database_refuses_bad):
    bad = '{"@id": "bad", "@type": "Motion", "name": "Twee", "organization": "Assen"}'
    (tmp_path / "drie.jsonl").write_text(
        "\n".join([bad, '{"@id": "ok", "@type": "Motion", "name": "Een", "organization": "Assen"}', bad]) + "\n"
    )
    report = importing.Importer(batch_size=1).run(importing.read_items([tmp_path / "drie.jsonl"]))
    assert report.created == 1 and [p.identifier for p in report.problems] == ["bad", "bad"]


def test_nul_characters_in_identifiers_and_names_are_removed(tmp_path):
    (tmp_path / "nul.jsonl").write_text(
        '{"@id": "n\\u0000-1", "@type": "Amendment", "name": "Amendement", "organization": "Assen", '
        '"creator": ["J. de\\u0000 Vries"], "amends": "p\\u0000-1"}\n'
    )
    report = importing.Importer().run(importing.read_items([tmp_path / "nul.jsonl"]))
    assert report.created == 1 and not report.problems
    document = Document.objects.get(source_id="n-1")
    assert (document.submitter_names, document.amends_source) == ("J. de Vries", "p-1")


def test_a_document_that_cannot_be_indexed_does_not_stop_the_others(tmp_path, settings, monkeypatch, caplog):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.LIBRARY_SEARCH_APPLY_INLINE = False
    line = '{"@id": "f-%s", "@type": "Motion", "name": "Motie fietspaden %s", "organization": "GM0193"}\n'
    (tmp_path / "drie.jsonl").write_text("".join(line % (i, i) for i in range(3)))
    importing.Importer(defer_indexing=True).run(importing.read_items([tmp_path / "drie.jsonl"]))
    broken = Document.objects.get(source_id="f-1").pk
    original = search_index.prepare_values

    def prepare(pk, *args):  # type: ignore[no-untyped-def]
        if pk == broken:
            raise RuntimeError("cannot index")
        return original(pk, *args)

    monkeypatch.setattr(search_index, "prepare_values", prepare)
    services.index_pending()
    assert engine.search("fietspaden", public_only=True).total == 2
    assert f"Library document {broken} could not be indexed" in caplog.text


# --- indexing in bulk while importing (library.search_index.BulkIndexer) ---------------------------


def jsonl_file(path: Path, records: list[dict]) -> Path:
    """The records as a JSON Lines file at `path`."""
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return path


def motions(*titles: tuple[str, str]) -> list[dict]:
    """Motions of the council of Zwolle (GM0193) with these (identifier, title)."""
    return [{"@id": i, "@type": "Motion", "name": title, "organization": "GM0193"} for i, title in titles]


def motions_file(tmp_path: Path, count: int, prefix: str = "b") -> Path:
    record = {
        "@type": "Motion",
        "organization": "GM0193",
        "creator": [{"name": "A. Jansen", "party": "GroenLinks"}],
        "topics": ["Armoede en schulden"],
        "result": "aangenomen",
        "text": "Constaterende dat de kinderarmoede toeneemt; verzoekt het college de zwembaden te openen.",
    }
    lines = [
        {**record, "@id": f"{prefix}-{i}", "name": f"Motie zonnepanelen {i}", "date": f"2024-03-0{1 + i % 9}"}
        for i in range(count)
    ]
    return jsonl_file(tmp_path / f"{prefix}.jsonl", lines)


def assert_indexed_as_the_worker_would(added: list[dict], count: int) -> None:
    """After a bulk import of motions_file(count): `added`, what the bulk indexer was given, is
    exactly what indexing the stored documents gives (what the worker and a rebuild index); they
    are searchable when the import returns, the change log applied and emptied, and the vocabulary
    counts each document once."""
    assert engine.search("zonnepanelen", public_only=True).total == count
    assert not SearchChange.objects.exists()
    documents = {d.pk: d for d in Document.objects.prefetch_related("submitters", "attachments", "topics")}
    assert sorted(v["id"] for v in added) == sorted(documents)
    for values in added:
        assert values == search_index.fields(documents[values["id"]])
    assert SearchTerm.objects.get(stem="zonnepanel").count == count


@pytest.mark.parametrize("workers", [0, 2])
def test_a_bulk_import_indexes_what_the_worker_would_from_the_records_in_memory(tmp_path, monkeypatch, workers):
    added: list[dict] = []
    original = search_index.BulkIndexer.add

    def add(self, documents, changes, vocabulary=None):  # type: ignore[no-untyped-def]
        added.extend(documents)
        return original(self, documents, changes, vocabulary)

    monkeypatch.setattr(search_index.BulkIndexer, "add", add)
    report = importing.Importer(batch_size=7, bulk_index=True, index_workers=workers).run(
        importing.read_items([motions_file(tmp_path, 20)])
    )
    assert report.created == 20
    assert_indexed_as_the_worker_would(added, 20)
    assert engine.search("armoede", public_only=True).total == 20


def test_an_interrupted_bulk_import_leaves_its_documents_in_the_change_log(tmp_path, monkeypatch):
    def fail(self, documents, changes, vocabulary=None):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(search_index.BulkIndexer, "add", fail)
    with pytest.raises(KeyboardInterrupt):
        importing.Importer(batch_size=5, bulk_index=True, index_workers=0).run(
            importing.read_items([motions_file(tmp_path, 5)])
        )
    # The batch was committed with its change-log entries; the index did not get it.
    assert Document.objects.count() == 5 and SearchChange.objects.count() == 5
    assert engine.search("zonnepanelen", public_only=True).total == 0
    assert search_index.apply_changes() == 5  # what the worker does next
    assert engine.search("zonnepanelen", public_only=True).total == 5


def test_a_changed_record_in_a_bulk_import_is_indexed_again_once(tmp_path):
    path = motions_file(tmp_path, 3)
    importing.Importer(bulk_index=True, index_workers=0).run(importing.read_items([path]))
    path.write_text(path.read_text().replace("Motie zonnepanelen 1", "Motie windmolens 1"))
    report = importing.Importer(bulk_index=True, index_workers=0).run(importing.read_items([path]))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert engine.search("windmolens", public_only=True).total == 1
    assert engine.search("zonnepanelen", public_only=True).total == 2
    assert not SearchChange.objects.exists()


@pytest.mark.parametrize("workers", [0, 2])
def test_the_vocabulary_of_a_bulk_import_counts_only_the_documents_written(tmp_path, workers):
    # Read ahead, the analysis processes count the words of every record they map; a record
    # that is then not written (here: the same identifier again later in the batch, which wins)
    # must not count.
    lines = motions(
        ("v-1", "Motie windturbines"), ("v-2", "Motie zonnepanelen"), ("v-1", "Motie zonnepanelen op daken")
    )
    path = jsonl_file(tmp_path / "vocabulary.jsonl", lines)
    report = importing.Importer(bulk_index=True, index_workers=workers).run(importing.read_items([path]))
    assert (report.created, len(report.problems)) == (2, 0)
    assert not SearchTerm.objects.filter(stem=analysis.stem("windturbines")).exists()
    assert SearchTerm.objects.get(stem=analysis.stem("zonnepanelen")).count == 2
    assert SearchTerm.objects.get(stem=analysis.stem("daken")).count == 1
    assert engine.search("windturbines", public_only=True).total == 0
    assert engine.search("zonnepanelen", public_only=True).total == 2


# --- the writer thread of a bulk import on PostgreSQL (Importer._start_writer) ---------------------


@pytest.fixture
def pipelined(db, monkeypatch):  # type: ignore[no-untyped-def]
    """A bulk import outside a transaction on PostgreSQL; the names of the threads that wrote."""
    if connection.vendor != "postgresql":
        pytest.skip("the writer thread is for PostgreSQL (SQLite has one writer)")
    call_command("load_bodies", verbosity=0)  # (a transactional test starts from empty tables)
    writers: list[str] = []
    original = importing.Importer._write_batch

    def write_batch(self, *args):  # type: ignore[no-untyped-def]
        writers.append(threading.current_thread().name)
        return original(self, *args)

    monkeypatch.setattr(importing.Importer, "_write_batch", write_batch)
    return writers


@pytest.mark.django_db(transaction=True)
def test_a_bulk_import_writes_in_its_own_thread_and_indexes_what_the_worker_would(tmp_path, pipelined):
    added: list[dict] = []
    shown: list[int] = []
    original = search_index.BulkIndexer.add

    def add(self, documents, changes, vocabulary=None):  # type: ignore[no-untyped-def]
        added.extend(documents)
        return original(self, documents, changes, vocabulary)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_index.BulkIndexer, "add", add)
        importer = importing.Importer(
            batch_size=7, bulk_index=True, index_workers=2, progress=lambda report: shown.append(report.processed)
        )
        report = importer.run(importing.read_items([motions_file(tmp_path, 20)]))
    assert report.created == 20 and report.problems == []
    assert len(pipelined) == 3 and all(name.startswith("import-writer") for name in pipelined)
    assert shown[-1] == 20  # the last progress is shown when the last batch is written
    assert_indexed_as_the_worker_would(added, 20)


@pytest.mark.django_db(transaction=True)
def test_the_writer_thread_skips_a_record_the_database_refuses_alone(tmp_path, pipelined, database_refuses_bad):
    lines = [
        {"@id": f"ok-{i}", "@type": "Motion", "name": f"Motie zonnepanelen {i}", "organization": "Assen"}
        for i in range(4)
    ]
    lines.insert(2, {"@id": "bad", "@type": "Motion", "name": "Motie zonnepanelen kapot", "organization": "Assen"})
    path = jsonl_file(tmp_path / "vijf.jsonl", lines)
    with translation.override("nl"):
        report = importing.Importer(batch_size=2, bulk_index=True, index_workers=0).run(importing.read_items([path]))
    assert pipelined and all(name.startswith("import-writer") for name in pipelined)
    assert report.created == 4 and [p.identifier for p in report.problems] == ["bad"]
    assert "kon niet worden opgeslagen" in report.problems[0].reason  # (the language of the import)
    assert engine.search("zonnepanelen", public_only=True).total == 4
    assert not SearchChange.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_writer_thread_lets_the_last_of_an_identifier_in_a_later_batch_win(tmp_path, pipelined):
    # The same identifier in batch 1 and, changed, in batch 2: batch 2 waits for batch 1 to be written.
    lines = motions(("d-1", "Motie windturbines"), ("d-2", "Motie zonnepanelen"), ("d-1", "Motie warmtenet"))
    path = jsonl_file(tmp_path / "dubbel.jsonl", lines)
    report = importing.Importer(batch_size=2, bulk_index=True, index_workers=0).run(importing.read_items([path]))
    assert (report.created, report.updated, report.problems) == (2, 1, [])
    assert Document.objects.get(source_id="d-1").title == "Motie warmtenet"
    assert engine.search("warmtenet", public_only=True).total == 1
    assert engine.search("windturbines", public_only=True).total == 0
    assert not SearchChange.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_error_in_the_writer_thread_stops_the_import_and_leaves_the_change_log(tmp_path, pipelined, monkeypatch):
    def fail(self, documents, changes, vocabulary=None):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(search_index.BulkIndexer, "add", fail)
    with pytest.raises(KeyboardInterrupt):
        importing.Importer(batch_size=5, bulk_index=True, index_workers=0).run(
            importing.read_items([motions_file(tmp_path, 12)])
        )
    # The first batch was committed with its change-log entries; the index did not get it.
    assert Document.objects.count() == SearchChange.objects.count() >= 5
    assert engine.search("zonnepanelen", public_only=True).total == 0
    assert search_index.apply_changes() == Document.objects.count()
    assert engine.search("zonnepanelen", public_only=True).total == Document.objects.count()


def test_bulk_batches_commit_without_waiting_for_the_disk_but_the_index_waits_for_it(tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    order: list[str] = []
    original_commit = search_index.BulkIndexer.commit

    def commit(self):  # type: ignore[no-untyped-def]
        order.append("index commit")
        return original_commit(self)

    monkeypatch.setattr(search_index.BulkIndexer, "commit", commit)
    with CaptureQueriesContext(connection) as queries:
        importing.Importer(batch_size=5, bulk_index=True, index_workers=0).run(
            importing.read_items([motions_file(tmp_path, 12)])
        )
    statements = [q["sql"] for q in queries.captured_queries]
    # Each of the three batches asks its own transaction not to wait (SET LOCAL: nothing outlives it).
    assert sum(s == "SET LOCAL synchronous_commit TO OFF" for s in statements) == 3
    # Before the search index commits, a transaction with an id commits synchronously: everything
    # committed before it is on disk by then.
    durable = [i for i, s in enumerate(statements) if "pg_current_xact_id" in s]
    copies = [i for i, s in enumerate(statements) if s.startswith("SET LOCAL synchronous_commit")]
    assert durable and durable[-1] > copies[-1] and order == ["index commit"]
