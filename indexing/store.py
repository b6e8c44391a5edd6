"""Vector stores behind one small interface, chosen by name.

``chroma`` is an embedded ``PersistentClient`` under the data directory, or a Chroma server
(``HttpClient``) when settings name a host. A build writes into a fresh collection; the index
manifest decides which collection serves, so a half-written collection is never searched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from core.errors import ConfigError, StoreError
from core.model import Chunk

if TYPE_CHECKING:
    from core.settings import StoreSettings

Vector = np.ndarray[Any, np.dtype[np.float32]]


class VectorStore(Protocol):
    @property
    def location(self) -> str:
        """Where the data lives (a path or a server URL), recorded in the manifest."""

    @property
    def params(self) -> str:
        """How collections are built (index parameters); a change rebuilds, reusing vectors."""

    def collections(self) -> set[str]: ...

    def create(self, collection: str) -> None: ...

    def delete(self, collection: str) -> None: ...

    def add(self, collection: str, chunks: Sequence[Chunk], vectors: Vector) -> None: ...

    def ids(self, collection: str) -> set[str]: ...

    def vectors(self, collection: str, ids: Sequence[str]) -> dict[str, Vector]: ...

    def count(self, collection: str) -> int: ...

    def query(self, collection: str, vector: Vector, n: int) -> list[tuple[str, float]]:
        """The ``n`` nearest chunk ids with cosine similarity, best first."""

    def close(self) -> None:
        """Release connections and files; the store is unusable afterwards."""


def _metadata(chunk: Chunk) -> dict[str, str | int | bool]:
    # Chroma metadata takes scalars only: absent numbers are -1, agency lists are joined.
    return {
        "kind": chunk.kind.value,
        "doc_id": chunk.doc_id,
        "part_no": chunk.part_no,
        "clause_no": -1 if chunk.clause_no is None else chunk.clause_no,
        "provision": -1 if chunk.provision is None else chunk.provision,
        "agencies": "、".join(chunk.agencies),
        "lead_agency": chunk.lead_agency or "",
        "has_target": chunk.has_target,
    }


@contextmanager
def _converted(action: str) -> Iterator[None]:
    """Chroma raises its own and the HTTP stack's exceptions: convert them at this edge."""
    try:
        yield
    except StoreError:
        raise
    except Exception as exc:
        raise StoreError(f"chroma: {action} failed: {exc}") from exc


# HNSW is approximate; with the default search breadth one question in five got a different
# top 50 than exact cosine, so rankings changed from build to build. A policy corpus is small:
# search wide enough to be exact in practice.
_HNSW: dict[str, str | int] = {"hnsw:space": "cosine", "hnsw:M": 32,
                               "hnsw:construction_ef": 400, "hnsw:search_ef": 400}


class ChromaStore:
    _ADD_BATCH = 256

    def __init__(self, settings: StoreSettings, data_dir: Path) -> None:
        with _converted("connecting"):
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            chroma_settings = ChromaSettings(anonymized_telemetry=False)
            self._client: Any
            if settings.host:
                self._client = chromadb.HttpClient(host=settings.host, port=settings.port,
                                                   ssl=settings.ssl, settings=chroma_settings)
                scheme = "https" if settings.ssl else "http"
                self._location = f"{scheme}://{settings.host}:{settings.port}"
            else:
                path = data_dir / "chroma"
                path.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=str(path),
                                                         settings=chroma_settings)
                self._location = str(path.resolve())

    @property
    def location(self) -> str:
        return self._location

    def collections(self) -> set[str]:
        with _converted("listing collections"):
            return {c.name for c in self._client.list_collections()}

    @property
    def params(self) -> str:
        return ",".join(f"{k}={v}" for k, v in _HNSW.items())

    def create(self, collection: str) -> None:
        with _converted(f"creating {collection}"):
            self._client.create_collection(collection, metadata=dict(_HNSW),
                                           embedding_function=None)

    def delete(self, collection: str) -> None:
        with _converted(f"deleting {collection}"):
            self._client.delete_collection(collection)

    def _get(self, collection: str) -> Any:
        return self._client.get_collection(collection, embedding_function=None)

    def add(self, collection: str, chunks: Sequence[Chunk], vectors: Vector) -> None:
        with _converted(f"adding to {collection}"):
            col = self._get(collection)
            for i in range(0, len(chunks), self._ADD_BATCH):
                batch = chunks[i:i + self._ADD_BATCH]
                col.add(ids=[c.chunk_id for c in batch],
                        embeddings=vectors[i:i + self._ADD_BATCH],
                        documents=[c.embed_text for c in batch],
                        metadatas=[_metadata(c) for c in batch])

    def ids(self, collection: str) -> set[str]:
        with _converted(f"reading {collection}"):
            return set(self._get(collection).get(include=[])["ids"])

    def vectors(self, collection: str, ids: Sequence[str]) -> dict[str, Vector]:
        if not ids:
            return {}
        with _converted(f"reading {collection}"):
            got = self._get(collection).get(ids=list(ids), include=["embeddings"])
            return {i: np.asarray(v, dtype=np.float32)
                    for i, v in zip(got["ids"], got["embeddings"], strict=True)}

    def count(self, collection: str) -> int:
        with _converted(f"counting {collection}"):
            return int(self._get(collection).count())

    def query(self, collection: str, vector: Vector, n: int) -> list[tuple[str, float]]:
        with _converted(f"querying {collection}"):
            col = self._get(collection)
            n = min(n, col.count())
            if n <= 0:
                return []
            got = col.query(query_embeddings=[vector], n_results=n, include=["distances"])
            # cosine distance -> similarity
            return [(i, 1.0 - float(d))
                    for i, d in zip(got["ids"][0], got["distances"][0], strict=True)]


    def close(self) -> None:
        with _converted("closing"):
            self._client.close()


_REGISTRY: dict[str, Callable[[StoreSettings, Path], VectorStore]] = {"chroma": ChromaStore}


def store_names() -> tuple[str, ...]:
    return tuple(sorted(_REGISTRY))


def get_store(settings: StoreSettings, data_dir: Path) -> VectorStore:
    factory = _REGISTRY.get(settings.backend)
    if factory is None:
        raise ConfigError(f"unknown vector store {settings.backend!r}; valid: "
                          + ", ".join(store_names()))
    return factory(settings, data_dir)
