"""Dutch text analysis shared by every index and every query: the same code turns a document's
text and a search box's words into terms, so both sides always agree.

A term is a folded (lower case, accents removed), Snowball-stemmed (Dutch, the classic Porter
variant) word. Stop words are kept in the index (so phrases keep their positions) but skipped as
query words. The output is a space-separated string of terms: the search index (tantivy) splits
it on white space and keeps the positions, so phrase queries match term sequences.

Compounds: Dutch writes them as one word (groenvoorziening, verkeersdrempels,
woningbouwcorporatie). `split_compound` splits a word into known words, with the linking sounds
-s-, -e- and -en- between them (verkeer-s-drempels, hond-en-belasting), over a lexicon of the
base words in core/data/compound_words.txt plus the library's own vocabulary (core.SearchTerm:
stems found in at least two documents). `compound_parts` gives the stems of the parts of every
compound in a text (for an index field of their own), so a search for a part finds the compound;
a query word that is a compound is also searched as its parts (library.engine).

Reusable for any kind of text (library documents today, network posts later): nothing here knows
about documents.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import raadhuis_native
import Stemmer

from .search import STOP_WORDS, fold, words
from .text import strip_accents

__all__ = [
    "STOP_WORDS",
    "analyse",
    "analyse_fields",
    "compound_parts",
    "fold",
    "freeze_lexicon",
    "load_lexicon",
    "reset_lexicon",
    "split_compound",
    "stem",
    "stems",
    "tokens_compound_parts",
    "vocabulary_stem",
    "words",
]

BASE_WORDS_FILE = Path(__file__).resolve().parent / "data" / "compound_words.txt"
# A part of a compound has at least this many letters ("wet" in "wethouder" is not a part), and
# a word shorter than two parts is never split.
MIN_PART = 4
# Linking sounds between the parts (verkeer-s-drempel, hond-en-belasting, kind-er-opvang is a
# known modifier "kinder"), longest first.
LINKS = ("en", "s", "e", "")
# Word endings that are suffixes, not words: "gemeentelijk" is not "gemeente" + "lijk".
NOT_HEADS = frozenset(
    {
        "lijk",
        "lijke",
        "lijks",
        "lijkheid",
        "heid",
        "heden",
        "baar",
        "bare",
        "loos",
        "loze",
        "schap",
        "schappen",
        "achtig",
        "achtige",
        "isch",
        "ische",
        "tjes",
        "ning",
        "ingen",
        "aties",
        "atie",
        "isme",
        "iteit",
        "ende",
    }
)
# The vocabulary part of the lexicon is read from the database at most this often per process.
LEXICON_SECONDS = 300
# Stems in fewer documents than this are not words enough to split on (typos, names).
LEXICON_MIN_COUNT = 2


@cache
def _stemmer() -> Any:
    # "dutch_porter" is the classic Snowball Dutch stemmer (PyStemmer 3); "dutch" in older versions.
    name = "dutch_porter" if "dutch_porter" in Stemmer.algorithms() else "dutch"
    return Stemmer.Stemmer(name)


def _normalise(word: str) -> str:
    # The Porter stemmer keeps the -s of plurals after a vowel: "subsidies", "corporaties" and
    # "provincies" would not meet "subsidie", "corporatie" and "provincie".
    if len(word) > 5 and word.endswith("ies"):
        return word[:-1]
    return word


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The stem of a folded word."""
    return str(_stemmer().stemWord(_normalise(word)))


def stems(tokens: list[str]) -> list[str]:
    return list(map(stem, tokens))


def vocabulary_stem(word: str) -> str | None:
    """The stem of a folded word as the vocabulary (core.search.vocabulary) counts it: a word of
    4 to 40 letters, not only digits; None for any other word."""
    return stem(word) if 4 <= len(word) <= 40 and not word.isdigit() else None


def analyse(text: str) -> str:
    """The terms of a text, in order, as one space-separated string (for the index)."""
    return " ".join(stems(words(text)))


# --- compounds ----------------------------------------------------------------------------------------


class _Lexicon:
    """The words a compound may be split into: the base words (folded) and the stems of the
    vocabulary, re-read after LEXICON_SECONDS."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.loaded_at = -1e18
        self.base: frozenset[str] = frozenset()
        self.base_stems: frozenset[str] = frozenset()
        self.vocabulary: frozenset[str] = frozenset()
        self.frozen = False

    def refresh(self, *, force: bool = False) -> None:
        with self.lock:
            if self.frozen or (not force and time.monotonic() - self.loaded_at < LEXICON_SECONDS):
                return
            if not self.base:
                lines = BASE_WORDS_FILE.read_text(encoding="utf-8").splitlines()
                self.base = frozenset(fold(line.strip()) for line in lines if line.strip() and line[0] != "#")
                self.base_stems = frozenset(stem(word) for word in self.base)
            self.vocabulary = frozenset(_vocabulary())
            self.loaded_at = time.monotonic()
            _split.cache_clear()
            _part_stems.cache_clear()
            _clear_words()

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str) or len(word) < MIN_PART or word in STOP_WORDS:
            return False
        if word in self.base:
            return True
        word_stem = stem(word)
        return word_stem in self.base_stems or word_stem in self.vocabulary


_lexicon = _Lexicon()


def _vocabulary() -> list[str]:
    from .models import SearchTerm

    try:
        return list(SearchTerm.objects.filter(count__gte=LEXICON_MIN_COUNT).values_list("stem", flat=True))
    except Exception:  # noqa: BLE001 (no database yet, e.g. during migrations): the base words only
        return []


def reset_lexicon() -> None:
    """Read the vocabulary again at the next split (the tests: after adding documents)."""
    _lexicon.loaded_at = -1e18
    _lexicon.frozen = False


def load_lexicon() -> None:
    """Read the vocabulary now (before forking processes that split compounds)."""
    _lexicon.refresh(force=True)


def freeze_lexicon() -> None:
    """Keep the lexicon as it is in this process: never read the database again (a forked
    process must not use the connection it inherited)."""
    _lexicon.frozen = True


def split_compound(word: str) -> list[str]:
    """The parts of a folded compound, outermost split first, every level included:
    "woningbouwcorporatie" -> ["woningbouw", "corporatie", "woning", "bouw"];
    "verkeersdrempels" -> ["verkeer", "drempels"]. Empty when the word is not a known compound.
    The head (the last part) is the longest known word that leaves a known modifier."""
    if len(word) < 2 * MIN_PART:
        return []
    _lexicon.refresh()
    return list(_split(word))


@lru_cache(maxsize=200_000)
def _split(word: str) -> tuple[str, ...]:
    for start in range(MIN_PART, len(word) - MIN_PART + 1):
        head = word[start:]
        if head in NOT_HEADS or head not in _lexicon:
            continue
        for link in LINKS:
            if not word[:start].endswith(link):
                continue
            modifier = word[: start - len(link)]
            if len(modifier) < MIN_PART:
                continue
            inner = _split(modifier) if len(modifier) >= 2 * MIN_PART else ()
            if modifier in _lexicon or inner:
                head_inner = _split(head) if len(head) >= 2 * MIN_PART else ()
                return (modifier, head, *inner, *head_inner)
    return ()


def compound_parts(text: str) -> str:
    """The stems of the parts of every compound in a text, space-separated (for the index)."""
    return tokens_compound_parts(words(text))


def tokens_compound_parts(tokens: Iterable[str]) -> str:
    """compound_parts() of a text already split into words (words()): a text's words are looked
    at once each for their stems and their parts."""
    _lexicon.refresh()
    return " ".join(filter(None, map(_word_parts, tokens)))


def _word_parts(word: str) -> str:
    # "" for a word that is not a compound (or too short to be one).
    return " ".join(_part_stems(word)) if len(word) >= 2 * MIN_PART else ""


def _word_entry(word: str) -> tuple[str, str | None, str]:
    """What analyse_fields keeps of a word the first time it meets it: its stem (stem()), its
    vocabulary stem (vocabulary_stem()) and the stems of its compound parts (_word_parts())."""
    return stem(word), vocabulary_stem(word), _word_parts(word)


# The words analyse_fields has met (raadhuis_native, native/: the word loop in C), at most
# WORD_CACHE of them (emptied between texts, never during one, and when the lexicon changes).
WORD_CACHE = 200_000
_words = raadhuis_native.WordTable(_word_entry)


def _clear_words() -> None:
    _words.clear()


def analyse_fields(texts: dict[str, str], content: Iterable[str]) -> tuple[dict[str, str], str, dict[str, str]]:
    """What indexing a text with several fields needs, each word analysed once:

    - the terms of each field (analyse());
    - the stems of the compound parts in the `content` fields' words (compound_parts());
    - the vocabulary of the `content` fields: the vocabulary_stem of each word -> the first word
      (in the order of the fields and their text) it came from.

    The words are split and looked up in C (native/raadhuis_native.c: words() without a string
    for each word, a word met before not analysed again); a word met for the first time is
    analysed here (_word_entry). core/tests/test_analysis.py checks that the result is the one
    analyse(), compound_parts() and vocabulary_stem() give.
    """
    _lexicon.refresh()
    if len(_words) >= WORD_CACHE:
        _clear_words()
    content = frozenset(content)
    names = list(texts)
    terms, parts, found = _words.analyse(
        [strip_accents(texts[name] or "") for name in names], [name in content for name in names]
    )
    return dict(zip(names, terms, strict=True)), parts, found


@lru_cache(maxsize=200_000)
def _part_stems(word: str) -> tuple[str, ...]:
    return tuple(stem(part) for part in _split(word))
