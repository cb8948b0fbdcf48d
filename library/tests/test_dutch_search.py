"""Dutch analysis in the library search (issue 19): compounds both ways, the synonym list that
editors maintain in the back office (applied to the query, so a change needs no reindex), near
spellings for words no document holds, and the ranking: documents with enough of the words
first, the words as typed above their compounds and synonyms, an old exact match above new weak
ones."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core import analysis
from library import engine, search_index
from library.models import Document, SearchChange, SynonymGroup
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def make(**kwargs) -> Document:
    document = DocumentFactory(**kwargs)
    engine.index_documents([document])
    return document


def ids(query: str) -> list[int]:
    results = engine.search(query, public_only=False)
    assert not results.error, results.error
    return [hit.document_id for hit in results.hits]


# --- the analysis itself --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("groenvoorziening", ["groen", "voorziening"]),
        ("verkeersdrempels", ["verkeer", "drempels"]),  # linking -s-
        ("hondenbelasting", ["hond", "belasting"]),  # linking -en-
        ("woningbouwcorporatie", ["woningbouw", "corporatie", "woning", "bouw"]),
        ("gemeentelijke", []),  # -lijk is a suffix, not a word
        ("overlast", []),  # "over" is a stop word
        ("wethouders", []),  # "wet" is too short to be a part
        ("zwemles", []),
    ],
)
def test_compounds_split_into_known_words(word, parts):
    analysis.reset_lexicon()
    assert analysis.split_compound(word) == parts


def test_plurals_in_ies_meet_their_singular():
    assert analysis.stem("subsidies") == analysis.stem("subsidie")
    assert analysis.stem("corporaties") == analysis.stem("corporatie")
    assert analysis.analyse("Financiële middelen") == analysis.analyse("financiele middel")


def test_the_parts_of_the_compounds_of_a_text():
    analysis.reset_lexicon()
    assert analysis.compound_parts("Onderhoud van de groenvoorziening en verkeersdrempels") == (
        "groen voorzien verker drempel"
    )


# --- compounds --------------------------------------------------------------------------------------------


def test_a_compound_finds_its_parts_and_the_parts_find_the_compound():
    compound = make(title="Onderhoud groenvoorziening", text="De groenvoorziening in de wijk is verwaarloosd.")
    parts = make(title="Meer groen in de wijk", text="Betere voorzieningen en meer groen tussen de huizen.")
    make(title="Parkeren in de binnenstad", text="Te weinig parkeerplaatsen.")
    assert ids("groenvoorziening") == [compound.pk, parts.pk]  # the word as typed first
    assert ids("groen") == [parts.pk, compound.pk]
    results = engine.search("groen", public_only=False)
    assert [h.exact for h in results.hits] == [True, False]


def test_a_compound_finds_its_last_part_and_singular_finds_plural():
    corporation = make(title="Huurbevriezing bij de corporaties", text="De corporaties verhogen de huur niet.")
    bumps = make(title="Verkeersdrempels in de Dorpsstraat", text="Er komen twee verkeersdrempels.")
    threshold = make(title="Een lage drempel voor hulp", text="Het loket heeft een lage drempel.")
    assert ids("woningbouwcorporatie") == [corporation.pk]
    assert ids("verkeersdrempel")[0] == bumps.pk
    # The word itself first, then the compound that holds it.
    assert ids("drempels") == [threshold.pk, bumps.pk]


# --- synonyms ---------------------------------------------------------------------------------------------


def test_the_default_synonym_list_finds_the_other_form():
    transport = make(title="Gratis openbaar vervoer voor ouderen", text="Ouderen reizen gratis met de bus.")
    permit = make(title="Huisvesting vergunninghouders", text="De taakstelling voor vergunninghouders.")
    assert SynonymGroup.objects.filter(terms__startswith="ov\n", active=True).exists()
    assert ids("OV") == [transport.pk]
    assert ids("statushouders") == [permit.pk]


def test_a_multi_word_term_counts_as_one_and_finds_the_abbreviation():
    short = make(title="Meer ov in de kleine kernen", text="De bus rijdt te weinig.")
    written = make(title="Openbaar vervoer in de kleine kernen", text="Het openbaar vervoer verdwijnt.")
    found = ids("openbaar vervoer kleine kernen")
    assert found[:2] == [written.pk, short.pk]  # the words as typed above the synonym


def test_the_word_as_typed_ranks_above_its_synonym():
    care = make(title="Wachtlijsten jeugdzorg", text="De jeugdzorg kent lange wachtlijsten.")
    help_ = make(title="Wachtlijsten jeugdhulp", text="De jeugdhulp kent lange wachtlijsten.")
    assert ids("jeugdzorg") == [care.pk, help_.pk]
    assert ids("jeugdhulp") == [help_.pk, care.pk]


def test_a_synonym_edited_in_the_back_office_counts_at_once_without_reindexing(client, administrator):
    street = make(title="Een fietsstraat door het centrum", text="Auto's te gast op de fietsstraat.")
    make(title="Parkeren in de binnenstad", text="Te weinig parkeerplaatsen.")
    assert ids("fietsroute") == []
    indexed_at = search_index.cursor()
    client.force_login(administrator)
    response = client.post(
        reverse("admin:library_synonymgroup_add"), {"terms": "fietsroute\nfietsstraat", "note": "", "active": "on"}
    )
    assert response.status_code == 302, response.context["adminform"].errors if response.context else response
    assert ids("fietsroute") == [street.pk]
    group = SynonymGroup.objects.get(terms="fietsroute\nfietsstraat")
    response = client.post(
        reverse("admin:library_synonymgroup_change", args=[group.pk]), {"terms": group.terms, "note": ""}
    )  # "active" unticked
    assert response.status_code == 302
    assert ids("fietsroute") == []
    # Nothing was indexed again: synonyms apply to the query.
    assert search_index.cursor() == indexed_at and not SearchChange.objects.exists()


def test_a_synonym_group_needs_two_different_terms():
    with pytest.raises(ValidationError) as refused:
        SynonymGroup(terms="OV\nov").full_clean()
    assert "terms" in refused.value.message_dict
    with pytest.raises(ValidationError):
        SynonymGroup(terms="OV\n---").full_clean()
    group = SynonymGroup(terms="OV, openbaar vervoer\n\n  bus en trein ")
    group.full_clean()
    assert group.term_list() == ["OV", "openbaar vervoer", "bus en trein"]
    assert str(group) == "OV = openbaar vervoer = bus en trein"


# --- near spellings, ranking ------------------------------------------------------------------------------


def test_a_typo_still_finds_the_word():
    care = make(title="Wachtlijsten jeugdzorg", text="De jeugdzorg kent lange wachtlijsten.")
    make(title="Parkeren in de binnenstad", text="Te weinig parkeerplaatsen.")
    results = engine.search("jeugzorg", public_only=False)
    assert [h.document_id for h in results.hits] == [care.pk]
    assert not results.hits[0].exact


def test_documents_with_enough_words_first_then_the_others_and_it_says_so():
    both = make(title="Zwemles voor kinderen", text="Gratis zwemles in de zomer.")
    one = make(title="Sportvelden", text="Meer sportvelden voor kinderen.")
    neither = make(title="Parkeren", text="Te weinig parkeerplaatsen.")
    results = engine.search("zwemles kinderen", public_only=False)
    assert [h.document_id for h in results.hits] == [both.pk, one.pk]
    assert results.relaxed and (results.matched, results.wanted) == (1, 2) and results.total == 2
    # Newest first: only the documents with enough of the words.
    by_date = engine.search("zwemles kinderen", public_only=False, sort="date")
    assert [h.document_id for h in by_date.hits] == [both.pk] and not by_date.relaxed
    assert neither.pk not in ids("zwemles kinderen")


def test_an_old_exact_match_outranks_new_weak_ones():
    old = make(
        title="Kinderboerderij De Wielewaal blijft open",
        text="De raad wil dat kinderboerderij De Wielewaal open blijft.",
        meeting_date=datetime.date(2014, 3, 6),
    )
    for day in range(15):
        make(
            title=f"Speeltuinen en groen in wijk {day}",
            text="In de wijk is een speeltuin, een grasveld en verderop een kinderboerderij. " * 3,
            meeting_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=day),
        )
    make(title="Zeldzame vogels", text="De wielewaal broedt weer in het bos.", meeting_date=datetime.date(2025, 6, 1))
    assert ids("kinderboerderij de wielewaal")[0] == old.pk


def test_common_words_rank_but_do_not_count_for_enough_words(monkeypatch):
    # (A small library: its words are common from half the documents on.)
    monkeypatch.setattr(engine, "COMMON_MIN_DOCUMENTS", 5)
    monkeypatch.setattr(engine, "COMMON_SHARE", 0.5)
    heat = make(title="Hitteplan", text="Koele plekken bij hitte.")
    both = make(title="Maatregelen in de stad", text="Maatregelen voor een groenere stad.")
    for n in range(6):
        make(title=f"Begroting {n}", text="Maatregelen voor de stad.")
    # "maatregelen" and "stad" are in more than COMMON_SHARE of the documents: the one document
    # about heat comes first, and documents with only the common words are no results.
    results = engine.search("maatregelen tegen hitte in de stad", public_only=False)
    assert [h.document_id for h in results.hits] == [heat.pk]
    assert both.pk not in [h.document_id for h in results.hits]
    # Without the one uncommon word, the common words count after all.
    assert both.pk in ids("maatregelen stad")


def test_an_index_with_other_fields_asks_for_a_rebuild_and_the_rebuild_starts_anew(settings, tmp_path):
    import tantivy

    old = tantivy.SchemaBuilder()
    old.add_integer_field("id", stored=True, indexed=True, fast=True)
    old.add_text_field("title", tokenizer_name="whitespace")
    writer = tantivy.Index(old.build(), path=str(tmp_path)).writer(15_000_000, 1)
    writer.commit()
    del writer
    settings.LIBRARY_SEARCH_INDEX_DIR = str(tmp_path)
    settings.LIBRARY_SEARCH_APPLY_INLINE = False
    search_index.reset()
    with pytest.raises(search_index.SchemaChanged, match="search_index --rebuild"):
        search_index.get_index()
    bumps = DocumentFactory(title="Verkeersdrempels in de Dorpsstraat")
    assert search_index.rebuild() == 1
    assert ids("drempel") == [bumps.pk]
    search_index.reset()  # the next test's index lives in memory again
