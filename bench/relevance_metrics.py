"""Relevance metrics for bench/relevance.py: nDCG@k, recall@k and the reciprocal rank of one ranked
result list against graded judgements, and their means over a set of queries.

Conventions (those of trec_eval and the TREC Deep Learning track, which uses the same 0-3 scale):

- Judgements map a document to a grade 1-3; an unjudged document has grade 0.
- nDCG@k uses the grade itself as the gain and log2(rank + 1) as the discount. The ideal ranking
  is all judged documents by grade, cut at k.
- Recall@k and the reciprocal rank treat a document as relevant when its grade is at least
  RELEVANT (2: "highly relevant" or "exactly what was sought"); grade 1 counts only in nDCG.
- A ranking may hold a document only once; repeats are an error (they would inflate the scores).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

RELEVANT = 2
K = 10


def _check(ranking: Sequence[str]) -> None:
    if len(set(ranking)) != len(ranking):
        raise ValueError("a ranking holds a document more than once")


def dcg(gains: Sequence[float]) -> float:
    """Discounted cumulative gain of gains in rank order: sum of gain / log2(rank + 1)."""
    return sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1))


def ndcg(ranking: Sequence[str], judgements: Mapping[str, int], k: int = K) -> float:
    """nDCG@k of a ranking; 0.0 when nothing is judged relevant (the ideal gain is zero)."""
    _check(ranking)
    ideal = dcg(sorted(judgements.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([judgements.get(document, 0) for document in ranking[:k]]) / ideal


def recall(ranking: Sequence[str], judgements: Mapping[str, int], k: int = K, threshold: int = RELEVANT) -> float:
    """The share of the relevant documents (grade >= threshold) that are in the first k."""
    _check(ranking)
    relevant = {document for document, grade in judgements.items() if grade >= threshold}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranking[:k])) / len(relevant)


def reciprocal_rank(ranking: Sequence[str], judgements: Mapping[str, int], threshold: int = RELEVANT) -> float:
    """1 / the rank of the first relevant document (grade >= threshold); 0.0 when there is none."""
    _check(ranking)
    for rank, document in enumerate(ranking, start=1):
        if judgements.get(document, 0) >= threshold:
            return 1 / rank
    return 0.0


@dataclass(frozen=True)
class Scores:
    ndcg: float
    recall: float
    reciprocal_rank: float
    zero_results: bool


def score(ranking: Sequence[str], judgements: Mapping[str, int], total: int, k: int = K) -> Scores:
    """All measures of one query. `total`: how many results the system found (0: it shrugged)."""
    return Scores(
        ndcg=ndcg(ranking, judgements, k),
        recall=recall(ranking, judgements, k),
        reciprocal_rank=reciprocal_rank(ranking, judgements),
        zero_results=total == 0,
    )


@dataclass(frozen=True)
class Summary:
    queries: int
    ndcg: float
    recall: float
    mrr: float
    zero_result_rate: float


def summarise(scores: Sequence[Scores]) -> Summary:
    """Means over the queries (each query weighs the same)."""
    if not scores:
        raise ValueError("no queries")
    n = len(scores)
    return Summary(
        queries=n,
        ndcg=sum(s.ndcg for s in scores) / n,
        recall=sum(s.recall for s in scores) / n,
        mrr=sum(s.reciprocal_rank for s in scores) / n,
        zero_result_rate=sum(1 for s in scores if s.zero_results) / n,
    )
