"""Spelling suggestions for the library's search ("Bedoelde je: woningen?"), from the library's own
vocabulary: the term dictionary of the search index (tantivy), with each term's document frequency.
The index is maintained at every change (library.search_index), so the vocabulary follows the
documents (a removed document's words go with it) and shares the search's analysis (core.analysis):
a suggestion is a term the search can find.

A query word is corrected when the index does not know its term, or when the search found few
documents, the word itself is in one document only and a close term is in many times more (a
typo that a document shares). A word in more documents is never second-guessed ("schulden" is not
"scholen", "regen" not "regel").

First the words one edit from the typed word (delete, swap, replace or insert a letter) are
stemmed and looked up: the one whose term is in the most documents wins, and it reads as a word
("wonignen" → "woningen"; also a typo in an ending the stemmer removes, "eenzaamhied" →
"eenzaamheid"). Failing that, an unknown word of more than five letters is compared, stem to
stem, with the most frequent terms that share its first letter, up to two edits (a swap counts
one; one edit before two, then the most frequent), and the typed word's ending is put back on the
corrected stem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from core import analysis

from . import search_index

# The fields whose words make up the vocabulary (not attachments: names and file noise).
FIELDS = ("title", "dictum", "considerations", "rest")
# "Few results": also look for a better-known word when the search found at most this many.
FEW_RESULTS = 2
# A known word is second-guessed only when it is in at most this many documents (a typo that a
# document shares; a real word soon is in more), and only for a term in this many times more
# documents (and in at least FEW_RESULTS + 1).
RARE = 1
MORE_FREQUENT = 10
# Terms read per field and first letter, the most frequent first.
CANDIDATES = 1500
MIN_LENGTH = 4
MAX_WORDS = 6
# Endings tried to show a corrected stem as a word when the typed word's own ending does not fit.
ENDINGS = ("", "en", "e", "s", "n", "er", "ers", "ing", "ingen")
LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Correction:
    typed: str
    suggested: str


@dataclass(frozen=True)
class Suggestion:
    query: str  # the query with the corrected words, to search again
    corrections: list[Correction] = field(default_factory=list)


def distance(a: str, b: str, limit: int) -> int:
    """The optimal string alignment distance (insert, delete, substitute, swap two neighbours: one
    edit each) between a and b, or limit + 1 as soon as it is certainly above limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        lowest = i
        for j in range(1, len(b) + 1):
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1]))
            if before is not None and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, before[j - 2] + 1)
            current[j] = value
            lowest = min(lowest, value)
        if lowest > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


def _frequency(searcher: Any, term: str) -> int:
    """In how many documents the term occurs (the largest count over the fields: a close estimate)."""
    return max(int(searcher.doc_freq(name, term)) for name in FIELDS)


def _candidates(searcher: Any, term: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for name in FIELDS:
        for candidate, count in searcher.terms_with_prefix(name, term[0], limit=CANDIDATES):
            if count > found.get(candidate, 0):
                found[candidate] = int(count)
    return found


def _closest(term: str, candidates: dict[str, int], at_least: int, limit: int) -> str | None:
    letters = set(term)
    best: tuple[int, int, str] | None = None
    for candidate, count in candidates.items():
        if count < at_least or candidate == term or abs(len(candidate) - len(term)) > limit:
            continue
        # Each edit changes the set of letters by at most two: a cheap test before the distance.
        if len(letters.symmetric_difference(candidate)) > 2 * limit:
            continue
        edits = distance(term, candidate, limit)
        if edits <= limit and (best is None or (edits, -count, candidate) < best):
            best = (edits, -count, candidate)
    return best[2] if best else None


def _edits(word: str) -> set[str]:
    """Every string one edit from the word (delete, swap two neighbours, replace, insert a letter)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    swaps = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in LETTERS]
    inserts = [a + c + b for a, b in splits for c in LETTERS]
    return set(deletes + swaps + replaces + inserts) - {word}


def _one_edit_word(searcher: Any, typed: str, term: str, at_least: int) -> str | None:
    """The word one edit from the typed one whose term is in the most documents (at least
    `at_least`): the edit is made to the word, then stemmed, so a typo in an ending that the
    stemmer would have removed is found too ("eenzaamhied": "eenzaamheid")."""
    variants = sorted(_edits(typed))
    best: tuple[int, bool, int, str] | None = None
    frequencies: dict[str, int] = {term: 0}
    for variant, variant_term in zip(variants, analysis.stems(variants), strict=True):
        if variant_term not in frequencies:
            frequencies[variant_term] = _frequency(searcher, variant_term)
        count = frequencies[variant_term]
        # Of the forms of one term, one with an ending is a word more often than the bare stem
        # ("armoede", not "armoed"), and a common ending more often than another ("schulden").
        ending = variant[len(variant_term) :] if variant.startswith(variant_term) else None
        rank = ENDINGS.index(ending) if ending in ENDINGS else len(ENDINGS)
        key = (count, variant_term != variant, -rank, variant)
        if count >= at_least and (best is None or key[:3] > best[:3]):
            best = key
    return best[3] if best else None


def as_word(typed: str, term: str, corrected: str) -> str | None:
    """The corrected term as a word the search finds under that term: the typed word's ending on
    the corrected stem, or a common ending; None when no form stems back to it."""
    endings = [typed[len(term) :]] if typed.startswith(term) else []
    for ending in [*endings, *ENDINGS]:
        word = corrected + ending
        if analysis.stem(word) == corrected:
            return word
    return None


def _replace(query: str, typed: str, suggested: str) -> str:
    pattern = re.compile(rf"(?<![0-9a-z]){re.escape(typed)}(?![0-9a-z])", re.IGNORECASE)
    replaced, count = pattern.subn(suggested, query)
    if count:
        return replaced
    # The word was typed with accents: replace it in the folded query.
    return pattern.sub(suggested, analysis.fold(query))


def suggest(query: str, results: Any) -> Suggestion | None:
    """A corrected query for a search (engine.Results), or None when every word is known and the
    search found enough, or when no close term is known."""
    if results.error or results.query.empty:
        return None
    # Few documents hold every word (relaxed results also hold documents with only some of them).
    few = results.complete <= FEW_RESULTS
    searcher, _schema = search_index.searcher()
    typed_words: list[str] = []
    for group in results.query.groups:
        for clause in group:
            if not clause.phrase:
                typed_words += [word for word in clause.words if word not in typed_words]
    corrections = []
    for typed in typed_words[:MAX_WORDS]:
        if len(typed) < MIN_LENGTH or typed.isdigit():
            continue
        term = analysis.stem(typed)
        known = _frequency(searcher, term)
        if known and not (few and known <= RARE):
            continue
        at_least = max(FEW_RESULTS + 1, known * MORE_FREQUENT) if known else 1
        word = _one_edit_word(searcher, typed, term, at_least)
        if word is None and not known and len(term) > 5:
            # Two edits: compared on the stems, the most frequent terms with the same first letter.
            corrected = _closest(term, _candidates(searcher, term), at_least, 2)
            word = as_word(typed, term, corrected) if corrected else None
        if word and word != typed:
            corrections.append(Correction(typed, word))
    if not corrections:
        return None
    corrected_query = query
    for correction in corrections:
        corrected_query = _replace(corrected_query, correction.typed, correction.suggested)
    return Suggestion(corrected_query, corrections)
