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
  log under a file lock (core.search_index, shared with the library's index);
  `manage.py networks_search_index --catch-up | --rebuild` does it by hand.
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

from collections.abc import Iterable
from typing import Any

import tantivy

from core import analysis
from core.search_index import ChangeLogIndex

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


INDEX = ChangeLogIndex(
    schema=SCHEMA,
    setting="NETWORKS_SEARCH_INDEX_DIR",
    log_model=SearchChange,
    object_field="post_id",
    replace=lambda writer, ids, **options: _replace(writer, ids, **options),
    searchable_ids=lambda: list(searchable_posts().order_by("pk").values_list("pk", flat=True)),
    task="networks.tasks.apply_search_changes",
    writer_heap=WRITER_HEAP,
    batch=BATCH,
    rebuild_command="networks_search_index",
)

get_index = INDEX.get_index
reset = INDEX.reset
searcher = INDEX.searcher
cursor = INDEX.cursor
pending = INDEX.pending
apply_changes = INDEX.apply_changes
# rebuild(): every visible post again; returns the number indexed.
rebuild = INDEX.rebuild


def record_changes(post_ids: Iterable[int], op: str) -> None:
    """Log that these posts changed (in the caller's transaction); the index follows when the
    writer applies the log: at once with LIBRARY_SEARCH_APPLY_INLINE, otherwise the background
    worker after the commit."""
    if op not in SearchChange.Op.values:
        raise ValueError(f"Unknown search change {op!r}: use one of {SearchChange.Op.values}")
    INDEX.record_changes(post_ids, op)


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
