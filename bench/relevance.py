"""Benchmark: how well the library search finds what a councillor means, on the judged Dutch
relevance set (bench/relevance/: 523 council documents, 82 queries with graded judgements), against
a plain BM25 baseline over the same documents in the same run.

The app: a fresh database (the reference bodies loaded), the documents imported with
`manage.py import_ori --index-now`, every query run through the app's own search (app_ranking, the
one place that calls the engine). The baseline: SQLite FTS5 with the unicode61 tokenizer
(diacritics removed), no stemming, no stop words, the query's words OR-ed, ranked by bm25 with the
title weighted 3 and the text 1, over the titles and texts of the same records.

Printed per system: nDCG@10, recall@10, MRR and the share of queries without any result; the ratio
app / baseline for nDCG@10 (target >= 1.15, and no query without results); nDCG@10 per kind of
query; with --verbose a line per query. The measures are those of bench/relevance_metrics.py
(graded gains; recall and MRR count grade 2 and 3 as relevant; MRR over the first 100 results).

    .venv/bin/python bench/relevance.py [--backend sqlite|postgresql] [--verbose] [--write]

Database: SQLite in var/bench/relevance.sqlite3 by default; PostgreSQL when DATABASE_URL is a
PostgreSQL URL (or with --backend postgresql): the database "<name>_relevance" next to the one in
DATABASE_URL (default raadhuis_bench_relevance), dropped and created for each run; BENCH_RELEVANCE_
DATABASE_URL names another. --write appends the result to docs/PERFORMANCE.md.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import platform
import re
import sqlite3
import sys
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import relevance_metrics as metrics  # noqa: E402

SET = ROOT / "bench" / "relevance"
DOCUMENTS = SET / "documents.jsonl"
JUDGEMENTS = SET / "judgements.jsonl"
SQLITE_PATH = ROOT / "var" / "bench" / "relevance.sqlite3"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/raadhuis_bench"
DEPTH = 100  # results read per query (nDCG and recall look at the first 10, MRR at all)
TARGET_RATIO = 1.15
BASELINE_WEIGHTS = (3.0, 1.0)  # bm25 weights of the baseline: title, text


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    type: str
    judgements: dict[str, int]


@dataclass(frozen=True)
class Run:
    """One system's answer to one query: source identifiers, best first, and the number found."""

    ranking: list[str]
    total: int


def load_set() -> tuple[list[dict[str, Any]], list[Query]]:
    with DOCUMENTS.open(encoding="utf-8") as handle:
        documents = [json.loads(line) for line in handle if line.strip()]
    with JUDGEMENTS.open(encoding="utf-8") as handle:
        queries = [
            Query(q["id"], q["query"], q["type"], q["judgements"])
            for q in (json.loads(line) for line in handle if line.strip())
        ]
    return documents, queries


# --- the database ----------------------------------------------------------------------------------


def choose_database(backend: str | None) -> tuple[str, str]:
    """(backend, DATABASE_URL) for this run. Never the database of DATABASE_URL itself."""
    explicit = os.environ.get("BENCH_RELEVANCE_DATABASE_URL", "")
    current = os.environ.get("DATABASE_URL", "")
    if backend is None:
        backend = "postgresql" if (explicit or current).startswith(("postgres://", "postgresql://")) else "sqlite"
    if backend == "sqlite":
        return backend, f"sqlite:///{SQLITE_PATH}"
    if explicit.startswith(("postgres://", "postgresql://")):
        return backend, explicit
    base = current if current.startswith(("postgres://", "postgresql://")) else DEFAULT_PG
    server, name = base.rsplit("/", 1)
    return backend, f"{server}/{name.split('?')[0]}_relevance"


def fresh_database(backend: str) -> None:
    """An empty database with the app's schema and the reference bodies."""
    url = os.environ["DATABASE_URL"]
    if backend == "sqlite":
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    else:
        from bench.common import recreate_database

        recreate_database(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_bodies", verbosity=0)


def import_documents() -> dict[int, str]:
    """The documents through the importer, indexed; returns document id -> source identifier."""
    from django.core.management import call_command

    from library.models import Document

    call_command("import_ori", str(DOCUMENTS), "--index-now", verbosity=0, stdout=io.StringIO())
    # The search index (tantivy) follows the database through its change log; no worker runs here.
    call_command("search_index", "--rebuild", verbosity=0, stdout=io.StringIO())
    imported = dict(Document.objects.values_list("pk", "source_id"))
    return imported


# --- the two systems ---------------------------------------------------------------------------------


def app_ranking(query: str, depth: int = DEPTH) -> tuple[list[int], int]:
    """The app's search for one query as the library's search page runs it (best first): the ids of
    the first `depth` results and the number of results. The one place that calls the engine:
    adapt this function when the engine's interface changes."""
    from library import engine

    results = engine.search(query, public_only=False, sort="relevance", page=1, per_page=depth)
    return [hit.document_id for hit in results.hits], results.total


def run_app(queries: list[Query], sources: dict[int, str]) -> dict[str, Run]:
    runs = {}
    for query in queries:
        try:
            ids, total = app_ranking(query.text)
        except Exception as error:
            raise RuntimeError(f"the app's search failed on {query.id} {query.text!r}: {error}") from error
        runs[query.id] = Run([sources[pk] for pk in ids], total)
    return runs


def fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def baseline_expression(query: str) -> str:
    """The query's words OR-ed, each quoted (FTS5 tokenizes them as it tokenized the documents)."""
    words = list(dict.fromkeys(re.findall(r"[^\W_]+", fold(query))))
    return " OR ".join(f'"{word}"' for word in words)


class Baseline:
    """Plain BM25: SQLite FTS5, unicode61 with diacritics removed, title weighted 3, text 1."""

    def __init__(self, documents: list[dict[str, Any]]) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE docs USING fts5(title, text, tokenize = 'unicode61 remove_diacritics 2')")
        self.ids = [d["@id"] for d in documents]
        self.db.executemany(
            "INSERT INTO docs (rowid, title, text) VALUES (?, ?, ?)",
            [(n, d.get("name") or d.get("title") or "", d.get("text") or "") for n, d in enumerate(documents)],
        )

    def ranking(self, query: str, depth: int = DEPTH) -> Run:
        expression = baseline_expression(query)
        if not expression:
            return Run([], 0)
        weights = ", ".join(str(w) for w in BASELINE_WEIGHTS)
        rows = self.db.execute(
            f"SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, {weights}), rowid",
            [expression],
        ).fetchall()
        return Run([self.ids[row[0]] for row in rows[:depth]], len(rows))


# --- reporting -----------------------------------------------------------------------------------------


def first_relevant(run: Run, judgements: dict[str, int]) -> str:
    for rank, document in enumerate(run.ranking, start=1):
        if judgements.get(document, 0) >= metrics.RELEVANT:
            return str(rank)
    return "-"


def report(
    queries: list[Query], runs: dict[str, dict[str, Run]], *, verbose: bool
) -> tuple[list[str], dict[str, metrics.Summary]]:
    lines: list[str] = []
    scores: dict[str, dict[str, metrics.Scores]] = {system: {} for system in runs}
    for system, by_query in runs.items():
        for query in queries:
            run = by_query[query.id]
            scores[system][query.id] = metrics.score(run.ranking, query.judgements, run.total)
    summaries = {system: metrics.summarise(list(s.values())) for system, s in scores.items()}
    if verbose:
        lines.append("per query: nDCG@10 app / baseline, rank of the first relevant result, number of results")
        for query in queries:
            app, base = scores["app"][query.id], scores["baseline"][query.id]
            lines.append(
                f"  {query.id} {query.text[:48]:48s} {app.ndcg:5.2f} / {base.ndcg:5.2f}   "
                f"first {first_relevant(runs['app'][query.id], query.judgements):>3s} / "
                f"{first_relevant(runs['baseline'][query.id], query.judgements):>3s}   "
                f"found {runs['app'][query.id].total:>3d} / {runs['baseline'][query.id].total:>3d}"
            )
        lines.append("")
    lines.append(f"{'':10s} {'nDCG@10':>8s} {'recall@10':>10s} {'MRR':>6s} {'zero results':>13s}")
    for system, summary in summaries.items():
        lines.append(
            f"{system:10s} {summary.ndcg:8.3f} {summary.recall:10.3f} {summary.mrr:6.3f} "
            f"{summary.zero_result_rate:12.1%}"
        )
    app, base = summaries["app"], summaries["baseline"]
    ratio = app.ndcg / base.ndcg if base.ndcg else float("inf")
    met = ratio >= TARGET_RATIO and app.zero_result_rate == 0
    zero_queries = [q.id for q in queries if scores["app"][q.id].zero_results]
    lines.append(
        f"ratio app/baseline nDCG@10: {ratio:.2f} (target >= {TARGET_RATIO:.2f}, and no query without results) "
        + ("OK" if met else "BELOW TARGET")
    )
    if zero_queries:
        lines.append(f"queries without results in the app: {len(zero_queries)} ({', '.join(zero_queries)})")
    by_type: dict[str, list[Query]] = defaultdict(list)
    for query in queries:
        by_type[query.type].append(query)
    lines.append("nDCG@10 per kind of query (app / baseline):")
    for kind, members in sorted(by_type.items(), key=lambda item: -len(item[1])):
        app_mean = sum(scores["app"][q.id].ndcg for q in members) / len(members)
        base_mean = sum(scores["baseline"][q.id].ndcg for q in members) / len(members)
        lines.append(f"  {kind:14s} {len(members):3d} queries  {app_mean:5.2f} / {base_mean:5.2f}")
    return lines, summaries


def machine() -> str:
    return f"{platform.node()} ({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()})"


def write_performance(backend: str, header: str, lines: list[str]) -> None:
    path = ROOT / "docs" / "PERFORMANCE.md"
    block = "\n".join(
        [
            "",
            f"### Relevance, {backend} — {datetime.date.today().isoformat()}",
            "",
            header,
            "",
            "```",
            *[line for line in lines if not line.startswith("  q")],
            "```",
            "",
        ]
    )
    with path.open("a", encoding="utf-8") as handle:
        handle.write(block)
    print(f"Appended to {path.relative_to(ROOT)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), help="default: PostgreSQL if DATABASE_URL is")
    parser.add_argument("--verbose", action="store_true", help="a line per query")
    parser.add_argument("--write", action="store_true", help="append the result to docs/PERFORMANCE.md")
    args = parser.parse_args()
    backend, url = choose_database(args.backend)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

    import django

    django.setup()
    documents, queries = load_set()
    started = time.perf_counter()
    fresh_database(backend)
    sources = import_documents()
    if sorted(sources.values()) != sorted(d["@id"] for d in documents):
        raise SystemExit(f"the import did not bring in every document ({len(sources)} of {len(documents)})")
    built = time.perf_counter() - started
    started = time.perf_counter()
    runs = {"app": run_app(queries, sources)}
    app_seconds = time.perf_counter() - started
    baseline = Baseline(documents)
    runs["baseline"] = {q.id: baseline.ranking(q.text) for q in queries}
    header = (
        f"Machine: {machine()}. {backend}, {len(documents)} documents imported with import_ori --index-now "
        f"in {built:.0f} s; {len(queries)} queries ({app_seconds / len(queries) * 1000:.0f} ms per query in the app)."
    )
    print(header)
    lines, _summaries = report(queries, runs, verbose=args.verbose)
    print("\n".join(lines))
    if args.write:
        write_performance(backend, header, lines)
    # Like every benchmark: exit 1 when a result is below its target (make bench reports it at the end).
    return 1 if any(line.endswith("BELOW TARGET") for line in lines) else 0


if __name__ == "__main__":
    sys.exit(main())
