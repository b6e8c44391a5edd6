"""Clause-aware hybrid search over the served real corpus: exact references, agency names,
filters, collapsing, input validation, and a sanity check of real retrieval (not tuned)."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import BadInput, UnknownAgency, UnknownClause, UnknownDocument
from core.model import ChunkKind, Hit
from indexing.corpus import Corpus

TIANJIN = "tianjin-2022"
GUOFA = "guofa-2021-4"
ZHONGFA = "zhongfa-2021-36"


def _where(hits: list[Hit]) -> list[tuple[str, int | None, int | None, str]]:
    """Readable hit locations for assertion messages."""
    return [(h.chunk.doc_id, h.chunk.clause_no, h.chunk.provision, h.via) for h in hits]


# -- exact references -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "doc_id", "clause", "provision"),
    [
        pytest.param("第二十二条讲了什么", TIANJIN, 22, None, id="第二十二条-defaults-to-tianjin"),
        pytest.param("第22条", TIANJIN, 22, None, id="第22条-arabic"),
        pytest.param("国务院指导意见第十条", GUOFA, 10, None, id="named-doc-guofa-10"),
        pytest.param("中央意见第三条", ZHONGFA, 3, None, id="named-doc-zhongfa-3"),
        pytest.param("（九）第5项", TIANJIN, 9, 5, id="（九）第5项-provision"),
        pytest.param("clause 22", TIANJIN, 22, None, id="english-clause-22"),
        pytest.param("Clause 9 item 5", TIANJIN, 9, 5, id="english-clause-9-item-5"),
    ],
)
def test_reference_goes_through_the_structure(served: Any, corpus: Corpus, query: str,
                                              doc_id: str, clause: int,
                                              provision: int | None) -> None:
    hits = served.searcher.search(query)
    first = hits[0]
    assert first.via == "reference", _where(hits)
    assert (first.chunk.doc_id, first.chunk.clause_no, first.chunk.provision) == (
        doc_id, clause, provision)
    expected = corpus.clause(doc_id, clause)
    if provision is None:
        assert first.chunk.kind == ChunkKind.CLAUSE
        assert first.chunk.text == expected.text
    else:
        assert first.chunk.kind == ChunkKind.PROVISION
        assert first.chunk.text == expected.provisions[provision - 1].text


def test_reference_to_unknown_clause_of_a_named_document_raises(served: Any) -> None:
    with pytest.raises(UnknownClause, match="50"):
        served.searcher.search("中央意见第五十条")


def test_reference_respects_the_document_filter(served: Any) -> None:
    hits = served.searcher.search("第十条", doc_ids=[GUOFA])
    assert (hits[0].via, hits[0].chunk.doc_id, hits[0].chunk.clause_no) == (
        "reference", GUOFA, 10)


# -- agencies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "agency"),
    [
        pytest.param("市税务局负责什么", "市税务局", id="canonical-name"),
        pytest.param("税务局负责哪些工作", "市税务局", id="alias"),
        pytest.param("天津港集团要做什么", "天津港集团", id="enterprise"),
    ],
)
def test_named_agency_tasks_come_first(served: Any, query: str, agency: str) -> None:
    hits = served.searcher.search(query)
    first = hits[0]
    assert first.via == "agency", _where(hits)
    assert agency in first.chunk.agencies
    assert first.chunk.kind == ChunkKind.PROVISION
    # every agency hit is one of its tasks, and they all come before the rest
    vias = [h.via for h in hits]
    n = vias.count("agency")
    assert vias[:n] == ["agency"] * n
    assert all(agency in h.chunk.agencies for h in hits[:n])


# -- filters --------------------------------------------------------------------------------


@pytest.mark.parametrize("doc_key", [GUOFA, "国家指导意见"], ids=["by-id", "by-short-title"])
def test_document_filter(served: Any, doc_key: str) -> None:
    hits = served.searcher.search("绿色低碳循环发展", k=20, doc_ids=[doc_key])
    assert len(hits) == 20
    assert {h.chunk.doc_id for h in hits} == {GUOFA}


def test_document_filter_with_two_documents(served: Any) -> None:
    hits = served.searcher.search("绿色金融", k=30, doc_ids=[GUOFA, ZHONGFA])
    assert hits
    assert {h.chunk.doc_id for h in hits} <= {GUOFA, ZHONGFA}


@pytest.mark.parametrize("agency", ["发改委", "市发展改革委"], ids=["alias", "canonical"])
def test_agency_filter(served: Any, agency: str) -> None:
    hits = served.searcher.search("绿色低碳", k=20, agency=agency)
    assert hits
    assert all("市发展改革委" in h.chunk.agencies for h in hits), _where(hits)


def test_agency_filter_fills_k(served: Any) -> None:
    """市发展改革委 has far more than 20 tasks: a filtered search for 20 returns 20 of them."""
    tasks = [c for c in served.index.chunks.values()
             if c.kind == ChunkKind.PROVISION and "市发展改革委" in c.agencies]
    assert len(tasks) >= 40
    hits = served.searcher.search("绿色低碳", k=20, agency="发改委")
    assert len(hits) == 20, _where(hits)
    assert all("市发展改革委" in h.chunk.agencies for h in hits)


def test_unknown_document_filter_raises(served: Any) -> None:
    with pytest.raises(UnknownDocument):
        served.searcher.search("绿色金融", doc_ids=["no-such-doc"])


def test_unknown_agency_filter_raises(served: Any) -> None:
    with pytest.raises(UnknownAgency):
        served.searcher.search("绿色金融", agency="火星航天局")


# -- collapse -------------------------------------------------------------------------------

COLLAPSE_QUERIES = [
    pytest.param({"text": "谁负责岸电建设？"}, id="岸电"),
    pytest.param({"text": "合同能源管理有什么税收优惠"}, id="税收优惠"),
    pytest.param({"text": "打造绿色物流体系", "k": 30}, id="clause-title-k30"),
    pytest.param({"text": "再生资源回收利用", "k": 50}, id="再生资源-k50"),
    pytest.param({"text": "主要目标", "k": 30}, id="主要目标-part-intro"),
    pytest.param({"text": "市税务局负责什么"}, id="agency"),
    pytest.param({"text": "绿色低碳", "k": 30, "agency": "发改委"}, id="agency-filter"),
    pytest.param({"text": "第二十二条讲了什么"}, id="reference-clause-22"),
    pytest.param({"text": "第二十二条讲了什么", "k": 30}, id="reference-clause-22-k30"),
    pytest.param({"text": "第二十二条 合同能源管理税收优惠"}, id="reference-clause-22-with-topic"),
    pytest.param({"text": "国务院指导意见第十条"}, id="reference-guofa-10"),
    pytest.param({"text": "打造绿色物流体系", "k": 30, "mode": "dense"}, id="dense"),
    pytest.param({"text": "打造绿色物流体系", "k": 30, "mode": "lexical"}, id="lexical"),
]


@pytest.mark.parametrize("kwargs", COLLAPSE_QUERIES)
def test_no_clause_and_its_provision_together(served: Any, kwargs: dict[str, Any]) -> None:
    hits = served.searcher.search(**kwargs)
    assert hits
    clauses = {(h.chunk.doc_id, h.chunk.part_no, h.chunk.clause_no) for h in hits
               if h.chunk.kind == ChunkKind.CLAUSE}
    provisions = {(h.chunk.doc_id, h.chunk.part_no, h.chunk.clause_no) for h in hits
                  if h.chunk.kind == ChunkKind.PROVISION}
    assert clauses & provisions == set(), _where(hits)
    ids = [h.chunk.chunk_id for h in hits]
    assert len(ids) == len(set(ids))


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"text": ""}, "empty", id="empty"),
        pytest.param({"text": "   "}, "empty", id="blank"),
        pytest.param({"text": "\n\t\u3000"}, "empty", id="ideographic-space"),
        pytest.param({"text": "碳" * 10_000}, "10000 characters long; the limit is 2000",
                     id="10000-chars"),
        pytest.param({"text": "碳" * 2001}, "the limit is 2000", id="2001-chars"),
        pytest.param({"text": "岸电", "k": 0}, "k must be between 1 and 100", id="k=0"),
        pytest.param({"text": "岸电", "k": 101}, "k must be between 1 and 100", id="k=101"),
        pytest.param({"text": "岸电", "k": -1}, "k must be between 1 and 100", id="k=-1"),
        pytest.param({"text": "岸电", "mode": "nonsense"}, "unknown search mode",
                     id="mode-nonsense"),
        pytest.param({"text": "？？！！", "mode": "nonsense"}, "unknown search mode",
                     id="mode-nonsense-with-punctuation-query"),
    ],
)
def test_bad_input_raises(served: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(BadInput, match=message):
        served.searcher.search(**kwargs)


def test_query_at_the_length_limit_is_accepted(served: Any) -> None:
    assert served.searcher.settings.max_query_chars == 2000
    # lexical only: validation is the point, and embedding 2000 characters takes seconds
    hits = served.searcher.search("碳" * 2000, k=3, mode="lexical")
    assert len(hits) == 3


@pytest.mark.parametrize(
    "text",
    ["？？！！", "🙂🙂🙂", "。，、……", "?!..."],
    ids=["full-width-punctuation", "emoji", "chinese-punctuation", "ascii-punctuation"],
)
def test_query_without_content_returns_nothing(served: Any, text: str) -> None:
    assert served.searcher.search(text) == []


@pytest.mark.parametrize(
    ("k", "mode"),
    [(1, "hybrid"), (7, "hybrid"), (100, "hybrid"), (100, "dense")],
    ids=["k=1", "k=7", "k=100", "k=100-dense"],
)
def test_k_is_filled_when_the_corpus_has_enough(served: Any, k: int, mode: str) -> None:
    """505 chunks, every one with a similarity: any k up to 100 can be filled."""
    hits = served.searcher.search("绿色低碳循环发展", k=k, mode=mode)
    assert len(hits) == k


# -- quality sanity (real retrieval, not tuned) ---------------------------------------------


def test_shore_power_question_finds_the_shore_power_task(served: Any) -> None:
    hits = served.searcher.search("谁负责岸电建设？", k=10)
    top = [(h.chunk.doc_id, h.chunk.clause_no, h.chunk.provision) for h in hits[:3]]
    assert (TIANJIN, 9, 5) in top, _where(hits)


def test_energy_contracting_tax_question_finds_clause_22(served: Any) -> None:
    hits = served.searcher.search("合同能源管理有什么税收优惠", k=10)
    top = [(h.chunk.doc_id, h.chunk.clause_no) for h in hits[:5]]
    assert (TIANJIN, 22) in top, _where(hits)


@pytest.mark.parametrize(
    ("mode", "rank"),
    [("dense", "dense_rank"), ("lexical", "lexical_rank")],
    ids=["dense-only", "lexical-only"],
)
def test_single_retriever_modes(served: Any, mode: str, rank: str) -> None:
    hits = served.searcher.search("谁负责岸电建设？", k=10, mode=mode)
    assert hits
    assert {h.via for h in hits} == {mode}
    assert all(getattr(h, rank) is not None for h in hits)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_lexical_only_finds_shore_power_by_its_word(served: Any) -> None:
    hits = served.searcher.search("岸电", k=5, mode="lexical")
    assert (TIANJIN, 9, 5) in [(h.chunk.doc_id, h.chunk.clause_no, h.chunk.provision)
                               for h in hits]


def test_hybrid_hits_carry_their_ranks(served: Any) -> None:
    hits = served.searcher.search("绿色金融", k=10)
    assert {h.via for h in hits} == {"hybrid"}
    assert all(h.dense_rank is not None or h.lexical_rank is not None for h in hits)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
