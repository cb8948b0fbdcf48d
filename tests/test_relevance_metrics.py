"""The relevance measures of bench/relevance.py against examples computed by hand, its BM25
baseline, and its choice of database."""

from __future__ import annotations

import pytest

from bench import relevance
from bench import relevance_metrics as metrics

GRADES = {"a": 3, "b": 2, "c": 1}


def test_dcg_discounts_by_log2_of_rank_plus_one() -> None:
    # 3/log2(2) + 2/log2(3) + 1/log2(4) = 3 + 1.26186 + 0.5
    assert metrics.dcg([3, 2, 1]) == pytest.approx(4.76186, abs=1e-5)
    assert metrics.dcg([]) == 0


def test_ndcg_of_a_hand_computed_ranking() -> None:
    # DCG of b, x, a = 2/1 + 0/1.58496 + 3/2 = 3.5; ideal (a, b, c) = 4.76186; 3.5 / 4.76186 = 0.73501
    assert metrics.ndcg(["b", "x", "a"], GRADES) == pytest.approx(0.73501, abs=1e-5)


def test_ndcg_is_one_for_the_ideal_order_and_zero_without_a_relevant_document() -> None:
    assert metrics.ndcg(["a", "b", "c", "x"], GRADES) == pytest.approx(1.0)
    assert metrics.ndcg(["x", "y"], GRADES) == 0.0
    assert metrics.ndcg([], GRADES) == 0.0
    assert metrics.ndcg(["a"], {}) == 0.0


def test_ndcg_cuts_both_the_ranking_and_the_ideal_at_k() -> None:
    # At k=1: the ranking's first is c (gain 1), the ideal's first is a (gain 3).
    assert metrics.ndcg(["c", "a", "b"], GRADES, k=1) == pytest.approx(1 / 3)
    # At k=2: (1 + 3/1.58496) / (3 + 2/1.58496) = 2.89279 / 4.26186 = 0.67876
    assert metrics.ndcg(["c", "a", "b"], GRADES, k=2) == pytest.approx(0.67876, abs=1e-5)


def test_recall_counts_grade_two_and_up_within_k() -> None:
    grades = {"a": 3, "b": 2, "c": 1, "d": 2}  # relevant: a, b, d
    assert metrics.recall(["c", "a", "x", "d"], grades, k=3) == pytest.approx(1 / 3)
    assert metrics.recall(["c", "a", "x", "d"], grades, k=4) == pytest.approx(2 / 3)
    assert metrics.recall(["c"], grades) == 0.0
    assert metrics.recall(["c"], {"c": 1}) == 0.0  # nothing relevant: no recall to speak of


def test_reciprocal_rank_is_that_of_the_first_document_of_grade_two_or_more() -> None:
    assert metrics.reciprocal_rank(["c", "x", "b", "a"], GRADES) == pytest.approx(1 / 3)
    assert metrics.reciprocal_rank(["a"], GRADES) == 1.0
    assert metrics.reciprocal_rank(["c", "x"], GRADES) == 0.0


def test_a_ranking_with_a_document_twice_is_refused() -> None:
    for measure in (metrics.ndcg, metrics.recall, metrics.reciprocal_rank):
        with pytest.raises(ValueError):
            measure(["a", "a"], GRADES)


def test_summary_is_the_mean_over_queries_and_counts_empty_results() -> None:
    first = metrics.score(["b", "x", "a"], GRADES, total=3)
    second = metrics.score([], GRADES, total=0)
    assert first.recall == pytest.approx(1.0) and first.reciprocal_rank == 1.0 and not first.zero_results
    assert second == metrics.Scores(ndcg=0.0, recall=0.0, reciprocal_rank=0.0, zero_results=True)
    summary = metrics.summarise([first, second])
    assert summary.queries == 2
    assert summary.ndcg == pytest.approx(0.73501 / 2, abs=1e-5)
    assert summary.recall == pytest.approx(0.5)
    assert summary.mrr == pytest.approx(0.5)
    assert summary.zero_result_rate == pytest.approx(0.5)
    with pytest.raises(ValueError):
        metrics.summarise([])


# --- the baseline and the choice of database in bench/relevance.py ------------------------------------


def _baseline(*documents: tuple[str, str]) -> relevance.Baseline:
    return relevance.Baseline(
        [{"@id": f"d{n}", "name": title, "text": text} for n, (title, text) in enumerate(documents)]
    )


def test_baseline_ors_the_words_and_weights_the_title() -> None:
    baseline = _baseline(
        ("Begroting", "de zwemles voor kinderen en de zwemles voor ouderen"),
        ("Zwemles in de zomer", "over het zwembad"),
        ("Sporthal", "niets over zwemmen"),
    )
    run = baseline.ranking("zwemles zomer")
    assert run.total == 2
    assert run.ranking == ["d1", "d0"]  # both words, one of them in the title, beat twice the word in the text
    assert baseline.ranking("kinderen ouderen").ranking == ["d0"]


def test_baseline_folds_diacritics_and_ignores_punctuation() -> None:
    baseline = _baseline(("Energiecoöperatie", "financiële steun"), ("PAS-melders", "legaliseren"))
    assert baseline.ranking("energiecooperatie").ranking == ["d0"]
    assert baseline.ranking("financiele").ranking == ["d0"]
    assert baseline.ranking("PAS-melders").ranking == ["d1"]
    assert relevance.baseline_expression('"motie" (over) lachgas!') == '"motie" OR "over" OR "lachgas"'
    assert baseline.ranking("?!").total == 0
    assert baseline.ranking("onbekendwoord").total == 0


def test_the_benchmark_never_uses_the_database_of_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BENCH_RELEVANCE_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hrel")
    assert relevance.choose_database(None) == ("postgresql", "postgres://postgres@127.0.0.1:5432/hrel_relevance")
    assert relevance.choose_database("sqlite")[1].endswith("var/bench/relevance.sqlite3")
    monkeypatch.delenv("DATABASE_URL")
    assert relevance.choose_database(None)[0] == "sqlite"
    assert relevance.choose_database("postgresql")[1].endswith("/raadhuis_bench_relevance")
