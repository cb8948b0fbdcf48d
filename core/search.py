"""One search interface over two engines: PostgreSQL full-text search (the `dutch` configuration,
GIN index) in production, SQLite FTS5 with a Dutch Snowball stemmer (PyStemmer) for the embedded
default. Callers never see which one runs:

    search.index("member", member.pk, title=member.full_name, text=member.bio)
    members = search.filter_ranked(Member.objects.all(), "member", "woningbouw zwolle")

Text is folded (lower case, accents removed) before indexing and querying, so "financien" finds
"financiën". Every query word must match; the last word also matches as a prefix, so a name can be
found while it is being typed.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import Stemmer
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, models
from django.db.models import Case, F, OuterRef, Subquery, Value, When

from .models import SearchEntry
from .text import strip_accents

WORD = re.compile(r"[0-9a-z]+")
# SQLite ranks in Python and passes the ranking back as a CASE: cap the number of hits it ranks.
SQLITE_MAX_HITS = 2000


@cache
def _stemmer() -> Any:
    return Stemmer.Stemmer("dutch")


def fold(text: str) -> str:
    return strip_accents(text or "").lower()


def words(text: str) -> list[str]:
    return WORD.findall(fold(text))


def _stems(text: str) -> str:
    return " ".join(_stemmer().stemWords(words(text)))


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def index(kind: str, object_id: int, *, title: str, text: str = "") -> None:
    """Add or replace the document (kind, object_id) in the index."""
    title, text = fold(title), fold(text)
    if _is_postgres():
        SearchEntry.objects.update_or_create(kind=kind, object_id=object_id, defaults={"title": title, "text": text})
        SearchEntry.objects.filter(kind=kind, object_id=object_id).update(
            vector=SearchVector("title", weight="A", config="dutch") + SearchVector("text", weight="B", config="dutch")
        )
        return
    SearchEntry.objects.update_or_create(kind=kind, object_id=object_id, defaults={"title": title, "text": text})
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_search_fts WHERE kind = %s AND object_id = %s", [kind, object_id])
        cursor.execute(
            "INSERT INTO core_search_fts (kind, object_id, title, text) VALUES (%s, %s, %s, %s)",
            [kind, object_id, _stems(title), _stems(text)],
        )


def remove(kind: str, object_id: int) -> None:
    SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()
    if not _is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_search_fts WHERE kind = %s AND object_id = %s", [kind, object_id])


def _pg_query(query: str) -> SearchQuery | None:
    tokens = words(query)
    if not tokens:
        return None
    # Every word required (stemmed by the dutch configuration); the last word may also be the
    # start of a longer word ("klimaat" finds "klimaatadaptatie"): its prefix is matched unstemmed.
    # Words are [0-9a-z]+ only, so the raw prefix query cannot be malformed.
    *first, last = tokens
    result = SearchQuery(last, search_type="plain", config="dutch") | SearchQuery(
        f"{last}:*", search_type="raw", config="simple"
    )
    for token in first:
        result &= SearchQuery(token, search_type="plain", config="dutch")
    return result


def _fts5_query(query: str) -> str | None:
    tokens = words(query)
    if not tokens:
        return None
    stems = _stemmer().stemWords(tokens)
    last = f'("{stems[-1]}"* OR "{tokens[-1]}"*)'
    return " AND ".join([*[f'"{s}"' for s in stems[:-1]], last])


def filter_ranked(queryset: models.QuerySet[Any], kind: str, query: str) -> models.QuerySet[Any]:
    """`queryset` narrowed to the objects matching `query`, annotated with `search_rank` and
    ordered by it (best first). An empty query returns `queryset` unchanged; a query without
    searchable words matches nothing."""
    if not query.strip():
        return queryset
    if _is_postgres():
        tsquery = _pg_query(query)
        if tsquery is None:
            return queryset.none()
        matching = SearchEntry.objects.filter(kind=kind, vector=tsquery)
        rank = (
            SearchEntry.objects.filter(kind=kind, object_id=OuterRef("pk"))
            .annotate(rank=SearchRank(F("vector"), tsquery))
            .values("rank")[:1]
        )
        return (
            queryset.filter(pk__in=matching.values("object_id"))
            .annotate(search_rank=Subquery(rank, output_field=models.FloatField()))
            .order_by("-search_rank", "pk")
        )
    expression = _fts5_query(query)
    if expression is None:
        return queryset.none()
    with connection.cursor() as cursor:
        # bm25 is lower for better matches; the title (names) weighs ten times the text.
        cursor.execute(
            "SELECT object_id, bm25(core_search_fts, 0.0, 0.0, 10.0, 1.0) AS score FROM core_search_fts "
            "WHERE core_search_fts MATCH %s AND kind = %s ORDER BY score LIMIT %s",
            [expression, kind, SQLITE_MAX_HITS],
        )
        hits = cursor.fetchall()
    if not hits:
        return queryset.none()
    ranking = Case(
        *[When(pk=object_id, then=Value(-score)) for object_id, score in hits], output_field=models.FloatField()
    )
    return queryset.filter(pk__in=[h[0] for h in hits]).annotate(search_rank=ranking).order_by("-search_rank", "pk")
