"""The judged relevance set (bench/relevance/) stays well formed: the documents are what their
hand-written sources give, there are enough of every kind, and every record imports cleanly."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.core.management import call_command

from library import importing
from library.models import Kind

SET = Path(__file__).resolve().parent.parent / "bench" / "relevance"


def _render_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("relevance_render", SET / "render.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (its dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def documents() -> list[dict[str, Any]]:
    with (SET / "documents.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_documents_are_what_the_sources_give(documents: list[dict[str, Any]]) -> None:
    render = _render_module()
    assert render.as_lines(render.render()) == (SET / "documents.jsonl").read_text(encoding="utf-8")


def test_enough_documents_of_every_kind_tier_and_period(documents: list[dict[str, Any]]) -> None:
    assert len(documents) >= 500
    identifiers = [d["@id"] for d in documents]
    assert len(set(identifiers)) == len(identifiers)
    kinds = Counter(importing.TYPES[d["@type"].lower()] for d in documents)
    assert set(kinds) == {Kind.MOTION, Kind.AMENDMENT, Kind.QUESTIONS, Kind.INITIATIVE, Kind.OTHER}
    assert kinds[Kind.MOTION] >= 150 and kinds[Kind.QUESTIONS] >= 100 and kinds[Kind.AMENDMENT] >= 30
    assert sum(1 for d in documents if d["@type"] == "Answer") >= 10
    codes = [
        d["organization"] if isinstance(d["organization"], str) else d["organization"]["identifier"] for d in documents
    ]
    assert Counter(code[:2] for code in codes).keys() == {"GM", "PV", "WS"}
    assert len(set(codes)) >= 100
    years = {int(d["date"][:4]) for d in documents}
    assert min(years) == 2014 and max(years) == 2026 and len(years) == 13
    assert sum(1 for d in documents if len(d["text"].split()) > 1000) >= 3


@pytest.mark.django_db
def test_every_record_maps_without_problems_or_warnings(documents: list[dict[str, Any]]) -> None:
    call_command("load_bodies", verbosity=0)
    lookups = importing.Lookups()
    for record in documents:
        mapped = importing.map_record(record, lookups)
        assert mapped.warnings == [], record["@id"]
        assert mapped.topics, record["@id"]


@pytest.fixture(scope="module")
def queries() -> list[dict[str, Any]]:
    with (SET / "judgements.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_queries_and_judgements_are_well_formed(queries: list[dict[str, Any]], documents: list[dict[str, Any]]) -> None:
    assert len(queries) >= 60
    assert len({q["id"] for q in queries}) == len(queries)
    assert len({q["query"].lower() for q in queries}) == len(queries)
    identifiers = {d["@id"] for d in documents}
    for query in queries:
        assert query["query"].strip() and query["sought"].strip() and query["type"].strip(), query["id"]
        grades = query["judgements"]
        assert set(grades) <= identifiers, (query["id"], set(grades) - identifiers)
        assert set(grades.values()) <= {1, 2, 3}, query["id"]
        assert 3 in grades.values(), f"{query['id']}: nothing that is exactly what was sought"
    kinds = Counter(q["type"] for q in queries)
    for kind in ("natural", "keyword", "compound", "abbreviation", "synonym", "typo", "old-exact"):
        assert kinds[kind], kind
