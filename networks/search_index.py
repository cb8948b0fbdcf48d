"""The networks' search index: questions, discussions and replies in an embedded tantivy index of
their own (BM25), built like the library's (library.search_index) and analysed by the same code
(core.analysis: folding, Dutch stemming), so "kinderopvangtoeslagen" finds "kinderopvangtoeslag".

- One index document per visible post: its text (mentions left out: a name is never a search
  term, and an erased member's name must not linger), the conversation's title on the opening
  post, and as fast fields the network (the permission filter), the thread, the kind, and a date
  to sort on. Hidden posts, and every post of a hidden conversation, are not in it.
- Maintenance: every change to a post's searchable state (written, hidden, shown again) writes
  a networks.SearchChange row in the same transaction. One writer, the background worker (task
  networks.tasks.apply_search_changes, and the hourly housekeeping as a safety net), applies the
  log under a file lock; `manage.py networks_search_index --catch-up | --rebuild` does it by hand.
  With LIBRARY_SEARCH_APPLY_INLINE (tests, benches) the log is applied at once, as the library's.
- Reading: networks.search filters by the networks the user may read at query time and checks
  every result page against the database again, so an index that lags a change never shows a
  post someone may not (or no longer) read.
- Directory: settings.NETWORKS_SEARCH_INDEX_DIR (default var/network-search-index/); None keeps
  the index in memory (the tests: one per test). Posts are encrypted at rest in the database;
  the index holds their stemmed words (not the text itself): keep the directory on the same
  protected storage as the database.
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

from . import text as post_text
from .models import Post, SearchChange

TEXT_FIELDS = ("title", "body")
MAX_FIELD_CHARS = 100_000
WRITER_HEAP = 15_000_000
BATCH = 500


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="position")
    builder.add_text_field("kind", tokenizer_name="raw", fast=True)
    for name in ("network", "thread", "sortdate"):
        builder.add_integer_field(name, indexed=True, fast=True)
    builder.add_boolean_field("opening", indexed=True, fast=True)
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
    value = getattr(settings, "NETWORKS_SEARCH_INDEX_DIR", None)
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


def searcher() -> tantivy.Searcher:
    state = get_index()
    state.index.reload()
    return state.index.searcher()


# --- the change log ----------------------------------------------------------------------------------


def record_changes(post_ids: Iterable[int], op: str) -> None:
    """Log that these posts changed (in the caller's transaction); the index follows when the
    writer applies the log: at once with LIBRARY_SEARCH_APPLY_INLINE, otherwise the background
    worker after the commit."""
    if op not in SearchChange.Op.values:
        raise ValueError(f"Unknown search change {op!r}: use one of {SearchChange.Op.values}")
    rows = [SearchChange(post_id=pk, op=op) for pk in post_ids]
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
    """Run `work` with the one writer: a file lock across processes, a lock within the process."""
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
    """Apply the change log in order, in batches; returns the number of entries applied. Applying
    is idempotent: a post is indexed as the database has it now (or left out when hidden)."""
    state = get_index()

    def work(writer: tantivy.IndexWriter) -> int:
        applied = 0
        while True:
            # Every entry still in the log, not "after the cursor": transactions commit out of id
            # order. Applied entries are deleted; the cursor records the highest id applied.
            changes = list(SearchChange.objects.order_by("id").values_list("id", "post_id", "op")[:BATCH])
            if not changes:
                return applied
            last_op = {pk: op for _, pk, op in changes}  # the latest change of a post wins
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
    """Empty the index and add every visible post again, then apply what was logged meanwhile.
    Returns the number of posts indexed."""
    state = get_index()
    last = SearchChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ids = list(searchable_posts().order_by("pk").values_list("pk", flat=True))

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


def searchable_posts() -> Any:
    """The posts that belong in the index: visible, in a visible conversation."""
    return Post.objects.filter(hidden_at__isnull=True, thread__hidden_at__isnull=True)


def _replace(writer: tantivy.IndexWriter, ids: list[int], *, deleted: bool = False) -> None:
    """Remove these posts from the index and add those that are visible, as the database has them."""
    if not deleted:
        for pk in ids:
            writer.delete_documents_by_term("id", pk)
    for post in searchable_posts().filter(pk__in=ids).select_related("thread"):
        writer.add_document(tantivy.Document(**fields(post)))


def searchable_text(body: str) -> str:
    """A post's text without its mentions: names are not search terms (see the module's notes)."""
    return post_text.TOKEN.sub(" ", body)


def fields(post: Post) -> dict[str, Any]:
    thread = post.thread
    return {
        "id": post.pk,
        "network": thread.network_id,
        "thread": thread.pk,
        "kind": thread.kind,
        "opening": post.opening,
        "title": analysis.analyse(thread.title[:MAX_FIELD_CHARS]) if post.opening else "",
        "body": analysis.analyse(searchable_text(post.body)[:MAX_FIELD_CHARS]),
        # Newest first, ties by id: one integer, so a date sort is one fast field.
        "sortdate": int(post.created_at.timestamp()) * 2**20 + post.pk % 2**20,
    }
