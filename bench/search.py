"""Benchmark: the library search (ranking, facets, snippets) against hand-written SQL for the same
page and the same facet counts, on the same indexes, in the same run.

100,000 documents on SQLite (imported through library.importing) and 1,000,000 on PostgreSQL (built
in bulk, see build_postgresql), from the synthetic corpus in bench/corpus.py; the 30 fixed queries
of corpus.QUERIES. The app side is what the search page runs without HTTP: engine.search, loading
the page's documents and a marked snippet for each hit (library.views._result_rows). The SQL side
is one statement an expert would write by hand for the same page of ids and the same facet counts;
both are checked to agree on every query. Both run in this process on one connection, interleaved,
warm, several times per query. Targets: p95 app / p95 SQL <= 2; on PostgreSQL at 1M also
p95 <= 150 ms.

    python bench/search.py [--backend sqlite|postgresql] [--quick] [--reuse] [--reps 10] [--write]

--quick: 20,000 documents on SQLite, 50,000 on PostgreSQL. --reuse: keep a database built before
with the same size and corpus (new migrations are applied; checked: row counts, and a sample
re-indexed by the app must come out identical), otherwise it is built afresh. Without --backend both
backends run, one process each.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import hashlib
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

SIZES = {"sqlite": 100_000, "postgresql": 1_000_000}
QUICK_SIZES = {"sqlite": 20_000, "postgresql": 50_000}
SEED = 1
CACHE_DIR = ROOT / "var" / "bench"
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PER_PAGE = 20
MAX_FACET_VALUES = 15
SAMPLE = 300  # documents re-indexed by the app to check that a built index is the app's index
TARGET_RATIO, TARGET_P95_MS = 2.0, 150.0


def database_url(backend: str, n: int) -> str:
    if backend == "sqlite":
        return f"sqlite:///{CACHE_DIR / f'search-{n // 1000}k.sqlite3'}"
    return f"{PG_SERVER}/raadhuis_bench_search_{n // 1000}k"


def corpus_version() -> str:
    return hashlib.sha256((ROOT / "bench" / "corpus.py").read_bytes()).hexdigest()[:16]


# --- building the index --------------------------------------------------------------------------


def bench_bodies() -> list[tuple[str, str]]:
    """Every current council (municipalities, provinces, water boards), by code."""
    from core.models import Body, Tier

    return list(Body.objects.current().exclude(tier=Tier.NATIONAL).order_by("code").values_list("code", "name"))


def fresh_schema(backend: str) -> None:
    """An empty database with the app's schema and the reference bodies."""
    url = os.environ["DATABASE_URL"]
    if backend == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        from bench.common import recreate_database

        recreate_database(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_bodies", verbosity=0)


def build_sqlite(n: int) -> None:
    """Through the importer, as `manage.py import_ori` would (about 500 records/s on this machine)."""
    from bench import corpus
    from library import importing

    items = (importing.Item(str(i), r) for i, r in enumerate(corpus.records(n, seed=SEED, bodies=bench_bodies())))
    started = time.perf_counter()

    def progress(report: importing.Report) -> None:
        if report.processed % 10_000 == 0:
            rate = report.processed / (time.perf_counter() - started)
            print(f"  imported {report.processed:,} ({rate:,.0f}/s)", flush=True)

    report = importing.Importer(progress=progress).run(items)
    if report.problems or report.created != n:
        raise SystemExit(f"import failed: {report.counts()} {report.problems[:3]}")


def build_postgresql(n: int) -> None:
    """The same rows the importer would write, in bulk: every record is mapped by the importer's
    own map_record and its index fields come from engine._fields; documents are COPYed, the
    weighted vectors computed in SQL with exactly the expression of engine._write_rows (on both
    cores), the GIN index built afterwards, the vocabulary counted with ts_stat like
    engine._pg_vocabulary, links resolved by importing.resolve_links. library_documentterm (similar
    documents) is not built: the search does not read it."""
    import psycopg
    from django.db import connection
    from django.utils import timezone

    from bench import corpus
    from core.models import Body
    from library import engine, importing
    from library.models import Document

    dsn = os.environ["DATABASE_URL"]
    lookups = importing.Lookups()
    bodies = {b.pk: b for b in Body.objects.prefetch_related("provinces")}
    fields = list(Document._meta.concrete_fields)
    columns = ", ".join(f.column for f in fields)
    now = timezone.now()
    topic_rows: list[tuple[int, int]] = []
    party_rows: list[tuple[int, str]] = []
    staging = (
        "CREATE UNLOGGED TABLE bench_fields (document_id bigint, kind text, tier text, province_id bigint, "
        "body_id bigint, year int, outcome text, public boolean, date date, shared_at timestamptz, "
        "title text, parts text, text text, attachments text)"
    )
    started = time.perf_counter()
    with psycopg.connect(dsn) as documents_conn, psycopg.connect(dsn) as fields_conn:
        fields_conn.execute(staging)
        with (
            documents_conn.cursor().copy(f"COPY library_document ({columns}) FROM STDIN") as documents_copy,
            fields_conn.cursor().copy("COPY bench_fields FROM STDIN") as fields_copy,
        ):
            for pk, record in enumerate(corpus.records(n, seed=SEED, bodies=bench_bodies()), start=1):
                mapped = importing.map_record(record, lookups)
                document = Document(
                    **mapped.fields,
                    source=Document.Source.IMPORT,
                    source_id=mapped.identifier,
                    source_hash=mapped.fingerprint,
                    visibility=Document.Visibility.PUBLIC,
                )
                document.pk = pk
                document.shared_at = now
                document.body = bodies[document.body_id]
                document._prefetched_objects_cache = {"submitters": []}  # imported: none on the platform
                documents_copy.write_row([f.get_db_prep_save(f.pre_save(document, True), connection) for f in fields])
                date = document.meeting_date or document.shared_at.date()
                fields_copy.write_row(
                    (
                        pk,
                        document.kind,
                        document.body.tier,
                        engine._province_id(document),
                        document.body_id,
                        date.year,
                        document.outcome,
                        document.visibility == Document.Visibility.PUBLIC,
                        date,
                        document.shared_at,
                        *engine._fields(document, []),
                    )
                )
                topic_rows.extend((pk, t.pk) for t in mapped.topics)
                party_rows.extend((pk, p) for p in engine.parties_of(document.parties))
                if pk % 100_000 == 0:
                    print(f"  {pk:,} documents copied ({time.perf_counter() - started:.0f} s)", flush=True)
        documents_conn.commit()
        fields_conn.commit()
        with documents_conn.cursor() as cursor:
            with cursor.copy("COPY library_document_topics (document_id, topic_id) FROM STDIN") as copy:
                for row in topic_rows:
                    copy.write_row(row)
            with cursor.copy("COPY library_documentparty (document_id, party) FROM STDIN") as copy:
                for row in party_rows:
                    copy.write_row(row)
            cursor.execute("SELECT setval(pg_get_serial_sequence('library_document', 'id'), %s)", [n])
        documents_conn.commit()
    print(f"  rows copied in {time.perf_counter() - started:.0f} s; computing vectors", flush=True)

    vector = " || ".join(
        f"setweight(to_tsvector('dutch', {c}), '{w}')"
        for c, w in zip(("title", "parts", "text", "attachments"), "ABCD", strict=True)
    )
    insert = (
        "INSERT INTO library_searchdocument (document_id, kind, tier, province_id, body_id, year, outcome, "
        "public, date, shared_at, sample, vector) SELECT document_id, kind, tier, province_id, body_id, year, "
        f"outcome, public, date, shared_at, {SAMPLE_SQL}, {vector} FROM bench_fields WHERE document_id %% 2 = %s"
    )
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DROP INDEX {engine.GIN_INDEX}")  # built once afterwards: faster, same index
    errors: list[BaseException] = []

    def half(remainder: int) -> None:
        try:
            with psycopg.connect(dsn) as conn:
                conn.execute(insert, [remainder])
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    step = time.perf_counter()
    threads = [threading.Thread(target=half, args=(r,)) for r in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    print(f"  vectors in {time.perf_counter() - step:.0f} s; GIN index, vocabulary, links", flush=True)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE bench_fields")
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute(f"CREATE INDEX {engine.GIN_INDEX} ON library_searchdocument USING GIN ({engine.GIN_COLUMNS})")
        conn.execute(
            # engine._pg_vocabulary over all documents at once: ndoc adds up over batches.
            "INSERT INTO core_searchterm (stem, reversed, example, count) "
            "SELECT word, reverse(word), word, ndoc FROM ts_stat("
            "'SELECT ts_filter(vector, ''{a,b,c}'') FROM library_searchdocument') "
            "WHERE length(word) BETWEEN 4 AND 40 AND word ~ '^[0-9a-z]+$' AND word !~ '^[0-9]+$' "
            "ON CONFLICT (stem) DO UPDATE SET count = core_searchterm.count + excluded.count"
        )
    importing.resolve_links()


SNAPSHOT_COLUMNS = "document_id, kind, tier, province_id, body_id, year, outcome, public, date, shared_at, sample"
# engine.sample_bucket in SQL
SAMPLE_SQL = "(document_id * 2654435761) %% 4294967296 * 1000 / 4294967296"  # in a statement with parameters


def index_snapshot(ids: list[int]) -> Any:
    """Everything the index holds for these documents."""
    from django.db import connection

    # Integer ids only: inlined, so one statement text serves both engines.
    id_list = ", ".join(str(int(pk)) for pk in ids)
    postgres = connection.vendor == "postgresql"
    vector = ", vector::text" if postgres else ""
    sources = [
        ("library_searchdocument", "document_id", f"{SNAPSHOT_COLUMNS}{vector}"),
        ("library_documentparty", "document_id", "document_id, party"),
        ("library_document_topics", "document_id", "document_id, topic_id"),
    ]
    if not postgres:
        sources.append(("library_fts", "rowid", "rowid, *"))
    with connection.cursor() as cursor:
        result = []
        for table, key, columns in sources:
            cursor.execute(f"SELECT {columns} FROM {table} WHERE {key} IN ({id_list}) ORDER BY 1, 2")
            result.append(cursor.fetchall())
    return result


def index_is_the_apps(n: int) -> bool:
    """Re-index a random sample with engine.index_documents (rolled back): nothing may change."""
    from django.db import transaction

    from library import engine
    from library.models import Document, SearchDocument

    if Document.objects.count() != n or SearchDocument.objects.count() != n:
        return False
    ids = sorted(random.Random(7).sample(range(1, n + 1), min(SAMPLE, n)))
    before = index_snapshot(ids)
    with transaction.atomic():
        engine.index_documents(engine.ready_for_indexing(ids))
        after = index_snapshot(ids)
        transaction.set_rollback(True)
    return before == after and all(before)


def prepare(backend: str, n: int, reuse: bool) -> dict[str, Any]:
    """Build (or reuse) the database; return its description (with build_seconds)."""
    import django
    from django.db import connection

    marker = CACHE_DIR / f"search-{backend}-{n // 1000}k.json"
    wanted = {"backend": backend, "n": n, "seed": SEED, "corpus": corpus_version()}
    django.setup()
    if reuse and marker.exists():
        info = json.loads(marker.read_text())
        try:
            from django.db.migrations.executor import MigrationExecutor

            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
            if pending:
                # As a deployment would: migrate. If that changes what the index holds, the
                # sample check below finds it and the database is built afresh.
                print(f"Applying {len(pending)} new migration(s) to the cached database.")
                from django.core.management import call_command

                call_command("migrate", verbosity=0)
            if any(info.get(k) != v for k, v in wanted.items()):
                print("The cached database was built for another size or corpus: rebuilding.")
            elif not index_is_the_apps(n):
                print("The cached index differs from what the app writes now: rebuilding.")
            else:
                print(f"Reusing the {backend} database ({n:,} documents, built in {info['build_seconds']:.0f} s).")
                return {**info, "reused": True}
        except Exception as error:  # noqa: BLE001 - any doubt: build afresh
            print(f"The cached database cannot be used ({error}): rebuilding.")
        connection.close()
    marker.unlink(missing_ok=True)
    print(f"Building {n:,} documents on {backend}...", flush=True)
    started = time.perf_counter()
    fresh_schema(backend)
    if backend == "sqlite":
        build_sqlite(n)
    else:
        build_postgresql(n)
    connection.close()
    if backend == "postgresql":
        import psycopg

        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")  # as autovacuum would have by now
    build_seconds = time.perf_counter() - started
    if not index_is_the_apps(n):
        raise SystemExit("The built index differs from what engine.index_documents writes.")
    info = {**wanted, "build_seconds": build_seconds, "built": datetime.date.today().isoformat()}
    marker.write_text(json.dumps(info))
    print(f"Built in {build_seconds:.0f} s.", flush=True)
    return {**info, "reused": False}


# --- the two sides -------------------------------------------------------------------------------


def app_search(query: str, filters: Any) -> tuple[Any, list[dict[str, Any]]]:
    """What the search page computes: results with facets, then the page's rows with snippets."""
    from library import engine
    from library.views import _result_rows

    results = engine.search(query, filters, public_only=False, sort="relevance", page=1)
    return results, _result_rows(results)


def _filters_sql(filters: Any, postgres: bool) -> tuple[str, list[Any]]:
    where, params = "", []
    casts = {"year": "::smallint", "province_id": "::bigint", "body_id": "::bigint"} if postgres else {}
    for name, column in (
        ("kind", "kind"),
        ("tier", "tier"),
        ("outcome", "outcome"),
        ("year", "year"),
        ("province", "province_id"),
        ("body", "body_id"),
    ):
        value = getattr(filters, name)
        if value not in ("", None):
            where += f" AND s.{column} = %s{casts.get(column, '')}"
            params.append(value)
    if filters.topic is not None or filters.party:
        raise NotImplementedError("the benchmark queries filter on columns of library_searchdocument only")
    return where, params


FACET_COLUMNS = ("kind", "tier", "province_id", "body_id", "outcome", "year")
FACET_NAMES = dict(zip(FACET_COLUMNS, ("kind", "tier", "province", "body", "outcome", "year"), strict=True))


@dataclass
class Plan:
    """How the engine answers a query, looked up once before timing (as a person writing the SQL
    by hand would know the size of the result): exact, or for a large result the sample buckets,
    the position of the window's first date in the sample, and whether the date window is applied
    in the index. The facet counts and the total of a sample are scaled by `scale`."""

    large: bool
    buckets: int = 1000
    position: int = 0
    window_in_index: bool = True

    @property
    def scale(self) -> float:
        return 1000 / self.buckets


def plan_of(query: str, filters: Any, estimated: bool) -> Plan:
    """The engine's own plan for this query (engine.search, _large), given whether the app's result
    was estimated: a large result may end exact after all (a sample that held few matches), and an
    exact attempt may have stopped at its guard."""

    from django.db import connection, transaction

    from library import engine

    postgres = connection.vendor == "postgresql"
    scope = engine._scope(engine.compile_query(query), filters, False, "relevance", postgres)
    bounds = engine.limits()
    with transaction.atomic(), connection.cursor() as cursor:
        if not estimated:
            return Plan(large=False)
        estimate = engine._estimate(cursor, scope, bounds.probe)
        if estimate <= bounds.exact:
            estimate = engine.overflow_estimate(bounds)
        buckets = engine.sample_buckets(bounds, estimate)
        position = engine.window_position(bounds, buckets)
        where = " AND ".join(scope.where)
        sample = "%s::smallint" if postgres else "%s"
        cursor.execute(
            f"SELECT s.date FROM {scope.source} WHERE {where} AND s.sample < {sample} "
            "ORDER BY s.date DESC LIMIT 1 OFFSET %s",
            [*scope.params, buckets, position],
        )
        since = cursor.fetchone()
        in_index = since is None or engine.window_in_index(cursor, since[0], estimate, postgres=postgres)
    return Plan(large=True, buckets=buckets, position=position, window_in_index=in_index)


def _facet_sql_pg(source: str) -> str:
    columns = ", ".join(FACET_COLUMNS)
    nulls = ", ".join(["NULL"] * len(FACET_COLUMNS))
    return (
        f"SELECT 'facet', GROUPING({columns}), NULL, NULL, NULL, {columns}, NULL, NULL, count(*) "
        f"FROM {source} GROUP BY GROUPING SETS ({', '.join(f'({c})' for c in FACET_COLUMNS)}, ()) "
        f"UNION ALL SELECT 'topic', 0, NULL, NULL, NULL, {nulls}, t.topic_id, NULL, count(*) FROM {source} "
        f"JOIN library_document_topics t ON t.document_id = {source}.document_id GROUP BY t.topic_id "
        f"UNION ALL SELECT 'party', 0, NULL, NULL, NULL, {nulls}, NULL, p.party, count(*) FROM {source} "
        f"JOIN library_documentparty p ON p.document_id = {source}.document_id GROUP BY p.party"
    )


def pg_statement(query: str, filters: Any, plan: Plan) -> tuple[str, list[Any]]:
    """One statement. Exact: the matches once, then the page, all facet groups in one pass
    (GROUPING SETS; the empty set is the total) and the topic and party groups. Large: the
    sample's matches once (counted, not ranked) for the facet groups, the first date of the window
    from them, and the page from the window's matches. The tsquery is a constant, as a person
    would type it having looked up the stems and the compounds (here: computed once, before
    timing, from the engine's own expression)."""
    from django.db import connection

    from library import engine

    compiled = engine.compile_query(query)
    with connection.cursor() as cursor:
        expanded_sql, expanded_params = engine._pg_tsquery(compiled, expand=True)
        cursor.execute(f"SELECT ({expanded_sql})::text", expanded_params)
        tsquery = cursor.fetchone()[0]
        exact_tsquery = None
        if compiled.expansions:
            exact_sql, exact_params = engine._pg_tsquery(compiled, expand=False)
            cursor.execute(f"SELECT ({exact_sql})::text", exact_params)
            exact_tsquery = cursor.fetchone()[0]
    where, params = _filters_sql(filters, postgres=True)
    exact = "(s.vector @@ %s::tsquery)::int" if exact_tsquery else "1"
    exact_params = [exact_tsquery] if exact_tsquery else []
    columns = ", ".join(f"s.{c}" for c in FACET_COLUMNS)
    nulls = ", ".join(["NULL"] * len(FACET_COLUMNS))
    ranked = f"{exact} AS exact, ts_rank(s.vector, %s::tsquery, 1) AS rank FROM library_searchdocument s"
    page = (
        f"(SELECT 'page', 0, document_id, exact, rank, {nulls}, NULL::bigint, NULL, 0::bigint FROM {{source}} "
        f"ORDER BY exact DESC, rank DESC, date DESC, document_id DESC LIMIT {PER_PAGE}) "
    )
    if not plan.large:
        sql = (
            f"WITH hits AS MATERIALIZED (SELECT s.document_id, {columns}, s.date, {ranked} "
            f"WHERE s.vector @@ %s::tsquery{where}) "
            f"{page.format(source='hits')}UNION ALL {_facet_sql_pg('hits')}"
        )
        return sql, [*exact_params, tsquery, tsquery, *params]
    window_date = "s.date" if plan.window_in_index else "s.date + 0"
    sql = (
        f"WITH sample AS MATERIALIZED (SELECT s.document_id, {columns}, s.date FROM library_searchdocument s "
        f"WHERE s.vector @@ %s::tsquery{where} AND s.sample < %s::smallint), "
        "cut AS (SELECT date FROM sample ORDER BY date DESC OFFSET %s LIMIT 1), "
        f"win AS MATERIALIZED (SELECT s.document_id, s.date, {ranked} "
        f"WHERE s.vector @@ %s::tsquery{where} AND {window_date} >= (SELECT date FROM cut)) "
        f"{page.format(source='win')}UNION ALL {_facet_sql_pg('sample')} "
        f"UNION ALL SELECT 'window', 0, NULL, NULL, NULL, {nulls}, NULL, NULL, count(*) FROM win"
    )
    return sql, [tsquery, *params, plan.buckets, plan.position, *exact_params, tsquery, tsquery, *params]


# GROUPING(kind, tier, ...) has a bit set for every column *not* grouped: the set of one column
# leaves all bits but its own; the empty set (the total) has all bits set.
GROUPING_BITS = {
    (1 << len(FACET_COLUMNS)) - 1 - (1 << (len(FACET_COLUMNS) - 1 - i)): i for i in range(len(FACET_COLUMNS))
}


def scaled(
    page: list[tuple[int, bool]], total: int, window: int, groups: dict[str, dict[Any, int]], plan: Plan
) -> tuple[list[tuple[int, bool]], int, dict[str, dict[Any, int]]]:
    """A sample's counts as estimates for the whole (as the engine rounds them); the window is
    counted exactly, so the total is at least that."""
    if not plan.large:
        return page, total, groups
    estimates = {name: {v: round(c * plan.scale) for v, c in values.items()} for name, values in groups.items()}
    return page, max(round(total * plan.scale), window), estimates


def pg_rows(rows: list[tuple[Any, ...]], plan: Plan) -> tuple[list[tuple[int, bool]], int, dict[str, dict[Any, int]]]:
    page: list[tuple[int, bool]] = []
    groups: dict[str, dict[Any, int]] = {name: {} for name in (*FACET_NAMES.values(), "topic", "party")}
    total = window = 0
    for section, grouping, document_id, exact, _rank, *values, topic, party, count in rows:
        if section == "page":
            page.append((document_id, bool(exact)))
        elif section == "topic":
            groups["topic"][topic] = count
        elif section == "party":
            groups["party"][party] = count
        elif section == "window":
            window = count
        elif grouping in GROUPING_BITS:
            column = GROUPING_BITS[grouping]
            groups[FACET_NAMES[FACET_COLUMNS[column]]][values[column]] = count
        else:
            total = count
    return scaled(page, total, window, groups, plan)


def sqlite_statement(query: str, filters: Any, plan: Plan) -> tuple[str, list[Any]]:
    """One statement: the matches once (FTS5, bm25 with the engine's column weights), the page and
    a GROUP BY per facet; for a large result the groups over the sample's matches and the page
    from the window's. The FTS5 expressions are constants, as typed by hand."""
    from library import engine

    compiled = engine.compile_query(query)
    expression = engine.fts5_expression(compiled, expand=True)
    exact, exact_params = "1", []
    if compiled.expansions:
        exact = "(f.rowid IN (SELECT rowid FROM library_fts WHERE library_fts MATCH %s))"
        exact_params = [engine.fts5_expression(compiled, expand=False)]
    where, params = _filters_sql(filters, postgres=False)
    counted = "sample" if plan.large else "hits"
    groups = [
        f"SELECT '{name}', {column}, count(*), NULL FROM {counted} GROUP BY {column}"
        for column, name in FACET_NAMES.items()
    ]
    groups += [
        # CROSS JOIN: SQLite then loops over the hits, not over the whole table (its plan for JOIN).
        f"SELECT 'topic', t.topic_id, count(*), NULL FROM {counted} CROSS JOIN library_document_topics t "
        f"ON t.document_id = {counted}.document_id GROUP BY t.topic_id",
        f"SELECT 'party', p.party, count(*), NULL FROM {counted} CROSS JOIN library_documentparty p "
        f"ON p.document_id = {counted}.document_id GROUP BY p.party",
        f"SELECT 'total', NULL, count(*), NULL FROM {counted}",
    ]
    columns = ", ".join(f"s.{c}" for c in FACET_COLUMNS)
    ranked = (
        f"{exact} AS exact, bm25(library_fts, {engine.SQLITE_WEIGHTS}) AS rank FROM library_fts f "
        "JOIN library_searchdocument s ON s.document_id = f.rowid WHERE library_fts MATCH %s"
    )
    page = (
        "SELECT * FROM (SELECT 'page', document_id, exact, rank FROM {source} "
        f"ORDER BY exact DESC, rank, date DESC, document_id DESC LIMIT {PER_PAGE}) UNION ALL "
    )
    if not plan.large:
        sql = (
            f"WITH hits AS MATERIALIZED (SELECT s.document_id, {columns}, s.date, {ranked}{where}) "
            + page.format(source="hits")
            + " UNION ALL ".join(groups)
        )
        return sql, [*exact_params, expression, *params]
    sql = (
        f"WITH sample AS MATERIALIZED (SELECT s.document_id, {columns}, s.date FROM library_fts f "
        f"JOIN library_searchdocument s ON s.document_id = f.rowid WHERE library_fts MATCH %s{where} "
        "AND s.sample < %s), "
        f"win AS MATERIALIZED (SELECT s.document_id, s.date, {ranked}{where} "
        "AND s.date >= (SELECT date FROM sample ORDER BY date DESC LIMIT 1 OFFSET %s)) "
        + page.format(source="win")
        + " UNION ALL ".join([*groups, "SELECT 'window', NULL, count(*), NULL FROM win"])
    )
    return sql, [expression, *params, plan.buckets, *exact_params, expression, *params, plan.position]


def sqlite_rows(
    rows: list[tuple[Any, ...]], plan: Plan
) -> tuple[list[tuple[int, bool]], int, dict[str, dict[Any, int]]]:
    page: list[tuple[int, bool]] = []
    groups: dict[str, dict[Any, int]] = {name: {} for name in (*FACET_NAMES.values(), "topic", "party")}
    total = window = 0
    for section, value, count, _rank in rows:
        if section == "page":
            page.append((value, bool(count)))
        elif section == "total":
            total = count
        elif section == "window":
            window = count
        else:
            groups[section][value] = count
    return scaled(page, total, window, groups, plan)


def top_values(groups: dict[Any, int]) -> list[tuple[Any, int]]:
    """The facet values as the search page shows them: the 15 largest groups (a NULL group takes
    a place and is then left out), largest first."""
    ranked = sorted(groups.items(), key=lambda item: (-item[1], str(item[0])))[:MAX_FACET_VALUES]
    return [(v, c) for v, c in ranked if v is not None]


def same_results(results: Any, page: list[tuple[int, bool]], total: int, groups: dict[str, dict[Any, int]]) -> str:
    """'' when the app and the SQL agree, else what differs. Facets: the app cuts each at 15
    values in SQL (ORDER BY n DESC LIMIT 15), so among values tied at the cut either may be shown."""
    app_page = [(h.document_id, h.exact) for h in results.hits]
    if app_page != page:
        return f"page differs: app {app_page[:5]}... sql {page[:5]}..."
    if results.total != total:
        return f"total differs: app {results.total}, sql {total}"
    for name, all_groups in groups.items():
        shown = dict(results.facets[name])
        ranked = sorted(all_groups.values(), reverse=True)
        cut = ranked[MAX_FACET_VALUES - 1] if len(ranked) >= MAX_FACET_VALUES else 0
        must = {v: c for v, c in all_groups.items() if c > cut and v is not None}
        if any(all_groups.get(v) != c or c < cut for v, c in shown.items()) or any(
            shown.get(v) != c for v, c in must.items()
        ):
            return f"facet {name} differs: app {sorted(shown.items())[:8]}, sql {sorted(must.items())[:8]}"
        if len(shown) < min(MAX_FACET_VALUES - 1, len(all_groups)) or len(shown) > MAX_FACET_VALUES:
            return f"facet {name}: app shows {len(shown)} values of {len(all_groups)}"
    return ""


# --- measuring -----------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def capture_app_statements(query: str, filters: Any) -> list[tuple[str, Any]]:
    """The app's search statements (for EXPLAIN), caught on their way to the database."""
    from django.db import connection

    caught: list[tuple[str, Any]] = []

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.startswith(("WITH hits", "SELECT count(*)")):
            caught.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        app_search(query, filters)
    return caught


def explain(label: str, sql: str, params: Any) -> None:
    from django.db import connection, transaction

    print(f"\nEXPLAIN (ANALYZE, BUFFERS) — {label}")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)")
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        for (line,) in cursor.fetchall():
            print("  " + line)


def run(backend: str, args: argparse.Namespace) -> int:
    n = (QUICK_SIZES if args.quick else SIZES)[backend]
    os.environ["DATABASE_URL"] = database_url(backend, n)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    info = prepare(backend, n, args.reuse)

    from django.db import connection

    from bench import corpus
    from library import engine

    postgres = backend == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            # What the engine sets for its statement (SET LOCAL), for the hand-written SQL too.
            cursor.execute("SET work_mem = '64MB'")
            cursor.execute("SET jit = off")
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        import sqlite3

        version = f"SQLite {sqlite3.sqlite_version}"
    cases = []
    plans = {}
    for query, params in corpus.QUERIES:
        filters = engine.Filters.from_params(params)
        label = query + "".join(f" {k}={v}" for k, v in params.items())
        plans[label] = plan_of(query, filters, app_search(query, filters)[0].estimated)
        sql, sql_params = (pg_statement if postgres else sqlite_statement)(query, filters, plans[label])
        cases.append((label, query, filters, sql, sql_params))

    def hand_written(sql: str, sql_params: list[Any], plan: Plan) -> tuple[list[tuple[int, bool]], int, dict[str, Any]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, sql_params)
            rows = cursor.fetchall()
        page, total, groups = (pg_rows if postgres else sqlite_rows)(rows, plan)
        return page, total, {name: top_values(values) for name, values in groups.items()}

    # Warm up, and check that both sides agree on every query.
    failures = []
    hits = {}
    for label, query, filters, sql, sql_params in cases:
        results, rows = app_search(query, filters)
        with connection.cursor() as cursor:
            cursor.execute(sql, sql_params)
            page, total, groups = (pg_rows if postgres else sqlite_rows)(cursor.fetchall(), plans[label])
        problem = same_results(results, page, total, groups)
        if problem or len(rows) != len(results.hits) or not results.total:
            failures.append(f"{label}: {problem or f'{len(rows)} rows for {len(results.hits)} hits'}")
        hits[label] = results.total
    if failures:
        print("The app and the hand-written SQL disagree:\n  " + "\n  ".join(failures))
        return 1

    app_times: dict[str, list[float]] = {c[0]: [] for c in cases}
    sql_times: dict[str, list[float]] = {c[0]: [] for c in cases}
    gc.collect()
    gc.freeze()
    for rep in range(args.reps):
        for index, (label, query, filters, sql, sql_params) in enumerate(cases):
            sides: list[tuple[dict[str, list[float]], Callable[[], Any]]] = [
                (app_times, lambda q=query, f=filters: app_search(q, f)),
                (sql_times, lambda s=sql, p=sql_params, pl=plans[label]: hand_written(s, p, pl)),
            ]
            if (rep + index) % 2:
                sides.reverse()
            for times, call in sides:
                started = time.perf_counter()
                call()
                times[label].append((time.perf_counter() - started) * 1000)
        gc.collect()
    gc.unfreeze()

    all_app = [t for ts in app_times.values() for t in ts]
    all_sql = [t for ts in sql_times.values() for t in ts]
    app_p50, app_p95 = percentile(all_app, 0.5), percentile(all_app, 0.95)
    sql_p50, sql_p95 = percentile(all_sql, 0.5), percentile(all_sql, 0.95)
    ratio = app_p95 / sql_p95
    width = max(len(c[0]) for c in cases)
    lines = [f"{'query':<{width}}  {'hits':>8}  {'app ms':>8}  {'sql ms':>8}  {'ratio':>5}"]
    for label, *_rest in cases:
        app_ms, sql_ms = statistics.median(app_times[label]), statistics.median(sql_times[label])
        lines.append(f"{label:<{width}}  {hits[label]:>8,}  {app_ms:>8.1f}  {sql_ms:>8.1f}  {app_ms / sql_ms:>5.2f}")
    built = "reused, built" if info["reused"] else "built"
    lines += [
        "",
        f"{backend}: {n:,} documents ({built} in {info['build_seconds']:.0f} s), {len(cases)} queries "
        f"x {args.reps} repetitions, medians per query above; {version}",
        f"app (search + page rows + snippets): p50 {app_p50:6.1f} ms  p95 {app_p95:6.1f} ms",
        f"hand-written SQL:                    p50 {sql_p50:6.1f} ms  p95 {sql_p95:6.1f} ms",
        f"ratio app/SQL: p50 {app_p50 / sql_p50:.2f}, p95 {ratio:.2f} (target <= {TARGET_RATIO:.0f}) "
        + ("OK" if ratio <= TARGET_RATIO else "BELOW TARGET"),
    ]
    ok = ratio <= TARGET_RATIO
    if postgres and not args.quick:
        ok = ok and app_p95 <= TARGET_P95_MS
        lines.append(
            f"p95 app {app_p95:.1f} ms (target <= {TARGET_P95_MS:.0f} ms at 1M) "
            + ("OK" if app_p95 <= TARGET_P95_MS else "ABOVE TARGET")
        )
    print("\n" + "\n".join(lines), flush=True)

    if args.explain and postgres:
        slowest = sorted(cases, key=lambda c: -statistics.median(app_times[c[0]]))[: args.explain]
        for label, query, filters, sql, sql_params in slowest:
            for number, (statement, statement_params) in enumerate(capture_app_statements(query, filters), start=1):
                explain(f"app, statement {number}: {label}", statement, statement_params)
            explain(f"hand-written: {label}", sql, sql_params)

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


def children(args: argparse.Namespace) -> Iterator[list[str]]:
    for backend in ("sqlite", "postgresql"):
        yield [sys.executable, __file__, "--backend", backend, *sys.argv[1:]]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), help="default: both, one after the other")
    parser.add_argument("--quick", action="store_true", help="20k documents on SQLite, 50k on PostgreSQL")
    parser.add_argument("--reuse", action="store_true", help="keep a matching database from an earlier run")
    parser.add_argument("--reps", type=int, default=10, help="repetitions per query and side")
    parser.add_argument("--explain", type=int, default=0, metavar="N", help="EXPLAIN the N slowest (PostgreSQL)")
    parser.add_argument("--write", action="store_true", help="append the result to docs/PERFORMANCE.md")
    args = parser.parse_args()
    if args.backend:
        sys.exit(run(args.backend, args))
    codes = [subprocess.call(command, cwd=ROOT) for command in children(args)]
    sys.exit(max(codes))


if __name__ == "__main__":
    main()
