"""Dutch text analysis shared by every index and every query: the same code turns a document's
text and a search box's words into terms, so both sides always agree.

A term is a folded (lower case, accents removed), Snowball-stemmed (Dutch, the classic Porter
variant) word. Stop words are kept in the index (so phrases keep their positions) but skipped as
query words. The output is a space-separated string of terms: the search index (tantivy) splits
it on white space and keeps the positions, so phrase queries match term sequences.

Reusable for any kind of text (library documents today, network posts later): nothing here knows
about documents.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import Stemmer

from .search import STOP_WORDS, fold, words

__all__ = ["STOP_WORDS", "analyse", "fold", "stem", "stems", "words"]


@cache
def _stemmer() -> Any:
    # "dutch_porter" is the classic Snowball Dutch stemmer (PyStemmer 3); "dutch" in older versions.
    name = "dutch_porter" if "dutch_porter" in Stemmer.algorithms() else "dutch"
    return Stemmer.Stemmer(name)


def stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


def stems(tokens: list[str]) -> list[str]:
    return list(_stemmer().stemWords(tokens))


def analyse(text: str) -> str:
    """The terms of a text, in order, as one space-separated string (for the index)."""
    return " ".join(stems(words(text)))
