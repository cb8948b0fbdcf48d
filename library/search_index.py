"""The library's search index: an embedded tantivy index (BM25 with block-max WAND) that serves
SQLite and PostgreSQL alike. The database is the source of truth; the index is derived from it.

- Text is analysed in Python (core.analysis: folding, Dutch stemming) and stored as space-separated
  terms in fields tokenised on white space, so the index and the queries share one analysis.
- Fields: title, dictum (verzoekt / draagt op / besluit), considerations (constaterende /
  overwegende), body (the text and the other parts), attachments (and names); each weighted at
  query time (library.engine.FIELD_WEIGHTS). Filters and facets are fast fields.
- Maintenance: every change to a document's searchable state writes a SearchChange row in the same
  transaction. One writer, the background worker (task library.tasks.apply_search_changes),
  applies the log in order under a file lock and records the last applied sequence (the cursor)
  next to the index; `manage.py search_index --catch-up` does the same, `--rebuild` starts over.
  Web processes only read: they reload the index before each search.
- Directory: settings.LIBRARY_SEARCH_INDEX_DIR (default var/search-index/); None keeps the index
  in memory (the tests: one per test).
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy
from django.conf import settings
from django.db import transaction

from core import analysis
from core.models import Tier

from . import structure
from .models import Document, SearchChange

TEXT_FIELDS = ("title", "dictum", "considerations", "rest", "attachments")
# Text indexed per field is capped (a pathological upload must not blow up the index).
MAX_FIELD_CHARS = 300_000
WRITER_HEAP = 50_000_000
BATCH = 500


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    for name in ("kind", "tier", "outcome", "party"):
        builder.add_text_field(name, tokenizer_name="raw", fast=True)
    for name in ("province", "body", "year", "topic", "sortdate", "shared"):
        builder.add_integer_field(name, indexed=True, fast=True)
    builder.add_boolean_field("public", indexed=True, fast=True)
    return builder.build()


SCHEMA = build_schema()


@dataclass
class _State:
    index: tantivy.Index
    path: Path | None
    cursor: int = 0  # in memory only (path None)
    lock: threading.Lock = field(default_factory=threading.Lock)


_state: _State | None = None
_state_lock = threading.Lock()


def index_dir() -> Path | None:
    value = getattr(settings, "LIBRARY_SEARCH_INDEX_DIR", None)
    return Path(value) if value else None


def get_index() -> _State:
    global _state
    with _state_lock:
        path = index_dir()
        if _state is None or _state.path != path:
            if path is None:
                _state = _State(tantivy.Index(SCHEMA), None)
            else:
                path.mkdir(parents=True, exist_ok=True)
                _state = _State(tantivy.Index(SCHEMA, path=str(path)), path)
        return _state


def reset() -> None:
    """Forget the open index (the tests start each test with an empty in-memory one)."""
    global _state
    with _state_lock:
        _state = None


def searcher() -> tuple[tantivy.Searcher, tantivy.Schema]:
    state = get_index()
    state.index.reload()
    return state.index.searcher(), SCHEMA


# --- the change log ----------------------------------------------------------------------------------


def record_changes(ids: Iterable[int], op: str) -> None:
    """Log that these documents changed (in the caller's transaction); the index follows when the
    writer applies the log: at once with LIBRARY_SEARCH_APPLY_INLINE (tests, benches), otherwise
    the background worker after the commit."""
    rows = [SearchChange(document_id=pk, op=op) for pk in ids]
    if not rows:
        return
    SearchChange.objects.bulk_create(rows)
    if getattr(settings, "LIBRARY_SEARCH_APPLY_INLINE", False):
        apply_changes()
    else:
        transaction.on_commit(_enqueue)


def _enqueue() -> None:
    from .tasks import apply_search_changes

    apply_search_changes.enqueue()


def cursor() -> int:
    state = get_index()
    if state.path is None:
        return state.cursor
    try:
        return int((state.path / "cursor").read_text().strip() or 0)
    except FileNotFoundError:
        return 0


def _set_cursor(state: _State, value: int) -> None:
    if state.path is None:
        state.cursor = value
        return
    temporary = state.path / "cursor.tmp"
    temporary.write_text(str(value))
    temporary.replace(state.path / "cursor")


def pending() -> int:
    """How many change-log entries the index has not applied yet."""
    return SearchChange.objects.count()


def _with_writer(state: _State, work: Callable[[tantivy.IndexWriter], int]) -> int:
    """Run `work` with the one writer: a file lock across processes (a second writer waits), a
    lock within the process. The writer is dropped when `work` returns (that releases tantivy's
    own lock on the directory), so hold no reference to it after."""
    with state.lock:
        if state.path is None:
            result = work(state.index.writer(WRITER_HEAP, 1))
        else:
            with (state.path / "writer.lock").open("w") as lock_file:
                fcntl.flock(lock_file, fcntl.LOCK_EX)
                try:
                    result = work(state.index.writer(WRITER_HEAP, 1))
                finally:
                    fcntl.flock(lock_file, fcntl.LOCK_UN)
    state.index.reload()
    return result


def apply_changes() -> int:
    """Apply the change log from the cursor on, in batches; returns the number of entries applied."""
    state = get_index()

    def work(writer: tantivy.IndexWriter) -> int:
        applied = 0
        while True:
            # Every entry still in the log, not "after the cursor": transactions commit out of id
            # order, and an entry that became visible after a higher one was applied must not be
            # skipped. Applied entries are deleted (applying is idempotent, so a crash in between
            # only applies them again); the cursor file records the highest id applied.
            log = SearchChange.objects.order_by("id")
            changes = list(log.values_list("id", "document_id", "op")[:BATCH])
            if not changes:
                return applied
            last_op = {pk: op for _, pk, op in changes}  # the latest change of a document wins
            for pk, op in last_op.items():
                if op == SearchChange.Op.REMOVE:
                    writer.delete_documents_by_term("id", pk)
            _replace(writer, sorted(pk for pk, op in last_op.items() if op != SearchChange.Op.REMOVE))
            writer.commit()
            SearchChange.objects.filter(id__in=[entry for entry, _, _ in changes]).delete()
            _set_cursor(state, max(cursor(), changes[-1][0]))
            applied += len(changes)

    return _with_writer(state, work)


def rebuild() -> int:
    """Empty the index and add every shared document again, then set the cursor to the log's end
    (changes logged meanwhile are applied again: applying is idempotent). Returns the number indexed."""
    state = get_index()
    last = SearchChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ids = list(Document.objects.filter(status=Document.Status.PUBLISHED).order_by("pk").values_list("pk", flat=True))

    def work(writer: tantivy.IndexWriter) -> int:
        writer.delete_all_documents()
        for start in range(0, len(ids), BATCH):
            _replace(writer, ids[start : start + BATCH], deleted=True)
        writer.commit()
        _set_cursor(state, last)
        return len(ids)

    count = _with_writer(state, work)
    apply_changes()
    return count


def _replace(writer: tantivy.IndexWriter, ids: list[int], *, deleted: bool = False) -> None:
    """Remove these documents from the index and add those that are shared, as the database has them."""
    if not deleted:
        for pk in ids:
            writer.delete_documents_by_term("id", pk)
    documents = (
        Document.objects.filter(pk__in=ids, status=Document.Status.PUBLISHED)
        .select_related("body")
        .prefetch_related("body__provinces", "submitters", "attachments", "topics")
    )
    for document in documents:
        writer.add_document(tantivy.Document(**fields(document)))


def province_of(document: Document) -> int | None:
    body = document.body
    if body.tier == Tier.PROVINCIAL:
        return body.pk
    if body.tier == Tier.WATER_BOARD:
        provinces = sorted(p.pk for p in body.provinces.all())
        return provinces[0] if provinces else None
    return body.province_id


def texts(document: Document) -> dict[str, str]:
    """The five weighted text fields of a document, unanalysed."""
    from .engine import parties_of

    names = [m.full_name for m in document.submitters.all()]
    people = ", ".join(filter(None, [", ".join(names), document.submitter_names, *parties_of(document.parties)]))
    attachments = [a.text for a in document.attachments.all()]
    return {**content_texts(document), "attachments": "\n".join([people, *attachments])}


def content_texts(document: Document) -> dict[str, str]:
    """The fields that hold what a document says (title, dictum, considerations, rest), unanalysed:
    read from the document itself, no query."""
    dictum: list[str] = []
    considerations: list[str] = []
    other: list[str] = []
    parts = document.parts or {}
    if document.kind == "motion":
        considerations = [*parts.get("considering", []), *parts.get("whereas", [])]
        dictum = list(parts.get("requests", []))
    elif document.kind == "amendment":
        dictum = list(parts.get("change", []))
        other = [parts["draft_decision"]] if parts.get("draft_decision") else []
    else:
        other = [item for section in structure.sections(document.kind, parts) for item in section.items]
    return {
        "title": document.title,
        "dictum": "\n".join(str(i) for i in dictum),
        "considerations": "\n".join(str(i) for i in considerations),
        "rest": "\n".join([*(str(i) for i in other), document.agenda_item, document.text]),
    }


def fields(document: Document) -> dict[str, Any]:
    from .engine import parties_of

    date = document.meeting_date or document.shared_at.date()
    values: dict[str, Any] = {name: analysis.analyse(text[:MAX_FIELD_CHARS]) for name, text in texts(document).items()}
    values.update(
        id=document.pk,
        kind=document.kind,
        tier=document.body.tier,
        outcome=document.outcome or "",
        party=parties_of(document.parties),
        body=document.body_id,
        year=date.year,
        topic=[t.pk for t in document.topics.all()],
        # Newest first, ties by id: one integer so that a date sort is one fast field.
        sortdate=date.toordinal() * 2**32 + document.pk,
        shared=int(document.shared_at.timestamp() * 1_000_000),
        public=document.visibility == Document.Visibility.PUBLIC,
    )
    province = province_of(document)
    if province is not None:
        values["province"] = province
    return values
