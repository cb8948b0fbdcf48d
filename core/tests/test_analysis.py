"""core.analysis.analyse_fields (its word loop in C, native/raadhuis_native.c) gives exactly what the
plain functions give, one word at a time: analyse() for each field, compound_parts() and
vocabulary_stem() for the content fields."""

from __future__ import annotations

import random
import threading

import pytest
import raadhuis_native

from core import analysis
from core.search import words

pytestmark = pytest.mark.django_db

CONTENT = frozenset({"title", "rest"})


def specified(texts: dict[str, str], content: frozenset[str]) -> tuple[dict[str, str], str, dict[str, str]]:
    """analyse_fields as its docstring says it, from the functions it must agree with."""
    terms = {name: analysis.analyse(text) for name, text in texts.items()}
    content_words = [word for name, text in texts.items() if name in content for word in words(text)]
    found: dict[str, str] = {}
    for word in content_words:
        vocabulary_stem = analysis.vocabulary_stem(word)
        if vocabulary_stem is not None:
            found.setdefault(vocabulary_stem, word)
    return terms, analysis.tokens_compound_parts(content_words), found


@pytest.fixture(autouse=True)
def fresh_words():
    analysis.reset_lexicon()
    analysis._clear_words()
    yield
    analysis._clear_words()


ODD_TEXTS = [
    "",
    "   ,.;!? --- ",
    "De gemeenteraad besluit: de Woningbouwcorporaties krijgen €2,5 mln. voor 120 woningen.",
    "Café, financiën, ÉÉN coöperatie; naïef ‘geciteerd’ – ’s-Hertogenbosch en ’t Gooi",
    "ﬁnanciële ﬂexibiliteit (ligaturen) x² H₂O ½ Ⅻ",
    "e\u0301e\u0308n met losse accenten en\u00adzacht\u00adafbreekstreepje",
    "Ωmega Москва 北京 🙂 emoji tussen woorden🙂door",
    "hoofdletters ALLEEN HOOFDLETTERS MiXeD 0123456789 a1b2c3",
    "verkeersdrempels hondenbelasting woningbouwcorporatie kinderopvang groenvoorziening",
    "tab\tnieuwe\nregel\r\nvorm\x0cfeed\x00nul",
    "x" * 5000 + " een heel lang woord",
    "subsidies provincies corporaties subsidie provincie",
]


@pytest.mark.parametrize("text", ODD_TEXTS)
def test_each_text_as_the_plain_functions_analyse_it(text):
    texts = {"title": text[:40], "rest": text, "names": text.upper()}
    assert analysis.analyse_fields(texts, CONTENT) == specified(texts, CONTENT)
    # The second time every word comes from the table: the same again.
    assert analysis.analyse_fields(texts, CONTENT) == specified(texts, CONTENT)


def test_random_texts_of_every_kind_of_character():
    alphabet = "aeiouyntsrlkdmbAEZ0129 .,-'’\t\néëïöüçñßæøåÉĲĳΩжö\u0301\u00ad€½²ﬁ🙂北"
    generator = random.Random(20261204)
    for _ in range(400):
        texts = {
            name: "".join(generator.choice(alphabet) for _ in range(generator.randrange(0, 200)))
            for name in ("title", "rest", "attachments")
        }
        assert analysis.analyse_fields(texts, CONTENT) == specified(texts, CONTENT)


def test_many_new_words_grow_the_table_and_clearing_it_changes_no_result():
    generator = random.Random(7)
    vocabulary = ["".join(generator.choice("abcdefghijklmnoprstuvw") for _ in range(8)) for _ in range(6000)]
    texts = {"title": "", "rest": " ".join(vocabulary), "names": " ".join(reversed(vocabulary))}
    expected = specified(texts, CONTENT)
    assert analysis.analyse_fields(texts, CONTENT) == expected
    assert len(analysis._words) == len(set(vocabulary))
    analysis._clear_words()
    assert len(analysis._words) == 0
    assert analysis.analyse_fields(texts, CONTENT) == expected


def test_a_full_table_is_emptied_before_the_next_text(monkeypatch):
    monkeypatch.setattr(analysis, "WORD_CACHE", 10)
    first = {"rest": " ".join(f"woord{n}" for n in range(20))}
    analysis.analyse_fields(first, CONTENT)
    assert len(analysis._words) == 20  # (never emptied during a text)
    second = {"rest": "raadsvoorstel begroting"}
    assert analysis.analyse_fields(second, CONTENT) == specified(second, CONTENT)
    assert len(analysis._words) == 2


def test_the_first_word_of_a_stem_is_its_example():
    texts = {"title": "Woningen", "rest": "woning woningen Woning", "names": "woninkje"}
    _terms, _parts, found = analysis.analyse_fields(texts, CONTENT)
    assert found == {analysis.stem("woningen"): "woningen"}


def test_an_error_while_analysing_a_new_word_is_raised_and_nothing_is_kept():
    def broken(word: str) -> tuple[str, str | None, str]:
        raise ZeroDivisionError(word)

    table = raadhuis_native.WordTable(broken)
    with pytest.raises(ZeroDivisionError, match="een"):
        table.analyse(["Een motie"], [True])
    assert len(table) == 0
    for wrong in [("stem",), ("stém", None, ""), ("stem", 3, ""), ("stem", None, b"parts"), None]:
        with pytest.raises(TypeError):
            raadhuis_native.WordTable(lambda word, wrong=wrong: wrong).analyse(["motie"], [True])
    with pytest.raises(ValueError, match="differ in length"):
        table.analyse(["motie"], [])
    with pytest.raises(TypeError):
        table.analyse([b"motie"], [True])
    with pytest.raises(TypeError):
        raadhuis_native.WordTable("not callable")

    class Answer(tuple):  # (dropping it could run Python code: only plain tuples and strings are kept)
        pass

    class Text(str):
        pass

    for wrong in [Answer(("stem", None, "")), (Text("stem"), None, ""), ("stem", Text("stem"), "")]:
        with pytest.raises(TypeError):
            raadhuis_native.WordTable(lambda word, wrong=wrong: wrong).analyse(["motie"], [True])
    with pytest.raises(RuntimeError, match="not initialised"):
        raadhuis_native.WordTable.__new__(raadhuis_native.WordTable).analyse(["motie"], [True])


def test_texts_changed_by_the_caller_while_a_new_word_is_analysed_change_nothing():
    texts = ["eerste tekst", "tweede tekst"]

    def meddling(word: str) -> tuple[str, str | None, str]:
        texts.clear()  # (another thread could do this while the word is analysed)
        return analysis._word_entry(word)

    terms, _parts, _found = raadhuis_native.WordTable(meddling).analyse(texts, [True, True])
    assert terms == [analysis.analyse("eerste tekst"), analysis.analyse("tweede tekst")]


def test_threads_that_analyse_at_the_same_time_get_their_own_results():
    """A new word is analysed in Python, where another thread may run and change the table."""

    def slow(word: str) -> tuple[str, str | None, str]:
        threading.Event().wait(0.0001)  # (lets the other threads run in between)
        return analysis._word_entry(word)

    table = raadhuis_native.WordTable(slow)
    generator = random.Random(3)
    texts = [
        " ".join("".join(generator.choice("abdeiklmnorstuw") for _ in range(6)) for _ in range(300)) for _ in range(8)
    ]
    results: dict[int, tuple[list[str], str, dict[str, str]]] = {}

    def work(number: int) -> None:
        results[number] = table.analyse([texts[number]], [True])

    threads = [threading.Thread(target=work, args=(number,)) for number in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for number, text in enumerate(texts):
        terms, parts, found = specified({"rest": text}, CONTENT)
        assert results[number] == ([terms["rest"]], parts, found)
    assert len(table) == len({word for text in texts for word in text.split()})


def test_an_answer_given_before_the_table_was_emptied_is_used_but_not_kept():
    """The lexicon changed (the table emptied) while a word was analysed: the text gets the answer,
    the new table does not keep it."""

    def clearing(word: str) -> tuple[str, str | None, str]:
        table.clear()
        return analysis._word_entry(word)

    table = raadhuis_native.WordTable(clearing)
    terms, _parts, found = table.analyse(["verkeersdrempels verkeersdrempels"], [True])
    assert terms == [analysis.analyse("verkeersdrempels verkeersdrempels")]
    assert found == {analysis.stem("verkeersdrempels"): "verkeersdrempels"}
    assert len(table) == 0
