"""The machinery shared by the embedded tantivy search indexes (library.search_index and
networks.search_index): where an index lives, its one writer, and the change log it follows.

- The database is the source of truth. Every change to an object's searchable state writes a row
  in the app's change log (a model with `id`, the object's id in `object_field`, and `op`, whose
  `Op.REMOVE` takes the object out) in the same transaction as the change.
- One writer applies the log in order, in batches: the latest entry of an object wins; an object
  that stays is indexed as the database has it now (`replace`), so applying is idempotent.
  Applied entries are deleted and the highest applied id is recorded as the cursor (a file next to
  the index, or in memory).
- The writer holds a file lock in the index's directory across processes (a second writer waits)
  and a lock within the process; `writer_lock()` is that pair, for a writer of one's own.
- The directory is a setting (`setting`); None keeps the index in memory (the tests: `reset()`
  before each test gives an empty one). With LIBRARY_SEARCH_APPLY_INLINE the log is applied at
  once (tests, benches), otherwise the app's task is queued after the commit.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tantivy
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

BATCH = 500


@dataclass
class IndexState:
    index: tantivy.Index
    path: Path | None
    cursor: int = 0  # in memory only (path None)
    lock: threading.Lock = field(default_factory=threading.Lock)


class SchemaChanged(RuntimeError):
    """The index on disk was written with other fields than this version's: it must be rebuilt.
    `task`: the task that rebuilds it (its apply task does, on meeting this)."""

    def __init__(self, message: str, *, task: str = "") -> None:
        super().__init__(message)
        self.task = task


# replace(writer, ids, deleted=...): remove these objects from the index (unless `deleted`: the
# index was emptied) and add those that belong in it, as the database has them.
Replace = Callable[..., None]


class ChangeLogIndex:
    """One tantivy index kept up to date from a change log.

    `schema`: the index's fields; `setting`: the name of the setting with its directory;
    `log_model`: the change log; `object_field`: the log's column with the object's id;
    `replace`: see Replace; `searchable_ids`: the ids of every object that belongs in the index
    (rebuild()), in order; `task`: the dotted path of the task that applies the log;
    `writer_heap`: tantivy's memory budget for the writer; `held`: while it returns True,
    record_changes() only logs (a bulk indexer of this process applies the log when it is done);
    `rebuild_command`: an index on disk with other fields is refused (SchemaChanged, naming this
    command) and started anew by rebuild() (without it, tantivy's error stands);
    `on_reset`: what else reset() forgets."""

    def __init__(
        self,
        *,
        schema: tantivy.Schema,
        setting: str,
        log_model: Any,
        object_field: str,
        replace: Replace,
        searchable_ids: Callable[[], list[int]],
        task: str,
        writer_heap: int,
        batch: int = BATCH,
        held: Callable[[], bool] | None = None,
        rebuild_command: str | None = None,
        on_reset: Callable[[], None] | None = None,
    ) -> None:
        self.schema = schema
        self.setting = setting
        self.log_model = log_model
        self.object_field = object_field
        self.replace = replace
        self.searchable_ids = searchable_ids
        self.task = task
        self.writer_heap = writer_heap
        self.batch = batch
        self.held = held
        self.rebuild_command = rebuild_command
        self.on_reset = on_reset
        self._state: IndexState | None = None
        self._state_lock = threading.Lock()

    # --- the index ----------------------------------------------------------------------------------

    def index_dir(self) -> Path | None:
        value = getattr(settings, self.setting, None)
        return Path(value) if value else None

    def get_index(self, *, recreate: bool = False) -> IndexState:
        """The open index. An index on disk written with other fields (an older version) cannot be
        read: SchemaChanged says to rebuild it; `recreate` (the rebuild) starts it anew then."""
        with self._state_lock:
            path = self.index_dir()
            if self._state is None or self._state.path != path:
                if path is None:
                    self._state = IndexState(tantivy.Index(self.schema), None)
                else:
                    path.mkdir(parents=True, exist_ok=True)
                    self._state = IndexState(self._open(path, recreate=recreate), path)
            return self._state

    def _open(self, path: Path, *, recreate: bool) -> tantivy.Index:
        if self.rebuild_command is None:
            return tantivy.Index(self.schema, path=str(path))
        try:
            return tantivy.Index(self.schema, path=str(path))
        except ValueError as error:
            if "schema does not match" not in str(error):
                raise
            if not recreate:
                raise SchemaChanged(
                    f"The search index in {path} has other fields than this version: "
                    f"run `manage.py {self.rebuild_command} --rebuild` (migrate and the worker do it).",
                    task=self.task,
                ) from error
        for entry in path.iterdir():  # the index's own files; the lock file and the cursor stay
            if entry.is_file() and entry.name not in ("writer.lock", "cursor"):
                entry.unlink()
        return tantivy.Index(self.schema, path=str(path))

    def reset(self) -> None:
        """Forget the open index (the tests start each test with an empty in-memory one)."""
        with self._state_lock:
            self._state = None
        if self.on_reset is not None:
            self.on_reset()

    def searcher(self) -> tantivy.Searcher:
        """A searcher over what the writer committed so far (the index is reloaded first)."""
        state = self.get_index()
        state.index.reload()
        return state.index.searcher()

    # --- the change log -----------------------------------------------------------------------------

    def record_changes(self, ids: Iterable[int], op: str) -> None:
        """Log that these objects changed (in the caller's transaction); the index follows when
        the writer applies the log (apply_later)."""
        rows = [self.log_model(**{self.object_field: pk, "op": op}) for pk in ids]
        if not rows:
            return
        self.log_model.objects.bulk_create(rows)
        if self.held is not None and self.held():
            return
        self.apply_later()

    def apply_later(self) -> None:
        """Apply the log now (LIBRARY_SEARCH_APPLY_INLINE) or have the worker do it after the commit."""
        if getattr(settings, "LIBRARY_SEARCH_APPLY_INLINE", False):
            self.apply_changes()
        else:
            transaction.on_commit(self.enqueue)

    def enqueue(self) -> None:
        import_string(self.task).enqueue()

    def cursor(self) -> int:
        state = self.get_index()
        if state.path is None:
            return state.cursor
        try:
            return int((state.path / "cursor").read_text().strip() or 0)
        except FileNotFoundError:
            return 0

    def set_cursor(self, state: IndexState, value: int) -> None:
        if state.path is None:
            state.cursor = value
            return
        temporary = state.path / "cursor.tmp"
        temporary.write_text(str(value))
        temporary.replace(state.path / "cursor")

    def pending(self) -> int:
        """How many change-log entries the index has not applied yet."""
        return int(self.log_model.objects.count())

    # --- the writer ---------------------------------------------------------------------------------

    @contextmanager
    def writer_lock(self, state: IndexState) -> Iterator[None]:
        """Be the one writer: the lock within the process, and a file lock in the index's directory
        across processes (a second writer waits)."""
        with state.lock:
            if state.path is None:
                yield
                return
            with (state.path / "writer.lock").open("w") as lock_file:
                fcntl.flock(lock_file, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(lock_file, fcntl.LOCK_UN)

    def with_writer(self, state: IndexState, work: Callable[[tantivy.IndexWriter], int]) -> int:
        """Run `work` with the one writer (writer_lock). The writer is dropped when `work` returns
        (that releases tantivy's own lock on the directory), so hold no reference to it after."""
        with self.writer_lock(state):
            result = work(state.index.writer(self.writer_heap, 1))
        state.index.reload()
        return result

    def schema_changed(self) -> bool:
        """Whether the index on disk was written with other fields than this version's."""
        try:
            self.get_index()
        except SchemaChanged:
            return True
        return False

    def rebuild_if_changed(self) -> int | None:
        """Rebuild an index written with other fields (after an upgrade); `migrate` calls this
        (rebuild_after_migrate). Returns how many objects were indexed, None when it was current."""
        return self.rebuild() if self.schema_changed() else None

    def apply_changes(self) -> int:
        """Apply the change log in order, in batches; returns the number of entries applied. An
        index written with other fields (an upgrade that was not migrated) is rebuilt instead: the
        writer heals it, and the rebuild applies the log too (0 is returned then)."""
        try:
            state = self.get_index()
        except SchemaChanged:
            self.rebuild()
            return 0
        log_model = self.log_model
        remove = log_model.Op.REMOVE

        def work(writer: tantivy.IndexWriter) -> int:
            applied = 0
            while True:
                # Every entry still in the log, not "after the cursor": transactions commit out of
                # id order, and an entry that became visible after a higher one was applied must not
                # be skipped. Applied entries are deleted (applying is idempotent, so a crash in
                # between only applies them again); the cursor records the highest id applied.
                log = log_model.objects.order_by("id")
                changes = list(log.values_list("id", self.object_field, "op")[: self.batch])
                if not changes:
                    return applied
                last_op = {pk: op for _, pk, op in changes}  # the latest change of an object wins
                for pk, op in last_op.items():
                    if op == remove:
                        writer.delete_documents_by_term("id", pk)
                self.replace(writer, sorted(pk for pk, op in last_op.items() if op != remove))
                writer.commit()
                log_model.objects.filter(id__in=[entry for entry, _, _ in changes]).delete()
                self.set_cursor(state, max(self.cursor(), changes[-1][0]))
                applied += len(changes)

        return self.with_writer(state, work)

    def rebuild(self) -> int:
        """Empty the index and add every object that belongs in it again, then set the cursor to the
        log's end and apply what was logged meanwhile (again: applying is idempotent). Returns the
        number of objects indexed."""
        state = self.get_index(recreate=True)
        last = self.log_model.objects.order_by("-id").values_list("id", flat=True).first() or 0
        ids = self.searchable_ids()

        def work(writer: tantivy.IndexWriter) -> int:
            writer.delete_all_documents()
            for start in range(0, len(ids), self.batch):
                self.replace(writer, ids[start : start + self.batch], deleted=True)
            writer.commit()
            self.set_cursor(state, last)
            return len(ids)

        count = self.with_writer(state, work)
        self.apply_changes()
        return count


# --- queries ------------------------------------------------------------------------------------------


class FieldQueries:
    """Queries over an index's weighted text fields: BM25 per field times the field's weight; a
    term's score is its best field plus a share (`tie_breaker`) of the others (dis_max)."""

    def __init__(self, schema: tantivy.Schema, weights: dict[str, float], *, tie_breaker: float) -> None:
        self.schema = schema
        self.weights = weights
        self.tie_breaker = tie_breaker

    def terms(self, term: str, boost: float = 1.0) -> tantivy.Query:
        """One (analysed) term in any of the fields."""
        queries = [
            tantivy.Query.boost_query(tantivy.Query.term_query(self.schema, name, term), weight * boost)
            for name, weight in self.weights.items()
        ]
        return tantivy.Query.disjunction_max_query(queries, tie_breaker=self.tie_breaker)

    def phrase(self, terms: list[str], boost: float = 1.0) -> tantivy.Query:
        """(Analysed) terms one after the other in one of the fields."""
        positioned: list[str | tuple[int, str]] = list(terms)
        queries = [
            tantivy.Query.boost_query(tantivy.Query.phrase_query(self.schema, name, positioned), weight * boost)
            for name, weight in self.weights.items()
        ]
        return tantivy.Query.disjunction_max_query(queries, tie_breaker=self.tie_breaker)


# --- by hand -------------------------------------------------------------------------------------------


class IndexCommand(BaseCommand):
    """manage.py <command> --catch-up | --rebuild for one index: `index`, the help texts and
    `rebuilt` (the message after a rebuild, with {count})."""

    index: ChangeLogIndex
    rebuild_help: str
    rebuilt: str

    def add_arguments(self, parser: Any) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--catch-up", action="store_true", help="Apply the changes the index has not seen.")
        group.add_argument("--rebuild", action="store_true", help=self.rebuild_help)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            count = self.index.rebuild()
            self.stdout.write(self.rebuilt.format(count=count))
        elif options["catch_up"]:
            count = self.index.apply_changes()
            self.stdout.write(f"Applied {count} changes; the index is at {self.index.cursor()}.")
        else:
            raise CommandError("Give --catch-up or --rebuild.")


def rebuild_after_migrate(index: ChangeLogIndex, name: str) -> Callable[..., None]:
    """A post_migrate receiver (connect it with weak=False, sender=the app's config) that rebuilds
    `index` when this version's fields differ from those on disk: an upgrade's `migrate` brings
    the search index along like the database."""

    def receiver(sender: Any, *, using: str = "default", verbosity: int = 1, **kwargs: Any) -> None:
        if using != "default":
            return
        count = index.rebuild_if_changed()
        if count is not None and verbosity:
            print(f"  Search index {name}: fields changed, rebuilt ({count} indexed).")

    return receiver
