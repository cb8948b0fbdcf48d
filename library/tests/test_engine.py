"""The search engine, run on whichever database the suite runs on: both engines pass these."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core import search as core_search
from core.models import SearchTerm, Tier
from library import engine, search_index
from library.models import Document
from members.models import Topic
from tests.factories import DocumentFactory, MunicipalityFactory, ProvinceFactory, WaterBoardFactory

pytestmark = pytest.mark.django_db


def make(**kwargs) -> Document:
    topics = kwargs.pop("topics", [])
    document = DocumentFactory(**kwargs)
    if topics:
        document.topics.set(topics)
    engine.index_documents([document])
    return document


def ids(query: str, public_only: bool = False, **filters) -> list[int]:
    results = engine.search(query, engine.Filters(**filters), public_only=public_only)
    assert not results.error, results.error
    return [hit.document_id for hit in results.hits]


def test_dutch_word_forms_and_accents():
    housing = make(title="Betaalbare woning voor starters", text="De gemeente bouwt te weinig.")
    money = make(title="Begroting", text="De financiële positie van de gemeente is zorgelijk.")
    make(title="Sport", text="Meer sportvelden in de wijk.")

    assert ids("woningen") == [housing.pk]
    assert ids("financiele") == [money.pk]
    assert ids("Financiële positie") == [money.pk]


def test_phrase_exclusion_and_or():
    phrase = make(title="Huur", text="Wij willen meer sociale huurwoningen in Zwolle.")
    apart = make(title="Huur", text="Sociale media en huurwoningen voor studenten.")
    other = make(title="Zorg", text="Mantelzorgers verdienen steun.")

    assert ids('"sociale huurwoningen"') == [phrase.pk]
    assert set(ids("sociale huurwoningen")) == {phrase.pk, apart.pk}
    assert ids("huurwoningen -studenten") == [phrase.pk]
    assert ids('huurwoningen -"sociale media"') == [phrase.pk]
    assert set(ids("studenten OR mantelzorgers")) == {apart.pk, other.pk}


def test_compounds_found_and_ranked_below_exact_matches():
    exact = make(title="Aanpak", text="Armoede in de gemeente neemt toe; armoede raakt gezinnen.")
    energy = make(title="Energie", text="De energiearmoede onder huurders groeit.")
    children = make(title="Jeugd", text="Kinderarmoede vraagt om een eigen plan.")
    make(title="Verzorging", text="Goede verzorging in verpleeghuizen.")  # "zorg" inside, not a compound of it

    found = ids("armoede")
    assert found[0] == exact.pk
    assert set(found) == {exact.pk, energy.pk, children.pk}
    results = engine.search("armoede", public_only=False)
    assert {h.document_id: h.exact for h in results.hits} == {exact.pk: True, energy.pk: False, children.pk: False}
    # Stems differ per engine (PostgreSQL's and PyStemmer's Snowball versions), the compounds do not.
    assert sorted(stem[:6] for stem in results.expanded_words["armoede"]) == ["energi", "kinder"]


def test_verb_prefixes_are_not_compounds():
    make(title="Post", text="Pakketten bezorgen in de binnenstad.")
    make(title="Zorg", text="Mantelzorg en jeugdzorg.")
    assert {t.stem for t in engine.compile_query("zorg").expansions.get("zorg", [])} == {"mantelzorg", "jeugdzorg"}


def test_title_ranks_above_parts_above_text():
    in_text = make(title="Motie wijk", text="Iets over laadpalen in de tekst en nog veel meer woorden hier.")
    in_title = make(title="Laadpalen in elke wijk", text="Elektrisch rijden groeit.")
    in_parts = make(title="Motie mobiliteit", parts={"requests": ["laadpalen te plaatsen"]})
    assert ids("laadpalen") == [in_title.pk, in_parts.pk, in_text.pk]


def test_facets_count_all_matches_and_combine_with_filters():
    overijssel = ProvinceFactory(name="Overijssel")
    zwolle = MunicipalityFactory(name="Zwolle", province=overijssel)
    assen = MunicipalityFactory(name="Assen")
    housing = Topic.objects.get_or_create(name="Wonen", defaults={"slug": "wonen"})[0]
    make(title="Woningen 1", body=zwolle, outcome="adopted", parties="PvdA, GroenLinks", topics=[housing])
    make(title="Woningen 2", body=zwolle, outcome="rejected", kind="amendment", parties="PvdA")
    make(title="Woningen 3", body=assen, outcome="adopted", meeting_date=datetime.date(2019, 1, 10))
    make(title="Zwembad", body=assen)

    results = engine.search("woningen", public_only=False)
    assert results.total == 3
    facets = results.facets
    assert dict(facets["kind"]) == {"motion": 2, "amendment": 1}
    assert dict(facets["outcome"]) == {"adopted": 2, "rejected": 1}
    assert dict(facets["body"]) == {zwolle.pk: 2, assen.pk: 1}
    assert dict(facets["province"])[overijssel.pk] == 2
    assert dict(facets["tier"]) == {Tier.MUNICIPAL: 3}
    assert dict(facets["year"]) == {2024: 2, 2019: 1}
    assert dict(facets["party"]) == {"PvdA": 2, "GroenLinks": 1}
    assert dict(facets["topic"]) == {housing.pk: 1}

    narrowed = engine.search("woningen", engine.Filters(outcome="adopted"), public_only=False)
    assert narrowed.total == 2
    assert dict(narrowed.facets["body"]) == {zwolle.pk: 1, assen.pk: 1}
    assert engine.search("woningen", engine.Filters(party="PvdA", kind="amendment"), public_only=False).total == 1
    assert engine.search("woningen", engine.Filters(topic=housing.pk), public_only=False).total == 1
    assert engine.search("woningen", engine.Filters(province=overijssel.pk), public_only=False).total == 2
    assert engine.search("woningen", engine.Filters(year=2019), public_only=False).total == 1


def test_province_of_a_water_board_and_a_province():
    drenthe = ProvinceFactory(name="Drenthe")
    board = WaterBoardFactory(name="Hunze en Aa's")
    board.provinces.set([drenthe])
    make(title="Dijken versterken", body=board)
    make(title="Dijken in de Staten", body=drenthe)
    assert engine.search("dijken", engine.Filters(province=drenthe.pk), public_only=False).total == 2


def test_empty_query_lists_newest_first_with_facets():
    old = make(title="Oud", meeting_date=datetime.date(2015, 1, 1))
    new = make(title="Nieuw", meeting_date=datetime.date(2025, 1, 1))
    results = engine.search("", public_only=False)
    assert [h.document_id for h in results.hits] == [new.pk, old.pk]
    assert results.total == 2


def test_sort_by_date():
    old = make(title="Laadpalen laadpalen laadpalen", meeting_date=datetime.date(2015, 1, 1))
    new = make(title="Motie", text="Over laadpalen.", meeting_date=datetime.date(2025, 1, 1))
    assert ids("laadpalen") == [old.pk, new.pk]
    results = engine.search("laadpalen", public_only=False, sort="date")
    assert [h.document_id for h in results.hits] == [new.pk, old.pk]


def test_visibility_and_drafts():
    public = make(title="Groen in de wijk", visibility="public")
    members = make(title="Groen op het plein", visibility="members")
    draft = make(title="Groen overal", status="draft")
    assert set(ids("groen")) == {public.pk, members.pk}
    assert ids("groen", public_only=True) == [public.pk]
    assert not search_index.indexed([draft.pk])


def test_reindex_after_change_and_removal():
    document = make(title="Fietspaden")
    document.title = "Wandelpaden"
    document.save()
    engine.index_documents([document])
    assert ids("fietspaden") == []
    assert ids("wandelpaden") == [document.pk]
    document.status = Document.Status.DRAFT
    engine.index_documents([document])
    assert ids("wandelpaden") == []
    assert not search_index.indexed([document.pk])


def test_queries_without_searchable_words_explain_why():
    make(title="De raad")
    assert (
        "skipped" in engine.search("de het", public_only=False).error
        or engine.search("de het", public_only=False).error
    )
    assert engine.search("-raad", public_only=False).error
    assert engine.search("...", public_only=False).error
    assert engine.search("de het", public_only=False).total == 0


def test_pagination():
    documents = [make(title=f"Parkeren {n}", meeting_date=datetime.date(2020, 1, 1 + n)) for n in range(5)]
    first = engine.search("parkeren", public_only=False, sort="date", page=1, per_page=2)
    third = engine.search("parkeren", public_only=False, sort="date", page=3, per_page=2)
    assert first.total == 5 and first.pages == 3
    assert [h.document_id for h in first.hits] == [documents[4].pk, documents[3].pk]
    assert [h.document_id for h in third.hits] == [documents[0].pk]


def test_a_fixed_number_of_statements_per_search():
    document = make(title="Woningen", parties="PvdA", kind="motion", visibility=Document.Visibility.PUBLIC)
    # The synonym list and the compound lexicon are read once and kept (cache, process).
    engine.search("woningbouw", public_only=True)
    with CaptureQueriesContext(connection) as queries:
        results = engine.search("woningen", engine.Filters(kind="motion"), public_only=True)
    assert [h.document_id for h in results.hits] == [document.pk]
    statements = [
        q["sql"]
        for q in queries.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "SET", "SELECT set_config"))
    ]
    # The compounds in the vocabulary, and the check that the page's documents are still shared
    # (the index and the stemming of the query are not in the database), on both databases.
    assert len(statements) == 2, statements


# --- large results: bounded work ---------------------------------------------------------------------


@pytest.fixture
def housing():
    """60 documents about housing, one a day from 1 March 2024, every third an amendment."""
    start = datetime.date(2024, 3, 1)
    return [
        make(
            title=f"Motie woningen {i}",
            text="Meer betaalbare woningen." + (" Woningen voor starters en woningen voor ouderen." if i == 50 else ""),
            meeting_date=start + datetime.timedelta(days=i),
            kind="amendment" if i % 3 == 0 else "motion",
        )
        for i in range(60)
    ]


def test_every_match_is_ranked_an_old_best_match_comes_first(housing):
    # No window of newest matches: the oldest document, which says "woningen" most often, is first.
    oldest = housing[0]
    oldest.text = "Woningen, woningen en nog eens woningen: betaalbare woningen voor starters."
    oldest.save()
    engine.index_documents(engine.ready_for_indexing([oldest.pk]))
    results = engine.search("woningen", public_only=False)
    assert results.total == 60 and results.pages == 3
    assert results.hits[0].document_id == oldest.pk
    assert dict(results.facets["kind"]) == {"motion": 40, "amendment": 20}

    newest = engine.search("woningen", public_only=False, sort="date", per_page=2, page=2)
    by_date = sorted(housing, key=lambda d: (d.meeting_date, d.pk), reverse=True)
    assert [h.document_id for h in newest.hits] == [d.pk for d in by_date[2:4]]
    assert newest.pages == 30


def test_browsing_without_words_lists_everything_newest_first(housing):
    results = engine.search("", public_only=False, per_page=100)
    assert results.total == 60
    assert [h.document_id for h in results.hits] == [d.pk for d in reversed(housing)]


def test_a_large_result_counts_every_match_and_its_last_page_is_reachable(housing):
    results = engine.search("woningen", public_only=False, per_page=25, page=3)
    assert results.total == 60 and results.pages == 3
    assert len(results.hits) == 10
    every = [
        h.document_id
        for number in (1, 2, 3)
        for h in engine.search("woningen", public_only=False, per_page=25, page=number).hits
    ]
    assert sorted(every) == sorted(d.pk for d in housing)
    by_date = engine.search("woningen", public_only=False, sort="date", per_page=25, page=3)
    assert [h.document_id for h in by_date.hits] == [d.pk for d in housing[9::-1]]


def test_a_year_out_of_range_in_a_shared_url_is_ignored():
    make(title="Woningen", meeting_date=datetime.date(2024, 5, 1))
    for raw in ("40000", "999", "0"):
        filters = engine.Filters.from_params({"year": raw})
        assert filters.year is None
        assert engine.search("woningen", filters, public_only=False).total == 1
    assert engine.Filters.from_params({"year": "2024"}).year == 2024


def test_vocabulary_counts_documents_once():
    make(title="Zonnepanelen", text="zonnepanelen zonnepanelen")
    make(title="Zonnepanelen op daken")
    assert SearchTerm.objects.get(stem="zonnepanel").count == 2


def test_similar_documents_share_significant_words():
    base = make(title="Warmtenet in de wijk", text="Een warmtenet met aardwarmte en restwarmte voor de wijk.")
    close = make(title="Restwarmte benutten", text="Restwarmte en aardwarmte via een warmtenet.")
    make(title="Speeltuinen", text="Meer speeltuinen en schommels in de wijk.")
    hidden = make(title="Aardwarmte", text="Warmtenet en restwarmte en aardwarmte.", status="draft")
    searcher, _schema = search_index.searcher()
    assert {term for term, _score in engine.significant_terms(base, searcher)} >= {"warmtenet", "restwarmt"}
    found = engine.similar(base, public_only=False)
    assert found == [close.pk]
    assert hidden.pk not in found
    assert engine.similar(base, public_only=True) == []


def test_similar_documents_rank_by_shared_significance_and_follow_changes():
    base = make(
        title="Warmtenet en aardwarmte",
        text="Een warmtenet met aardwarmte en restwarmte. Isolatie van huurwoningen.",
        visibility="public",
    )
    strong = make(title="Warmtenet met aardwarmte", text="Restwarmte voor het warmtenet.", visibility="public")
    weak = make(title="Isolatie", text="Isolatie van huurwoningen en restwarmte.", visibility="public")
    make(title="Isolatie", text="Isolatie van scholen.", visibility="public")  # one shared word: not similar
    assert engine.similar(base, public_only=True) == [strong.pk, weak.pk]
    # Cached until the index changes; a document that stops being shared leaves at once.
    strong.status = Document.Status.DRAFT
    strong.save(update_fields=["status"])
    assert engine.similar(base, public_only=True) == [weak.pk]
    newer = make(title="Aardwarmte voor het warmtenet", text="Aardwarmte en restwarmte.", visibility="public")
    assert engine.similar(base, public_only=True)[0] == newer.pk
    assert engine.similar(base, public_only=True, limit=1) == [newer.pk]


def test_boilerplate_words_are_never_significant():
    document = make(
        title="Motie speeltuinen",
        text="De gemeenteraad verzoekt het college en de wethouder om meer speeltuinen. Motie van de fractie.",
    )
    make(title="Wegen", text="Onderhoud van wegen.")
    searcher, _schema = search_index.searcher()
    terms = {term for term, _score in engine.significant_terms(document, searcher)}
    assert "speeltuin" in terms
    assert not terms & {core_search.stem(word) for word in engine.BOILERPLATE}


def test_malformed_filter_values_are_ignored():
    filters = engine.Filters.from_params({"year": "20x4", "body": "-1", "kind": "motion", "topic": ""})
    assert filters.active() == {"kind": "motion"}


def test_a_natural_question_is_ranked_not_and_ed_and_says_so_when_relaxed():
    swim = make(title="Motie gratis zwemles voor kinderen", text="Alle kinderen leren zwemmen in de zomer.")
    make(title="Sportvelden", text="Meer sportvelden voor de jeugd.")
    results = engine.search("motie over gratis zwemles voor kinderen in de vakantie", public_only=False)
    assert results.hits[0].document_id == swim.pk
    # Words that occur nowhere together: fewer words at a time instead of nothing.
    relaxed = engine.search("zwemles sportvelden", public_only=False)
    assert relaxed.relaxed and relaxed.total == 2 and (relaxed.matched, relaxed.wanted) == (1, 2)
    strict = engine.search("+zwemles sportvelden", public_only=False)
    assert [h.document_id for h in strict.hits] == [swim.pk]


def test_results_say_how_many_hold_every_word():
    everything = make(title="Gratis zwemles voor kinderen", text="Zwemles in de zomer.")
    adults = make(title="Zwemles voor volwassenen", text="Ook ouderen leren zwemmen.")
    for n in range(engine.RELAX_BELOW - 2):
        make(title=f"Kinderen in de zomer {n}", text="Speeltuinen.")
    make(title="Sportvelden", text="Meer sportvelden.")
    # Three words, two needed, but fewer than RELAX_BELOW documents hold two: one word fewer,
    # ranked below those with two or three.
    fewer = engine.search("zwemles kinderen zomer", public_only=False, per_page=50)
    assert (fewer.total, fewer.words, fewer.matched, fewer.complete, fewer.relaxed) == (
        engine.RELAX_BELOW,
        3,
        1,
        1,
        True,
    )
    assert fewer.hits[0].document_id == everything.pk and fewer.hits[-1].document_id == adults.pk
    with translation.override("nl"):
        assert engine.partial_notice(fewer) == (
            "1 document bevat al je woorden; hieronder ook documenten met een deel ervan (minstens 1 van 3 woorden)."
        )
    # RELAX_BELOW documents hold two or more: the document with one of the words is no result.
    make(title="Kinderen in de zomer", text="Speeltuinen.")
    some = engine.search("zwemles kinderen zomer", public_only=False, per_page=50)
    assert (some.total, some.words, some.matched, some.complete, some.relaxed) == (engine.RELAX_BELOW, 3, 2, 1, False)
    assert some.hits[0].document_id == everything.pk and adults.pk not in [h.document_id for h in some.hits]
    assert some.partial
    with translation.override("nl"):
        assert engine.partial_notice(some) == (
            "1 document bevat al je woorden; hieronder ook documenten met een deel ervan (minstens 2 van 3 woorden)."
        )
    with translation.override("en"):
        assert engine.partial_notice(some) == (
            "1 document contains all your words; below are also documents with some of them (at least 2 of 3 words)."
        )
    # No two of these words in one document: relaxed to one word.
    relaxed = engine.search("sportvelden volwassenen", public_only=False)
    assert (relaxed.total, relaxed.matched, relaxed.complete, relaxed.relaxed) == (2, 1, 0, True)
    with translation.override("nl"):
        assert engine.partial_notice(relaxed) == (
            "Geen document bevat al je woorden; hieronder documenten met een deel ervan (minstens 1 van 2 woorden)."
        )
    # Every result holds every word: nothing to explain.
    whole = engine.search("ouderen leren", public_only=False)
    assert (whole.total, whole.complete, whole.partial, engine.partial_notice(whole)) == (1, 1, False, "")
    assert not engine.search("zwemles", public_only=False).partial
    # +word: the others only rank; the results hold at least the required word.
    plus = engine.search("+zwemles volwassenen kinderen", public_only=False)
    assert (plus.total, plus.words, plus.matched, plus.complete, plus.partial) == (2, 3, 1, 0, True)


@pytest.mark.parametrize("query", ["-", "(((", '"""', "\x00", "+", '"', "OR", "- OR +"])
def test_odd_input_never_fails(query):
    make(title="Woningen")
    results = engine.search(query, public_only=False)
    assert results.total == 0 or results.hits
