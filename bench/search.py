"""Benchmark: the library search as the search page runs it against the raw floor (the tantivy
searcher alone, on the same index with the same queries), in the same run.

The documents come from bench/corpus.py (the 30 fixed queries of corpus.QUERIES with their facet
filters), imported the way `manage.py import_ori` does (library.importing, search index included).
App side: engine.search (relevance, first page of 20, as a member: members-only documents too)
and the page's rows with their marked snippets (library.views._result_rows), which read the
database. Floor side: the same tantivy calls that make the page's answer, replayed on the searcher
without anything around them: the page's top 20 with the count, the facet aggregation and the
stored ids of the hits (captured from engine.search once per query before timing). Both run in
this process, interleaved, warm, several times per query. Printed: p50 and p95 of both, their
ratio, and the machine's load average (other work may share the cores; the ratio, measured in the
same run, is what counts). Target (issue 19): p95 of the page <= 150 ms at 1M documents on
PostgreSQL.

    python bench/search.py [--documents 1000000] [--quick] [--reuse] [--reps 10] [--backend postgresql|sqlite] [--write]

--quick: 20,000 documents. --reuse: keep a database and index built before with the same size
and corpus (new migrations are applied; checked: document count, index count, empty change log).
The database: BENCH_SEARCH_DATABASE_URL, else raadhuis_bench_search_<n>k on BENCH_PG_SERVER.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import hashlib
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

DEFAULT_SIZE, QUICK_SIZE = 1_000_000, 20_000
SEED = 1
CACHE_DIR = ROOT / "var" / "bench"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
TARGET_P95_MS = 150.0
TARGET_SIZE = 1_000_000


def database_url(backend: str, n: int) -> str:
    if backend == "sqlite":
        return f"sqlite:///{CACHE_DIR / f'search-{n // 1000}k.sqlite3'}"
    return os.environ.get("BENCH_SEARCH_DATABASE_URL") or f"{PG_SERVER}/raadhuis_bench_search_{n // 1000}k"


def corpus_version() -> str:
    return hashlib.sha256((ROOT / "bench" / "corpus.py").read_bytes()).hexdigest()[:16]


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# --- building ------------------------------------------------------------------------------------


def fresh_schema(backend: str, index: Path) -> None:
    """An empty database with the app's schema and the reference bodies; an empty index."""
    url = os.environ["DATABASE_URL"]
    if backend == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        from bench.common import recreate_database

        recreate_database(url)
    shutil.rmtree(index, ignore_errors=True)
    from django.core.management import call_command

    from library import search_index

    search_index.reset()
    call_command("migrate", verbosity=0)
    call_command("load_bodies", verbosity=0)


def build(n: int) -> dict[str, Any]:
    """Import n corpus records as `import_ori` does (the search index built alongside)."""
    from bench import corpus
    from core.models import Body, Tier
    from library import importing

    bodies = list(Body.objects.current().exclude(tier=Tier.NATIONAL).order_by("code").values_list("code", "name"))
    items = (importing.Item(str(i), r) for i, r in enumerate(corpus.records(n, seed=SEED, bodies=bodies)))
    started = time.perf_counter()
    step = max(10_000, n // 10)

    def progress(report: importing.Report) -> None:
        if report.processed % step == 0:
            rate = report.processed / (time.perf_counter() - started)
            print(f"  imported {report.processed:,} ({rate:,.0f}/s, load {load()})", flush=True)

    report = importing.Importer(progress=progress, bulk_index=True).run(items)
    if report.problems or report.created != n:
        raise SystemExit(f"import failed: {report.counts()} {report.problems[:3]}")
    return {"import_seconds": time.perf_counter() - started, "import_load": load()}


def index_dir(backend: str, n: int) -> Path:
    return CACHE_DIR / f"index-search-{backend}-{n // 1000}k"


def index_opens() -> bool:
    from library import search_index

    try:
        search_index.searcher()
    except search_index.SchemaChanged:
        return False
    return True


def _fail(reason: str) -> dict[str, Any]:
    raise SystemExit(reason)


def is_complete(n: int) -> bool:
    from library import search_index
    from library.models import Document, SearchChange

    searcher, _schema = search_index.searcher()
    return Document.objects.count() == n and searcher.num_docs == n and not SearchChange.objects.exists()


def prepare(backend: str, n: int, reuse: bool) -> dict[str, Any]:
    """Build (or reuse) the database and index; return their description."""
    import django
    from django.db import connection

    index = index_dir(backend, n)
    os.environ["LIBRARY_SEARCH_INDEX_DIR"] = str(index)
    os.environ["LIBRARY_SEARCH_APPLY_INLINE"] = "true"
    marker = CACHE_DIR / f"search-{backend}-{n // 1000}k.json"
    wanted = {
        "backend": backend,
        "n": n,
        "seed": SEED,
        "corpus": corpus_version(),
        "database": database_url(backend, n),
    }
    django.setup()
    if reuse and marker.exists():
        info = json.loads(marker.read_text())
        try:
            from django.core.management import call_command

            call_command("migrate", verbosity=0)  # as a deployment would
            if any(info.get(k) != v for k, v in wanted.items()):
                print("The cached database was built for another size or corpus: rebuilding.")
            elif not index_opens():
                # Another version's fields: the database is fine, index it again (as a deployment would).
                print("The cached index has other fields than this version: manage.py search_index --rebuild.")
                from library import search_index

                search_index.reset()
                search_index.rebuild()
                return {**info, "reused": True} if is_complete(n) else _fail("the rebuilt index is incomplete")
            elif not is_complete(n):
                print("The cached database or index is incomplete: rebuilding.")
            else:
                print(f"Reusing the {backend} database and index ({n:,} documents).")
                return {**info, "reused": True}
        except Exception as error:  # noqa: BLE001 - any doubt: build afresh
            print(f"The cached database cannot be used ({error}): rebuilding.")
        connection.close()
    marker.unlink(missing_ok=True)
    print(f"Building {n:,} documents on {backend}...", flush=True)
    fresh_schema(backend, index)
    built = build(n)
    if backend == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum would have by now
    if not is_complete(n):
        raise SystemExit("The built database and index do not hold every document.")
    info = {**wanted, **built, "built": datetime.date.today().isoformat()}
    marker.write_text(json.dumps(info))
    print(f"Built in {built['import_seconds']:.0f} s.", flush=True)
    return {**info, "reused": False}


# --- the two sides -------------------------------------------------------------------------------


def app_search(query: str, filters: Any) -> tuple[Any, list[dict[str, Any]]]:
    """What the search page computes: results with facets, then the page's rows with snippets."""
    from library import engine
    from library.views import _result_rows

    results = engine.search(query, filters, public_only=False, sort="relevance", page=1)
    return results, _result_rows(results)


class Recorder:
    """A searcher that notes the calls made on it (to replay them as the floor)."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def search(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(("search", args, kwargs))
        return self.searcher.search(*args, **kwargs)

    def aggregate(self, *args: Any, **kwargs: Any) -> Any:
        self.calls.append(("aggregate", args, kwargs))
        return self.searcher.aggregate(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.searcher, name)


def floor_calls(query: str, filters: Any) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    """The tantivy calls that make the page's answer: the search with the page's offset (its top
    20 and the count) and the facet aggregation, as engine.search makes them."""
    from library import search_index

    original = search_index.searcher
    recorders: list[Recorder] = []

    def recording() -> tuple[Any, Any]:
        searcher, schema = original()
        recorders.append(Recorder(searcher))
        return recorders[-1], schema

    search_index.searcher = recording  # type: ignore[assignment]
    try:
        app_search(query, filters)
    finally:
        search_index.searcher = original  # type: ignore[assignment]
    calls = [call for recorder in recorders for call in recorder.calls]
    searches = [c for c in calls if c[0] == "search"]
    page = [c for c in searches if "offset" in c[2]] or searches[-1:]
    return [*page[-1:], *[c for c in calls if c[0] == "aggregate"][-1:]]


def floor(calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]]) -> int:
    """Replay the calls on a fresh searcher; read the stored ids of the hits. Returns the count."""
    from library import search_index

    searcher, _schema = search_index.searcher()
    total = 0
    for name, args, kwargs in calls:
        found = getattr(searcher, name)(*args, **kwargs)
        if name == "search":
            total = int(found.count)
            [searcher.doc(address)["id"][0] for _score, address in found.hits]
    return total


# --- measuring -----------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    n = QUICK_SIZE if args.quick else args.documents
    backend = args.backend
    os.environ["DATABASE_URL"] = database_url(backend, n)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    info = prepare(backend, n, args.reuse)

    from django.db import connection

    from bench import corpus
    from library import engine, search_index

    if backend == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        import sqlite3

        version = f"SQLite {sqlite3.sqlite_version}"
    replicas = os.environ.get("DATABASE_REPLICA_URLS", "")
    statements: dict[str, int] = {}
    if replicas:
        # As the search page's request does (core.replicas.ReplicaMiddleware): its reads go to a
        # healthy replica. Checked: the connection the rows come from is in recovery.
        from django.db import connections

        from core import replicas as routing

        alias = routing.healthy_replica()
        if not alias:
            print(f"no healthy replica among {replicas}")
            return 1
        routing._replica_for_request.set(alias)
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            assert cursor.fetchone()[0], f"{alias} is not a replica"
        for name in (alias, "default"):  # where the timed reads went, printed at the end
            connections[name].execute_wrappers.append(
                lambda execute, *a, name=name: statements.__setitem__(name, statements.get(name, 0) + 1) or execute(*a)
            )

    cases = []
    failures = []
    for query, params in corpus.QUERIES:
        filters = engine.Filters.from_params(params)
        label = query + "".join(f" {k}={v}" for k, v in params.items())
        results, rows = app_search(query, filters)  # (also warms up)
        calls = floor_calls(query, filters)
        total = floor(calls)
        if not results.total or total != results.total or len(rows) != len(results.hits):
            failures.append(f"{label}: app {results.total} ({len(rows)} rows), floor {total}")
        cases.append((label, query, filters, calls, results.total))
    if failures:
        print("The app and the floor disagree, or a query finds nothing:\n  " + "\n  ".join(failures))
        return 1

    app_times: dict[str, list[float]] = {c[0]: [] for c in cases}
    floor_times: dict[str, list[float]] = {c[0]: [] for c in cases}
    load_before = load()
    gc.collect()
    gc.freeze()
    for rep in range(args.reps):
        for index, (label, query, filters, calls, _total) in enumerate(cases):
            sides = [
                (app_times, lambda q=query, f=filters: app_search(q, f)),
                (floor_times, lambda c=calls: floor(c)),
            ]
            if (rep + index) % 2:
                sides.reverse()
            for times, call in sides:
                started = time.perf_counter()
                call()
                times[label].append((time.perf_counter() - started) * 1000)
        gc.collect()
    gc.unfreeze()
    load_after = load()

    all_app = [t for ts in app_times.values() for t in ts]
    all_floor = [t for ts in floor_times.values() for t in ts]
    app_p50, app_p95 = percentile(all_app, 0.5), percentile(all_app, 0.95)
    floor_p50, floor_p95 = percentile(all_floor, 0.5), percentile(all_floor, 0.95)
    width = max(len(c[0]) for c in cases)
    lines = [f"{'query':<{width}}  {'hits':>9}  {'app ms':>8}  {'floor ms':>8}  {'ratio':>5}"]
    for label, *_rest, total in cases:
        app_ms, floor_ms = percentile(app_times[label], 0.5), percentile(floor_times[label], 0.5)
        lines.append(f"{label:<{width}}  {total:>9,}  {app_ms:>8.1f}  {floor_ms:>8.1f}  {app_ms / floor_ms:>5.1f}")
    searcher, _schema = search_index.searcher()
    index_bytes = sum(f.stat().st_size for f in index_dir(backend, n).rglob("*") if f.is_file())
    built = "reused, imported" if info["reused"] else "imported"
    lines += [
        "",
        f"{backend}: {n:,} documents ({built} in {info['import_seconds']:.0f} s, search index {searcher.num_docs:,} "
        f"documents, {index_bytes / 1e6:,.0f} MB), {len(cases)} queries x {args.reps} repetitions, medians per "
        f"query above; {version}" + (f"; statements on the replica / the primary: {statements}" if replicas else ""),
        f"load average (1/5/15 min) before {load_before}, after {load_after}",
        f"app (engine.search + page rows + snippets): p50 {app_p50:6.1f} ms  p95 {app_p95:6.1f} ms",
        f"floor (tantivy: top 20 + count + facets):   p50 {floor_p50:6.1f} ms  p95 {floor_p95:6.1f} ms",
        f"ratio app/floor: p50 {app_p50 / floor_p50:.2f}, p95 {app_p95 / floor_p95:.2f}",
    ]
    ok = True
    if backend == "postgresql" and n >= TARGET_SIZE:
        ok = app_p95 <= TARGET_P95_MS
        lines.append(
            f"p95 app {app_p95:.1f} ms (target <= {TARGET_P95_MS:.0f} ms at {TARGET_SIZE:,}) "
            + ("OK" if ok else "ABOVE TARGET")
        )
    print("\n" + "\n".join(lines), flush=True)

    if args.write:
        machine = f"{platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()})"
        mode = " (quick)" if args.quick else ""
        entry = (
            f"\n### Library search, {version.split()[0]}, {n:,} documents{mode} — "
            f"{datetime.date.today().isoformat()}\n\n"
            f"Machine: {machine}. {version}; bench/corpus.py seed {SEED}; first page of 20 (relevance), "
            f"as a member; {args.reps} repetitions per query, interleaved.\n\n```\n" + "\n".join(lines) + "\n```\n"
        )
        with open(ROOT / "docs" / "PERFORMANCE.md", "a", encoding="utf-8") as handle:
            handle.write(entry)
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--documents", type=int, default=DEFAULT_SIZE)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SIZE:,} documents")
    parser.add_argument("--reuse", action="store_true", help="keep a matching database from an earlier run")
    parser.add_argument("--reps", type=int, default=10, help="repetitions per query and side")
    parser.add_argument("--write", action="store_true", help="append the result to docs/PERFORMANCE.md")
    sys.exit(run(parser.parse_args()))


if __name__ == "__main__":
    main()
