"""The library's search engine: one interface, two engines.

PostgreSQL: a weighted tsvector (`dutch` configuration: title A, structured parts B, text C,
attachments D) in `library_searchdocument.vector` with a GIN index. SQLite: an FTS5 table
`library_fts` (rowid = document id) holding Dutch Snowball stems (PyStemmer), ranked with bm25 and
the same column weights. Text is folded (lower case, accents removed) on both.

A search is one SQL statement: the matching rows of the narrow `library_searchdocument` table
(facet values next to the vector) are materialised once, then the page of results and every facet
count are read from them. Dutch compounds: a query word also matches known longer words that end
in it ("armoede" finds "kinderarmoede"), taken from the vocabulary (core.SearchTerm); documents
that match the words as typed rank above those that only match a compound.

Query language (core.search.parse_query): words are all required, "quoted phrases", -excluded
words or phrases, OR between alternatives. Snowball's Dutch stop words are skipped outside phrases
on both engines.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core import search as core_search
from core.models import SearchTerm, Tier
from core.search import Clause

from . import structure
from .models import Document, DocumentParty, DocumentTerm, SearchDocument

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
SQLITE_WEIGHTS = "10.0, 4.0, 1.0, 0.5"  # title, parts, text, attachments (as A, B, C, D)
GENERATION_KEY = "library:index-generation"
# Every index row has a fixed bucket 0-999 (sample_bucket): a sample is the rows below a bucket.
SAMPLE_BUCKETS = 1000
# PostgreSQL: one GIN index over the vector and the columns a search restricts (btree_gin), so
# the sample, the date window and the facet filters are applied inside the index (migration 0005).
GIN_INDEX = "library_search_gin"
GIN_COLUMNS = "vector, sample, date, kind, tier, outcome, year, province_id, body_id"

FACETS = ("kind", "tier", "province", "body", "topic", "outcome", "year", "party")
INTEGER_FACETS = frozenset({"province", "body", "topic", "year"})


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def generation() -> int:
    """Changes whenever the index changes: part of every cache key over search results."""
    return int(cache.get_or_set(GENERATION_KEY, 1, None) or 1)


def _bump_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


# --- indexing ----------------------------------------------------------------------------------------


def sample_bucket(document_id: int) -> int:
    """A fixed pseudo-random bucket 0-999 (Knuth's multiplicative hash, the high bits of the 32-bit
    product): the documents in buckets below k are a uniform sample of k in 1,000, unrelated to
    date, body or content, also for ids that share a pattern (every second one, say). The low digits
    of the product would not be: 8 divides 1,000, so `id mod 8` would fix `bucket mod 8`."""
    return document_id * 2654435761 % 4294967296 * SAMPLE_BUCKETS // 4294967296


def _province_id(document: Document) -> int | None:
    body = document.body
    if body.tier == Tier.PROVINCIAL:
        return body.pk
    if body.tier == Tier.WATER_BOARD:
        provinces = sorted(p.pk for p in body.provinces.all())
        return provinces[0] if provinces else None
    return body.province_id


def _fields(document: Document, attachment_texts: Sequence[str] = ()) -> tuple[str, str, str, str]:
    """The four weighted fields of a document, folded: title (A); the structured items and the
    agenda item (B); the text (C); names of submitters, parties and attachments (D). Names weigh
    least and do not count as content for similar documents or the vocabulary."""
    items = [item for section in structure.sections(document.kind, document.parts or {}) for item in section.items]
    # The items only: headings like "constaterende dat" are in every motion.
    parts = "\n".join([*items, document.agenda_item])
    names = [m.full_name for m in document.submitters.all()]
    people = ", ".join(filter(None, [", ".join(names), document.submitter_names, document.parties]))
    fields = (document.title, parts, document.text, "\n".join([people, *attachment_texts]))
    return tuple(core_search.fold(f)[:MAX_FIELD_CHARS] for f in fields)  # type: ignore[return-value]


def parties_of(text: str) -> list[str]:
    seen: dict[str, str] = {}
    for raw in text.split(","):
        name = " ".join(raw.split())[:100]
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    return list(seen.values())


def ready_for_indexing(ids: Iterable[int]) -> QuerySet[Document]:
    """These documents with what index_documents reads of them loaded in a fixed number of queries."""
    return (
        Document.objects.filter(pk__in=list(ids))
        .select_related("body")
        .prefetch_related("body__provinces", "submitters", "attachments")
    )


def index_documents(documents: Iterable[Document]) -> None:
    """Add, replace or remove documents in the index: shared documents are indexed, drafts removed.

    Pass documents from ready_for_indexing when indexing many (the importer does)."""
    documents = list(documents)
    if not documents:
        return
    shared = [d for d in documents if d.status == Document.Status.PUBLISHED]
    drafts = [d.pk for d in documents if d.status != Document.Status.PUBLISHED]
    if drafts:
        remove_documents(drafts)
    if not shared:
        return
    ids = [d.pk for d in shared]
    already = set(SearchDocument.objects.filter(document_id__in=ids).values_list("document_id", flat=True))
    rows = []
    texts: dict[int, tuple[str, str, str, str]] = {}
    for document in shared:
        attachment_texts = [a.text for a in document.attachments.all()]
        texts[document.pk] = _fields(document, attachment_texts)
        date = document.meeting_date or document.shared_at.date()
        rows.append(
            (
                document.pk,
                document.kind,
                document.body.tier,
                _province_id(document),
                document.body_id,
                date.year,
                document.outcome,
                document.visibility == Document.Visibility.PUBLIC,
                date,
                document.shared_at,
                sample_bucket(document.pk),
            )
        )
    with transaction.atomic():
        _write_rows(rows, texts)
        DocumentParty.objects.filter(document_id__in=ids).delete()
        DocumentParty.objects.bulk_create(
            [DocumentParty(document_id=d.pk, party=p) for d in shared for p in parties_of(d.parties)],
            ignore_conflicts=True,
        )
        new_ids = [pk for pk in ids if pk not in already]
        if _is_postgres():
            _pg_vocabulary(new_ids)
            _pg_terms(ids)
        else:
            core_search.record_vocabulary([" ".join(texts[pk][:3]) for pk in new_ids])
            _write_terms(ids, texts)
    transaction.on_commit(_bump_generation)


def _write_rows(rows: list[tuple[Any, ...]], texts: dict[int, tuple[str, str, str, str]]) -> None:
    columns = "document_id, kind, tier, province_id, body_id, year, outcome, public, date, shared_at, sample"
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns.split(", ")[1:])
    table = SearchDocument._meta.db_table
    with connection.cursor() as cursor:
        if _is_postgres():
            vector = " || ".join(f"setweight(to_tsvector('dutch', %s), '{w}')" for w in "ABCD")
            cursor.executemany(
                f"INSERT INTO {table} ({columns}, vector) VALUES ({', '.join(['%s'] * 11)}, {vector}) "  # noqa: S608
                f"ON CONFLICT (document_id) DO UPDATE SET {updates}, vector = excluded.vector",
                [(*row, *texts[row[0]]) for row in rows],
            )
            return
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * 11)}) "  # noqa: S608
            f"ON CONFLICT (document_id) DO UPDATE SET {updates}",
            rows,
        )
        ids = [row[0] for row in rows]
        cursor.execute(f"DELETE FROM library_fts WHERE rowid IN ({', '.join(['%s'] * len(ids))})", ids)  # noqa: S608
        cursor.executemany(
            "INSERT INTO library_fts (rowid, title, parts, text, attachments) VALUES (%s, %s, %s, %s, %s)",
            [(pk, *(_stems(f) for f in texts[pk])) for pk in ids],
        )


def _stems(text: str) -> str:
    return " ".join(core_search._stemmer().stemWords(core_search.words(text)))


def _write_terms(ids: list[int], texts: dict[int, tuple[str, str, str, str]]) -> None:
    """The significant words of each document by tf-idf, for similar documents."""
    stemmer = core_search._stemmer()
    boilerplate = set(stemmer.stemWords(list(BOILERPLATE)))
    frequencies: dict[int, Counter[str]] = {}
    for pk in ids:
        title, parts, text, _attachments = texts[pk]
        counter: Counter[str] = Counter()
        for weight, field_text in ((3, title), (2, parts), (1, text)):
            tokens = [w for w in core_search.words(field_text) if len(w) >= 4 and w not in core_search.STOP_WORDS]
            for term in stemmer.stemWords(tokens):
                if 4 <= len(term) <= 40 and not term.isdigit() and term not in boilerplate:
                    counter[term] += weight
        frequencies[pk] = counter
    all_terms = list({t for counter in frequencies.values() for t in counter})
    document_counts: dict[str, int] = {}
    for start in range(0, len(all_terms), 2000):
        chunk = all_terms[start : start + 2000]
        document_counts.update(SearchTerm.objects.filter(stem__in=chunk).values_list("stem", "count"))
    total = max(SearchDocument.objects.count(), 1)
    too_common = _too_common(total)
    terms: list[DocumentTerm] = []
    for pk, counter in frequencies.items():
        scored = []
        for term, tf in counter.items():
            df = document_counts.get(term, 1)
            if df > too_common:
                continue
            scored.append((tf * math.log(1 + total / df), term))
        scored.sort(reverse=True)
        terms.extend(
            DocumentTerm(document_id=pk, term=term, weight=max(1, int(score * 10)))
            for score, term in scored[:SIGNIFICANT_TERMS]
        )
    DocumentTerm.objects.filter(document_id__in=ids).delete()
    DocumentTerm.objects.bulk_create(terms, batch_size=2000)


def _too_common(total: int) -> int:
    """Words in more than 5% of the documents are not significant (at least 20 documents)."""
    return max(20, total // 20)


def _pg_vocabulary(ids: list[int]) -> None:
    """Count the lexemes of newly indexed documents into the vocabulary, in the database: ts_stat
    reads the vectors that were just written (title, parts and text; not attachments)."""
    if not ids:
        return
    id_list = ",".join(str(int(pk)) for pk in ids)  # integers only: safe to inline in ts_stat's query text
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_searchterm (stem, reversed, example, count) "  # noqa: S608 (integer ids only)
            "SELECT word, reverse(word), word, ndoc FROM ts_stat("
            f"'SELECT ts_filter(vector, ''{{a,b,c}}'') FROM library_searchdocument WHERE document_id IN ({id_list})') "
            "WHERE length(word) BETWEEN 4 AND 40 AND word ~ '^[0-9a-z]+$' AND word !~ '^[0-9]+$' "
            "ON CONFLICT (stem) DO UPDATE SET count = core_searchterm.count + excluded.count"
        )


def _pg_terms(ids: list[int]) -> None:
    """The significant lexemes of each document by tf-idf (title counts 3, parts 2, text 1),
    computed in the database from the vectors."""
    total = max(SearchDocument.objects.count(), 1)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM library_documentterm WHERE document_id = ANY(%s)", [ids])
        cursor.execute(
            "INSERT INTO library_documentterm (document_id, term, weight) "
            "SELECT document_id, term, greatest(1, (score * 10)::int) FROM ("
            "  SELECT s.document_id, u.lexeme AS term, scored.tf * ln(1 + %s::float8 / t.count) AS score, "
            "    row_number() OVER (PARTITION BY s.document_id "
            "      ORDER BY scored.tf * ln(1 + %s::float8 / t.count) DESC, u.lexeme) AS position "
            "  FROM library_searchdocument s "
            "  CROSS JOIN LATERAL unnest(s.vector) AS u(lexeme, positions, weights) "
            "  CROSS JOIN LATERAL (SELECT sum(CASE w WHEN 'A' THEN 3 WHEN 'B' THEN 2 WHEN 'C' THEN 1 ELSE 0 END) AS tf "
            "    FROM unnest(u.weights) AS w) AS scored "
            "  JOIN core_searchterm t ON t.stem = u.lexeme "
            "  WHERE s.document_id = ANY(%s) AND scored.tf > 0 AND t.count <= %s"
            # The boilerplate stems as one array, computed once (an InitPlan); as a subquery
            # (`<> ALL(SELECT ...)`) it was stemmed again for every lexeme of every document.
            "    AND u.lexeme <> ALL(ARRAY(SELECT (ts_lexize('dutch_stem', w))[1] FROM unnest(%s::text[]) AS w))"
            ") ranked WHERE position <= %s",
            [total, total, ids, _too_common(total), list(BOILERPLATE), SIGNIFICANT_TERMS],
        )


def remove_documents(ids: Sequence[int]) -> None:
    ids = list(ids)
    if not ids:
        return
    SearchDocument.objects.filter(document_id__in=ids).delete()
    DocumentParty.objects.filter(document_id__in=ids).delete()
    DocumentTerm.objects.filter(document_id__in=ids).delete()
    if not _is_postgres():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM library_fts WHERE rowid IN ({', '.join(['%s'] * len(ids))})", ids)  # noqa: S608
    transaction.on_commit(_bump_generation)


# --- queries -----------------------------------------------------------------------------------------


@dataclass
class CompiledQuery:
    groups: list[list[Clause]]  # positive: AND of ORs
    negated: list[Clause]
    expansions: dict[str, list[SearchTerm]]
    skipped: list[str]
    error: str = ""

    @property
    def empty(self) -> bool:
        return not self.groups

    @property
    def highlight_words(self) -> list[str]:
        """The words to mark in snippets (compounds are marked by their ending, see core.search.snippet)."""
        return [w for group in self.groups for clause in group for w in clause.words]


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
    error = ""
    if not groups and (negated or skipped):
        error = (
            _("Add at least one word that must occur; excluded words alone find nothing.")
            if negated
            else _("Words like 'de', 'het' and 'van' are skipped; search for words that say what you are looking for.")
        )
    return CompiledQuery(groups, negated, expansions, sorted(set(skipped)), error)


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


@dataclass(frozen=True)
class Limits:
    """How much work one search may do. Up to `exact` matches everything is exact: every match
    is ranked and counted. Above it (the common words of a large library match a third of it),
    the total and the facet counts are estimated from a uniform sample of about `sample` matches,
    and the order (best match or newest first) covers the newest matches, about `window` of them,
    which are also all that can be paged through. Settings: LIBRARY_SEARCH_LIMITS."""

    exact: int = 3000
    sample: int = 3000
    window: int = 1000
    # PostgreSQL: the number of matches is estimated from this many sample buckets (of 1,000).
    probe: int = 10


def limits() -> Limits:
    try:
        bounds = Limits(**getattr(settings, "LIBRARY_SEARCH_LIMITS", {}))
    except TypeError as error:
        raise ImproperlyConfigured(f"LIBRARY_SEARCH_LIMITS: {error}") from error
    if not 0 < bounds.window <= bounds.exact or bounds.sample <= 0 or not 0 < bounds.probe <= SAMPLE_BUCKETS:
        raise ImproperlyConfigured("LIBRARY_SEARCH_LIMITS: need 0 < window <= exact, sample > 0 and 0 < probe <= 1000.")
    return bounds


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
    # A large result: `total` and the facet counts are estimates (from a sample), and the order
    # covers the `window` newest matches, those since `window_since`.
    estimated: bool = False
    window: int | None = None
    window_since: datetime.date | None = None

    @property
    def pageable(self) -> int:
        """How many results can be paged through: all, or those in the window."""
        return self.total if self.window is None else min(self.window, self.total)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.pageable / self.per_page))


@dataclass
class _Scope:
    """The matching rows of one search as SQL: FROM, WHERE and the exact/rank expressions."""

    source: str
    where: list[str]
    params: list[Any]
    exact: str
    rank: str
    rank_params: list[Any]
    order: str
    postgres: bool

    def hits(
        self, *, extra: str = "", extra_params: Sequence[Any] = (), ranked: bool = True, limit: int | None = None
    ) -> tuple[str, list[Any]]:
        """The hits CTE: the facet columns, `exact` and `rank` of every matching row (without
        ranking when only counted), materialised once (PostgreSQL would otherwise inline it in
        every part of the statement)."""
        as_float = "::float8" if self.postgres else ""
        exact, rank, params = (self.exact, self.rank, list(self.rank_params)) if ranked else ("0", "0.0", [])
        where = " AND ".join([*self.where, *([extra] if extra else [])]) or "1 = 1"
        sql = (
            f"WITH hits AS {'MATERIALIZED ' if self.postgres else ''}(SELECT s.document_id, s.kind, s.tier, "  # noqa: S608
            f"s.province_id, s.body_id, s.year, s.outcome, s.date, {exact} AS exact, {rank}{as_float} AS rank "
            f"FROM {self.source} WHERE {where}{' LIMIT %s' if limit is not None else ''}) "
        )
        return sql, [*params, *self.params, *extra_params, *([limit] if limit is not None else [])]


def _facets_sql(postgres: bool) -> str:
    # PostgreSQL needs one type per column of a UNION; SQLite is dynamically typed.
    as_text, as_float = ("::text", "::float8") if postgres else ("", "")
    # SQLite reads a CROSS JOIN in the order written: for each hit, its topics (or parties)
    # through the index on document_id. With a plain JOIN it scans the whole topic (party) table
    # on every search and looks each row up in the hits. PostgreSQL plans joins itself (and
    # allows no ON after CROSS JOIN).
    each_hit = "JOIN" if postgres else "CROSS JOIN"
    facets = [
        f"SELECT * FROM (SELECT '{name}', {column}{as_text}, count(*) AS n, 0{as_float} FROM hits {join} "  # noqa: S608
        f"GROUP BY {column} ORDER BY n DESC LIMIT {MAX_FACET_VALUES}) {name}_facet"
        for name, column, join in (
            ("kind", "kind", ""),
            ("tier", "tier", ""),
            ("province", "province_id", ""),
            ("body", "body_id", ""),
            ("outcome", "outcome", ""),
            ("year", "year", ""),
            ("topic", "t.topic_id", f"{each_hit} library_document_topics t ON t.document_id = hits.document_id"),
            ("party", "p.party", f"{each_hit} library_documentparty p ON p.document_id = hits.document_id"),
        )
    ]
    total = f"SELECT 'total', NULL, count(*), 0{as_float} FROM hits"  # noqa: S608 (fixed text)
    return " UNION ALL ".join([total, *facets])


def _page_sql(scope: _Scope) -> str:
    as_text = "::text" if scope.postgres else ""
    return (
        f"SELECT * FROM (SELECT 'page', document_id{as_text}, exact, rank FROM hits ORDER BY {scope.order} "  # noqa: S608
        "LIMIT %s OFFSET %s) page_rows"
    )


def _casts(postgres: bool) -> dict[str, str]:
    """Parameters typed as their columns on PostgreSQL: only then can the GIN index (btree_gin)
    apply the condition (`year = 2022` against a smallint column is not an indexable clause)."""
    if not postgres:
        return {"smallint": "", "bigint": "", "date": ""}
    return {"smallint": "::smallint", "bigint": "::bigint", "date": "::date"}


def _filter_sql(filters: Filters, public_only: bool, postgres: bool = False) -> tuple[list[str], list[Any]]:
    where, params = [], []
    cast = _casts(postgres)
    for name in ("kind", "tier", "outcome", "year"):
        value = getattr(filters, name)
        if value not in ("", None):
            where.append(f"s.{name} = %s{cast['smallint'] if name == 'year' else ''}")
            params.append(value)
    for name in ("province", "body"):
        value = getattr(filters, name)
        if value is not None:
            where.append(f"s.{name}_id = %s{cast['bigint']}")
            params.append(value)
    if filters.topic is not None:
        where.append(
            "EXISTS (SELECT 1 FROM library_document_topics t WHERE t.document_id = s.document_id AND t.topic_id = %s)"
        )
        params.append(filters.topic)
    if filters.party:
        where.append(
            "EXISTS (SELECT 1 FROM library_documentparty p WHERE p.document_id = s.document_id AND p.party = %s)"
        )
        params.append(filters.party)
    if filters.shared_after is not None:
        where.append("s.shared_at > %s")
        params.append(filters.shared_after)
    if filters.shared_until is not None:
        where.append("s.shared_at <= %s")
        params.append(filters.shared_until)
    if public_only:
        where.append("s.public = %s")
        params.append(True)
    return where, params


def _pg_clause(clause: Clause, expansions: dict[str, list[SearchTerm]] | None) -> tuple[str, list[str]]:
    if clause.phrase:
        return "phraseto_tsquery('dutch', %s)", [" ".join(clause.words)]
    word = clause.words[0]
    compounds = (expansions or {}).get(word)
    # Words and vocabulary stems are [0-9a-z]+, so the tsquery texts cannot be malformed. The
    # compounds are stems already: matched as they are ('simple'), not stemmed again.
    if compounds:
        return "(to_tsquery('dutch', %s) || to_tsquery('simple', %s))", [word, " | ".join(t.stem for t in compounds)]
    return "to_tsquery('dutch', %s)", [word]


def _pg_tsquery(compiled: CompiledQuery, *, expand: bool) -> tuple[str, list[Any]]:
    parts, params = [], []
    for group in compiled.groups:
        alternatives = []
        for clause in group:
            sql, clause_params = _pg_clause(clause, compiled.expansions if expand else None)
            alternatives.append(sql)
            params.extend(clause_params)
        parts.append("(" + " || ".join(alternatives) + ")")
    for clause in compiled.negated:
        sql, clause_params = _pg_clause(clause, None)
        parts.append(f"!!{sql}")
        params.extend(clause_params)
    return "(" + " && ".join(parts) + ")", params


def _fts_clause(clause: Clause, expansions: dict[str, list[SearchTerm]] | None) -> str:
    stems = core_search._stemmer().stemWords(list(clause.words))
    if clause.phrase:
        return '"' + " ".join(stems) + '"'
    terms = [stems[0], *[t.stem for t in (expansions or {}).get(clause.words[0], [])]]
    return "(" + " OR ".join(f'"{t}"' for t in terms) + ")" if len(terms) > 1 else f'"{terms[0]}"'


def fts5_expression(compiled: CompiledQuery, *, expand: bool) -> str:
    groups = []
    for group in compiled.groups:
        alternatives = [_fts_clause(c, compiled.expansions if expand else None) for c in group]
        groups.append("(" + " OR ".join(alternatives) + ")")
    expression = " AND ".join(groups)
    for clause in compiled.negated:
        expression = f"({expression}) NOT {_fts_clause(clause, None)}"
    return expression


def search(
    query: str,
    filters: Filters | None = None,
    *,
    public_only: bool,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = PER_PAGE,
    offset: int | None = None,
    exact: bool = False,
) -> Results:
    """One page of results with the facet counts of all matches, best first (or newest first
    with sort="date", or always when there is no query). `offset` (the API's paging) skips that
    many results instead of (page - 1) * per_page.

    The work is bounded (see Limits): the number of matches is estimated first (PostgreSQL: in a
    1% sample; SQLite: counted by FTS5). A small result is one exact statement. A
    large one is two statements over bounded sets of rows: the facet counts and the total from
    the matches in a uniform sample of the index (the `sample` buckets, inside the GIN index on
    PostgreSQL), then the page from the newest matches (a date window read from that sample).
    `exact=True` (background work without a person waiting, like the alert e-mails) always counts
    and ranks every match."""
    filters = filters or Filters()
    compiled = compile_query(query)
    page = max(1, page)
    if query.strip() and compiled.empty:
        return Results(0, [], {}, compiled, page, per_page, error=compiled.error or _("Search for at least one word."))
    postgres = _is_postgres()
    scope = _scope(compiled, filters, public_only, sort, postgres)
    skip = (page - 1) * per_page if offset is None else max(0, offset)
    bounds = limits()
    # PostgreSQL: one transaction for its settings. SQLite: none (an immediate transaction would
    # take the write lock for a read).
    with transaction.atomic() if postgres else contextlib.nullcontext(), connection.cursor() as cursor:
        if postgres:
            # For this transaction: the materialised hits stay in memory; no JIT compilation (it
            # costs more than it saves on bounded sets of rows).
            cursor.execute("SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)")
        if exact:
            return _exact(cursor, scope, compiled, page, per_page, skip, None)
        estimate = _estimate(cursor, scope, bounds.probe)
        if estimate <= bounds.exact:
            # PostgreSQL's estimate can be low: the statement stops at twice the limit, and then
            # the result is treated as a large one.
            guard = 2 * bounds.exact if postgres else None
            results = _exact(cursor, scope, compiled, page, per_page, skip, guard)
            if guard is None or results.total <= guard:
                return results
            estimate = overflow_estimate(bounds)
        return _large(cursor, scope, compiled, bounds, estimate, page, per_page, skip)


def _scope(compiled: CompiledQuery, filters: Filters, public_only: bool, sort: str, postgres: bool) -> _Scope:
    where, params = _filter_sql(filters, public_only, postgres)
    by_date = sort == "date" or compiled.empty
    if compiled.empty:
        source, exact, rank, rank_params = "library_searchdocument s", "1", "0.0", []
    elif postgres:
        expanded_sql, expanded_params = _pg_tsquery(compiled, expand=True)
        source = "library_searchdocument s"
        where.insert(0, f"s.vector @@ {expanded_sql}")
        params[:0] = expanded_params
        if compiled.expansions:
            exact_sql, exact_params = _pg_tsquery(compiled, expand=False)
            exact = f"(s.vector @@ {exact_sql})::int"
        else:
            exact, exact_params = "1", []
        rank = f"ts_rank(s.vector, {expanded_sql}, 1)"
        rank_params = [*exact_params, *expanded_params]
    else:
        source = "library_fts f JOIN library_searchdocument s ON s.document_id = f.rowid"
        where.insert(0, "library_fts MATCH %s")
        params.insert(0, fts5_expression(compiled, expand=True))
        if compiled.expansions:
            exact = "(f.rowid IN (SELECT rowid FROM library_fts WHERE library_fts MATCH %s))"
            exact_params = [fts5_expression(compiled, expand=False)]
        else:
            exact, exact_params = "1", []
        rank = f"-bm25(library_fts, {SQLITE_WEIGHTS})"
        rank_params = exact_params
    order = "date DESC, document_id DESC" if by_date else "exact DESC, rank DESC, date DESC, document_id DESC"
    return _Scope(source, where, params, exact, rank, rank_params, order, postgres)


def window_position(bounds: Limits, buckets: int) -> int:
    """Where in the sample (newest first) the window's first date is: as many matches as the
    window would hold in a sample of this many buckets."""
    return max(0, math.ceil(bounds.window * buckets / SAMPLE_BUCKETS) - 1)


def window_in_index(cursor: Any, since: Any, estimate: int, *, postgres: bool) -> bool:
    """Whether the date window goes into the GIN index. There the condition reads the entries of
    every document dated since then, matching or not (~0.2 us each); as a filter on the matching
    rows it costs ~5 us per match. PostgreSQL cannot weigh the two (it does not know how the words
    and the dates go together), so the cheaper is chosen here."""
    return not postgres or _dated_since(cursor, since) < 30 * estimate


def overflow_estimate(bounds: Limits) -> int:
    """What is assumed when the exact statement stopped at its guard: a large result, sampled little."""
    return 20 * bounds.exact


def sample_buckets(bounds: Limits, estimate: int) -> int:
    """How many of the 1,000 buckets hold about `bounds.sample` of `estimate` matches."""
    return max(1, min(SAMPLE_BUCKETS, math.ceil(bounds.sample * SAMPLE_BUCKETS / max(estimate, 1))))


def _estimate(cursor: Any, scope: _Scope, probe: int) -> int:
    """The number of matches. PostgreSQL: counted in the first `probe` sample buckets and scaled
    (a few milliseconds: the buckets are inside the GIN index; the planner's own estimate is ten
    times too low for words that go together); SQLite: counted by FTS5."""
    where = " AND ".join(scope.where) or "1 = 1"
    if scope.postgres:
        cursor.execute(
            f"SELECT count(*) FROM {scope.source} WHERE {where} AND s.sample < %s::smallint",  # noqa: S608
            [*scope.params, probe],
        )
        return round(int(cursor.fetchone()[0]) * SAMPLE_BUCKETS / probe)
    cursor.execute(f"SELECT count(*) FROM {scope.source} WHERE {where}", scope.params)  # noqa: S608
    return int(cursor.fetchone()[0])


def _dated_since(cursor: Any, since: Any) -> int:
    """PostgreSQL's estimate of the documents dated `since` or later (the column's histogram)."""
    cursor.execute("EXPLAIN (FORMAT JSON) SELECT 1 FROM library_searchdocument s WHERE s.date >= %s::date", [since])
    plan = cursor.fetchone()[0]
    return int((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])


def _exact(
    cursor: Any,
    scope: _Scope,
    compiled: CompiledQuery,
    page: int,
    per_page: int,
    skip: int,
    guard: int | None,
) -> Results:
    """Every match ranked and counted; with a guard, at most guard + 1 of them (more than
    `guard` in the total means the result was cut off)."""
    hits, params = scope.hits(limit=None if guard is None else guard + 1)
    cursor.execute(f"{hits}{_page_sql(scope)} UNION ALL {_facets_sql(scope.postgres)}", [*params, per_page, skip])
    return _results(list(cursor.fetchall()), compiled, page, per_page)


def _large(
    cursor: Any,
    scope: _Scope,
    compiled: CompiledQuery,
    bounds: Limits,
    estimate: int,
    page: int,
    per_page: int,
    skip: int,
) -> Results:
    """A large result in two bounded statements (see search)."""
    cast = _casts(scope.postgres)
    buckets = sample_buckets(bounds, estimate)
    # The sample's hits are only counted, not ranked. Besides the counts: the date of the sample's
    # n-th newest match, n as many as the window would hold in the sample.
    hits, params = scope.hits(extra=f"s.sample < %s{cast['smallint']}", extra_params=[buckets], ranked=False)
    as_float = "::float8" if scope.postgres else ""
    position = window_position(bounds, buckets)
    # As ISO text: on SQLite a first row typed as a date column would make Django read every value
    # of that column of the union as a date; on PostgreSQL a cast would follow the DateStyle.
    as_iso = "to_char(date, 'YYYY-MM-DD')" if scope.postgres else "CAST(date AS TEXT)"
    cut = (
        f"SELECT * FROM (SELECT 'cut', {as_iso}, 0, 0{as_float} FROM hits "  # noqa: S608 (fixed text)
        "ORDER BY date DESC LIMIT 1 OFFSET %s) cut_row"
    )
    cursor.execute(f"{hits}{cut} UNION ALL {_facets_sql(scope.postgres)}", [*params, position])
    rows = list(cursor.fetchall())
    since = next((row[1] for row in rows if row[0] == "cut"), None)
    scale = SAMPLE_BUCKETS / buckets
    sample = _results([row for row in rows if row[0] != "cut"], compiled, page, per_page, scale=scale)
    if buckets == SAMPLE_BUCKETS or sample.total <= bounds.exact:
        # The whole index was the sample, or the estimate was far too high: exact after all.
        return _exact(cursor, scope, compiled, page, per_page, skip, None)
    if since is None:  # fewer sample matches than the window: the window is every match
        window_hits, window_params = scope.hits()
    else:
        # `date + 0` is the same condition, but not one the index can apply.
        column = "s.date" if window_in_index(cursor, since, estimate, postgres=scope.postgres) else "s.date + 0"
        window_hits, window_params = scope.hits(extra=f"{column} >= %s{cast['date']}", extra_params=[since])
    cursor.execute(
        f"{window_hits}{_page_sql(scope)} UNION ALL SELECT 'total', NULL, count(*), 0{as_float} FROM hits",  # noqa: S608
        [*window_params, per_page, skip],
    )
    window = _results(list(cursor.fetchall()), compiled, page, per_page)
    sample.total = max(sample.total, window.total)  # the window is counted exactly
    sample.hits = window.hits
    sample.estimated = True
    sample.window = window.total
    sample.window_since = datetime.date.fromisoformat(str(since)) if since is not None else None
    return sample


def _results(
    rows: list[tuple[Any, ...]], compiled: CompiledQuery, page: int, per_page: int, *, scale: float = 1.0
) -> Results:
    hits: list[Hit] = []
    facets: dict[str, list[tuple[Any, int]]] = {name: [] for name in FACETS}
    total = 0
    for facet, value, count, rank in rows:
        if facet == "page":
            hits.append(Hit(int(value), bool(count), float(rank or 0)))
        elif facet == "total":
            total = round(int(count) * scale)
        elif value is not None:
            facets[facet].append((int(value) if facet in INTEGER_FACETS else value, round(int(count) * scale)))
    for values in facets.values():
        values.sort(key=lambda item: (-item[1], str(item[0])))
    expanded = {word: [t.stem for t in terms] for word, terms in compiled.expansions.items()}
    return Results(total, hits, facets, compiled, page, per_page, expanded_words=expanded)


# --- similar documents -------------------------------------------------------------------------------


def similar(document: Document, *, public_only: bool, limit: int = 5) -> list[int]:
    """Ids of the documents sharing the most significant words with `document`, through the index
    on DocumentTerm.term (cached until the index changes)."""
    key = f"library:similar:{document.pk}:{int(public_only)}:{generation()}"
    cached = cache.get(key)
    if cached is not None:
        return list(cached)
    terms = list(DocumentTerm.objects.filter(document=document).values_list("term", flat=True))
    if not terms:
        return []
    placeholders = ", ".join(["%s"] * len(terms))
    public = "AND s.public = %s" if public_only else ""
    sql = (
        "SELECT t.document_id FROM library_documentterm t "  # noqa: S608 (placeholders only)
        "JOIN library_searchdocument s ON s.document_id = t.document_id "
        f"WHERE t.term IN ({placeholders}) AND t.document_id <> %s {public} "
        "GROUP BY t.document_id HAVING count(*) >= 2 ORDER BY sum(t.weight) DESC, t.document_id DESC LIMIT %s"
    )
    params: list[Any] = [*terms, document.pk, *([True] if public_only else []), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    cache.set(key, ids, 3600)
    return ids
