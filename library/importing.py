"""Importing council documents: Open Raadsinformatie / Popolo-style JSON records (manage.py
import_ori) and CSV files (checked in a dry run in the back office). The format is described in
docs/IMPORT_ORI.md; a CSV row is turned into the same record shape.

Idempotent: a record is keyed on its source identifier, and a fingerprint of the record is kept,
so an unchanged record is recognised with one indexed lookup per batch and not written again. Bad
records are reported (where, which identifier, why) and skipped; the rest goes on. Records are
written in batches inside a transaction; when a batch fails in the database, it is written again
record by record, so that each record is written completely or not at all.
"""

from __future__ import annotations

import concurrent.futures
import csv
import datetime
import functools
import hashlib
import io
import json
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import uploads
from core.models import CODE_PATTERN, Body
from core.text import MUNICIPALITY_ALIASES, normalise_name, strip_accents
from members.models import Topic

from . import engine, search_index
from .models import Document, ImportRun, Kind, Outcome, SearchChange

BATCH_SIZE = 500
# With deferred indexing, a task for the workers is queued every this many batches (and at the end).
INDEX_TASK_EVERY = 20
MAX_CSV_BYTES = 20 * 1024 * 1024
# The columns of library_document the import looks documents up by (source id, fingerprint, and
# resolve_links): the statistics refreshed while it goes on.
LOOKUP_COLUMNS = "source_id, source_hash, status, amends_source, answers_source, amends_id, answers_to_id"

TYPES = {
    "motion": Kind.MOTION,
    "motie": Kind.MOTION,
    "amendment": Kind.AMENDMENT,
    "amendement": Kind.AMENDMENT,
    "writtenquestions": Kind.QUESTIONS,
    "question": Kind.QUESTIONS,
    "questions": Kind.QUESTIONS,
    "schriftelijkevragen": Kind.QUESTIONS,
    "answer": Kind.OTHER,
    "antwoord": Kind.OTHER,
    "initiativeproposal": Kind.INITIATIVE,
    "initiative": Kind.INITIATIVE,
    "initiatiefvoorstel": Kind.INITIATIVE,
    "mediaobject": Kind.OTHER,
    "document": Kind.OTHER,
    "other": Kind.OTHER,
    "overig": Kind.OTHER,
}
RESULTS = {
    "aangenomen": Outcome.ADOPTED,
    "adopted": Outcome.ADOPTED,
    "passed": Outcome.ADOPTED,
    "verworpen": Outcome.REJECTED,
    "rejected": Outcome.REJECTED,
    "failed": Outcome.REJECTED,
    "ingetrokken": Outcome.WITHDRAWN,
    "withdrawn": Outcome.WITHDRAWN,
    "aangehouden": Outcome.HELD_OVER,
    "held over": Outcome.HELD_OVER,
    "held_over": Outcome.HELD_OVER,
}
YES = {"yes", "for", "voor", "ja"}
NO = {"no", "against", "tegen", "nee"}


class RecordError(Exception):
    """A record that cannot be imported; the message says why (translated)."""


@dataclass
class Problem:
    where: str
    identifier: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where} [{self.identifier or '-'}]: {self.reason}"


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def processed(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.problems)

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": len(self.problems),
        }


@dataclass
class Item:
    """One record as read from a file (or a reason why it could not be read). `raw`: the line of a
    JSON Lines file, parsed only when needed (see parse); its bytes are the record's fingerprint,
    so an unchanged line is recognised without parsing it."""

    where: str
    record: Any = None
    error: str = ""
    raw: bytes | None = None

    @functools.cached_property
    def fingerprint(self) -> str:
        if self.raw is not None:
            return hashlib.sha256(self.raw.strip()).hexdigest()
        return fingerprint(self.record)

    def parse(self) -> None:
        if self.raw is None or self.record is not None or self.error:
            return
        try:
            self.record = json.loads(self.raw)
        except json.JSONDecodeError as error:
            self.error = _("not valid JSON (%(error)s)") % {"error": error.args[0]}
        except UnicodeDecodeError as error:
            self.error = _("not valid JSON (%(error)s)") % {"error": str(error)}


@dataclass
class Mapped:
    identifier: str
    fields: dict[str, Any]
    topics: list[Topic]
    fingerprint: str
    warnings: list[str]
    # With bulk indexing: the analysed texts (search_index.analysed_texts), made ahead.
    texts: dict[str, Any] | None = None


def fingerprint(record: Any) -> str:
    """Of a record from a JSON file or a CSV row: its canonical JSON. (A line of a JSON Lines file
    is fingerprinted by its bytes, see Item: cheaper, and equal for an unchanged file.)"""
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def identifier_of(record: Any) -> str:
    if not isinstance(record, dict):
        return ""
    value = record.get("@id") or record.get("id") or ""
    return str(value).replace("\x00", "").strip()[:200]


# --- reading files -----------------------------------------------------------------------------------


def files_in(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in {".json", ".jsonl"} and p.is_file())
    return [path]


def count_records(paths: list[Path]) -> int:
    """For the progress bar: lines of JSON Lines files, records of JSON files (cheap)."""
    total = 0
    for path in paths:
        if path.suffix == ".jsonl":
            with path.open("rb") as handle:
                total += sum(1 for line in handle if line.strip())
        else:
            total += sum(1 for _ in _json_items(path))
    return total


def _json_items(path: Path) -> Iterator[Item]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        yield Item(str(path), error=_("not valid JSON (%(error)s)") % {"error": error})
        return
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        data = data["items"]
    if not isinstance(data, list):
        data = [data]
    for index, record in enumerate(data):
        yield Item(f"{path}#{index}", record)


def read_items(paths: list[Path]) -> Iterator[Item]:
    for path in paths:
        if path.suffix == ".jsonl":
            with path.open("rb") as handle:
                for number, raw in enumerate(handle, start=1):
                    if not raw.strip():
                        continue
                    yield Item(f"{path}:{number}", raw=raw)
        else:
            yield from _json_items(path)


# --- mapping a record -----------------------------------------------------------------------------------


class Lookups:
    """Bodies and topics loaded once per import, matched by code or tolerant name."""

    def __init__(self) -> None:
        bodies = list(Body.objects.prefetch_related("provinces"))  # (the index's province of a water board)
        self.by_code = {b.code: b for b in bodies}
        self.by_name: dict[str, list[Body]] = {}
        for body in bodies:
            for name in {normalise_name(body.name), normalise_name(body.official_name or body.name)}:
                self.by_name.setdefault(name, []).append(body)
        self.topics = {}
        for topic in Topic.objects.all():  # by name or slug ("Armoede en schulden", "armoede")
            self.topics[strip_accents(topic.name).lower()] = topic
            self.topics.setdefault(topic.slug.lower(), topic)
        self.bodies_by_pk = {b.pk: b for b in bodies}
        self.topics_by_pk = {t.pk: t for t in self.topics.values()}

    def body(self, organisation: Any) -> Body:
        if isinstance(organisation, dict):
            code = str(organisation.get("identifier") or organisation.get("code") or "").strip().upper()
            name = str(organisation.get("name") or "").strip()
        else:
            name = str(organisation or "").strip()
            code = name.upper() if CODE_PATTERN.match(name.upper()) else ""
        if code and code in self.by_code:
            return self.by_code[code]
        if not name and not code:
            raise RecordError(_("no organisation (the council)"))
        wanted = normalise_name(name)
        candidates = self.by_name.get(wanted) or self.by_name.get(MUNICIPALITY_ALIASES.get(wanted, ""), [])
        if not candidates and wanted.startswith(("gemeente ", "provincie ", "waterschap ", "hoogheemraadschap ")):
            rest = wanted.split(" ", 1)[1]
            candidates = self.by_name.get(rest) or self.by_name.get(MUNICIPALITY_ALIASES.get(rest, ""), [])
        current = [b for b in candidates if b.is_current]
        candidates = current or candidates
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            raise RecordError(_("organisation '%(name)s' is ambiguous; give its code") % {"name": name})
        raise RecordError(_("unknown organisation '%(name)s'") % {"name": name or code})


def _text(value: Any, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise RecordError(_("a text field holds a list or object"))
    text = str(value).replace("\x00", "")  # (extracted text has them; PostgreSQL refuses them)
    return " ".join(text.split())[:limit] if limit <= 1000 else text.strip()[:limit]


def _date(value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    try:
        if len(text) == 10:
            return datetime.date.fromisoformat(text)
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise RecordError(_("invalid date '%(value)s'") % {"value": text[:40]}) from error
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.date()


def _votes(value: Any) -> tuple[int | None, int | None]:
    if value in (None, "", [], {}):
        return None, None
    votes_for = votes_against = None
    if isinstance(value, dict):
        votes_for, votes_against = value.get("for"), value.get("against")
    elif isinstance(value, list):
        for count in value:
            if not isinstance(count, dict):
                raise RecordError(_("votes are not in a known format"))
            option = str(count.get("option", "")).lower()
            if option in YES:
                votes_for = count.get("value")
            elif option in NO:
                votes_against = count.get("value")
    else:
        raise RecordError(_("votes are not in a known format"))
    result: list[int | None] = []
    for raw in (votes_for, votes_against):
        if raw is None or raw == "":
            result.append(None)
            continue
        try:
            number = int(raw)
        except (TypeError, ValueError) as error:
            raise RecordError(_("vote count '%(value)s' is not a number") % {"value": raw}) from error
        if number < 0 or number > 999:
            raise RecordError(_("vote count %(value)s is impossible") % {"value": number})
        result.append(number)
    return result[0], result[1]


def _people(value: Any) -> tuple[list[str], list[str]]:
    """(names with party, parties) from submitters as strings or {"name", "party"} objects."""
    if value in (None, ""):
        return [], []
    if isinstance(value, str | dict):
        value = [value]
    if not isinstance(value, list):
        raise RecordError(_("submitters are not a list"))
    names, parties = [], []
    for person in value:
        if isinstance(person, dict):
            name = _text(person.get("name"), 200)
            party = _text(person.get("party") or person.get("organization_name"), 100)
            if name:
                names.append(f"{name} ({party})" if party else name)
            if party:
                parties.append(party)
        elif isinstance(person, str) and person.strip():
            names.append(_text(person, 200))
    return names, parties


def _link(value: Any) -> tuple[str, str]:
    """(source identifier, name) of a linked record: a string or an {"@id", "name"} object."""
    if value in (None, ""):
        return "", ""
    if isinstance(value, dict):
        return identifier_of(value), _text(value.get("name"), 300)
    return str(value).replace("\x00", "").strip()[:200], ""


def map_record(record: Any, lookups: Lookups, *, fingerprint_: str | None = None) -> Mapped:
    if not isinstance(record, dict):
        raise RecordError(_("the record is not a JSON object"))
    identifier = identifier_of(record)
    if not identifier:
        raise RecordError(_("no identifier (@id)"))
    raw_type = str(record.get("@type") or record.get("type") or "").strip()
    kind = TYPES.get(raw_type.lower().replace(" ", "").replace("_", ""))
    if kind is None:
        raise RecordError(_("unknown type '%(type)s'") % {"type": raw_type[:50] or "-"})
    title = _text(record.get("name") or record.get("title"), 300)
    if not title:
        raise RecordError(_("no title (name)"))
    body = lookups.body(record.get("organization") or record.get("publisher"))
    meeting_date = _date(record.get("date") or record.get("start_date"))
    votes_for, votes_against = _votes(record.get("votes"))
    names, submitter_parties = _people(record.get("creator") or record.get("submitter"))
    parties = record.get("parties") or []
    if isinstance(parties, str):
        parties = [parties]
    if not isinstance(parties, list):
        raise RecordError(_("parties are not a list"))
    all_parties = engine.parties_of(", ".join([*submitter_parties, *(str(p) for p in parties)]))
    result = str(record.get("result") or "").strip().lower()
    warnings = []
    topic_names = record.get("topics") or record.get("classification") or []
    if isinstance(topic_names, str):
        topic_names = [topic_names]
    topics = []
    for name in topic_names if isinstance(topic_names, list) else []:
        topic = lookups.topics.get(strip_accents(str(name)).lower().strip())
        if topic is None:
            warnings.append(_("unknown topic '%(name)s' ignored") % {"name": str(name)[:50]})
        elif topic not in topics:
            topics.append(topic)
    amends_source, amends_name = _link(record.get("amends")) if kind == Kind.AMENDMENT else ("", "")
    answers_source, _name = _link(record.get("answers"))
    text = _text(record.get("text") or record.get("description"), 2_000_000)
    url = _text(record.get("url") or record.get("original_url"), 500)
    fields = {
        "kind": kind,
        "title": title,
        "body": body,
        "meeting_date": meeting_date,
        "agenda_item": _text(record.get("subject") or record.get("agenda_item"), 300),
        "submitter_names": ", ".join(names)[:500],
        "parties": ", ".join(all_parties)[:500],
        "outcome": RESULTS.get(result, Outcome.UNKNOWN),
        "votes_for": votes_for,
        "votes_against": votes_against,
        "text": text,
        "parts": {"draft_decision": amends_name} if amends_name else {},
        "source_url": url if url.startswith(("http://", "https://")) else "",
        "amends_source": amends_source,
        "answers_source": answers_source,
    }
    return Mapped(identifier, fields, topics, fingerprint_ or fingerprint(record), warnings)


# --- reading ahead (bulk indexing) ---------------------------------------------------------------


class Read(NamedTuple):
    """What an analysis process made of a record (_read): why it is not readable (error), or its
    identifier and either why it cannot be imported (problem) or its mapping (map_record's fields
    with the body by id and the choices as plain strings: model instances stay in the importer's
    process; the topics by id; the warnings) and its analysed texts (search_index.analysed_texts)."""

    error: str
    identifier: str = ""
    problem: str = ""
    fields: dict[str, Any] | None = None
    topics: list[int] = []
    warnings: list[str] = []
    texts: dict[str, Any] | None = None


# The vocabulary of some documents (core.search.save_vocabulary): stem -> the first word it came
# from, stem -> in how many documents.
Vocabulary = tuple[dict[str, str], Counter[str]]

# A batch read ahead: the fingerprints of its lines imported before, the items handed to the
# analysis processes, and the result to come (_read's).
Ahead = tuple[set[str], list[Item], Any]

# The lookups the analysis processes map with: the importer's, set before they are forked.
_forked_lookups: Lookups | None = None


def _read(
    entries: list[tuple[bytes | None, Any, str]], lookups: Lookups | None = None
) -> tuple[list[tuple[Any, ...]], Vocabulary]:
    """In an analysis process (BulkIndexer.submit): parse, map and analyse records (a line of a
    JSON Lines file, or a record already read), each with its fingerprint; returns a Read of each
    (as a plain tuple: cheaper to pass between processes) and the vocabulary of those that can be
    imported. No database: what depends on it (known, unchanged, duplicates) the importer decides
    as before."""
    lookups = lookups or _forked_lookups
    assert lookups is not None
    results: list[tuple[Any, ...]] = []
    founds: list[dict[str, str]] = []  # each record's vocabulary: stem -> the first word it came from
    counts: Counter[str] = Counter()
    for raw, record, print_ in entries:
        if raw is not None:
            item = Item("", raw=raw)
            item.parse()
            if item.error:
                results.append((item.error,))
                continue
            record = item.record
        identifier = identifier_of(record)
        try:
            mapped = map_record(record, lookups, fingerprint_=print_)
        except RecordError as error:
            results.append(("", identifier, str(error)))
            continue
        # Imported: no submitters on the platform, no attachments.
        texts, found = search_index.analysed_texts(mapped.fields, [], [])
        founds.append(found)
        counts.update(found.keys())
        fields = {
            name: value.pk if isinstance(value, models.Model) else value.value if isinstance(value, Enum) else value
            for name, value in mapped.fields.items()
        }
        results.append(("", identifier, "", fields, [t.pk for t in mapped.topics], mapped.warnings, texts))
    # Each stem's first word over the records: backwards, so that the first one is the last written
    # (dict.update in C, not a loop over every word of every record).
    examples: dict[str, str] = {}
    for found in reversed(founds):
        examples.update(found)
    return results, (examples, counts)


# --- writing -----------------------------------------------------------------------------------------


class Importer:
    """Writes records in batches; every new or changed document gets its entry in the search change
    log in its batch's transaction. By default the index applies the log as after any change (the
    worker, or at once with LIBRARY_SEARCH_APPLY_INLINE). With `defer_indexing`, the worker is
    asked only every INDEX_TASK_EVERY batches and at the end.

    With `bulk_index` (what `import_ori` does), the new documents go into the search index while
    the import goes on (library.search_index.BulkIndexer: one multi-threaded tantivy writer),
    straight from the records in memory: they are searchable when the import ends. The records
    are then parsed, mapped and their texts analysed ahead, a few batches at a time, in the
    indexer's `index_workers` processes (_read); this process only looks up, writes and indexes.
    Their change-log entries are written with the documents, so an interrupted import leaves
    nothing unindexed (the worker applies what is left)."""

    def __init__(
        self,
        *,
        progress: Callable[[Report], None] | None = None,
        batch_size: int = BATCH_SIZE,
        defer_indexing: bool = False,
        bulk_index: bool = False,
        index_workers: int | None = None,
    ):
        self.lookups = Lookups()
        self.report = Report()
        self.progress = progress
        self.batch_size = batch_size
        self.defer_indexing = defer_indexing
        self.bulk_index = bulk_index
        self.index_workers = index_workers
        self.indexer: search_index.BulkIndexer | None = None
        # Written, not yet handed on to the indexer: the documents' fields, their entries, their mappings.
        self.prepared: list[tuple[list[dict[str, Any]], list[int], list[Mapped]]] = []
        self.seen: dict[str, str] = {}  # identifier -> fingerprint, within this run
        self.seen_prints: set[str] = set()
        self.analysed_at = 0  # documents created when the statistics were last refreshed
        self.batches = 0
        self.write_thread: concurrent.futures.ThreadPoolExecutor | None = None  # (_start_writer)
        self.in_flight: concurrent.futures.Future[None] | None = None

    def run(self, items: Iterable[Item]) -> Report:
        if self.bulk_index:
            global _forked_lookups
            _forked_lookups = self.lookups  # (inherited by the analysis processes)
            try:
                with search_index.BulkIndexer(workers=self.index_workers) as indexer:
                    self.indexer = indexer
                    self._start_writer()
                    try:
                        self._run(items)
                    finally:
                        self._stop_writer()
            finally:
                self.indexer = None
                _forked_lookups = None
        else:
            self._run(items)
        self._refresh_statistics(final=True)
        resolve_links()
        if self.defer_indexing and not self.bulk_index and pending_documents().exists():
            self._enqueue_indexing()
        return self.report

    def _run(self, items: Iterable[Item]) -> None:
        # With bulk indexing, up to two batches per analysis process are read ahead; the batches
        # are written in order.
        depth = 2 * self.indexer.workers if self.indexer is not None else 0
        ahead: deque[tuple[list[Item], Ahead | None]] = deque()
        batch: list[Item] = []
        for item in items:
            batch.append(item)
            if len(batch) >= self.batch_size:
                ahead.append((batch, self._read_ahead(batch)))
                batch = []
                while len(ahead) > depth:
                    self._batch(*ahead.popleft())
        if batch:
            ahead.append((batch, self._read_ahead(batch)))
        while ahead:
            self._batch(*ahead.popleft())

    # --- the writer thread (bulk import on PostgreSQL) ---
    # The database's work on a batch (COPY, change log, commit: most of it in the server process)
    # and the hand-on to the search index run in a thread with its own connection, while this
    # thread looks up and restores the next batch: the server and the importer work at the same
    # time instead of taking turns. One batch in flight; a batch that needs the database to hold
    # every batch before it (the same identifier twice in the run, a fingerprint brought up to
    # date) waits for the writer first. Inside a transaction (tests) the batches are written in
    # this thread (another connection could not see what the transaction holds).

    def _start_writer(self) -> None:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            self.write_thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="import-writer")

    def _drain(self) -> None:
        """Wait until the batch in flight is written (its error, if any, is raised here)."""
        in_flight, self.in_flight = self.in_flight, None
        if in_flight is not None:
            in_flight.result()

    def _stop_writer(self) -> None:
        write_thread = self.write_thread
        if write_thread is None:
            return
        try:
            self._drain()
            if self.progress:
                self.progress(self.report)  # (the batches' progress was shown one batch behind)
        finally:
            write_thread.submit(lambda: connection.close()).result()  # (the writer thread's own connection)
            write_thread.shutdown()
            self.write_thread = None

    def _submit(self, write: Callable[[], None]) -> None:
        if self.write_thread is None:
            write()
            return
        self._drain()
        language = translation.get_language()  # (a thread's language is its own)

        def in_language() -> None:
            with translation.override(language):
                write()

        self.in_flight = self.write_thread.submit(in_language)

    def _imported(self, items: list[Item]) -> set[str]:
        """The fingerprints of these lines that were imported before (one indexed look-up)."""
        prints = [item.fingerprint for item in items if item.raw is not None]
        if not prints:
            return set()
        if connection.vendor == "postgresql":
            # One text parameter, split into an array by the server: a tenth of the time of 500
            # parameters, or of a list that the client turns into an array (fingerprints are hex).
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT source_hash FROM library_document WHERE source_hash = ANY(string_to_array(%s, ','))",
                    [",".join(prints)],
                )
                return {row[0] for row in cursor.fetchall()}
        return set(Document.objects.filter(source_hash__in=prints).values_list("source_hash", flat=True))

    def _known(self, identifiers: list[str]) -> dict[str, tuple[int | None, str]]:
        """The documents imported before under these source identifiers: identifier -> (id,
        fingerprint)."""
        if not identifiers:
            return {}
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # (Identifiers may hold any character: as one JSON text, dumped in C.)
                cursor.execute(
                    "SELECT source_id, id, source_hash FROM library_document "
                    "WHERE source_id = ANY(ARRAY(SELECT json_array_elements_text(%s::json)))",
                    [json.dumps(identifiers)],
                )
                rows = cursor.fetchall()
        else:
            rows = list(
                Document.objects.filter(source_id__in=identifiers).values_list("source_id", "pk", "source_hash")
            )
        return {source_id: (pk, source_hash) for source_id, pk, source_hash in rows if source_id}

    def _read_ahead(self, items: list[Item]) -> Ahead | None:
        """With bulk indexing: the lines not imported before are handed to the analysis processes
        (_read) now; _batch takes the result. (Whether a line repeats one of this run is decided
        again then, when the batches before it are written.)"""
        if self.indexer is None:
            return None
        imported = self._imported(items)
        sent = [
            item
            for item in items
            if item.error == ""
            and not (item.raw is not None and (item.fingerprint in imported or item.fingerprint in self.seen_prints))
        ]
        entries = [(item.raw, item.record if item.raw is None else None, item.fingerprint) for item in sent]
        lookups = self.lookups if self.indexer.pool is None else None
        return imported, sent, self.indexer.submit(_read, entries, lookups)

    def _reads(self, ahead: Ahead) -> tuple[dict[int, Read], Vocabulary]:
        """What the analysis processes made of a batch read ahead, by item (id), and the
        vocabulary of the records in it that can be imported."""
        _imported, sent, result = ahead
        reads, vocabulary = result.get()
        return {id(item): Read(*read) for item, read in zip(sent, reads, strict=True)}, vocabulary

    def _restored(self, read: Read, print_: str) -> Mapped:
        """A mapping from an analysis process, with the body and topics of this process."""
        fields = read.fields
        assert fields is not None
        fields["body"] = self.lookups.bodies_by_pk[fields["body"]]
        topics = [self.lookups.topics_by_pk[pk] for pk in read.topics]
        return Mapped(read.identifier, fields, topics, print_, read.warnings, texts=read.texts)

    def _enqueue_indexing(self) -> None:
        search_index.apply_later()

    def _problem(self, item: Item, identifier: str, reason: str) -> None:
        self.report.problems.append(Problem(item.where, identifier, reason))

    def _batch(self, items: list[Item], ahead: Ahead | None = None) -> None:
        # Lines whose bytes were imported before (one indexed look-up) are not even parsed.
        imported = self._imported(items) if ahead is None else ahead[0]
        reads, vocabulary = self._reads(ahead) if ahead is not None else ({}, None)
        readable: list[tuple[Item, str, str, Read | None]] = []
        for item in items:
            if item.raw is not None and (item.fingerprint in imported or item.fingerprint in self.seen_prints):
                self.report.unchanged += 1
                continue
            read = reads.get(id(item))
            if read is None:  # (not read ahead)
                item.parse()
            elif read.error:
                item.error = read.error
            if item.error:
                self._problem(item, "", item.error)
                continue
            readable.append(
                (item, identifier_of(item.record) if read is None else read.identifier, item.fingerprint, read)
            )
        known = self._known([i for _item, i, _f, _r in readable if i])
        to_write: list[tuple[Item, Mapped, int | None]] = []
        refingerprinted: list[Document] = []
        for item, identifier, print_, read in readable:
            if identifier and (known.get(identifier, (None, None))[1] == print_ or self.seen.get(identifier) == print_):
                self.report.unchanged += 1
                continue
            stored_pk, stored = known.get(identifier, (None, ""))
            if item.raw is not None and stored_pk and identifier not in self.seen:
                item.parse()  # (read ahead: parsed in an analysis process)
            if (
                item.raw is not None
                and stored_pk
                and identifier not in self.seen
                and stored == fingerprint(item.record)
            ):
                # Imported before as a record of a JSON file (or before lines were fingerprinted by
                # their bytes): unchanged; only its fingerprint is brought up to date.
                refingerprinted.append(Document(pk=stored_pk, source_hash=print_))
                self.seen[identifier] = print_
                self.seen_prints.add(print_)
                self.report.unchanged += 1
                continue
            if read is not None:
                if read.problem:
                    self._problem(item, identifier, read.problem)
                    continue
                mapped = self._restored(read, print_)
            else:
                try:
                    mapped = map_record(item.record, self.lookups, fingerprint_=print_)
                except RecordError as error:
                    self._problem(item, identifier, str(error))
                    continue
            for warning in mapped.warnings:
                self.report.warnings.append(Problem(item.where, identifier, warning))
            if identifier in self.seen:
                # The same identifier twice in one run with different content: the last one wins.
                self._drain()
                known[identifier] = (
                    Document.objects.filter(source_id=identifier).values_list("pk", flat=True).first(),
                    "",
                )
                to_write = [w for w in to_write if w[1].identifier != identifier]
            self.seen[identifier] = print_
            self.seen_prints.add(print_)
            to_write.append((item, mapped, known.get(identifier, (None, None))[0]))
        if refingerprinted:
            self._drain()
            Document.objects.bulk_update(refingerprinted, ["source_hash"], batch_size=self.batch_size)
        mapped_here = sum(1 for one in reads.values() if one.fields is not None)
        self._submit(lambda: self._write_batch(to_write, vocabulary, mapped_here))
        self._refresh_statistics()
        self.batches += 1
        if self.defer_indexing and self.batches % INDEX_TASK_EVERY == 0 and to_write:
            # Workers can start indexing while the import goes on (each task takes what is left).
            self._enqueue_indexing()
        if self.progress:
            self.progress(self.report)

    def _write_batch(
        self, to_write: list[tuple[Item, Mapped, int | None]], vocabulary: Vocabulary | None, read: int
    ) -> None:
        """Write a batch in one transaction (a record the database refuses is found and reported,
        the others are written), then hand its new documents on to the bulk indexer."""
        if to_write:
            try:
                with transaction.atomic():
                    self._write(to_write)
            except Exception:  # noqa: BLE001 - isolate the record the database refuses
                self.prepared = []  # (rolled back)
                for one in to_write:
                    kept = len(self.prepared)
                    try:
                        with transaction.atomic():
                            self._write([one])
                    except Exception as error:  # noqa: BLE001
                        del self.prepared[kept:]
                        self._problem(one[0], one[1].identifier, _("could not be saved (%(error)s)") % {"error": error})
                        self.seen.pop(one[1].identifier, None)
                        self.seen_prints.discard(one[1].fingerprint)
        self._hand_on(vocabulary, read)

    def _refresh_statistics(self, *, final: bool = False) -> None:
        """PostgreSQL: ANALYZE the documents each time the import has doubled what it created (and
        at the end), as autovacuum would, only sooner. Without statistics on a freshly filled table
        the planner reads the look-ups by source id and fingerprint as whole-table scans: a re-run
        right after a large import took five times as long. During the import only the columns
        its look-ups use (a quarter of the time: the texts are what is slow to sample); at the end
        every column."""
        created = self.report.created
        due = created - self.analysed_at >= (1000 if final else max(1000, self.analysed_at))
        if connection.vendor != "postgresql" or not due:
            return
        columns = "" if final else f" ({LOOKUP_COLUMNS})"
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE library_document{columns}")
        self.analysed_at = created

    def _hand_on(self, vocabulary: Vocabulary | None = None, read: int = 0) -> None:
        """The documents of a committed batch to the bulk indexer, with their vocabulary: the one
        the analysis processes counted over the `read` records of the batch that can be imported
        when it is exactly those that were written as new (the rule), else counted here."""
        if not self.prepared:
            return
        assert self.indexer is not None
        written = [mapped for _documents, _changes, new in self.prepared for mapped in new]
        if vocabulary is None or len(written) != read or any(m.texts is None for m in written):
            examples: dict[str, str] = {}
            counts: Counter[str] = Counter()
            for mapped in written:
                found = search_index.analysed_texts(mapped.fields, [], [])[1]
                for stem, word in found.items():
                    examples.setdefault(stem, word)
                counts.update(found.keys())
            vocabulary = (examples, counts)
        documents = [values for documents, _changes, _new in self.prepared for values in documents]
        changes = [change for _documents, changes, _new in self.prepared for change in changes]
        self.indexer.add(documents, changes, vocabulary)
        self.prepared = []

    def _write(self, writes: list[tuple[Item, Mapped, int | None]]) -> None:
        new = [m for _i, m, pk in writes if pk is None]
        if self.bulk_index and connection.vendor == "postgresql":
            # The batch's commit does not wait for its WAL to reach the disk (the next batches go
            # on meanwhile). A crash of the database server can lose the last batches committed
            # (well under a second of them), never part of one; the next run imports them again.
            # The bulk indexer makes the WAL durable before it commits the search index
            # (search_index.BulkIndexer.commit), so the index never holds a lost document.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        shared_at: dict[str, Any] = {}
        if connection.vendor == "postgresql":
            by_identifier, moment = _copy_new(new)
            shared_at = dict.fromkeys(by_identifier, moment)
        else:
            documents = Document.objects.bulk_create(
                [
                    Document(
                        **m.fields,
                        source=Document.Source.IMPORT,
                        source_id=m.identifier,
                        source_hash=m.fingerprint,
                        visibility=Document.Visibility.PUBLIC,
                    )
                    for m in new
                ],
                batch_size=self.batch_size,
            )
            by_identifier = {d.source_id: d.pk for d in documents if d.source_id}
            shared_at = {d.source_id: d.shared_at for d in documents if d.source_id}
            _add_topics([(by_identifier[m.identifier], m.topics) for m in new])
        updated = []
        for _item, mapped, pk in writes:
            if pk is None:
                continue
            document = Document.objects.get(pk=pk)
            for name, value in mapped.fields.items():
                setattr(document, name, value)
            document.source_hash = mapped.fingerprint
            document.save()
            updated.append(document.pk)
        if updated:
            Document.topics.through.objects.filter(document_id__in=updated).delete()
            _add_topics([(pk, m.topics) for _i, m, pk in writes if pk is not None])
        if self.bulk_index and new:
            self._prepare(new, by_identifier, shared_at)
        elif self.defer_indexing and new:
            # Logged only: the worker is asked every INDEX_TASK_EVERY batches and at the end.
            SearchChange.objects.bulk_create(
                [SearchChange(document_id=pk, op=SearchChange.Op.INDEX) for pk in by_identifier.values()]
            )
        elif new:
            search_index.record_changes(list(by_identifier.values()), SearchChange.Op.INDEX)
        if updated:
            engine.index_documents(engine.ready_for_indexing(updated))
        self.report.created += len(new)
        self.report.updated += len(updated)

    def _prepare(self, new: list[Mapped], by_identifier: dict[str, int], shared_at: dict[str, Any]) -> None:
        """Log the new documents in the search change log (this transaction) and keep what the
        index needs of them from the records in memory (their fields: the texts analysed ahead,
        search_index.analysed_texts, and search_index.facet_values), for _hand_on."""
        documents: list[dict[str, Any]] = []
        ids: list[int] = []
        public = Document.Visibility.PUBLIC
        bodies: dict[int, tuple[str, int, int | None]] = {}
        names = [n for n in search_index.PREPARED_FIELDS if n not in ("shared_at", "visibility")]
        for mapped in new:
            fields = mapped.fields
            body = fields["body"]
            if body.pk not in bodies:
                bodies[body.pk] = search_index.body_key(body)
            values = {name: fields[name] for name in names}
            values.update(shared_at=shared_at[mapped.identifier], visibility=public)
            # Imported: no submitters on the platform, no attachments.
            texts = mapped.texts or search_index.analysed_texts(values, [], [])[0]
            pk = by_identifier[mapped.identifier]
            topics = [t.pk for t in mapped.topics]
            documents.append({**texts, **search_index.facet_values(pk, values, bodies[body.pk], topics)})
            ids.append(pk)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO library_searchchange (document_id, op, created) "
                    "SELECT unnest(string_to_array(%s, ',')::bigint[]), %s, now() RETURNING id",
                    [",".join(map(str, ids)), SearchChange.Op.INDEX],
                )
                changes = [row[0] for row in cursor.fetchall()]
        else:
            rows = SearchChange.objects.bulk_create(
                [SearchChange(document_id=pk, op=SearchChange.Op.INDEX) for pk in ids]
            )
            changes = [row.id for row in rows]
        self.prepared.append((documents, changes, new))


def _add_topics(rows: list[tuple[int, list[Topic]]]) -> None:
    through = Document.topics.through
    through.objects.bulk_create(
        [through(document_id=pk, topic_id=t.pk) for pk, topics in rows for t in topics], batch_size=2000
    )


def _copy_new(new: list[Mapped]) -> tuple[dict[str, int], datetime.datetime]:
    """PostgreSQL: the new documents and their topics with COPY, the ids taken from the sequence
    first (a tenth of the time of INSERTs through the ORM). Returns identifier -> id, and the
    moment they were shared."""
    template = Document(source=Document.Source.IMPORT, visibility=Document.Visibility.PUBLIC)
    if not new:
        return {}, template.shared_at
    fields = [f for f in Document._meta.concrete_fields if not f.primary_key]
    # Every column not mapped from the record: its default (timestamps: now), prepared once.
    base = {f.name: f.get_db_prep_save(f.pre_save(template, True), connection) for f in fields}
    json_fields = {f.name: f for f in fields if isinstance(f, models.JSONField)}
    columns = ", ".join(["id", *(str(f.column) for f in fields)])
    names = [f.name for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('library_document', 'id')) FROM generate_series(1, %s)",
            [len(new)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(f"COPY library_document ({columns}) FROM STDIN") as copy:
            for pk, mapped in zip(ids, new, strict=True):
                values = dict(base, source_id=mapped.identifier, source_hash=mapped.fingerprint)
                for name, value in mapped.fields.items():
                    if name in json_fields:
                        value = json_fields[name].get_db_prep_save(value, connection)
                    elif isinstance(value, models.Model):
                        value = value.pk
                    values[name] = value
                copy.write_row([pk, *(values[name] for name in names)])
        with raw.copy("COPY library_document_topics (document_id, topic_id) FROM STDIN") as copy:
            for pk, mapped in zip(ids, new, strict=True):
                for topic in mapped.topics:
                    copy.write_row((pk, topic.pk))
    return {m.identifier: pk for pk, m in zip(ids, new, strict=True)}, template.shared_at


def pending_documents() -> models.QuerySet[Document]:
    """Shared documents whose entries in the search change log the index has not applied yet."""
    return Document.objects.filter(status=Document.Status.PUBLISHED, pk__in=SearchChange.objects.values("document_id"))


def resolve_links() -> int:
    """Link amendments to what they amend and answers to their questions, by source identifier,
    for every document whose target has been imported by now."""
    changed = 0
    for field_name, source_field in (("amends", "amends_source"), ("answers_to", "answers_source")):
        targets = Document.objects.filter(source_id=OuterRef(source_field))
        pending = Document.objects.exclude(**{source_field: ""}).filter(**{f"{field_name}__isnull": True})
        resolvable = pending.filter(Exists(targets))
        if resolvable.exists():  # (a re-run then only reads)
            changed += resolvable.update(**{field_name: Subquery(targets.values("pk")[:1])})
    return changed


# --- CSV ---------------------------------------------------------------------------------------------

CSV_COLUMNS = [
    ("id", _("Your identifier of the document (optional; makes a second import update instead of duplicate)")),
    ("kind", _("motie, amendement, schriftelijke vragen, initiatiefvoorstel or overig")),
    ("title", _("Title (required)")),
    ("council", _("Municipality, province or water board: name or code such as GM0193 (required)")),
    ("date", _("Meeting date, e.g. 2024-05-16")),
    ("subject", _("Agenda item or subject")),
    ("submitters", _("Names with party, separated by ';'")),
    ("parties", _("Parties, separated by ';'")),
    ("result", _("aangenomen, verworpen, ingetrokken or aangehouden")),
    ("votes_for", _("Number of votes for")),
    ("votes_against", _("Number of votes against")),
    ("topics", _("Topics from the topic list, separated by ';'")),
    ("text", _("The text of the document")),
    ("url", _("Link to the source")),
]


def _csv_record(row: dict[str, str]) -> dict[str, Any]:
    get = lambda name: (row.get(name) or "").strip()  # noqa: E731
    identifier = (
        get("id")
        or "csv:"
        + hashlib.sha256("|".join([get("council").lower(), get("title").lower(), get("date")]).encode()).hexdigest()[
            :32
        ]
    )
    split = lambda value: [v.strip() for v in value.split(";") if v.strip()]  # noqa: E731
    record: dict[str, Any] = {
        "@id": identifier,
        "@type": get("kind") or "motie",
        "name": get("title"),
        "organization": get("council"),
        "date": get("date"),
        "subject": get("subject"),
        "creator": split(get("submitters")),
        "parties": split(get("parties")),
        "result": get("result"),
        "topics": split(get("topics")),
        "text": get("text"),
        "url": get("url"),
    }
    if get("votes_for") or get("votes_against"):
        record["votes"] = {"for": get("votes_for") or None, "against": get("votes_against") or None}
    return record


def check_csv(*, name: str, content: bytes, uploaded_by: Any) -> ImportRun:
    """The dry run: read and check every row; nothing is imported yet."""
    if len(content) > MAX_CSV_BYTES:
        raise ValidationError(_("The file is larger than 20 MB; split it into smaller files."))
    if not uploads.is_text(content):
        raise ValidationError(_("This is not a CSV file. Save the list as CSV (comma or semicolon separated)."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    columns = {c.strip().lower() for c in reader.fieldnames or []}
    missing = {"title", "council"} - columns
    if missing:
        raise ValidationError(
            _("The first row must hold the column names; missing: %(columns)s.")
            % {"columns": ", ".join(sorted(missing))}
        )
    lookups = Lookups()
    rows = []
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "") for k, v in raw.items() if k}
        record = _csv_record(row)
        errors, warnings = [], []
        try:
            mapped = map_record(record, lookups)
            warnings = mapped.warnings
        except RecordError as error:
            errors.append(str(error))
        rows.append({"line": number, "record": record, "errors": errors, "warnings": warnings})
    if not rows:
        raise ValidationError(_("The file holds no rows below the column names."))
    return ImportRun.objects.create(file_name=name[:200], uploaded_by=uploaded_by, rows=rows)


def apply_csv(*, run: ImportRun) -> dict[str, int]:
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run.pk)
        if run.imported_at is not None:
            return {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
        report = Importer().run(Item(f"{run.file_name}:{row['line']}", row["record"]) for row in run.rows)
        run.imported_at = timezone.now()
        run.save(update_fields=["imported_at"])
    return report.counts()
