"""Vector stores behind one small interface, chosen by name.

``chroma`` is an embedded ``PersistentClient`` under the data directory, or a Chroma server
(``HttpClient``) when settings name a host. A build writes into a fresh collection; the index
manifest decides which collection serves, so a half-written collection is never searched.

Every call goes through an ``indexing.breaker.Guard``: it has a deadline (settings
``store.timeout``) and a circuit breaker, so a frozen, killed or unreachable server raises
``StoreUnavailable`` quickly instead of holding the caller; the HTTP client's own connect and
read timeouts are set too, so no thread waits on a dead server for longer than that.

The embedded client keeps every collection it has opened in a cache of open HNSW indexes (four
files and the index in memory each) that deleting the collection does not empty, bounded only
by a quarter of the open-file limit: each reindex kept four files and several MB. So after it
deletes a collection the embedded store *recycles* its client: new calls wait, the calls in
flight finish, the client is closed (chromadb stops its System when the last client of a path
closes, dropping the cache) and opened again (about 0.15 s). The server's client has no such
cache (the server's memory is the server's).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import numpy as np

from core.errors import ConfigError, StoreError, StoreUnavailable
from core.model import Chunk
from indexing.breaker import Guard
from indexing.gate import Gate

if TYPE_CHECKING:
    from core.settings import StoreSettings

log = logging.getLogger("policy_assistant.store")
Vector = np.ndarray[Any, np.dtype[np.float32]]
T = TypeVar("T")


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

    def ping(self) -> None:
        """Raise ``StoreUnavailable`` unless the store answers now."""

    @property
    def breaker(self) -> str:
        """closed, open or half-open: whether calls currently reach the store."""

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


def _unreachable(exc: BaseException) -> bool:
    """A transport failure (refused, reset, timed out) rather than an error the store gave."""
    import httpx

    return isinstance(exc, httpx.TransportError | ConnectionError | TimeoutError)


@contextmanager
def _converted(action: str) -> Iterator[None]:
    """Chroma raises its own and the HTTP stack's exceptions: convert them at this edge."""
    try:
        yield
    except StoreError:
        raise
    except Exception as exc:
        if _unreachable(exc):
            raise StoreUnavailable(f"chroma: {action} failed: {type(exc).__name__}") from exc
        raise StoreError(f"chroma: {action} failed: {exc}") from exc


# HNSW is approximate; with the default search breadth one question in five got a different
# top 50 than exact cosine, so rankings changed from build to build. A policy corpus is small:
# search wide enough to be exact in practice.
_HNSW: dict[str, str | int] = {"hnsw:space": "cosine", "hnsw:M": 32,
                               "hnsw:construction_ef": 400, "hnsw:search_ef": 400}


def chroma_location(settings: StoreSettings, data_dir: Path) -> str:
    if settings.host:
        scheme = "https" if settings.ssl else "http"
        return f"{scheme}://{settings.host}:{settings.port}"
    return str((data_dir / "chroma").resolve())


class ChromaStore:
    _ADD_BATCH = 256

    def __init__(self, settings: StoreSettings, data_dir: Path) -> None:
        self._settings = settings
        timeout = settings.timeout if settings.host else settings.embedded_timeout
        self._guard = Guard("chroma", timeout, settings.breaker_failures,
                            settings.breaker_reset, settings.workers)
        self._gate = Gate()
        self.recycled = 0  # times the embedded client was closed and opened again
        # collection -> (handle, count) for queries: a generation's collection does not change
        # once built, and asking a server for the handle and the count took two HTTP round
        # trips per query besides the query itself
        self._opened: dict[str, tuple[Any, int]] = {}
        if not settings.host:
            (data_dir / "chroma").mkdir(parents=True, exist_ok=True)
        self._location = chroma_location(settings, data_dir)
        try:
            self._client: Any = self._call("connecting", lambda: self._connect(settings))
        except BaseException:
            self._guard.close()
            raise

    def _connect(self, settings: StoreSettings) -> Any:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if not settings.host:
            return chromadb.PersistentClient(path=self._location, settings=chroma_settings)
        client = chromadb.HttpClient(host=settings.host, port=settings.port, ssl=settings.ssl,
                                     settings=chroma_settings)
        if not set_http_timeouts(client, settings):
            log.error("chromadb's HTTP session was not found: store calls have the guard's "
                      "deadline only, and a thread given up on waits for the server")
        return client

    def _call(self, action: str, fn: Callable[[], T]) -> T:
        def converted() -> T:
            with self._gate.call(), _converted(action):
                return fn()

        return self._guard.call(converted, action)

    def _recycle(self) -> None:
        """Close the embedded client and open it again, dropping chromadb's cache of the
        indexes it has opened (deleted collections included); calls wait meanwhile."""
        with self._gate.paused(), _converted("reopening"):
            self._opened.clear()
            self._client.close()
            self._client = self._connect(self._settings)
            self.recycled += 1

    @property
    def breaker(self) -> str:
        return self._guard.state

    @property
    def deadline(self) -> float:
        """Seconds one call may take: a server's STORE__TIMEOUT, the embedded store's own."""
        return self._guard.timeout

    def ping(self) -> None:
        self._call("heartbeat", self._client.heartbeat)

    @property
    def location(self) -> str:
        return self._location

    def collections(self) -> set[str]:
        return self._call("listing collections",
                          lambda: {c.name for c in self._client.list_collections()})

    @property
    def params(self) -> str:
        return ",".join(f"{k}={v}" for k, v in _HNSW.items())

    def create(self, collection: str) -> None:
        self._call(f"creating {collection}", lambda: self._client.create_collection(
            collection, metadata=dict(_HNSW), embedding_function=None))

    def delete(self, collection: str) -> None:
        self._opened.pop(collection, None)
        self._call(f"deleting {collection}",
                   lambda: self._client.delete_collection(collection))
        if not self._settings.host:
            self._recycle()

    def _get(self, collection: str) -> Any:
        return self._client.get_collection(collection, embedding_function=None)

    def add(self, collection: str, chunks: Sequence[Chunk], vectors: Vector) -> None:
        self._opened.pop(collection, None)
        for i in range(0, len(chunks), self._ADD_BATCH):  # one deadline per batch
            batch = chunks[i:i + self._ADD_BATCH]
            batch_vectors = vectors[i:i + self._ADD_BATCH]

            def add_batch(batch: Sequence[Chunk] = batch, batch_vectors: Vector = batch_vectors
                          ) -> None:
                self._get(collection).add(ids=[c.chunk_id for c in batch],
                                          embeddings=batch_vectors,
                                          documents=[c.embed_text for c in batch],
                                          metadatas=[_metadata(c) for c in batch])

            self._call(f"adding to {collection}", add_batch)

    def ids(self, collection: str) -> set[str]:
        return self._call(f"reading {collection}",
                          lambda: set(self._get(collection).get(include=[])["ids"]))

    def vectors(self, collection: str, ids: Sequence[str]) -> dict[str, Vector]:
        if not ids:
            return {}

        def read() -> dict[str, Vector]:
            got = self._get(collection).get(ids=list(ids), include=["embeddings"])
            return {i: np.asarray(v, dtype=np.float32)
                    for i, v in zip(got["ids"], got["embeddings"], strict=True)}

        return self._call(f"reading {collection}", read)

    def count(self, collection: str) -> int:
        return self._call(f"counting {collection}",
                          lambda: int(self._get(collection).count()))

    def query(self, collection: str, vector: Vector, n: int) -> list[tuple[str, float]]:
        def query() -> list[tuple[str, float]]:
            opened = self._opened.get(collection)
            if opened is None:
                col = self._get(collection)
                opened = self._opened[collection] = (col, int(col.count()))
            col, count = opened
            wanted = min(n, count)
            if wanted <= 0:
                return []
            try:
                got = col.query(query_embeddings=[vector], n_results=wanted,
                                include=["distances"])
            except Exception:
                self._opened.pop(collection, None)  # gone or changed: ask again next time
                raise
            # cosine distance -> similarity
            return [(i, 1.0 - float(d))
                    for i, d in zip(got["ids"][0], got["distances"][0], strict=True)]

        return self._call(f"querying {collection}", query)

    def close(self) -> None:
        try:
            with _converted("closing"):
                self._client.close()
        finally:
            self._guard.close()


def set_http_timeouts(client: Any, settings: StoreSettings) -> bool:
    """Give chromadb's HTTP session connect and read timeouts, so that a thread the guard has
    given up on is freed as well; False when the session is not where it was.

    The one private use of chromadb in the project, kept here: chromadb (1.5.9,
    ``chromadb/api/fastapi.py``) builds its ``httpx.Client`` with ``timeout=None`` and has no
    setting for a client timeout (the ``*_timeout_seconds`` of its Settings are the server's
    own; chroma-core/chroma#1227 asked for one). So it is set on ``client._server._session``.
    ``tests/test_index.py::test_the_http_client_gets_timeouts`` fails if a chromadb release
    moves it; the service then logs an error and keeps the guard's deadlines."""
    import httpx

    session = getattr(getattr(client, "_server", None), "_session", None)
    if not isinstance(session, httpx.Client):
        return False
    session.timeout = httpx.Timeout(settings.timeout, connect=settings.connect_timeout)
    return True


_REGISTRY: dict[str, Callable[[StoreSettings, Path], VectorStore]] = {"chroma": ChromaStore}


_LOCATIONS: dict[str, Callable[[StoreSettings, Path], str]] = {"chroma": chroma_location}


def store_location(settings: StoreSettings, data_dir: Path) -> str:
    """Where the store that settings name keeps its data, without opening it."""
    locate = _LOCATIONS.get(settings.backend)
    return locate(settings, data_dir) if locate else ""


def store_names() -> tuple[str, ...]:
    return tuple(sorted(_REGISTRY))


def get_store(settings: StoreSettings, data_dir: Path) -> VectorStore:
    factory = _REGISTRY.get(settings.backend)
    if factory is None:
        raise ConfigError(f"unknown vector store {settings.backend!r}; valid: "
                          + ", ".join(store_names()))
    return factory(settings, data_dir)
