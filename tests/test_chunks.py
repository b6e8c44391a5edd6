"""Chunks of the real corpus, and the lexical tokenizer built from it.

Expected counts are derived from the parsed structure (one chunk per provision, one per clause,
one per part intro); expected headers, agencies and texts were read off corpus/ by hand.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from core.model import Chunk, ChunkKind
from indexing.chunker import chunk_corpus
from indexing.corpus import Corpus
from indexing.lexical import Tokenizer

TIANJIN = "tianjin-2022"
GUOFA = "guofa-2021-4"
ZHONGFA = "zhongfa-2021-36"
TIANJIN_FILE = "tianjin-2022-notice.txt"

Location = tuple[ChunkKind, str, int, int | None, int | None]

# （九）第2项, as the raw text writes it, and the edit the "changed corpus" tests make to it
OLD_9_2 = "发展甩挂运输、共同配送。"
NEW_9_2 = "发展甩挂运输、共同配送，建设城乡冷链配送骨干网络。"


def _location(c: Chunk) -> Location:
    return (c.kind, c.doc_id, c.part_no, c.clause_no, c.provision)


def _by_location(chunks: tuple[Chunk, ...]) -> dict[Location, Chunk]:
    out = {_location(c): c for c in chunks}
    assert len(out) == len(chunks), "two chunks share a location"
    return out


def _expected_locations(corpus: Corpus) -> list[Location]:
    """One clause-kind location per clause (preamble and part intros included), one provision
    location per provision, read from the structure."""
    out: list[Location] = []
    for doc in corpus.documents:
        pre = doc.preamble
        out.append((ChunkKind.CLAUSE, doc.doc_id, pre.part_no, pre.no, None))
        out += [(ChunkKind.PROVISION, doc.doc_id, p.part_no, p.clause_no, p.index)
                for p in pre.provisions]
        for part in doc.parts:
            if part.intro:
                out.append((ChunkKind.CLAUSE, doc.doc_id, part.no, None, None))
                out += [(ChunkKind.PROVISION, doc.doc_id, part.no, None, p.index)
                        for p in part.intro]
            for clause in part.clauses:
                out.append((ChunkKind.CLAUSE, doc.doc_id, part.no, clause.no, None))
                out += [(ChunkKind.PROVISION, doc.doc_id, part.no, clause.no, p.index)
                        for p in clause.provisions]
    return out


@pytest.fixture(scope="module")
def chunks(corpus: Corpus) -> tuple[Chunk, ...]:
    return chunk_corpus(corpus)


@pytest.fixture(scope="module")
def edited(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    """A copy of the corpus whose Tianjin （九）第2项 has one more phrase."""
    target = tmp_path_factory.mktemp("edited") / "corpus"
    shutil.copytree(corpus_dir, target, copy_function=shutil.copyfile,
                    ignore=shutil.ignore_patterns("__pycache__"))
    path = target / TIANJIN_FILE
    text = path.read_text(encoding="utf-8")
    assert text.count(OLD_9_2) == 1
    path.write_text(text.replace(OLD_9_2, NEW_9_2), encoding="utf-8")
    return Corpus.load(target)


# -- one chunk per provision and per clause -------------------------------------------------


def test_one_chunk_per_provision_and_per_clause(corpus: Corpus,
                                                chunks: tuple[Chunk, ...]) -> None:
    expected = _expected_locations(corpus)
    assert Counter(_location(c) for c in chunks) == Counter(expected)
    assert len(chunks) == len(expected)


@pytest.mark.parametrize(
    ("doc_id", "clause_chunks"),
    [
        pytest.param(TIANJIN, 1 + 28, id="tianjin-preamble+28-clauses"),
        pytest.param(GUOFA, 1 + 30, id="guofa-preamble+30-clauses"),
        pytest.param(ZHONGFA, 1 + 1 + 37, id="zhongfa-preamble+part-2-intro+37-clauses"),
    ],
)
def test_counts_per_document(corpus: Corpus, chunks: tuple[Chunk, ...], doc_id: str,
                             clause_chunks: int) -> None:
    doc = corpus.document(doc_id)
    mine = [c for c in chunks if c.doc_id == doc_id]
    kinds = Counter(c.kind for c in mine)
    assert kinds[ChunkKind.CLAUSE] == clause_chunks
    assert kinds[ChunkKind.PROVISION] == len(doc.provisions)


def test_provision_chunk_text_is_exactly_its_provision(corpus: Corpus,
                                                       chunks: tuple[Chunk, ...]) -> None:
    by_loc = _by_location(chunks)
    for doc in corpus.documents:
        for p in doc.provisions:
            chunk = by_loc[(ChunkKind.PROVISION, doc.doc_id, p.part_no, p.clause_no, p.index)]
            assert chunk.text == p.text
            assert chunk.agencies == p.agencies


def test_clause_chunk_text_is_exactly_its_clause(corpus: Corpus,
                                                 chunks: tuple[Chunk, ...]) -> None:
    by_loc = _by_location(chunks)
    for doc in corpus.documents:
        for clause in (doc.preamble, *doc.clauses):
            chunk = by_loc[(ChunkKind.CLAUSE, doc.doc_id, clause.part_no, clause.no, None)]
            assert chunk.text == clause.text
        for part in doc.parts:
            if part.intro:
                chunk = by_loc[(ChunkKind.CLAUSE, doc.doc_id, part.no, None, None)]
                assert chunk.text == "".join(p.text for p in part.intro)


def test_no_chunk_spans_two_clauses(corpus: Corpus, chunks: tuple[Chunk, ...]) -> None:
    """No chunk text carries the heading of another clause."""
    for chunk in chunks:
        doc = corpus.document(chunk.doc_id)
        for clause in doc.clauses:
            if clause.no != chunk.clause_no:
                assert clause.heading not in chunk.text, (chunk.header, clause.heading)


# -- headers and metadata -------------------------------------------------------------------


def _tianjin(chunks: tuple[Chunk, ...], clause: int, provision: int | None) -> Chunk:
    kind = ChunkKind.CLAUSE if provision is None else ChunkKind.PROVISION
    found = [c for c in chunks if c.doc_id == TIANJIN and c.clause_no == clause
             and c.provision == provision and c.kind == kind]
    assert len(found) == 1
    return found[0]


@pytest.mark.parametrize("provision", [None, 1, 5], ids=["clause-9", "9/1", "9/5"])
def test_header_of_tianjin_clause_9(chunks: tuple[Chunk, ...], provision: int | None) -> None:
    chunk = _tianjin(chunks, 9, provision)
    assert chunk.header == "天津方案 › 三、构建绿色低碳循环发展的流通体系 › （九）打造绿色物流体系"
    assert chunk.embed_text == f"{chunk.header}\n{chunk.text}"


def test_preamble_header_names_the_document(chunks: tuple[Chunk, ...]) -> None:
    chunk = _tianjin(chunks, 0, None)
    assert chunk.header == "天津方案 › 天津市加快建立健全绿色低碳循环发展经济体系的实施方案"


def test_shore_power_task_metadata(chunks: tuple[Chunk, ...]) -> None:
    """（九）… 港作船舶岸电使用率达到 100%。
    （市交通运输委、天津海事局、滨海新区人民政府、天津港集团按职责分工负责）"""
    chunk = _tianjin(chunks, 9, 5)
    assert chunk.part_no == 3
    assert chunk.text == ("新改扩建码头工程（油气化工码头除外）同步设计、建设岸电设施，"
                          "港作船舶岸电使用率达到100%。")
    assert chunk.agencies == ("市交通运输委", "天津海事局", "滨海新区人民政府", "天津港集团")
    assert chunk.lead_agency == "市交通运输委"
    assert chunk.has_target is True


def test_task_without_target(chunks: tuple[Chunk, ...]) -> None:
    chunk = _tianjin(chunks, 9, 1)
    assert chunk.agencies == ("市交通运输委", "市发展改革委", "市邮政管理局", "各区人民政府")
    assert chunk.has_target is False


def test_clause_chunk_collects_its_tasks_agencies(chunks: tuple[Chunk, ...]) -> None:
    chunk = _tianjin(chunks, 9, None)
    assert chunk.agencies == ("市交通运输委", "市发展改革委", "市邮政管理局", "各区人民政府",
                              "市工业和信息化局", "天津港集团", "天津海事局", "滨海新区人民政府")
    assert chunk.has_target is True  # its 9/5 states a target


# -- ids ------------------------------------------------------------------------------------


def test_ids_are_unique(chunks: tuple[Chunk, ...]) -> None:
    ids = [c.chunk_id for c in chunks]
    assert len(set(ids)) == len(ids)


def test_ids_are_stable(corpus: Corpus, corpus_dir: Path, chunks: tuple[Chunk, ...]) -> None:
    again = chunk_corpus(corpus)
    reparsed = chunk_corpus(Corpus.load(corpus_dir))
    assert [c.chunk_id for c in again] == [c.chunk_id for c in chunks]
    assert [c.chunk_id for c in reparsed] == [c.chunk_id for c in chunks]
    assert reparsed == chunks


def test_changing_one_task_changes_only_its_chunk_and_its_clause(
        chunks: tuple[Chunk, ...], edited: Corpus) -> None:
    before = _by_location(chunks)
    after = _by_location(chunk_corpus(edited))
    assert before.keys() == after.keys()
    changed = {loc for loc in before if before[loc].chunk_id != after[loc].chunk_id}
    assert changed == {
        (ChunkKind.PROVISION, TIANJIN, 3, 9, 2),
        (ChunkKind.CLAUSE, TIANJIN, 3, 9, None),
    }
    assert after[(ChunkKind.PROVISION, TIANJIN, 3, 9, 2)].text == (
        "加强物流运输组织管理，加快相关公共信息平台建设和信息共享，"
        "发展甩挂运输、共同配送，建设城乡冷链配送骨干网络。")


# -- the lexical tokenizer ------------------------------------------------------------------


@pytest.fixture(scope="module")
def tokenizer(corpus: Corpus, corpus_dir: Path) -> Tokenizer:
    return Tokenizer.for_corpus(corpus, corpus_dir)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        pytest.param("市发展改革委负责哪些工作", "市发展改革委", id="agency-name"),
        pytest.param("合同能源管理的税收优惠", "合同能源管理", id="terms-file"),
        pytest.param("谁负责岸电建设", "岸电", id="short-term"),
        pytest.param("新改扩建码头工程同步设计、建设岸电设施", "岸电", id="term-in-task-text"),
    ],
)
def test_tokenizer_keeps_domain_words_whole(tokenizer: Tokenizer, text: str, word: str) -> None:
    assert word in tokenizer.tokens(text)


@pytest.mark.parametrize("stopword", ["的", "哪些"])
def test_tokenizer_drops_stopwords(tokenizer: Tokenizer, stopword: str) -> None:
    tokens = tokenizer.tokens("市发展改革委负责的哪些合同能源管理项目")
    assert stopword not in tokens
    assert "市发展改革委" in tokens
    assert "合同能源管理" in tokens


def test_tokenizer_drops_punctuation(tokenizer: Tokenizer) -> None:
    assert tokenizer.tokens("？？！！，。") == []


def test_query_tokens_widen_with_synonyms(tokenizer: Tokenizer) -> None:
    assert "太阳能" not in tokenizer.tokens("光伏发电")
    widened = tokenizer.query_tokens("光伏发电")
    assert "光伏" in widened
    assert "太阳能" in widened
