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

import html
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import Stemmer
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, models
from django.db.models import Case, F, OuterRef, Subquery, Value, When

from .models import SearchEntry, SearchTerm
from .text import strip_accents

WORD = re.compile(r"[0-9a-z]+")
# SQLite ranks in Python and passes the ranking back as a CASE: cap the number of hits it ranks.
SQLITE_MAX_HITS = 2000


@cache
def _stemmer() -> Any:
    # PyStemmer 3 calls the new Kraaij-Pohlmann-style stemmer "dutch" ("gemeente" -> "meen");
    # "dutch_porter" is the classic Snowball Dutch that PostgreSQL's `dutch` configuration uses,
    # so both engines agree on word forms.
    name = "dutch_porter" if "dutch_porter" in Stemmer.algorithms() else "dutch"
    return Stemmer.Stemmer(name)


def fold(text: str) -> str:
    return strip_accents(text or "").lower()


# words(): after folding, every character that is not [0-9a-z] separates words. On bytes (a
# non-ASCII character that folding leaves, such as ’ or €, encoded as "?"), one table does the
# lower case and the separators: a third faster than a regular expression on the text.
_WORD_BYTES = bytes(
    c if (0x30 <= c <= 0x39 or 0x61 <= c <= 0x7A) else (c + 32 if 0x41 <= c <= 0x5A else 0x20) for c in range(256)
)


def words(text: str) -> list[str]:
    """The folded words of a text: the runs of [0-9a-z] in fold(text) (WORD)."""
    return strip_accents(text or "").encode("ascii", "replace").translate(_WORD_BYTES).decode("ascii").split()


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


# --- query language and compounds (used by the library search) ----------------------------------------

QUERY_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')


@dataclass(frozen=True)
class Clause:
    """One part of a parsed query: a word or a phrase, possibly excluded; clauses joined by OR form
    one alternative group."""

    words: tuple[str, ...]
    phrase: bool = False
    negated: bool = False
    required: bool = False  # +word: must occur (the other words are ranked, see library.engine)


def parse_query(query: str) -> list[list[Clause]]:
    """Parse a search box: words (all required), "exact phrases", -excluded words or phrases, and
    OR between alternatives. Returns AND-ed groups of OR-ed clauses. Punctuation is ignored."""
    groups: list[list[Clause]] = []
    pending_or = False
    for match in QUERY_TOKEN.finditer(query or ""):
        minus, phrase, bare = match.groups()
        if bare is not None and bare.upper() == "OR" and groups:
            pending_or = True
            continue
        if phrase is not None:
            clause_words = tuple(words(phrase))
            clause = Clause(
                clause_words, phrase=len(clause_words) > 1, negated=bool(minus), required=len(clause_words) > 1
            )
        else:
            negated = bare.startswith("-") and len(bare) > 1
            required = bare.startswith("+") and len(bare) > 1
            clause_words = tuple(words(bare[1:] if negated or required else bare))
            if len(clause_words) > 1:  # "woning-bouw" and the like: all parts required
                for word in clause_words:
                    groups.append([Clause((word,), negated=negated, required=not negated)])
                pending_or = False
                continue
            clause = Clause(clause_words, negated=negated, required=required)
        if not clause.words:
            continue
        if pending_or and not clause.negated and not any(c.negated for c in groups[-1]):
            groups[-1].append(clause)
        else:
            groups.append([clause])
        pending_or = False
    return groups


# The Snowball Dutch stop words (PostgreSQL's `dutch` configuration drops the same ones): skipped
# in queries outside phrases on both engines, so that both give the same answers.
STOP_WORDS = frozenset(
    [
        "de",
        "en",
        "van",
        "ik",
        "te",
        "dat",
        "die",
        "in",
        "een",
        "hij",
        "het",
        "niet",
        "zijn",
        "is",
        "was",
        "op",
        "aan",
        "met",
        "als",
        "voor",
        "had",
        "er",
        "maar",
        "om",
        "hem",
        "dan",
        "zou",
        "of",
        "wat",
        "mijn",
        "men",
        "dit",
        "zo",
        "door",
        "over",
        "ze",
        "zich",
        "bij",
        "ook",
        "tot",
        "je",
        "mij",
        "uit",
        "der",
        "daar",
        "haar",
        "naar",
        "heb",
        "hoe",
        "heeft",
        "hebben",
        "deze",
        "u",
        "want",
        "nog",
        "zal",
        "me",
        "zij",
        "nu",
        "ge",
        "geen",
        "omdat",
        "iets",
        "worden",
        "toch",
        "al",
        "waren",
        "veel",
        "meer",
        "doen",
        "toen",
        "moet",
        "ben",
        "zonder",
        "kan",
        "hun",
        "dus",
        "alles",
        "onder",
        "ja",
        "eens",
        "hier",
        "wie",
        "werd",
        "altijd",
        "doch",
        "wordt",
        "wezen",
        "kunnen",
        "ons",
        "zelf",
        "tegen",
        "na",
        "reeds",
        "wil",
        "kon",
        "niets",
        "uw",
        "iemand",
        "geweest",
        "andere",
    ]
)
# A compound is a longer word ending in the query word; words that merely add a verb prefix
# ("bezorg" for "zorg") are not compounds.
NOT_COMPOUND_PREFIXES = frozenset({"be", "ge", "ver", "ont", "her", "er", "mis", "on", "te", "toe"})


def vocabulary(text: str) -> dict[str, str]:
    """The stems of a text's words (4 to 40 letters, not only digits), each with a word it came from."""
    unique = [w for w in set(words(text)) if 4 <= len(w) <= 40 and not w.isdigit()]
    found: dict[str, str] = {}
    for word, word_stem in zip(unique, _stemmer().stemWords(unique), strict=True):
        found.setdefault(word_stem, word)
    return found


def save_vocabulary(counts: Counter[str], examples: dict[str, str]) -> None:
    """Add these document counts per stem to the vocabulary (one upsert statement)."""
    if not counts:
        return
    rows = [(s, s[::-1], examples[s], n) for s, n in counts.items() if len(s) <= 40]
    table = SearchTerm._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (stem, reversed, example, count) VALUES (%s, %s, %s, %s) "  # noqa: S608
            f"ON CONFLICT (stem) DO UPDATE SET count = {table}.count + excluded.count",
            rows,
        )


def query_stems(query_words: list[str]) -> dict[str, str]:
    """The stem of each query word as the vocabulary holds it: the index's own analysis
    (PyStemmer's Snowball Dutch, in this process on both databases). Stop words have no stem."""
    return {word: _stem_folded(word) for word in sorted(set(query_words)) if word not in STOP_WORDS}


def compounds(word_stem: str, limit: int = 30) -> list[SearchTerm]:
    """Known compounds ending in the stem ("kinderarmoed", "energiearmoed" for "armoed"), the
    most frequent first. Found through the index on the reversed stem, not by scanning the
    vocabulary."""
    if len(word_stem) < 4:
        return []
    start = word_stem[::-1]
    terms = SearchTerm.objects.exclude(stem=word_stem)
    if _is_postgres():
        terms = terms.filter(reversed__startswith=start)  # LIKE 'x%' on the varchar_pattern_ops index
    else:
        terms = terms.filter(reversed__gte=start, reversed__lt=start + "\uffff")  # binary collation
    found = terms.order_by("-count", "stem")[: limit * 2]
    result = []
    for term in found:
        prefix = term.stem[: -len(word_stem)]
        if len(prefix) >= 3 and prefix not in NOT_COMPOUND_PREFIXES:
            result.append(term)
    return result[:limit]


def stem(word: str) -> str:
    return _stem_folded(fold(word))


@lru_cache(maxsize=50_000)
def _stem_folded(word: str) -> str:
    return str(_stemmer().stemWord(word))


@lru_cache(maxsize=100_000)
def _token_stem(token: str) -> str:
    """The stem of a word as it stands in a text (snippets look at every word before the first
    match: folding it each time cost more than the search)."""
    return _stem_folded(fold(token))


TOKEN = re.compile(r"\w+")
SPACE = re.compile(r"\s+")


def snippet(text: str, query_words: list[str], width: int = 240) -> str:
    """An HTML excerpt of `text` around the first match of the query words, with every match in
    <mark>. A word matches when its stem equals a query word's stem, or ends in it (compounds:
    "kinderarmoede" for "armoede"). Everything else is escaped. Only the text up to the first
    match is scanned, so a long document costs little."""
    stems = {stem(w) for w in query_words if w}
    long_stems = tuple(s for s in stems if len(s) >= 4)

    def matches(token: str) -> bool:
        token_stem = _token_stem(token)
        return token_stem in stems or (bool(long_stems) and token_stem.endswith(long_stems))

    plain = SPACE.sub(" ", text or "").strip()
    if not plain:
        return ""
    first = next((t for t in TOKEN.finditer(plain) if matches(t.group())), None)
    start = 0
    if first is not None and first.end() > width * 2 // 3:
        start = plain.rfind(" ", 0, max(0, first.start() - width // 3)) + 1
    end = min(len(plain), start + width)
    if end < len(plain):  # end on a word boundary, after the first match
        cut = plain.rfind(" ", start, end)
        if cut > (first.end() if first is not None else start):
            end = cut
    excerpt = plain[start:end]
    parts, cursor = [], 0
    for token in TOKEN.finditer(excerpt):
        if matches(token.group()):
            parts.append(html.escape(excerpt[cursor : token.start()]))
            parts.append("<mark>" + html.escape(token.group()) + "</mark>")
            cursor = token.end()
    parts.append(html.escape(excerpt[cursor:]))
    return ("… " if start > 0 else "") + "".join(parts) + (" …" if end < len(plain) else "")
