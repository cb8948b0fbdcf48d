"""Synonyms of council language (library.SynonymGroup, maintained in the back office) as the
query builder uses them: a table from the analysed form of each term to the analysed forms of the
other terms of its group. Read once and kept in the cache until a group is saved or deleted (the
signals below), so a search costs no query for it and a change counts at the next search, without
reindexing: synonyms are applied to the query, never to the index.

A term's key is its stems without stop words ("wet maatschappelijke ondersteuning" -> ("wet",
"maatschapp", "ondersteun")), so the query matches it however the stop words fall; the
alternatives keep their stop words, as they are searched as phrases (the index keeps them)."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core import analysis

from .models import SynonymGroup

CACHE_KEY = "library:synonyms"
# The longest term in words that a query is matched against.
MAX_TERM_WORDS = 5

Terms = tuple[str, ...]


def key_of(stems: Terms) -> Terms:
    return tuple(s for s in stems if s not in analysis.STOP_WORDS)


def _analysed(term: str) -> Terms:
    return tuple(analysis.stems(analysis.words(term)))


def build_table() -> dict[Terms, list[Terms]]:
    table: dict[Terms, list[Terms]] = {}
    for group in SynonymGroup.objects.filter(active=True).only("terms"):
        forms = list(dict.fromkeys(form for form in map(_analysed, group.term_list()) if key_of(form)))
        for form in forms:
            key = key_of(form)
            if len(key) > MAX_TERM_WORDS:
                continue
            alternatives = table.setdefault(key, [])
            for other in forms:
                if key_of(other) != key and other not in alternatives:
                    alternatives.append(other)
    return {key: alternatives for key, alternatives in table.items() if alternatives}


def table() -> dict[Terms, list[Terms]]:
    found = cache.get(CACHE_KEY)
    if found is None:
        found = build_table()
        cache.set(CACHE_KEY, found, None)
    return found


def alternatives(stems: Terms) -> list[Terms]:
    """The other forms of this term (stems), or nothing."""
    return table().get(key_of(stems), [])


@receiver(post_save, sender=SynonymGroup)
@receiver(post_delete, sender=SynonymGroup)
def forget(**kwargs: object) -> None:
    cache.delete(CACHE_KEY)
