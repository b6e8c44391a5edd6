"""Retrieval evaluation: hit@1, hit@5 and MRR@10 over the answerable questions, per question
kind and overall, for our hybrid search, its two halves, other fusion settings, and the plain
LangChain pipeline.

A hit is a retrieved chunk inside a gold clause (or gold part text). A follow-up question is
searched with the question it follows as context (the baseline gets the two joined), since
retrieval alone keeps no conversation.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.search import Searcher
from core.model import Chunk
from core.settings import SearchSettings
from evals.baseline import LangChainBaseline, overlapping
from evals.questions import Question

K = 10

Retrieve = Callable[[str, str], list[set[tuple[str, str]]]]  # (question, context)


@dataclass(frozen=True, slots=True)
class Scores:
    n: int
    hit1: float
    hit5: float
    mrr10: float

    @classmethod
    def of(cls, ranks: Sequence[int | None]) -> Scores:
        n = len(ranks)
        if n == 0:
            return cls(0, 0.0, 0.0, 0.0)
        return cls(
            n,
            sum(1 for r in ranks if r == 1) / n,
            sum(1 for r in ranks if r is not None and r <= 5) / n,
            sum(1.0 / r for r in ranks if r is not None and r <= K) / n,
        )


@dataclass(frozen=True, slots=True)
class SystemResult:
    name: str
    overall: Scores
    by_kind: dict[str, Scores]
    ranks: dict[str, int | None]  # question id -> rank of the first hit
    seconds: float


def place_of(chunk: Chunk) -> tuple[str, str]:
    if chunk.clause_no is None:
        return (chunk.doc_id, f"p{chunk.part_no}")
    return (chunk.doc_id, str(chunk.clause_no))


def context_of(question: Question, by_id: dict[str, Question]) -> str:
    """The question a follow-up follows: retrieval alone keeps no conversation."""
    if question.follows and question.follows in by_id:
        return by_id[question.follows].question
    return ""


def searcher_retrieve(searcher: Searcher, mode: str) -> Retrieve:
    def retrieve(text: str, context: str) -> list[set[tuple[str, str]]]:
        hits = searcher.search(text, k=K, mode=mode, context=context)
        return [{place_of(h.chunk)} for h in hits]

    return retrieve


def evaluate(name: str, retrieve: Retrieve, questions: Sequence[Question]) -> SystemResult:
    by_id = {q.id: q for q in questions}
    answerable = [q for q in questions if not q.refuse]
    started = time.perf_counter()
    ranks: dict[str, int | None] = {}
    for q in answerable:
        ranks[q.id] = overlapping(retrieve(q.question, context_of(q, by_id))[:K], q.places)
    seconds = time.perf_counter() - started
    kinds = sorted({q.kind for q in answerable})
    by_kind = {kind: Scores.of([ranks[q.id] for q in answerable if q.kind == kind])
               for kind in kinds}
    return SystemResult(name, Scores.of(list(ranks.values())), by_kind, ranks, seconds)


def fusion_variants(base: SearchSettings) -> dict[str, SearchSettings]:
    """The fusion settings compared to choose the default."""
    return {
        "hybrid-rrf": base.model_copy(update={"fusion": "rrf"}),
        "hybrid-weighted-0.3": base.model_copy(update={"fusion": "weighted",
                                                       "dense_weight": 0.3}),
        "hybrid-weighted-0.5": base.model_copy(update={"fusion": "weighted",
                                                       "dense_weight": 0.5}),
        "hybrid-weighted-0.7": base.model_copy(update={"fusion": "weighted",
                                                       "dense_weight": 0.7}),
    }


def run_retrieval_eval(searcher: Searcher, questions: Sequence[Question],
                       baseline: LangChainBaseline | None) -> list[SystemResult]:
    """Our configured hybrid first, then its halves, the fusion variants, the baseline."""
    results = [evaluate("hybrid", searcher_retrieve(searcher, "hybrid"), questions),
               evaluate("dense", searcher_retrieve(searcher, "dense"), questions),
               evaluate("bm25", searcher_retrieve(searcher, "lexical"), questions)]
    for name, settings in fusion_variants(searcher.settings).items():
        variant = Searcher(searcher.index, searcher.corpus, settings)
        results.append(evaluate(name, searcher_retrieve(variant, "hybrid"), questions))
    if baseline is not None:
        # the plain pipeline has no notion of context: it gets the turns joined
        results.append(evaluate(baseline.name,
                                lambda t, c: baseline.retrieve(f"{c} {t}".strip(), K),
                                questions))
    return results
