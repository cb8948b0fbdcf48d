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
  next to the index (core.search_index: the machinery shared with the networks' index);
  `manage.py search_index --catch-up` does the same, `--rebuild` starts over.
  Web processes only read: they reload the index before each search.
- Directory: settings.LIBRARY_SEARCH_INDEX_DIR (default var/search-index/); None keeps the index
  in memory (the tests: one per test).
"""

from __future__ import annotations

import fcntl
import gc
import logging
import multiprocessing
import os
import threading
from collections import Counter
from collections.abc import Iterable
from typing import Any

import tantivy
from django.db import connection, transaction

from core import analysis
from core import search_index as core_search_index
from core.models import Body, Tier
from core.search_index import ChangeLogIndex, IndexState

from . import structure
from .models import Document, SearchChange

logger = logging.getLogger(__name__)

TEXT_FIELDS = ("title", "dictum", "considerations", "rest", "attachments")
# The stems of the parts of the compounds in the title and the texts (core.analysis.compound_parts):
# a search for "drempel" also finds "verkeersdrempels", weighted below the word itself.
PARTS_FIELD = "parts"
PARTS_OF = ("title", "dictum", "considerations", "rest")
# Text indexed per field is capped (a pathological upload must not blow up the index).
MAX_FIELD_CHARS = 300_000
WRITER_HEAP = 50_000_000
BATCH = 500
# Bulk indexing (BulkIndexer): a commit, and the change log's entries deleted, every this many documents.
BULK_COMMIT_EVERY = 100_000
# While indexing in bulk, Python's cycle collector runs after this many new container objects
# instead of 700 (its default), in the importer and in the analysis processes. An import makes
# millions of short-lived dicts, tuples and lists that reference counting frees; at the default
# the collector runs hundreds of times a second, also over the word caches and the records in
# memory (measured in one analysis process: 0-10% of its CPU time, docs/PERFORMANCE.md).
BULK_GC_THRESHOLD = 50_000


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    builder.add_text_field(PARTS_FIELD, tokenizer_name="whitespace", index_option="freq")
    for name in ("kind", "tier", "outcome", "party"):
        builder.add_text_field(name, tokenizer_name="raw", fast=True)
    for name in ("province", "body", "year", "topic", "sortdate", "shared"):
        builder.add_integer_field(name, indexed=True, fast=True)
    builder.add_boolean_field("public", indexed=True, fast=True)
    return builder.build()


SCHEMA = build_schema()


def _bulk_held() -> bool:
    """While this process indexes in bulk (BulkIndexer), the log is applied when it is done."""
    return _bulk_active.is_set()


INDEX = ChangeLogIndex(
    schema=SCHEMA,
    setting="LIBRARY_SEARCH_INDEX_DIR",
    log_model=SearchChange,
    object_field="document_id",
    replace=lambda writer, ids, **options: _replace(writer, ids, **options),
    searchable_ids=lambda: list(
        Document.objects.filter(status=Document.Status.PUBLISHED).order_by("pk").values_list("pk", flat=True)
    ),
    task="library.tasks.apply_search_changes",
    writer_heap=WRITER_HEAP,
    batch=BATCH,
    held=_bulk_held,
    rebuild_command="search_index",
    on_reset=analysis.reset_lexicon,  # reset() forgets the compound lexicon too
)

# The index's state, and the one writer's locks (core.search_index): BulkIndexer takes them too.
_State = IndexState
SchemaChanged = core_search_index.SchemaChanged
get_index = INDEX.get_index
reset = INDEX.reset
cursor = INDEX.cursor
_set_cursor = INDEX.set_cursor


def searcher() -> tuple[tantivy.Searcher, tantivy.Schema]:
    return INDEX.searcher(), SCHEMA


def indexed(ids: Iterable[int]) -> set[int]:
    """Which of these documents the index holds."""
    wanted = list(ids)
    if not wanted:
        return set()
    index, _schema = searcher()
    found = index.search(tantivy.Query.term_set_query(SCHEMA, "id", wanted), len(wanted))
    return {int(index.doc(address)["id"][0]) for _score, address in found.hits}


# --- the change log (core.search_index) ---------------------------------------------------------------

# record_changes(ids, op) logs that these documents changed (in the caller's transaction); the index
# follows when the writer applies the log: at once with LIBRARY_SEARCH_APPLY_INLINE (tests, benches),
# otherwise the background worker (library.tasks.apply_search_changes) after the commit.
record_changes = INDEX.record_changes
pending = INDEX.pending
apply_later = INDEX.apply_later
apply_changes = INDEX.apply_changes
# rebuild(): every shared document again; returns the number indexed.
rebuild = INDEX.rebuild


def _replace(writer: tantivy.IndexWriter, ids: list[int], *, deleted: bool = False) -> None:
    """Remove these documents from the index and add those that are shared, as the database has
    them. A document new to the index adds its words to the vocabulary (core.SearchTerm); one that
    cannot be indexed is logged and left out (the others go on)."""
    from core import search as core_search

    known: set[int] = set()
    if not deleted:
        known = indexed(ids)  # (searcher() reloads: what the writer committed so far)
        for pk in ids:
            writer.delete_documents_by_term("id", pk)
    documents = (
        Document.objects.filter(pk__in=ids, status=Document.Status.PUBLISHED)
        .select_related("body")
        .prefetch_related("body__provinces", "submitters", "attachments", "topics")
    )
    examples: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for document in documents:
        try:
            values, words = _analysed(prepare(document))
        except Exception:
            logger.exception("Library document %s could not be indexed", document.pk)
            continue
        writer.add_document(tantivy.Document(**values))
        if not deleted and document.pk not in known:
            for stem, word in words.items():
                examples.setdefault(stem, word)
            counts.update(words.keys())
    core_search.save_vocabulary(counts, examples)


def _province(body: Body) -> int | None:
    if body.tier == Tier.PROVINCIAL:
        return body.pk
    if body.tier == Tier.WATER_BOARD:
        provinces = sorted(p.pk for p in body.provinces.all())
        return provinces[0] if provinces else None
    return body.province_id


def texts(document: Document) -> dict[str, str]:
    """The five weighted text fields of a document, unanalysed."""
    return _texts(
        kind=document.kind,
        parts=document.parts or {},
        title=document.title,
        agenda_item=document.agenda_item,
        text=document.text,
        people=[m.full_name for m in document.submitters.all()],
        submitter_names=document.submitter_names,
        parties=document.parties,
        attachments=[a.text for a in document.attachments.all()],
    )


def content_texts(document: Document) -> dict[str, str]:
    """The fields that hold what a document says (title, dictum, considerations, rest), unanalysed:
    read from the document itself, no query."""
    return _content_texts(document.kind, document.parts or {}, document.title, document.agenda_item, document.text)


def _content_texts(kind: str, parts: dict[str, Any], title: str, agenda_item: str, text: str) -> dict[str, str]:
    dictum: list[str] = []
    considerations: list[str] = []
    other: list[str] = []
    if kind == "motion":
        considerations = [*parts.get("considering", []), *parts.get("whereas", [])]
        dictum = list(parts.get("requests", []))
    elif kind == "amendment":
        dictum = list(parts.get("change", []))
        other = [parts["draft_decision"]] if parts.get("draft_decision") else []
    else:
        other = [item for section in structure.sections(kind, parts) for item in section.items]
    return {
        "title": title,
        "dictum": "\n".join(str(i) for i in dictum),
        "considerations": "\n".join(str(i) for i in considerations),
        "rest": "\n".join([*(str(i) for i in other), agenda_item, text]),
    }


def _texts(
    *,
    kind: str,
    parts: dict[str, Any],
    title: str,
    agenda_item: str,
    text: str,
    people: list[str],
    submitter_names: str,
    parties: str,
    attachments: list[str],
) -> dict[str, str]:
    from .engine import parties_of

    names = ", ".join(filter(None, [", ".join(people), submitter_names, *parties_of(parties)]))
    return {**_content_texts(kind, parts, title, agenda_item, text), "attachments": "\n".join([names, *attachments])}


# What prepare_values needs of a document: its id, its field values (the names of Document's
# attributes: PREPARED_FIELDS), its body (tier, id, province), the names of its submitters on the
# platform, its attachments' texts and its topic ids.
Source = tuple[int, dict[str, Any], tuple[str, int, int | None], list[str], list[str], list[int]]
PREPARED_FIELDS = (
    "kind",
    "parts",
    "title",
    "agenda_item",
    "text",
    "submitter_names",
    "parties",
    "outcome",
    "meeting_date",
    "shared_at",
    "visibility",
)


def body_key(body: Body) -> tuple[str, int, int | None]:
    return (body.tier, body.pk, _province(body))


def source(document: Document) -> Source:
    return (
        document.pk,
        {name: getattr(document, name) for name in PREPARED_FIELDS},
        body_key(document.body),
        [m.full_name for m in document.submitters.all()],
        [a.text for a in document.attachments.all()],
        [t.pk for t in document.topics.all()],
    )


def prepare(document: Document) -> dict[str, Any]:
    """What the index holds of a document, its five texts not yet analysed (analysed() does that,
    in another process when indexing in bulk)."""
    return prepare_values(*source(document))


def prepare_values(
    pk: int,
    values: dict[str, Any],
    body: tuple[str, int, int | None],
    people: list[str],
    attachments: list[str],
    topics: list[int],
) -> dict[str, Any]:
    """prepare() from a document's Source (an import has it in memory, without a Document)."""
    return {**prepared_texts(values, people, attachments), **facet_values(pk, values, body, topics)}


def prepared_texts(values: dict[str, Any], people: list[str], attachments: list[str]) -> dict[str, str]:
    """The five texts of prepare_values (not yet analysed): they need no id, so an import
    analyses them (analysed_texts) before its documents are written."""
    return {
        name: text[:MAX_FIELD_CHARS]
        for name, text in _texts(
            kind=values["kind"],
            parts=values["parts"] or {},
            title=values["title"],
            agenda_item=values["agenda_item"],
            text=values["text"],
            people=people,
            submitter_names=values["submitter_names"],
            parties=values["parties"],
            attachments=attachments,
        ).items()
    }


def facet_values(
    pk: int, values: dict[str, Any], body: tuple[str, int, int | None], topics: list[int]
) -> dict[str, Any]:
    """The other fields of prepare_values: the id, the filters and facets, the sort keys."""
    from .engine import parties_of

    shared_at = values["shared_at"]
    date = values["meeting_date"] or shared_at.date()
    tier, body_id, province = body
    prepared: dict[str, Any] = {
        "id": pk,
        "kind": values["kind"],
        "tier": tier,
        "outcome": values["outcome"] or "",
        "party": parties_of(values["parties"]),
        "body": body_id,
        "year": date.year,
        "topic": topics,
        # Newest first, ties by id: one integer so that a date sort is one fast field.
        "sortdate": date.toordinal() * 2**32 + pk,
        "shared": int(shared_at.timestamp() * 1_000_000),
        "public": values["visibility"] == Document.Visibility.PUBLIC,
    }
    if province is not None:
        prepared["province"] = province
    return prepared


def analysed_texts(
    values: dict[str, Any], people: list[str], attachments: list[str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The analysed text fields of a document (prepared_texts, then core.analysis) and its
    vocabulary (see _analysed); with facet_values, the fields of the index."""
    return _analysed(prepared_texts(values, people, attachments))


def analysed(values: dict[str, Any]) -> dict[str, Any]:
    """Prepared values with their texts analysed (core.analysis): the fields of the index."""
    return _analysed(dict(values))[0]


def fields(document: Document) -> dict[str, Any]:
    return analysed(prepare(document))


# --- bulk indexing ------------------------------------------------------------------------------------

_bulk_active = threading.Event()


def _analysed(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Analyse prepared values in place: the index fields of a document and its vocabulary (as
    core.search.vocabulary counts it: the stem of each word of 4 to 40 letters, not only digits, in
    the title and the texts but not the names and attachments -> a word it came from). The words
    are analysed once for both."""
    terms, parts, found = analysis.analyse_fields({name: values[name] for name in TEXT_FIELDS}, PARTS_OF)
    values.update(terms)
    values[PARTS_FIELD] = parts
    return values, found


class Done:
    """The result of work done at once (BulkIndexer.submit without analysis processes)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def ready(self) -> bool:
        return True

    def get(self) -> Any:
        return self.value


def _durable() -> None:
    """PostgreSQL: wait until everything committed so far is on disk. The bulk import commits its
    batches without waiting for that (library.importing.Importer._write); a transaction with an id
    commits synchronously, and so waits for the WAL of every commit before it."""
    if connection.vendor != "postgresql":
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()")


class BulkIndexer:
    """Index many new documents at once (an import). The caller has their texts analysed in the
    indexer's `workers` processes (submit: forked when the indexer opens, so they inherit what
    the caller set up before; the compound lexicon is read then and kept) while it goes on
    writing rows, and adds the results (add); one tantivy writer with `threads` indexing threads
    takes them; a commit every BULK_COMMIT_EVERY documents and at the end.

    The caller writes the documents' change-log entries in the same transaction as the documents
    (so a crash loses nothing: the worker applies what is left, from the database) and hands the
    analysed documents with those entries' ids to add() after that transaction committed.
    While the bulk indexer is open it is the index's one writer (the worker waits for the lock);
    changes logged meanwhile by this process (record_changes) are applied when it closes. Entries
    are deleted and the cursor moved only after the commit that made their documents searchable.

    `vocabulary`: count the documents' words into core.SearchTerm (compound expansion), as
    indexing a new document does."""

    def __init__(self, *, workers: int | None = None, threads: int | None = None, vocabulary: bool = True):
        cpus = os.cpu_count() or 1
        self.workers = cpus if workers is None else max(0, workers)
        self.threads = threads or max(1, min(cpus, 4))
        self.vocabulary = vocabulary
        self.applied: list[int] = []  # change-log entries whose documents are in the writer
        self.examples: dict[str, str] = {}
        self.counts: Counter[str] = Counter()
        self.since_commit = 0
        self.indexed = 0
        self.pool: Any = None
        self.writer: tantivy.IndexWriter | None = None
        self.lock_file: Any = None

    def __enter__(self) -> BulkIndexer:
        self.state = get_index()
        self.state.lock.acquire()
        # What exists now (the app, the lookups, the word caches) is never scanned by the
        # collector during the import, here or in the analysis processes forked below (which
        # inherit the threshold too); restored in _release.
        self.gc_threshold = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(BULK_GC_THRESHOLD, *self.gc_threshold[1:])
        try:
            if self.state.path is not None:
                self.lock_file = (self.state.path / "writer.lock").open("w")
                fcntl.flock(self.lock_file, fcntl.LOCK_EX)
            if self.workers:
                # Forked before the writer's threads exist; the children only read and analyse
                # records (they never touch the inherited database connection, and leave without
                # closing it): the compound lexicon is read here and kept as it is in the children.
                analysis.load_lexicon()
                self.pool = multiprocessing.get_context("fork").Pool(self.workers, analysis.freeze_lexicon)
            self.writer = self.state.index.writer(WRITER_HEAP * self.threads, self.threads)
        except BaseException:
            self._release()
            raise
        _bulk_active.set()
        return self

    def submit(self, function: Any, *args: Any) -> Any:
        """function(*args) in an analysis process (at once in this one without them); the
        result's get() gives its value. The function must not use the database."""
        if self.pool is not None:
            return self.pool.apply_async(function, args)
        return Done(function(*args))

    def add(
        self,
        documents: list[dict[str, Any]],
        changes: list[int],
        vocabulary: tuple[dict[str, str], Counter[str]] | None = None,
    ) -> None:
        """Index these new documents: their fields (analysed_texts and facet_values);
        `changes`: their change-log entries; `vocabulary`: theirs (stem -> the first word it came
        from, stem -> in how many of them)."""
        assert self.writer is not None
        for values in documents:
            self.writer.add_document(tantivy.Document(**values))
        if self.vocabulary and vocabulary is not None:
            examples, counts = vocabulary
            for stem, word in examples.items():
                self.examples.setdefault(stem, word)
            self.counts.update(counts)
        self.applied.extend(changes)
        self.since_commit += len(documents)
        self.indexed += len(documents)
        if self.since_commit >= BULK_COMMIT_EVERY:
            self.commit()

    def commit(self) -> None:
        """Make what was added so far searchable; then forget its change-log entries."""
        assert self.writer is not None
        if self.since_commit:
            _durable()
        self.writer.commit()
        self.state.index.reload()
        from core import search as core_search

        if self.counts:
            core_search.save_vocabulary(self.counts, self.examples)
            self.counts, self.examples = Counter(), {}
        if self.applied and connection.vendor == "postgresql":
            with connection.cursor() as sql:  # (one text parameter: a tenth of the client's time)
                sql.execute(
                    "DELETE FROM library_searchchange WHERE id = ANY(string_to_array(%s, ',')::bigint[])",
                    [",".join(map(str, self.applied))],
                )
        elif self.applied:
            for start in range(0, len(self.applied), 10_000):
                SearchChange.objects.filter(id__in=self.applied[start : start + 10_000]).delete()
        if self.applied:
            _set_cursor(self.state, max(cursor(), max(self.applied)))
        self.applied = []
        self.since_commit = 0

    def __exit__(self, exc_type: Any, exc: Any, traceback: Any) -> None:
        try:
            if exc_type is None:
                self.commit()
            elif self.writer is not None:
                self.writer.rollback()  # the entries stay in the log: the worker indexes them
        finally:
            self._release()
        if exc_type is None and SearchChange.objects.exists():
            apply_later()  # what this process logged meanwhile, and what others did

    def _release(self) -> None:
        _bulk_active.clear()
        self.writer = None  # dropping the writer releases tantivy's own lock on the directory
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
            self.pool = None
        if self.lock_file is not None:
            fcntl.flock(self.lock_file, fcntl.LOCK_UN)
            self.lock_file.close()
            self.lock_file = None
        gc.set_threshold(*self.gc_threshold)
        gc.unfreeze()
        self.state.lock.release()
        self.state.index.reload()
