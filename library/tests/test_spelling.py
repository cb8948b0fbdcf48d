"""Spelling suggestions from the library's own vocabulary (the search index's term dictionary)."""

from __future__ import annotations

import pytest

from library import engine, spelling
from library.models import Document
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def make(**kwargs) -> Document:
    document = DocumentFactory(**kwargs)
    engine.index_documents([document])
    return document


def suggestion(query: str) -> spelling.Suggestion | None:
    return spelling.suggest(query, engine.search(query, public_only=False))


def test_edit_distance_counts_a_swap_as_one_edit_and_stops_above_the_limit():
    assert spelling.distance("woning", "woning", 2) == 0
    assert spelling.distance("wonign", "woning", 2) == 1  # two neighbours swapped
    assert spelling.distance("kindr", "kinder", 2) == 1
    assert spelling.distance("armod", "armoed", 2) == 1
    assert spelling.distance("fietpad", "fietspad", 2) == 1
    assert spelling.distance("woonwijk", "woning", 2) == 3  # above the limit: limit + 1
    assert spelling.distance("ab", "abcdef", 2) == 3


def test_a_typo_gets_the_known_word_and_a_known_word_gets_nothing():
    make(title="Woonwijk")  # two edits from "woning", in one document: the closer word wins
    for i in range(3):
        make(title=f"Betaalbare woningen voor starters {i}", text="Meer woningen bouwen.")
    make(title="Kinderen en armoede", text="Armoede onder kinderen neemt toe.")
    found = suggestion("wonignen")
    assert found == spelling.Suggestion("woningen", [spelling.Correction("wonignen", "woningen")])
    # The typed word's ending goes on the corrected stem; the other words stay as typed.
    assert suggestion("Betaalbare Wonignen").query == "Betaalbare woningen"
    assert suggestion("armode kindren").query == "armoede kinderen"
    # A typo in an ending the stemmer removes: the edit is made to the word, then stemmed.
    make(title="Eenzaamheid onder ouderen")
    assert suggestion("eenzaamhied").query == "eenzaamheid"
    assert suggestion("woningen") is None
    assert suggestion("betaalbare woningen starters") is None
    # Nothing close in the vocabulary: no suggestion rather than a far-fetched one.
    assert suggestion("zwembad") is None
    # Phrases, stop words and short words are left alone.
    assert suggestion('"wonignen bouwen"') is None
    assert suggestion("de") is None


def test_few_results_get_a_much_more_frequent_word_for_a_word_in_one_document(monkeypatch):
    for i in range(10):
        make(title=f"Woningen {i}")
    make(title="Wonigen", text="Een tikfout in een document.")  # a rare word one edit away
    assert suggestion("wonigen").query == "woningen"
    # More results than a few: a known word is not second-guessed, however rare.
    assert engine.search("wonigen OR woningen", public_only=False).total == 11
    assert suggestion("wonigen OR woningen") is None
    # A word in two documents is a word, not a typo.
    make(title="Wonigen 2")
    assert suggestion("wonigen") is None
    monkeypatch.setattr(spelling, "RARE", 2)
    monkeypatch.setattr(spelling, "MORE_FREQUENT", 5)  # 10 documents against 2
    assert suggestion("wonigen").query == "woningen"


def test_a_correct_word_near_a_more_frequent_one_is_left_alone():
    documents = DocumentFactory.create_batch(30, title="Veilige routes naar scholen")
    documents += DocumentFactory.create_batch(3, title="Schulden en armoede")
    documents.append(DocumentFactory(title="Vroegsignalering van schulden"))
    engine.index_documents(documents)
    # One document with both words (few), "schulden" two edits from the ten times more frequent
    # "scholen": but four documents hold it, so it is a word, not a typo.
    assert engine.search("vroegsignalering schulden", public_only=False).complete == 1
    assert suggestion("vroegsignalering schulden") is None
    # A typo of it is corrected.
    assert suggestion("vroegsignalering schuldn").query == "vroegsignalering schulden"


def test_the_vocabulary_follows_the_index():
    document = make(title="Speeltuinen in de wijk")
    assert suggestion("speeltuinnen").query == "speeltuinen"
    document.status = Document.Status.DRAFT
    document.save()
    engine.index_documents([document])
    assert suggestion("speeltuinnen") is None
