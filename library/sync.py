"""Following a source's changes (manage.py sync_library, task library.tasks.sync_sources): new and
changed records are written as by import_ori (library.importing), withdrawn ones are removed from
the library and from search with a record of why (Withdrawal). See docs/IMPORT_ORI.md.

A source is read page by page from its cursor (SyncSource.cursor). Each page is fetched and checked
as a whole first (a page the feed got wrong is refused before anything is written); then its
records, its withdrawals, the new cursor and the counts are written in ONE transaction. An
interrupted run (even kill -9) has therefore either written a page completely, cursor included, or
not at all: the next run resumes at the first page not committed, nothing lost, nothing twice.

Formats (library.SyncSource.Kind):
- ORI: Open Raadsinformatie's Elasticsearch `_search` (hits with `_source` records in the import_ori
  shape), followed in `date_modified` order with `search_after`; or a directory of saved responses.
- OpenBesluitvorming: the export API, `/api/export/snapshot` (the current state, first run) and then
  `/api/export/changes` (upserts and deletes), NDJSON with the X-Next-Cursor / X-Has-More /
  X-Changes-Cursor headers.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import engine, importing
from .models import Document, SyncSource, Withdrawal

PAGE_SIZE = 500
TIMEOUT = 60
USER_AGENT = "raadhuis library sync (+https://github.com/raadhuis)"
# created/updated/unchanged/skipped: as import_ori; withdrawn: removed from the library; absent: a
# withdrawal of a record the library does not have; ignored: types the library does not hold.
COUNTS = ("created", "updated", "unchanged", "withdrawn", "absent", "skipped", "ignored")


class FeedError(Exception):
    """The source answered something that is not a valid page of its format (or did not answer);
    the message says what and where. Nothing of that page is written."""


class SyncConflict(Exception):
    """Another run of the same source moved its cursor meanwhile; this run stops."""


@dataclass
class Change:
    """One entry of a page: a record to write (op "upsert") or an identifier to withdraw ("delete")."""

    op: str
    identifier: str
    where: str
    record: dict[str, Any] | None = None
    reason: str = ""
    fingerprint: str = ""  # the source's own content hash, when it gives one


@dataclass
class Page:
    changes: list[Change]
    cursor: dict[str, Any]  # the position after this page
    has_more: bool
    remaining: int | None = None  # changes from this page's start to the end, when the source says
    ignored: int = 0  # entries of types the library does not hold (meetings, recordings...)


@dataclass
class RunReport:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    pages: int = 0
    problems: list[importing.Problem] = field(default_factory=list)
    total: int | None = None  # what the first page said was left, for the percentage
    complete: bool = False

    @property
    def processed(self) -> int:
        return sum(self.counts.values())


class _FeedItem(importing.Item):
    """An import item whose fingerprint is the source's content hash (when it gives one), so an
    unchanged record is recognised without fetching its text."""

    given_fingerprint: str = ""

    @functools.cached_property
    def fingerprint(self) -> str:
        return self.given_fingerprint or importing.fingerprint(self.record)


# --- the formats -------------------------------------------------------------------------------------


def _session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session


def _join_text(value: Any) -> Any:
    """ORI v1 gives a document's text as a list of pages."""
    if isinstance(value, list):
        return "\n\n".join(str(page) for page in value if page not in (None, ""))
    return value


class OriFeed:
    """Open Raadsinformatie (Classic): Elasticsearch hits in `date_modified` order, `_id` breaking
    ties; the cursor is the sort values of the last hit written. A hit whose `_source` has
    `"deleted": true` (a tombstone, with an optional `reason`) withdraws the record."""

    def __init__(self, source: SyncSource):
        self.source = source
        self.location = source.location
        self.session = _session() if self.location.startswith(("http://", "https://")) else None
        self._saved: tuple[list[dict[str, Any]], list[list[str]]] | None = None  # files read once per run

    def fetch(self, cursor: dict[str, Any], limit: int) -> Page:
        after = cursor.get("after")
        if self.session is not None:
            hits, remaining = self._search(after, limit)
        else:
            hits, remaining = self._from_files(after, limit)
        changes = [self._change(hit, f"{self.location}#{self._sort(hit)}") for hit in hits]
        last = self._sort(hits[-1]) if hits else after
        return Page(
            changes=changes,
            cursor={"after": last} if last else {},
            has_more=bool(hits) and (remaining > len(hits) if self.session is None else len(hits) >= limit),
            remaining=remaining,
        )

    @staticmethod
    def _sort(hit: dict[str, Any]) -> list[str]:
        sort = hit.get("sort")
        if isinstance(sort, list) and len(sort) == 2:
            return [str(sort[0]), str(sort[1])]
        source = hit.get("_source") or {}
        return [str(source.get("date_modified") or ""), str(hit.get("_id") or source.get("@id") or "")]

    def _search(self, after: list[str] | None, limit: int) -> tuple[list[dict[str, Any]], int]:
        assert self.session is not None
        query: dict[str, Any] = {
            "size": limit,
            "sort": [{"date_modified": "asc"}, {"_id": "asc"}],
            "track_total_hits": True,
            "query": {"range": {"date_modified": {"gte": after[0]}}} if after else {"match_all": {}},
        }
        if after:
            query["search_after"] = after
        try:
            response = self.session.post(self.location, json=query, timeout=TIMEOUT)
        except requests.RequestException as error:
            raise FeedError(
                _("%(location)s did not answer: %(error)s") % {"location": self.location, "error": error}
            ) from error
        if response.status_code != 200:
            raise FeedError(
                _("%(location)s answered %(status)s") % {"location": self.location, "status": response.status_code}
            )
        try:
            data = response.json()
        except ValueError as error:
            raise FeedError(
                _("%(location)s: not valid JSON (%(error)s)") % {"location": self.location, "error": error}
            ) from error
        hits = self._hits(data, self.location)
        total = data["hits"].get("total")
        remaining = total.get("value") if isinstance(total, dict) else total
        # (For the percentage only: the range includes the hits of the cursor's own date.)
        if not isinstance(remaining, int):
            remaining = len(hits)
        return hits, max(remaining, len(hits))

    @staticmethod
    def _hits(data: Any, where: str) -> list[dict[str, Any]]:
        if not isinstance(data, dict) or not isinstance(data.get("hits"), dict):
            raise FeedError(_("%(where)s: not an Elasticsearch answer (no hits)") % {"where": where})
        hits = data["hits"].get("hits")
        if not isinstance(hits, list) or not all(
            isinstance(h, dict) and isinstance(h.get("_source"), dict) for h in hits
        ):
            raise FeedError(_("%(where)s: hits without _source") % {"where": where})
        return hits

    def _from_files(self, after: list[str] | None, limit: int) -> tuple[list[dict[str, Any]], int]:
        """Saved answers: read and sorted once per run, then each page is a slice after the cursor."""
        if self._saved is None:
            path = Path(self.location)
            if not path.exists():
                raise FeedError(_("%(location)s does not exist.") % {"location": self.location})
            files = sorted(path.glob("*.json")) if path.is_dir() else [path]
            hits: list[dict[str, Any]] = []
            for file in files:
                try:
                    data = json.loads(file.read_text(encoding="utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError) as error:
                    raise FeedError(
                        _("%(where)s: not valid JSON (%(error)s)") % {"where": file, "error": error}
                    ) from error
                hits.extend(self._hits(data, str(file)))
            hits.sort(key=self._sort)
            self._saved = (hits, [self._sort(hit) for hit in hits])
        hits, keys = self._saved
        start = bisect.bisect_right(keys, after) if after else 0
        return hits[start : start + limit], len(hits) - start

    def _change(self, hit: dict[str, Any], where: str) -> Change:
        record = dict(hit["_source"])
        identifier = importing.identifier_of(record) or str(hit.get("_id") or "").strip()[:200]
        if not identifier:
            raise FeedError(_("%(where)s: a hit without @id or _id") % {"where": where})
        if record.get("deleted") is True:
            return Change("delete", identifier, where, reason=str(record.get("reason") or "")[:300])
        record["@id"] = identifier
        record["text"] = _join_text(record.get("text") or record.get("md_text"))
        if not (record.get("organization") or record.get("publisher")):
            named = record.get("has_organization_name")
            if isinstance(named, str) and named.strip() and not named.strip().isdigit():
                record["organization"] = named
            elif self.source.body is not None:
                record["organization"] = {"identifier": self.source.body.code, "name": self.source.body.name}
        if not (record.get("date") or record.get("start_date")) and record.get("last_discussed_at"):
            record["date"] = record["last_discussed_at"]
        return Change("upsert", identifier, where, record=record)


# OpenBesluitvorming entity types the library holds, and how they are imported.
OBV_TYPES = {"Motion", "Document"}


class OpenBesluitvormingFeed:
    """OpenBesluitvorming's export: the snapshot first (its first page gives the changes cursor),
    then the changes feed. The cursor: {"phase": "snapshot"|"changes", "cursor": ..., "changes_cursor": ...}.
    Records are compact; a Document's text is fetched from /api/entities/{id} (markdownText), only
    for records whose content hash the library does not have yet."""

    def __init__(self, source: SyncSource):
        if not source.location.startswith(("http://", "https://")):
            raise FeedError(_("%(location)s: OpenBesluitvorming is read over HTTP(S).") % {"location": source.location})
        if not source.source_key:
            raise FeedError(_("%(name)s: no source key.") % {"name": source.name})
        self.source = source
        self.base = source.location.rstrip("/")
        self.session = _session()

    def _get(self, path: str, params: dict[str, Any]) -> requests.Response:
        url = self.base + path
        try:
            response = self.session.get(url, params=params, timeout=TIMEOUT)
        except requests.RequestException as error:
            raise FeedError(_("%(location)s did not answer: %(error)s") % {"location": url, "error": error}) from error
        if response.status_code != 200:
            raise FeedError(_("%(location)s answered %(status)s") % {"location": url, "status": response.status_code})
        return response

    def fetch(self, cursor: dict[str, Any], limit: int) -> Page:
        phase = cursor.get("phase", "snapshot")
        params: dict[str, Any] = {"source": self.source.source_key, "limit": limit}
        if cursor.get("cursor"):
            params["cursor"] = cursor["cursor"]
        path = "/api/export/snapshot" if phase == "snapshot" else "/api/export/changes"
        response = self._get(path, params)
        where = f"{self.base}{path}?cursor={params.get('cursor', '')}"
        next_cursor = response.headers.get("X-Next-Cursor", "")
        has_more = response.headers.get("X-Has-More", "").lower() == "true"
        changes_cursor = cursor.get("changes_cursor", "")
        if phase == "snapshot" and not cursor.get("cursor"):
            changes_cursor = response.headers.get("X-Changes-Cursor", "")
            if "X-Changes-Cursor" not in response.headers:
                raise FeedError(_("%(where)s: the first snapshot page has no X-Changes-Cursor") % {"where": where})
        if has_more and not next_cursor:
            raise FeedError(_("%(where)s: more pages, but no X-Next-Cursor") % {"where": where})
        changes, ignored = self._parse(response.content, where)
        if phase == "snapshot" and not has_more:
            new_cursor = {"phase": "changes", "cursor": changes_cursor}
            has_more = True  # the changes since the snapshot began come next
        else:
            new_cursor = {"phase": phase, "cursor": next_cursor or cursor.get("cursor", "")}
            if phase == "snapshot":
                new_cursor["changes_cursor"] = changes_cursor
        if not changes and not ignored and new_cursor == cursor:
            has_more = False  # (a feed that says "more" without moving on must not loop)
        return Page(changes=changes, cursor=new_cursor, has_more=has_more, ignored=ignored)

    def _parse(self, content: bytes, where: str) -> tuple[list[Change], int]:
        changes: list[Change] = []
        ignored = 0
        for number, line in enumerate(content.splitlines(), start=1):
            if not line.strip():
                continue
            here = f"{where}:{number}"
            try:
                entry = json.loads(line)
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                raise FeedError(_("%(where)s: not valid JSON (%(error)s)") % {"where": here, "error": error}) from error
            if not isinstance(entry, dict) or not entry.get("entity_id") or entry.get("op") not in ("upsert", "delete"):
                raise FeedError(_("%(where)s: not an export record (entity_id, op)") % {"where": here})
            identifier = str(entry["entity_id"]).replace("\x00", "").strip()[:200]
            if entry.get("seq") is not None:
                here = f"{where} seq {entry['seq']}"
            if entry["op"] == "delete":
                reason = str(entry.get("reason") or "")[:300]
                changes.append(Change("delete", identifier, here, reason=reason))
                continue
            if entry.get("entity_type") not in OBV_TYPES:
                ignored += 1
                continue
            payload = entry.get("payload")
            if not isinstance(payload, dict):
                raise FeedError(_("%(where)s: an upsert without payload") % {"where": here})
            changes.append(
                Change(
                    "upsert",
                    identifier,
                    here,
                    record=self._record(identifier, entry["entity_type"], payload),
                    fingerprint=_hash_of(entry.get("content_hash")),
                )
            )
        return changes, ignored

    def _record(self, identifier: str, entity_type: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The export payload in the import_ori record shape."""
        motion: dict[str, Any] = payload["motion"] if isinstance(payload.get("motion"), dict) else payload
        record: dict[str, Any] = {
            "@id": identifier,
            "name": payload.get("name") or payload.get("title") or motion.get("name"),
            "date": payload.get("date") or payload.get("start_date") or payload.get("sortDate"),
            "url": payload.get("original_url") or payload.get("downloadUrl") or payload.get("download_url"),
            "text": payload.get("text") or payload.get("markdownText"),
        }
        organisation = payload.get("organization")
        if self.source.body is not None:
            record["organization"] = {"identifier": self.source.body.code, "name": self.source.body.name}
        elif organisation:
            record["organization"] = organisation
        if entity_type == "Motion":
            kind = str(motion.get("motion_type") or "").lower()
            record["@type"] = "Amendment" if "amendement" in kind or "amendment" in kind else "Motion"
            record["result"] = motion.get("result")
            tally = motion.get("tally") if isinstance(motion.get("tally"), dict) else {}
            if tally:
                record["votes"] = {"for": tally.get("in_favour"), "against": tally.get("against")}
            record["parties"] = motion.get("parties") or []
            record["creator"] = motion.get("proposers") or motion.get("submitters") or []
        else:
            record["@type"] = "Document"
        return record

    def fetch_text(self, change: Change) -> None:
        """A document's full text (markdownText of /api/entities/{id}), when the record has none."""
        assert change.record is not None
        if change.record.get("text"):
            return
        response = self._get("/api/entities/" + quote(change.identifier, safe=""), {})
        try:
            detail = response.json()
        except ValueError as error:
            raise FeedError(
                _("%(where)s: not valid JSON (%(error)s)") % {"where": change.where, "error": error}
            ) from error
        if isinstance(detail, dict):
            change.record["text"] = detail.get("markdownText") or ""


def _hash_of(content_hash: Any) -> str:
    """The library's fingerprint of a record the source gives a content hash for."""
    if not content_hash:
        return ""
    return hashlib.sha256(f"openbesluitvorming:{content_hash}".encode()).hexdigest()


def feed_for(source: SyncSource) -> OriFeed | OpenBesluitvormingFeed:
    if source.kind == SyncSource.Kind.ORI:
        return OriFeed(source)
    if source.kind == SyncSource.Kind.OPENBESLUITVORMING:
        return OpenBesluitvormingFeed(source)
    raise FeedError(_("%(name)s: unknown format '%(kind)s'") % {"name": source.name, "kind": source.kind})


# --- writing ------------------------------------------------------------------------------------------


def withdraw(changes: list[Change], *, source: SyncSource | None) -> int:
    """Remove these imported documents from the library and from search (in the caller's
    transaction), each with a Withdrawal saying why. Returns how many were in the library."""
    wanted = {change.identifier: change for change in changes}
    documents = list(
        Document.objects.filter(source_id__in=list(wanted), source=Document.Source.IMPORT).select_related("body")
    )
    if not documents:
        return 0
    now = timezone.now()
    Withdrawal.objects.bulk_create(
        [
            Withdrawal(
                sync_source=source,
                source_id=document.source_id or "",
                document_pk=document.pk,
                title=document.title,
                body=document.body,
                reason=wanted[document.source_id or ""].reason or _("Withdrawn by the source."),
                position=wanted[document.source_id or ""].where[-200:],
                withdrawn_at=now,
            )
            for document in documents
        ]
    )
    ids = [document.pk for document in documents]
    engine.remove_documents(ids)
    Document.objects.filter(pk__in=ids).delete()
    return len(ids)


def _test_pause(number: int, stdout: Any) -> None:
    """For the interruption test only: LIBRARY_SYNC_TEST_PAUSE="<page>:<seconds>" holds the
    transaction of that page open (records written, not committed) so the test can kill the run."""
    value = os.environ.get("LIBRARY_SYNC_TEST_PAUSE", "")
    if not value:
        return
    page, _sep, seconds = value.partition(":")
    if page.isdigit() and int(page) == number:
        stdout.write(f"holding page {number}\n")
        stdout.flush()
        time.sleep(float(seconds or 60))


def _pages(feed: Any, source: SyncSource, limit: int) -> Iterator[tuple[dict[str, Any], Page]]:
    cursor = source.cursor
    while True:
        page = feed.fetch(cursor, limit)
        yield cursor, page
        if not page.has_more:
            return
        cursor = page.cursor


def run(
    source: SyncSource,
    *,
    page_size: int = PAGE_SIZE,
    max_pages: int | None = None,
    index_now: bool = False,
    progress: Callable[[RunReport, Page], None] | None = None,
    stdout: Any = None,
) -> RunReport:
    """Follow the source from its cursor to the end (or `max_pages`). Raises FeedError or
    SyncConflict; the pages written before stay written, and the source records the error."""
    report = RunReport()
    SyncSource.objects.filter(pk=source.pk).update(last_run_at=timezone.now())
    importer = _PageImporter(batch_size=max(page_size, 1), defer_indexing=not index_now)
    try:
        feed = feed_for(source)
        for number, (cursor, page) in enumerate(_pages(feed, source, page_size), start=1):
            if report.total is None:
                report.total = page.remaining
            if isinstance(feed, OpenBesluitvormingFeed):
                _fetch_texts(feed, page)
            _write_page(source, importer, cursor, page, report, number, stdout)
            if progress:
                progress(report, page)
            if max_pages and number >= max_pages and page.has_more:
                break
        else:
            report.complete = True
        importer.finish()
    except (FeedError, SyncConflict) as error:
        importer.finish()
        _finish(source, report, SyncSource.Status.FAILED, str(error))
        raise
    except Exception as error:
        _finish(source, report, SyncSource.Status.FAILED, f"{type(error).__name__}: {error}")
        raise
    _finish(source, report, SyncSource.Status.OK if report.complete else SyncSource.Status.PARTIAL, "")
    return report


class _PageImporter(importing.Importer):
    """The importer's writing, one page (one batch) at a time inside the page's transaction. What
    import_ori does once at the end of its files (linking amendments and answers by source id,
    queueing the indexing of new documents) is done once per run (`finish`), not per page: both
    look at the whole library (at 50,000 documents the links alone took 0.2 s)."""

    def write(self, items: list[importing.Item]) -> importing.Report:
        # Its memory of the records seen serves one page: what earlier pages wrote is committed and
        # found in the database, and a record withdrawn and published again must be written again.
        self.seen.clear()
        self.seen_prints.clear()
        self.report = importing.Report()  # (this page's counts)
        self._batch(items)
        return self.report

    def finish(self) -> None:
        """Links to targets that arrived (also in an earlier, interrupted run), and a task for the
        workers when new documents wait to be indexed."""
        with transaction.atomic():
            importing.resolve_links()
        if self.defer_indexing and importing.pending_documents().exists():
            self._enqueue_indexing()


def _fetch_texts(feed: OpenBesluitvormingFeed, page: Page) -> None:
    """Full texts of the documents that are new or changed (by content hash) on this page."""
    upserts = [c for c in page.changes if c.op == "upsert" and c.record and c.record.get("@type") == "Document"]
    if not upserts:
        return
    known = dict(
        Document.objects.filter(source_id__in=[c.identifier for c in upserts]).values_list("source_id", "source_hash")
    )
    for change in upserts:
        if not change.fingerprint or known.get(change.identifier) != change.fingerprint:
            feed.fetch_text(change)


def _write_page(
    source: SyncSource,
    importer: _PageImporter,
    cursor: dict[str, Any],
    page: Page,
    report: RunReport,
    number: int,
    stdout: Any,
) -> None:
    counts = dict.fromkeys(COUNTS, 0)
    problems: list[importing.Problem] = []
    with transaction.atomic():
        locked = SyncSource.objects.select_for_update().get(pk=source.pk)
        if locked.cursor != cursor:
            raise SyncConflict(
                _("%(name)s: another run moved the position meanwhile; this run stops.") % {"name": source.name}
            )
        # Upserts and withdrawals in feed order: a record withdrawn and published again on one page
        # ends as the feed's last word says.
        for op, group in _runs(page.changes):
            if op == "delete":
                withdrawn = withdraw(group, source=source)
                counts["withdrawn"] += withdrawn
                counts["absent"] += len(group) - withdrawn
                continue
            items: list[importing.Item] = []
            for change in group:
                item = _FeedItem(change.where, change.record)
                item.given_fingerprint = change.fingerprint
                items.append(item)
            written = importer.write(items)
            for name, value in written.counts().items():
                counts[name] += value
            problems.extend(written.problems)
        counts["ignored"] = page.ignored
        totals = dict(locked.totals)
        for name, value in counts.items():
            totals[name] = totals.get(name, 0) + value
            report.counts[name] += value
        totals["pages"] = totals.get("pages", 0) + 1
        _test_pause(number, stdout or sys.stdout)
        locked.cursor = page.cursor
        locked.totals = totals
        locked.save(update_fields=["cursor", "totals"])
    source.cursor, source.totals = page.cursor, totals
    report.pages += 1
    report.problems.extend(problems)


def _runs(changes: list[Change]) -> Iterator[tuple[str, list[Change]]]:
    group: list[Change] = []
    for change in changes:
        if group and group[-1].op != change.op:
            yield group[0].op, group
            group = []
        group.append(change)
    if group:
        yield group[0].op, group


def _finish(source: SyncSource, report: RunReport, status: str, error: str) -> None:
    SyncSource.objects.filter(pk=source.pk).update(
        last_status=status, last_error=error[:2000], last_counts={**report.counts, "pages": report.pages}
    )
    source.refresh_from_db()


def due_sources() -> list[SyncSource]:
    return list(SyncSource.objects.filter(active=True).select_related("body").order_by("name"))
