"""Benchmark: importing 100,000 ORI-like records (library.importing, as `manage.py import_ori` does)
against PostgreSQL COPY of the same document rows, in the same run; then the same import again.

The records come from bench/corpus.py, written to a JSON Lines file (var/bench/). The baseline is
the rate at which PostgreSQL takes the same library_document rows (the importer's own mapping, made
before timing) with COPY, into the same table with its indexes and constraints, best of two. The
import is timed from reading the file to the last commit, indexing included; the re-run reads the
same file again (every record unchanged). Targets: import >= 25% of the COPY rate; the re-run >= 5x
faster than the first import. Where the first import spends its time is printed for information.

    python bench/import_bench.py [--records 100000] [--quick] [--batch-size 500] [--write]
"""

from __future__ import annotations

import argparse
import datetime
import functools
import hashlib
import io
import json
import os
import platform
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/raadhuis_bench_import"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_IMPORT_DATABASE_URL", DEFAULT_DB)

SEED = 1
CACHE_DIR = ROOT / "var" / "bench"
TARGET_SHARE, TARGET_SPEEDUP = 0.25, 5.0


def fresh_database() -> list[tuple[str, str]]:
    """Drop and create the database, migrate, load the bodies; return the councils (code, name)."""
    from bench.common import recreate_database

    recreate_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_bodies", verbosity=0)
    from core.models import Body, Tier

    return list(Body.objects.current().exclude(tier=Tier.NATIONAL).order_by("code").values_list("code", "name"))


def records_file(n: int, bodies: list[tuple[str, str]]) -> Path:
    """The corpus as JSON Lines, written once per size, corpus version and set of councils."""
    from bench import corpus

    version = hashlib.sha256((ROOT / "bench" / "corpus.py").read_bytes() + repr(bodies).encode()).hexdigest()[:12]
    path = CACHE_DIR / f"import-{n // 1000}k-{version}.jsonl"
    if not path.exists():
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        with partial.open("w", encoding="utf-8") as handle:
            for record in corpus.records(n, seed=SEED, bodies=bodies):
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        partial.rename(path)
    return path


def copy_data(path: Path) -> tuple[str, bytes]:
    """The COPY text of the library_document rows the importer would write for these records:
    mapped by importing.map_record, formatted by PostgreSQL itself (through a scratch table)."""
    from django.db import connection

    from library import importing
    from library.models import Document

    fields = [f for f in Document._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(f.column for f in fields)
    lookups = importing.Lookups()
    buffer = io.BytesIO()
    connection.ensure_connection()
    with connection.connection.cursor() as scratch:  # psycopg's own cursor, for COPY
        scratch.execute("CREATE TEMP TABLE bench_rows AS SELECT * FROM library_document WITH NO DATA")
        with scratch.copy(f"COPY bench_rows ({columns}) FROM STDIN") as copy:
            for item in importing.read_items([path]):
                item.parse()
                mapped = importing.map_record(item.record, lookups, fingerprint_=item.fingerprint)
                document = Document(
                    **mapped.fields,
                    source=Document.Source.IMPORT,
                    source_id=mapped.identifier,
                    source_hash=mapped.fingerprint,
                    visibility=Document.Visibility.PUBLIC,
                )
                copy.write_row([f.get_db_prep_save(f.pre_save(document, True), connection) for f in fields])
        with scratch.copy(f"COPY bench_rows ({columns}) TO STDOUT") as copy:
            for block in copy:
                buffer.write(block)
        scratch.execute("DROP TABLE bench_rows")
    return columns, buffer.getvalue()


def _stat(pid: int | str) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (state, ppid, ...)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _processes() -> Iterator[tuple[str, list[str]]]:
    """Every process on the machine: its pid and the fields of its /proc/<pid>/stat (_stat)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                yield entry.name, _stat(entry.name)
            except (OSError, IndexError):
                continue  # (ended meanwhile)


def cpu_parts() -> tuple[float, float, float]:
    """CPU time (user + system) so far of this process (with its threads: the search index's
    writer threads and the importer's writer thread), its finished children (the analysis
    processes) and the database server (same machine, /proc): every process of the PostgreSQL
    cluster, the backends of the importer's connections (it has two, the writer thread's is
    closed at the end of the import: its time is then counted with the postmaster's finished
    children), the WAL writer, checkpointer and autovacuum alike. Unlike the wall time, it does
    not grow when other work shares the cores; it does count other work on the same cluster, so
    measure on a quiet one."""
    import resource

    from django.db import connection

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server = 0.0
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        postmaster = _stat(pid)[1]
        ticks = 0
        for pid, fields in _processes():
            if pid == postmaster:
                ticks += sum(int(x) for x in fields[11:15])  # its own time and its finished children's
            elif fields[1] == postmaster:
                ticks += int(fields[11]) + int(fields[12])
        server = ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        pass  # another machine: the server's share is left out
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime, server


def cpu_seconds() -> float:
    return sum(cpu_parts())


def timed_copy(columns: str, data: bytes) -> float:
    """Seconds for COPY of the rows into library_document, committed (deferred checks included);
    the table is emptied again afterwards."""
    from django.db import connection, transaction

    connection.ensure_connection()
    view = memoryview(data)
    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY library_document ({columns}) FROM STDIN") as copy,
    ):
        for start in range(0, len(data), 1 << 20):
            copy.write(view[start : start + (1 << 20)])
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE library_document RESTART IDENTITY CASCADE")
    return seconds


class Stopwatch:
    """Time spent inside some functions of the import (wrapped for this run; the wrappers cost
    well under a microsecond a call)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.undo: list[Callable[[], None]] = []

    def wrap(self, module: Any, name: str, label: str) -> None:
        original = getattr(module, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started

        setattr(module, name, timed)
        self.undo.append(lambda: setattr(module, name, original))

    def restore(self) -> None:
        for undo in reversed(self.undo):
            undo()


def load() -> str:
    """The machine's load average (1, 5, 15 min): other work shares its cores."""
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def directory_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _memory_kb(pid: int | str, key: str, source: str = "status") -> int:
    """A "<key>: <n> kB" line of /proc/<pid>/status (VmRSS) or smaps_rollup (Pss); 0 if gone."""
    try:
        for line in Path(f"/proc/{pid}/{source}").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class PeakMemory:
    """The memory of the import itself, sampled every half second while it runs (the COPY
    baseline's rows are freed before): the peak resident memory of this process (the importer) and
    of its largest child (an analysis process), and the peak of all of them together counted as
    proportional set size (pages the forked processes share with the importer counted once, not in
    each). The sampling's own CPU time (`cpu`, reading /proc) is not the import's: subtract it."""

    def __init__(self) -> None:
        self.importer = self.analysis = self.together = 0
        self.cpu = 0.0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = str(os.getpid())
        while True:
            children = [pid for pid, fields in _processes() if fields[1] == me]
            self.importer = max(self.importer, _memory_kb(me, "VmRSS"))
            self.analysis = max([self.analysis, *(_memory_kb(pid, "VmRSS") for pid in children)])
            together = sum(_memory_kb(pid, "Pss", "smaps_rollup") for pid in [me, *children])
            self.together = max(self.together, together)
            if self.stopped.wait(0.5):
                self.cpu = time.thread_time()
                return

    def __enter__(self) -> PeakMemory:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        self.thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="20,000 records")
    parser.add_argument("--batch-size", type=int, default=0, help="default: the importer's (import_ori's)")
    parser.add_argument(
        "--workers", type=int, default=None, help="analysis processes of the indexer (default: one per CPU)"
    )
    parser.add_argument("--write", action="store_true", help="append the result to docs/PERFORMANCE.md")
    args = parser.parse_args()
    n = 20_000 if args.quick else args.records

    index_path = CACHE_DIR / f"index-import-{n // 1000}k"
    os.environ["LIBRARY_SEARCH_INDEX_DIR"] = str(index_path)
    os.environ["LIBRARY_SEARCH_APPLY_INLINE"] = "false"
    print(f"Preparing the database and {n:,} records...", flush=True)
    bodies = fresh_database()
    import shutil

    shutil.rmtree(index_path, ignore_errors=True)
    from django.db import connection

    from library import importing, search_index
    from library.models import Document, SearchChange

    search_index.reset()
    batch_size = args.batch_size or importing.BATCH_SIZE
    path = records_file(n, bodies)
    columns, data = copy_data(path)
    copy_load = load()
    copy_cpu = cpu_seconds()
    copy_seconds = min(timed_copy(columns, data) for _ in range(2))
    copy_cpu = (cpu_seconds() - copy_cpu) / 2
    copy_rate = n / copy_seconds
    copy_megabytes = len(data) / 1e6
    del data  # (the import's memory is measured without the baseline's rows)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT pg_total_relation_size('library_document')")
        table_bytes = 0  # measured after the import

    stopwatch = Stopwatch()
    stopwatch.wrap(importing.Importer, "_imported", "looking up fingerprints")
    stopwatch.wrap(importing.Importer, "_reads", "waiting for the analysis processes")
    stopwatch.wrap(importing, "_copy_new", "writing documents (COPY)")
    stopwatch.wrap(importing.Importer, "_prepare", "change log, index fields (_prepare)")
    stopwatch.wrap(importing, "resolve_links", "resolving links")
    stopwatch.wrap(search_index.BulkIndexer, "commit", "index commits (BulkIndexer.commit)")
    stopwatch.wrap(search_index.BulkIndexer, "add", "adding to the index (BulkIndexer.add)")
    print(f"Importing {path.name} (documents searchable at the end)...", flush=True)
    import_load = load()
    parts_before = cpu_parts()
    cpu_before = sum(parts_before)
    started = time.perf_counter()
    importer = importing.Importer(batch_size=batch_size, bulk_index=True, index_workers=args.workers)
    with PeakMemory() as memory:
        first = importer.run(importing.read_items([path]))
    first_seconds = time.perf_counter() - started
    parts_after = cpu_parts()
    import_cpu = sum(parts_after) - cpu_before
    importer_cpu, analysis_cpu, server_cpu = (
        after - before for after, before in zip(parts_after, parts_before, strict=True)
    )
    importer_cpu -= memory.cpu
    import_cpu -= memory.cpu
    breakdown = dict(stopwatch.seconds)
    stopwatch.restore()
    searcher, _schema = search_index.searcher()
    in_index = searcher.num_docs
    left_in_log = SearchChange.objects.count()
    again_load = load()
    started = time.perf_counter()
    again = importing.Importer(batch_size=batch_size, bulk_index=True, index_workers=args.workers).run(
        importing.read_items([path])
    )
    again_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size('library_document')")
        table_bytes = cursor.fetchone()[0]
    index_bytes = directory_size(index_path)

    documents = Document.objects.count()
    correct = (
        first.created == n
        and not first.problems
        and again.unchanged == n
        and again.created + again.updated == 0
        and documents == in_index == n
        and left_in_log == 0
    )
    import_rate = n / first_seconds
    share = import_rate / copy_rate
    speedup = first_seconds / again_seconds
    workers = (os.cpu_count() or 1) if args.workers is None else args.workers
    lines = [
        f"COPY of the {n:,} document rows ({copy_megabytes:.0f} MB): {copy_seconds:.2f} s = {copy_rate:,.0f} rows/s"
        f"  [load {copy_load}]",
        f"import + search index (batches of {batch_size}, {workers} analysis processes, one tantivy writer): "
        f"{first_seconds:.1f} s = {import_rate:,.0f} records/s, all searchable at the end "
        f"({first.created:,} created, {len(first.problems)} skipped)  [load {import_load}]",
        f"import to searchable / COPY: {share:.1%} (target >= {TARGET_SHARE:.0%}) "
        + ("OK" if share >= TARGET_SHARE else "BELOW TARGET"),
        f"CPU time (this process, its analysis processes, the PostgreSQL cluster): COPY {copy_cpu:.1f} s "
        f"({copy_cpu / n * 1e6:,.0f} µs/row), import to searchable {import_cpu:.1f} s "
        f"({import_cpu / n * 1e6:,.0f} µs/record): {copy_cpu / import_cpu:.1%} of COPY's cost per row; "
        f"on {os.cpu_count()} idle cores at most {min(1.0, (os.cpu_count() or 1) * copy_cpu / import_cpu):.1%} "
        "of the COPY rate (COPY on one core, the import spread over all)",
        f"  of which: importer process (with the index writer's threads) {importer_cpu / n * 1e6:,.0f} µs, "
        f"analysis processes {analysis_cpu / n * 1e6:,.0f} µs, PostgreSQL (the cluster) {server_cpu / n * 1e6:,.0f} µs "
        "per record",
        f"re-run, nothing changed: {again_seconds:.2f} s = {n / again_seconds:,.0f} records/s "
        f"({again.unchanged:,} unchanged); {speedup:.1f}x faster (target >= {TARGET_SPEEDUP:.0f}x) "
        + ("OK" if speedup >= TARGET_SPEEDUP else "BELOW TARGET")
        + f"  [load {again_load}]",
        f"sizes: library_document with its indexes {table_bytes / 1e6:,.0f} MB; "
        f"search index {index_bytes / 1e6:,.0f} MB",
        f"peak memory of the import: importer {memory.importer / 1024:,.0f} MB, largest analysis process "
        f"{memory.analysis / 1024:,.0f} MB (resident); all together {memory.together / 1024:,.0f} MB (proportional: "
        "shared pages once)",
        f"checked: {documents:,} documents, {in_index:,} in the search index, {left_in_log} left in the change log, "
        f"counts as expected: {correct}",
        "where the import spends its time (the analysis processes work alongside; on PostgreSQL the COPY, the change "
        "log and adding to the index run in the writer thread, beside the look-ups):",
        *(
            f"  {label:<46} {seconds:7.1f} s  {seconds / first_seconds:6.1%}"
            for label, seconds in sorted(breakdown.items())
        ),
    ]
    print("\n".join(lines))
    if args.write:
        machine = f"{platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()})"
        with open(ROOT / "docs" / "PERFORMANCE.md", "a", encoding="utf-8") as handle:
            handle.write(
                f"\n### Import of {n:,} records to searchable vs. COPY — {datetime.date.today().isoformat()}\n\n"
                f"Machine: {machine}. {version}; bench/corpus.py seed {SEED}, all {len(bodies)} current councils; "
                "a fresh database.\n\n```\n" + "\n".join(lines) + "\n```\n"
            )
    ok = correct and share >= TARGET_SHARE and speedup >= TARGET_SPEEDUP
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
