"""The library's search engine: searching the tantivy index (library.search_index) and the
interface the rest of the app uses to keep it in step (index_documents, remove_documents: entries
in the search change log, applied by the index's one writer).

Dutch compounds: a query word also matches known longer words that end in it ("armoede" finds
"kinderarmoede"), taken from the vocabulary (core.SearchTerm, counted by the index's writer);
documents that match the words as typed are marked exact.

Query language (core.search.parse_query): "quoted phrases", -excluded words or phrases, OR between
alternatives, +required words; the other words are ranked with minimum-should-match. Snowball's
Dutch stop words are skipped outside phrases.
"""

from __future__ import annotations

import datetime
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import tantivy
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import analysis
from core import search as core_search
from core.models import SearchTerm
from core.search import Clause
from core.search_index import FieldQueries

from . import search_index, synonyms
from .models import Document, SearchChange

PER_PAGE = 20
MAX_FACET_VALUES = 15
# Text indexed per field is capped: a tsvector may not exceed 1 MB.
MAX_FIELD_CHARS = 300_000
# "Similar documents": the most significant words of each document.
SIGNIFICANT_TERMS = 15
# Words every council document has: never a reason to call two documents similar.
BOILERPLATE = [
    "motie",
    "moties",
    "amendement",
    "amendementen",
    "vragen",
    "schriftelijke",
    "antwoord",
    "antwoorden",
    "constaterende",
    "overwegende",
    "verzoekt",
    "verzoeken",
    "draagt",
    "dragen",
    "college",
    "colleges",
    "raad",
    "gemeenteraad",
    "gemeente",
    "provincie",
    "staten",
    "provinciale",
    "gedeputeerde",
    "waterschap",
    "bestuur",
    "orde",
    "vergadering",
    "bijeen",
    "besluit",
    "ontwerpbesluit",
    "wijzigen",
    "toelichting",
    "fractie",
    "fracties",
    "wethouder",
    "burgemeester",
]
# Compounds added per query word.
MAX_COMPOUNDS = 30

FACETS = ("kind", "tier", "province", "body", "topic", "outcome", "year", "party")
INTEGER_FACETS = frozenset({"province", "body", "topic", "year"})


# --- indexing ----------------------------------------------------------------------------------------


def parties_of(text: str) -> list[str]:
    seen: dict[str, str] = {}
    for raw in text.split(","):
        name = " ".join(raw.split())[:100]
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    return list(seen.values())


def ready_for_indexing(ids: Iterable[int]) -> QuerySet[Document]:
    """These documents, for index_documents (which reads their id and status only)."""
    return Document.objects.filter(pk__in=list(ids)).only("pk", "status")


def index_documents(documents: Iterable[Document]) -> None:
    """Add, replace or remove documents in the index: shared documents are indexed, drafts removed.
    Writes their entries in the search change log in the caller's transaction; the index's writer
    applies them (search_index.record_changes)."""
    documents = list(documents)
    shared = [d.pk for d in documents if d.status == Document.Status.PUBLISHED]
    drafts = [d.pk for d in documents if d.status != Document.Status.PUBLISHED]
    remove_documents(drafts)
    search_index.record_changes(shared, SearchChange.Op.INDEX)


def remove_documents(ids: Sequence[int]) -> None:
    search_index.record_changes(list(ids), SearchChange.Op.REMOVE)


# --- queries -----------------------------------------------------------------------------------------


@dataclass
class CompiledQuery:
    groups: list[list[Clause]]  # positive: AND of ORs
    negated: list[Clause]
    expansions: dict[str, list[SearchTerm]]
    skipped: list[str]
    error: str = ""
    # Synonyms (library.synonyms) per clause, by the clause's words: the stems of each other form.
    # Consecutive words that form a synonym's term ("openbaar vervoer") are one clause with
    # several words, which all must occur (not a phrase).
    synonyms: dict[tuple[str, ...], list[tuple[str, ...]]] = field(default_factory=dict)
    # Words that no document holds (typos): matched by their near spellings (set by search).
    unknown: frozenset[str] = frozenset()
    # False: the words as typed only (no compounds, synonyms or near spellings).
    expand: bool = True
    # The groups (by position) whose words are too common to count for minimum_should_match.
    common: frozenset[int] = frozenset()

    @property
    def empty(self) -> bool:
        return not self.groups

    @property
    def highlight_words(self) -> list[str]:
        """The words to mark in snippets (compounds are marked by their ending, see core.search.snippet)."""
        return [w for group in self.groups for clause in group for w in clause.words]

    def as_typed(self) -> CompiledQuery:
        return CompiledQuery(self.groups, self.negated, {}, self.skipped, expand=False, common=self.common)


def _plain_word(group: list[Clause]) -> bool:
    return len(group) == 1 and not group[0].phrase and not group[0].required and len(group[0].words) == 1


def _with_synonyms(
    groups: list[list[Clause]],
) -> tuple[list[list[Clause]], dict[tuple[str, ...], list[tuple[str, ...]]]]:
    """Find the terms of the synonym list in the query: a phrase, or a run of plain words (the
    longest run first); such a run becomes one clause of several words."""
    found: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    result: list[list[Clause]] = []
    index = 0
    while index < len(groups):
        group = groups[index]
        if len(group) == 1 and group[0].phrase:
            others = synonyms.alternatives(tuple(analysis.stems(list(group[0].words))))
            if others:
                found[group[0].words] = others
        if not _plain_word(group):
            for clause in group:  # an OR alternative may be a term of the list too
                if not clause.phrase and len(clause.words) == 1:
                    others = synonyms.alternatives(tuple(analysis.stems(list(clause.words))))
                    if others:
                        found[clause.words] = others
            result.append(group)
            index += 1
            continue
        run = 1
        while index + run < len(groups) and run < synonyms.MAX_TERM_WORDS and _plain_word(groups[index + run]):
            run += 1
        for length in range(run, 0, -1):
            span = tuple(groups[index + n][0].words[0] for n in range(length))
            others = synonyms.alternatives(tuple(analysis.stems(list(span))))
            if others:
                found[span] = others
                result.append([Clause(span)])
                index += length
                break
        else:
            result.append(group)
            index += 1
    return result, found


def compile_query(query: str) -> CompiledQuery:
    groups, negated, skipped = [], [], []
    for group in core_search.parse_query(query):
        kept = []
        for clause in group:
            if not clause.phrase and clause.words[0] in core_search.STOP_WORDS:
                skipped.append(clause.words[0])
                continue
            if clause.negated:
                negated.append(clause)
            else:
                kept.append(clause)
        if kept:
            groups.append(kept)
    single_words = [c.words[0] for group in groups for c in group if not c.phrase]
    expansions: dict[str, list[SearchTerm]] = {}
    for word, word_stem in core_search.query_stems(single_words).items():
        found = core_search.compounds(word_stem, limit=MAX_COMPOUNDS)
        if found:
            expansions[word] = found
    groups, synonym_forms = _with_synonyms(groups)
    error = ""
    if not groups and (negated or skipped):
        error = (
            _("Add at least one word that must occur; excluded words alone find nothing.")
            if negated
            else _("Words like 'de', 'het' and 'van' are skipped; search for words that say what you are looking for.")
        )
    return CompiledQuery(groups, negated, expansions, sorted(set(skipped)), error, synonyms=synonym_forms)


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    tier: str = ""
    province: int | None = None
    body: int | None = None
    topic: int | None = None
    outcome: str = ""
    year: int | None = None
    party: str = ""
    # Not facets: for saved-search alerts, only documents shared after (and up to) these moments.
    shared_after: datetime.datetime | None = None
    shared_until: datetime.datetime | None = None

    @classmethod
    def from_params(cls, params: Any) -> Filters:
        """From a query dict; malformed values are ignored (a shared URL never errors)."""
        values: dict[str, Any] = {}
        for name in FACETS:
            raw = (params.get(name) or "").strip()
            if not raw:
                continue
            if name in INTEGER_FACETS:
                # (A year is four digits: the column is a smallint on PostgreSQL.)
                if raw.isdigit() and len(raw) < 10 and (name != "year" or 1000 <= int(raw) <= 9999):
                    values[name] = int(raw)
            else:
                values[name] = raw[:100]
        return cls(**values)

    def active(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FACETS if getattr(self, name) not in ("", None)}


@dataclass
class Hit:
    document_id: int
    exact: bool
    rank: float


@dataclass
class Results:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[Any, int]]]
    query: CompiledQuery
    page: int
    per_page: int = PER_PAGE
    error: str = ""
    expanded_words: dict[str, list[str]] = field(default_factory=dict)
    # After the documents with at least `wanted` of the query's words (minimum_should_match), the
    # results also hold documents with fewer of them (`matched` at least).
    relaxed: bool = False
    matched: int = 0
    wanted: int = 0
    # The query's words (an OR group or a phrase counts as one) and how many of the results hold
    # every one of them: the page and the API say so when the others hold only some.
    words: int = 0
    complete: int = 0

    @property
    def partial(self) -> bool:
        """Some results hold only part of the words (at least `matched` of `words`)."""
        return self.words > 1 and self.matched < self.words and self.complete < self.total

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def partial_notice(results: Results) -> str:
    """What the page and the API say when some results hold only part of the words ("" otherwise)."""
    if not results.partial:
        return ""
    values = {"complete": results.complete, "matched": results.matched, "words": results.words}
    if not results.complete:
        return (
            _(
                "No document contains all your words; below are documents with some of them "
                "(at least %(matched)s of %(words)s words)."
            )
            % values
        )
    return (
        ngettext(
            "%(complete)s document contains all your words; below are also documents with some of them "
            "(at least %(matched)s of %(words)s words).",
            "%(complete)s documents contain all your words; below are also documents with some of them "
            "(at least %(matched)s of %(words)s words).",
            results.complete,
        )
        % values
    )


# --- searching (library.search_index) ----------------------------------------------------------------

# BM25 per field, multiplied by the field's weight; a word's score is its best field plus a share
# of the others (dis_max with a tie breaker), so a word in title and dictum counts more than in one.
FIELD_WEIGHTS = {"title": 3.0, "dictum": 2.0, "considerations": 1.3, "rest": 1.0, "attachments": 0.3}
TIE_BREAKER = 0.3
# Documents with at least minimum_should_match of the words come before the others: this is
# added to their score (far above any BM25 score).
TIER = 1000.0
# Words in more than this share of the documents are common: they rank, but do not count for
# minimum_should_match (in a library of at least COMMON_MIN_DOCUMENTS documents).
COMMON_SHARE = 0.05
COMMON_MIN_DOCUMENTS = 100
# Fewer results than this (a page's first screen) with enough of the words: relax by a word.
RELAX_BELOW = 10
# How much the other ways of finding a query word count, against the word itself (1):
COMPOUND_WEIGHT = 0.5  # a longer word ending in it, from the vocabulary (armoede: kinderarmoede)
PART_WEIGHT = 0.5  # a compound holding it, from the index's parts field (drempel: verkeersdrempels)
SPLIT_WEIGHT = 0.6  # its parts, when it is a compound (groenvoorziening: groen ... voorziening)
HEAD_WEIGHT = 0.3  # its last part alone (woningbouwcorporatie: corporatie)
SYNONYM_WEIGHT = 0.8  # a synonym from the list (OV: openbaar vervoer)
FUZZY_WEIGHT = 0.5  # a near spelling of a word no document holds (jeugzorg: jeugdzorg)
FUZZY_MIN_LENGTH = 5
FUZZY_TWO_EDITS_LENGTH = 8


def minimum_should_match(words: int) -> int:
    """Like Elasticsearch's "2<75%": all of one or two words, three quarters (rounded down) of more."""
    if words <= 2:
        return words
    return max(1, math.floor(words * 0.75))


QUERIES = FieldQueries(search_index.SCHEMA, FIELD_WEIGHTS, tie_breaker=TIE_BREAKER)
_field_terms = QUERIES.terms


def _phrase(terms: list[str], boost: float = 1.0) -> tantivy.Query:
    if len(terms) == 1:
        return _field_terms(terms[0], boost)
    return QUERIES.phrase(terms, boost)


def _any(queries: list[tantivy.Query]) -> tantivy.Query:
    if len(queries) == 1:
        return queries[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


def _all(queries: list[tantivy.Query], boost: float = 1.0) -> tantivy.Query:
    query = queries[0] if len(queries) == 1 else tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])
    return query if boost == 1.0 else tantivy.Query.boost_query(query, boost)


def _near_spellings(term: str) -> tantivy.Query | None:
    """A word no document holds (a typo): the terms within one edit (two for long words)."""
    if len(term) < FUZZY_MIN_LENGTH:
        return None
    distance = 2 if len(term) >= FUZZY_TWO_EDITS_LENGTH else 1
    return tantivy.Query.disjunction_max_query(
        [
            tantivy.Query.boost_query(
                tantivy.Query.fuzzy_term_query(search_index.SCHEMA, name, term, distance=distance),
                weight * FUZZY_WEIGHT,
            )
            for name, weight in FIELD_WEIGHTS.items()
        ],
        tie_breaker=TIE_BREAKER,
    )


def _word_query(word: str, compiled: CompiledQuery) -> tantivy.Query:
    """One query word: the word itself (stemmed), and unless only the words as typed are asked
    for, the longer words ending in it from the vocabulary, the compounds it is a part of (the
    index's parts field), its own parts when it is a compound, and near spellings when no
    document holds it; each weighted below the word itself."""
    term = analysis.stem(word)
    options = [_field_terms(term)]
    if not compiled.expand:
        return options[0]
    options += [_field_terms(t.stem, COMPOUND_WEIGHT) for t in compiled.expansions.get(word, []) if t.stem != term]
    options.append(
        tantivy.Query.boost_query(
            tantivy.Query.term_query(search_index.SCHEMA, search_index.PARTS_FIELD, term), PART_WEIGHT
        )
    )
    parts = analysis.split_compound(word)
    if parts:
        modifier, head = analysis.stem(parts[0]), analysis.stem(parts[1])
        options.append(_all([_field_terms(modifier), _field_terms(head)], SPLIT_WEIGHT))
        options.append(_field_terms(head, HEAD_WEIGHT))
    if word in compiled.unknown:
        near = _near_spellings(term)
        if near is not None:
            options.append(near)
    return _any(options)


def _clause_query(clause: Clause, compiled: CompiledQuery) -> tantivy.Query:
    """A phrase, a word, or several words that form one term of the synonym list (all must
    occur), with the term's synonyms as alternatives."""
    if clause.phrase:
        query = _phrase(analysis.stems(list(clause.words)))
    else:
        query = _all([_word_query(word, compiled) for word in clause.words])
    others = compiled.synonyms.get(clause.words, []) if compiled.expand else []
    if not others:
        return query
    return _any([query, *(_phrase(list(form), SYNONYM_WEIGHT) for form in others)])


def _group_query(group: list[Clause], compiled: CompiledQuery) -> tantivy.Query:
    return _any([_clause_query(c, compiled) for c in group])


def _filter_queries(filters: Filters, public_only: bool) -> list[tantivy.Query]:
    schema = search_index.SCHEMA
    queries = []
    for name in ("kind", "tier", "outcome", "party"):
        value = getattr(filters, name)
        if value:
            queries.append(tantivy.Query.term_query(schema, name, value))
    for name in ("province", "body", "topic", "year"):
        value = getattr(filters, name)
        if value is not None:
            queries.append(tantivy.Query.term_query(schema, name, int(value)))
    if filters.shared_after is not None or filters.shared_until is not None:
        lower = None if filters.shared_after is None else int(filters.shared_after.timestamp() * 1_000_000)
        upper = None if filters.shared_until is None else int(filters.shared_until.timestamp() * 1_000_000)
        queries.append(
            tantivy.Query.range_query(
                schema, "shared", tantivy.FieldType.Integer, lower, upper, include_lower=lower is None
            )
        )
    if public_only:
        queries.append(tantivy.Query.term_query(schema, "public", True))
    return queries


def _enough(compiled: CompiledQuery, groups: list[list[Clause]], count: int) -> tantivy.Query:
    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Should, _group_query(g, compiled)) for g in groups], minimum_number_should_match=count
    )


def _build(
    compiled: CompiledQuery,
    filters: Filters,
    public_only: bool,
    required: int | None,
    first: int = 0,
    *,
    every: bool = False,
) -> tantivy.Query:
    """The whole query: the required groups (+word) must match, at least `required` of the other
    groups should (all of them with `every`), excluded clauses must not; the filters restrict
    without scoring. Documents with at least `first` of the other groups rank above those with
    fewer (TIER added). Groups of common words (CompiledQuery.common) rank but do not count."""
    must = [g for g in compiled.groups if every or any(c.required for c in g)]
    should = [g for g in compiled.groups if not every and not any(c.required for c in g)]
    # The common words only rank (unless all words are common, or a +word decides).
    counted = [g for n, g in enumerate(compiled.groups) if g in should and n not in compiled.common]
    if must or not counted:
        counted = should
    clauses: list[tuple[Any, tantivy.Query]] = []
    for group in must:
        clauses.append((tantivy.Occur.Must, _group_query(group, compiled)))
    if should:
        # With a required word (+word) the other words only rank, as in Elasticsearch.
        words = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, _group_query(g, compiled)) for g in counted],
            minimum_number_should_match=1 if must else max(1, required or 1),
        )
        clauses.append((tantivy.Occur.Should if must else tantivy.Occur.Must, words))
        clauses.extend((tantivy.Occur.Should, _group_query(g, compiled)) for g in should if g not in counted)
        if required is not None and first > required and not must:
            clauses.append(
                (tantivy.Occur.Should, tantivy.Query.const_score_query(_enough(compiled, counted, first), TIER))
            )
    if not clauses:
        clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
    for clause in compiled.negated:
        clauses.append((tantivy.Occur.MustNot, _clause_query(clause, compiled.as_typed())))
    for query in _filter_queries(filters, public_only):
        clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(query, 0.0)))
    return tantivy.Query.boolean_query(clauses)


def _facets(searcher: Any, query: tantivy.Query) -> dict[str, list[tuple[Any, int]]]:
    aggregations = {
        name: {"terms": {"field": name, "size": MAX_FACET_VALUES}}
        for name in ("kind", "tier", "province", "body", "topic", "outcome", "year", "party")
    }
    found = searcher.aggregate(query, aggregations)
    facets: dict[str, list[tuple[Any, int]]] = {}
    for name in FACETS:
        values = []
        for bucket in found.get(name, {}).get("buckets", []):
            key = bucket["key"]
            if name in INTEGER_FACETS:
                key = int(key)
            elif key == "":
                continue
            values.append((key, int(bucket["doc_count"])))
        values.sort(key=lambda item: (-item[1], str(item[0])))
        facets[name] = values
    return facets


def _count(found: Any) -> int:
    # SearchResult.count (search(..., count=True)) is missing from tantivy's type stubs.
    return int(found.count)


def _exact_matches(
    searcher: Any, compiled: CompiledQuery, filters: Filters, public_only: bool, required: int, ids: list[int]
) -> set[int]:
    """Which of these documents match the query's words as typed, not only through a compound,
    a synonym or a near spelling."""
    if not ids:
        return set()
    plain = compiled.as_typed()
    query = tantivy.Query.boolean_query(
        [
            (tantivy.Occur.Must, _build(plain, filters, public_only, required)),
            (tantivy.Occur.Must, tantivy.Query.term_set_query(search_index.SCHEMA, "id", ids)),
        ]
    )
    found = searcher.search(query, len(ids))
    return {int(searcher.doc(address)["id"][0]) for _score, address in found.hits}


def _common_groups(searcher: Any, compiled: CompiledQuery) -> frozenset[int]:
    """The groups of the query (by position) whose words are in more than COMMON_SHARE of the
    documents ("gemeente", "maatregelen"): like Elasticsearch's common terms, they rank but do
    not count for minimum_should_match. Only in a library of COMMON_MIN_DOCUMENTS or more."""
    documents = searcher.num_docs
    if documents < COMMON_MIN_DOCUMENTS:
        return frozenset()
    common = set()
    for position, group in enumerate(compiled.groups):
        frequencies = [
            max(searcher.doc_freq(name, term) for name in search_index.TEXT_FIELDS)
            for clause in group
            for term in analysis.stems([w for w in clause.words if w not in analysis.STOP_WORDS] or list(clause.words))
        ]
        if frequencies and min(frequencies) > documents * COMMON_SHARE:
            common.add(position)
    if len(common) == len(compiled.groups):
        return frozenset()
    return frozenset(common)


def _unknown_words(searcher: Any, compiled: CompiledQuery) -> frozenset[str]:
    """The query's words that no document holds, not even as part of a compound."""
    unknown = set()
    for group in compiled.groups:
        for clause in group:
            if clause.phrase:
                continue
            for word in clause.words:
                term = analysis.stem(word)
                fields = (*search_index.TEXT_FIELDS, search_index.PARTS_FIELD)
                if not any(searcher.doc_freq(name, term) for name in fields):
                    unknown.add(word)
    return frozenset(unknown)


def search(
    query: str,
    filters: Filters | None = None,
    *,
    public_only: bool,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = PER_PAGE,
    offset: int | None = None,
) -> Results:
    """One page of results with the facet counts of all matches, best first (or newest first
    with sort="date", or always when there is no query). `offset` (the API's paging) skips that
    many results instead of (page - 1) * per_page. Every match is counted and ranked (BM25 over
    the weighted fields), however large the result.

    Documents with at least minimum_should_match of the query's words come first; when fewer
    than RELAX_BELOW documents hold that many, documents with one word fewer follow, and so on
    (Results.relaxed, `matched` of `wanted` words at least). The page's documents are checked against the database
    once more (shared, and public when public_only): the index may lag a change by moments."""
    filters = filters or Filters()
    compiled = compile_query(query)
    page = max(1, page)
    if query.strip() and compiled.empty:
        return Results(0, [], {}, compiled, page, per_page, error=compiled.error or _("Search for at least one word."))
    skip = (page - 1) * per_page if offset is None else max(0, offset)
    searcher, _schema = search_index.searcher()
    compiled.unknown = _unknown_words(searcher, compiled)
    by_date = sort == "date" or compiled.empty
    required_groups = any(c.required for g in compiled.groups for c in g)
    should = 0 if required_groups else len(compiled.groups)
    if should:
        compiled.common = _common_groups(searcher, compiled)
        if compiled.common and not _count(searcher.search(_build(compiled, filters, public_only, 1), 1, count=True)):
            compiled.common = frozenset()  # the other words are nowhere: the common ones count after all
    wanted = minimum_should_match(should - len(compiled.common) or should)
    # Documents with at least `wanted` of the words come first. When fewer than RELAX_BELOW hold
    # that many, the results take in those with one word fewer, and so on, ranked below them
    # (Results.relaxed). Newest first, only when none holds enough: the date says nothing about
    # how well a document matches (and saved-search alerts list new documents by date).
    required = wanted
    enough = 1 if by_date else RELAX_BELOW
    while should and required > 1:
        if _count(searcher.search(_build(compiled, filters, public_only, required), 1, count=True)) >= enough:
            break
        required -= 1
    built = _build(compiled, filters, public_only, required, wanted)
    limit = max(1, per_page)
    if by_date:
        found = searcher.search(built, limit, count=True, order_by_field="sortdate", offset=skip)
    else:
        found = searcher.search(built, limit, count=True, offset=skip)
    ids_ranks = [(int(searcher.doc(address)["id"][0]), float(score)) for score, address in found.hits]
    visible = Document.objects.filter(pk__in=[pk for pk, _rank in ids_ranks], status=Document.Status.PUBLISHED)
    if public_only:
        visible = visible.filter(visibility=Document.Visibility.PUBLIC)
    allowed = set(visible.values_list("pk", flat=True)) if ids_ranks else set()
    exact_ids = _exact_matches(searcher, compiled, filters, public_only, required, list(allowed))
    hits = [Hit(pk, pk in exact_ids, 0.0 if by_date else rank) for pk, rank in ids_ranks if pk in allowed]
    expanded = {word: [t.stem for t in terms] for word, terms in compiled.expansions.items()}
    words = len(compiled.groups)
    total = _count(found)
    relaxed = should > 0 and required < wanted
    # Each result holds the +words (the others then only rank), or else at least `required` words.
    plus = sum(1 for g in compiled.groups if any(c.required for c in g))
    matched = plus or required
    complete = total
    if matched < words and total:
        complete = _count(searcher.search(_build(compiled, filters, public_only, None, every=True), 1, count=True))
    return Results(
        total,
        hits,
        _facets(searcher, built),
        compiled,
        page,
        per_page,
        expanded_words=expanded,
        relaxed=relaxed,
        matched=matched,
        wanted=wanted,
        words=words,
        complete=complete,
    )


# --- similar documents -------------------------------------------------------------------------------


# The fields whose words make a document's subject, and what a word in each counts.
SIMILAR_FIELDS = {"title": 3, "dictum": 2, "considerations": 2, "rest": 1}
# Long documents: the idf is looked up for the terms that occur most (tf weighted by field) only.
SIMILAR_CANDIDATES = 300
# A similar document shares at least this many of the significant terms.
SIMILAR_SHARED = 2


def _too_common(total: int) -> int:
    """Words in more than 5% of the documents are not significant (at least 20 documents)."""
    return max(20, total // 20)


def significant_terms(document: Document, searcher: Any) -> list[tuple[str, float]]:
    """The document's most significant terms by tf-idf over the search index, with the same
    analysis as the search (core.analysis): a word counts 3 in the title, 2 in the dictum and the
    considerations, 1 in the rest (names and attachments not); boilerplate ("constaterende",
    "college"), short words and terms in more than 5% of the documents are never significant."""
    boilerplate = set(analysis.stems(BOILERPLATE))
    counter: Counter[str] = Counter()
    for name, text in search_index.content_texts(document).items():
        tokens = [w for w in analysis.words(text[:MAX_FIELD_CHARS]) if len(w) >= 4 and w not in analysis.STOP_WORDS]
        for term in analysis.stems(tokens):
            if 4 <= len(term) <= 40 and not term.isdigit() and term not in boilerplate:
                counter[term] += SIMILAR_FIELDS[name]
    total = max(int(searcher.num_docs), 1)
    too_common = _too_common(total)
    scored = []
    for term, tf in counter.most_common(SIMILAR_CANDIDATES):
        frequency = max(int(searcher.doc_freq(name, term)) for name in SIMILAR_FIELDS)
        if frequency <= too_common:
            scored.append((term, tf * math.log(1 + total / max(frequency, 1))))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored[:SIGNIFICANT_TERMS]


def similar(document: Document, *, public_only: bool, limit: int = 5) -> list[int]:
    """Ids of the shared documents most like `document`: a ranked search (BM25 over the weighted
    fields, as engine.search) for its significant terms, each boosted by its tf-idf, matching at
    least two of them. The index's answer is cached until the index changes; the documents are
    checked against the database on every call (shared, and public when public_only)."""
    searcher, _schema = search_index.searcher()
    key = f"library:similar:{document.pk}:{int(public_only)}:{search_index.cursor()}:{searcher.num_docs}"
    found = cache.get(key)
    if found is None:
        found = []
        terms = significant_terms(document, searcher)
        if len(terms) >= SIMILAR_SHARED:
            strongest = terms[0][1]
            clauses: list[tuple[Any, tantivy.Query]] = [
                (
                    tantivy.Occur.Must,
                    tantivy.Query.boolean_query(
                        [(tantivy.Occur.Should, _field_terms(term, score / strongest)) for term, score in terms],
                        minimum_number_should_match=SIMILAR_SHARED,
                    ),
                ),
                (tantivy.Occur.MustNot, tantivy.Query.term_query(search_index.SCHEMA, "id", document.pk)),
            ]
            for query in _filter_queries(Filters(), public_only):
                clauses.append((tantivy.Occur.Must, tantivy.Query.const_score_query(query, 0.0)))
            # More than asked for: a few may have changed since the index saw them.
            hits = searcher.search(tantivy.Query.boolean_query(clauses), limit * 2).hits
            found = [int(searcher.doc(address)["id"][0]) for _score, address in hits]
        cache.set(key, found, 3600)
    visible = Document.objects.filter(pk__in=found, status=Document.Status.PUBLISHED)
    if public_only:
        visible = visible.filter(visibility=Document.Visibility.PUBLIC)
    allowed = set(visible.values_list("pk", flat=True)) if found else set()
    return [pk for pk in found if pk in allowed][:limit]
