"""SQLite and PostgreSQL give the same top 10 on the judged relevance set (bench/relevance/), up to
ties: CI runs this test on both databases against one committed snapshot
(bench/relevance/top10.json), so both must give what it holds.

The documents go through the importer as in production (`import_ori`, then the search index
rebuilt), so whatever each database does differently on the way (COPY or bulk inserts, ids, text
storage, the visibility check after the index) shows up here. Each query's top 10 is kept as
groups of equal score (source identifiers, sorted within a group), extended past the tenth result
with the documents tied with it: the order inside a tie is the index's (document ids), which is
not the same on both databases and means nothing.

The snapshot changes whenever the analysis or the ranking changes on purpose. Write it again on
either database and check the other one against it:

    UPDATE_RELEVANCE_SNAPSHOT=1 .venv/bin/python -m pytest -p no:xdist -q library/tests/test_relevance_parity.py
"""

from __future__ import annotations

import io
import json
import math
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from library import engine
from library.models import Document

SET = Path(__file__).resolve().parents[2] / "bench" / "relevance"
SNAPSHOT = SET / "top10.json"
TOP = 10
# Scores within this relative distance are a tie (tantivy scores in 32-bit floats).
TIE = 1e-5
# Read past the tenth result to see every document tied with it.
DEPTH = 40

pytestmark = pytest.mark.django_db


def tie_groups(hits: list[tuple[str, float]], top: int = TOP) -> list[list[str]]:
    """The first `top` results as groups of equal score, best first, each sorted; the group at the
    cut is complete (every result tied with the last one kept)."""
    groups: list[list[str]] = []
    scores: list[float] = []
    for kept, (source, score) in enumerate(hits):
        if groups and math.isclose(score, scores[-1], rel_tol=TIE):
            groups[-1].append(source)
        elif kept >= top:
            break
        else:
            groups.append([source])
            scores.append(score)
    return [sorted(group) for group in groups]


def test_tie_groups_are_complete_at_the_cut_and_ignore_the_order_inside_a_tie() -> None:
    hits = [("a", 3.0), ("c", 2.0), ("b", 2.0), ("d", 1.5), ("e", 1.0), ("f", 1.0), ("g", 0.5)]
    assert tie_groups(hits, top=4) == [["a"], ["b", "c"], ["d"]]
    assert tie_groups(hits, top=5) == [["a"], ["b", "c"], ["d"], ["e", "f"]]
    assert tie_groups(hits, top=2) == tie_groups([hits[0], hits[2], hits[1], *hits[3:]], top=2) == [["a"], ["b", "c"]]
    assert tie_groups([("a", 1.0), ("b", 1.0 + 1e-7)], top=1) == [["a", "b"]]


def current_top10(queries: list[dict[str, Any]]) -> dict[str, Any]:
    sources = dict(Document.objects.values_list("pk", "source_id"))
    answer = {}
    for query in queries:
        results = engine.search(query["query"], public_only=False, sort="relevance", per_page=DEPTH)
        assert not results.error, (query["id"], results.error)
        hits = [(sources[hit.document_id], hit.rank) for hit in results.hits]
        answer[query["id"]] = {"query": query["query"], "total": results.total, "top": tie_groups(hits)}
    return answer


def test_both_databases_give_the_same_top_10_on_the_relevance_set(settings: Any) -> None:
    settings.LIBRARY_SEARCH_APPLY_INLINE = True
    call_command("load_bodies", verbosity=0)
    call_command("import_ori", str(SET / "documents.jsonl"), "--index-now", verbosity=0, stdout=io.StringIO())
    call_command("search_index", "--rebuild", verbosity=0, stdout=io.StringIO())
    with (SET / "judgements.jsonl").open(encoding="utf-8") as handle:
        queries = [json.loads(line) for line in handle if line.strip()]
    assert Document.objects.count() == len((SET / "documents.jsonl").read_text(encoding="utf-8").splitlines())
    found = current_top10(queries)
    if os.environ.get("UPDATE_RELEVANCE_SNAPSHOT"):
        lines = [f"{json.dumps(key)}: {json.dumps(found[key], ensure_ascii=False)}" for key in sorted(found)]
        SNAPSHOT.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert set(found) == set(expected), "the queries changed: write the snapshot again (see the module's docstring)"
    differences = [
        f"{key} {found[key]['query']!r}: expected {expected[key]['total']} results {expected[key]['top']}, "
        f"got {found[key]['total']} {found[key]['top']}"
        for key in sorted(found)
        if (found[key]["total"], found[key]["top"]) != (expected[key]["total"], expected[key]["top"])
    ]
    assert not differences, (
        f"{len(differences)} of {len(found)} queries differ from bench/relevance/top10.json (if the analysis or "
        "ranking changed on purpose, write it again: see the module's docstring):\n" + "\n".join(differences)
    )
