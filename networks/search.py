"""Searching questions, discussions and replies (networks.search_index) with the library's query
language and Dutch analysis: the words are parsed and expanded by library.engine.compile_query
("quoted phrases", -excluded words, OR, compounds from the vocabulary) and stemmed by
core.analysis, as the library's search does.

Permissions are applied twice. In the index: only posts of the networks the user may read
(networks.selectors.readable_network_ids, asked at query time). In the database: the page of
results is loaded with the same conditions (visible post, visible conversation, readable network),
so an index that has not yet applied a change (a hidden post, a network someone left) never shows
what the user may not read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import tantivy
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from core import analysis
from core.models import SearchTerm
from core.search import Clause
from core.search_index import FieldQueries
from library.engine import CompiledQuery, compile_query, minimum_should_match

from . import search_index
from .models import Mention, Post

PER_PAGE = 20
MAX_PAGE = 500
# BM25 per field times its weight; a word's score is its best field plus a share of the other.
FIELD_WEIGHTS = {"title": 2.0, "body": 1.0}
TIE_BREAKER = 0.3
# A compound found through a query word counts less than the word itself.
COMPOUND_WEIGHT = 0.5


@dataclass
class Results:
    total: int
    posts: list[Post]
    query: CompiledQuery | None
    page: int
    per_page: int = PER_PAGE
    error: str = ""
    relaxed: bool = False
    expanded_words: dict[str, list[str]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def highlight_words(self) -> list[str]:
        return self.query.highlight_words if self.query else []


QUERIES = FieldQueries(search_index.SCHEMA, FIELD_WEIGHTS, tie_breaker=TIE_BREAKER)
_field_terms = QUERIES.terms


def _clause_query(clause: Clause, expansions: dict[str, list[SearchTerm]]) -> tantivy.Query:
    terms = analysis.stems(list(clause.words))
    if clause.phrase:
        return QUERIES.phrase(terms)
    if len(terms) > 1:  # words that form one term of the library's synonym list: all must occur
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, _field_terms(term)) for term in terms])
    compounds = [t.stem for t in expansions.get(clause.words[0], []) if t.stem != terms[0]]
    if not compounds:
        return _field_terms(terms[0])
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Should, _field_terms(terms[0]))]
        + [(tantivy.Occur.Should, _field_terms(c, COMPOUND_WEIGHT)) for c in compounds]
    )


def _group_query(group: list[Clause], expansions: dict[str, list[SearchTerm]]) -> tantivy.Query:
    if len(group) == 1:
        return _clause_query(group[0], expansions)
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, _clause_query(c, expansions)) for c in group])


def _build(compiled: CompiledQuery, network_ids: list[int], required: int) -> tantivy.Query:
    """Required groups (+word) must match, at least `required` of the others should, excluded
    clauses must not; the networks restrict without scoring."""
    must = [g for g in compiled.groups if any(c.required for c in g)]
    should = [g for g in compiled.groups if not any(c.required for c in g)]
    clauses: list[tuple[Any, tantivy.Query]] = [
        (tantivy.Occur.Must, _group_query(group, compiled.expansions)) for group in must
    ]
    if should:
        words = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, _group_query(g, compiled.expansions)) for g in should],
            minimum_number_should_match=1 if must else max(1, required),
        )
        clauses.append((tantivy.Occur.Should if must else tantivy.Occur.Must, words))
    for clause in compiled.negated:
        clauses.append((tantivy.Occur.MustNot, _clause_query(clause, {})))
    networks = tantivy.Query.term_set_query(search_index.SCHEMA, "network", network_ids)
    clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(networks, 0.0)))
    return tantivy.Query.boolean_query(clauses)


def _count(found: Any) -> int:
    # SearchResult.count (search(..., count=True)) is missing from tantivy's type stubs.
    return int(found.count)


def visible_posts(network_ids: list[int]) -> Any:
    """Posts a reader of these networks sees in results, with what a result shows."""
    return (
        Post.objects.filter(hidden_at__isnull=True, thread__hidden_at__isnull=True, thread__network_id__in=network_ids)
        .select_related("thread__network", "author_member", "author")
        .prefetch_related(Prefetch("mentions", queryset=Mention.objects.select_related("member")))
    )


def search(query: str, *, network_ids: list[int], sort: str = "relevance", page: int = 1) -> Results:
    """One page of the posts matching `query` in these networks, best match first (or newest
    first with sort="date"). At least minimum_should_match of the words must occur; when that
    finds nothing, one word fewer, and so on (Results.relaxed)."""
    page = max(1, min(page, MAX_PAGE))
    if not query.strip():
        return Results(0, [], None, page)
    compiled = compile_query(query)
    if compiled.empty:
        return Results(0, [], compiled, page, error=compiled.error or _("Search for at least one word."))
    expanded = {word: [t.stem for t in terms] for word, terms in compiled.expansions.items()}
    if not network_ids:
        return Results(0, [], compiled, page, expanded_words=expanded)
    searcher = search_index.searcher()
    required_groups = any(c.required for g in compiled.groups for c in g)
    should = 0 if required_groups else len(compiled.groups)
    wanted = minimum_should_match(should)
    required = wanted
    built = _build(compiled, network_ids, required)
    found = searcher.search(built, 1, count=True)
    while _count(found) == 0 and required > 1:
        required -= 1
        built = _build(compiled, network_ids, required)
        found = searcher.search(built, 1, count=True)
    skip = (page - 1) * PER_PAGE
    if sort == "date":
        found = searcher.search(built, PER_PAGE, count=True, order_by_field="sortdate", offset=skip)
    else:
        found = searcher.search(built, PER_PAGE, count=True, offset=skip)
    ids = [int(searcher.doc(address)["id"][0]) for _score, address in found.hits]
    loaded = visible_posts(network_ids).in_bulk(ids) if ids else {}
    return Results(
        _count(found),
        [loaded[pk] for pk in ids if pk in loaded],
        compiled,
        page,
        relaxed=should > 0 and required < wanted,
        expanded_words=expanded,
    )
