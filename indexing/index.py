"""The search index as a versioned artefact: a Chroma collection, a BM25 index beside it, and
a manifest that names both and records how they were built.

A build writes a new collection and a new lexical folder (a new *generation*), and only then
replaces the manifest (an atomic rename). The previous generation is dropped after that, or,
with ``keep_previous``, left to the caller to drop (``discard_generation``) once no request uses
it: the HTTP service swaps generations without a failed request. A failed or interrupted build
leaves the previous index serving; what a crash leaves behind (a partial collection, a lexical
folder no manifest names) is removed by ``clean_leftovers`` at the next start. Chunk ids are
content hashes: unchanged chunks are copied with their vectors, so only changed text is
embedded again.

The manifest records a SHA-256 of every lexical file; opening checks them and that the
collection holds exactly the corpus's chunks, and raises ``IndexCorrupt`` otherwise
(``ensure_index`` then rebuilds, or refuses, as settings say): a damaged index never answers.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from importlib import metadata
from pathlib import Path

import numpy as np

from core.errors import IndexCorrupt, IndexMismatch, SearchIndexError
from core.model import Chunk
from core.settings import Settings
from indexing.chunker import CHUNKER_VERSION, chunk_corpus
from indexing.corpus import AGENCIES_FILE, DOCUMENTS_FILE, Corpus
from indexing.embedders import Embedder, Vectors, get_embedder
from indexing.lexical import SYNONYMS_FILE, TERMS_FILE, LexicalIndex, Tokenizer
from indexing.measures.catalogue import OVERRIDES_FILE
from indexing.store import VectorStore, get_store

MANIFEST_FILE = "manifest.json"
MANIFEST_VERSION = 4  # 4: the lexical folder keeps each chunk's tokens (views)
_EMBED_BATCH = 32
_QUERY_CACHE = 1024

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Manifest:
    version: int
    embedder: str
    dimension: int
    chunker_version: str
    corpus_hash: str
    package_version: str
    store: str
    store_location: str
    store_params: str
    collection: str
    lexical_dir: str
    chunks: int
    built_at: str
    checksums: dict[str, str] = field(default_factory=dict)  # lexical file -> sha256

    @classmethod
    def read(cls, path: Path) -> Manifest | None:
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            # an older manifest lacks newer fields: empty values make the next build
            # rebuild (reusing every vector) instead of refusing to start
            defaults: dict[str, object] = {
                f.name: 0 if f.type == "int" else {} if f.type.startswith("dict") else ""
                for f in fields(cls)}
            return cls(**{**defaults, **{k: v for k, v in data.items() if k in defaults}})
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise SearchIndexError(f"{path}: unreadable index manifest ({exc}); "
                                   "run `policy-assistant index --rebuild`") from exc

    def write(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(tmp, path)  # atomic: readers see the old manifest or the new one


@dataclass(frozen=True, slots=True)
class BuildReport:
    added: int  # chunks embedded by this build
    kept: int  # chunks whose vectors were reused
    removed: int  # chunks of the previous index that are gone
    seconds: float
    collection: str
    changed: bool
    # with keep_previous: the generation this build replaced, for the caller to drop
    previous_collection: str = ""
    previous_lexical: str = ""


def corpus_hash(corpus: Corpus, corpus_dir: Path) -> str:
    digest = hashlib.sha256()
    files = [DOCUMENTS_FILE, AGENCIES_FILE, TERMS_FILE, SYNONYMS_FILE, OVERRIDES_FILE,
             *(d.meta.file for d in corpus.documents)]
    for name in files:
        path = corpus_dir / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


def _package_version() -> str:
    try:
        return metadata.version("policy-assistant")
    except metadata.PackageNotFoundError:
        return "0+unknown"


class IndexLocation:
    """Where the manifest and the lexical folders live: ``data_dir/index``."""

    def __init__(self, data_dir: Path) -> None:
        self.dir = data_dir / "index"

    @property
    def manifest_path(self) -> Path:
        return self.dir / MANIFEST_FILE

    def manifest(self) -> Manifest | None:
        return Manifest.read(self.manifest_path)


def _check_embedder(manifest: Manifest, embedder: Embedder) -> None:
    if manifest.embedder != embedder.name or manifest.dimension != embedder.dimension:
        raise IndexMismatch(
            f"the index was built with embedder {manifest.embedder} ({manifest.dimension}-d) "
            f"but settings name {embedder.name} ({embedder.dimension}-d); "
            "run `policy-assistant index --rebuild`")


def file_checksums(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.iterdir()) if p.is_file()}


def build_index(corpus: Corpus, corpus_dir: Path, data_dir: Path, embedder: Embedder,
                store: VectorStore, store_name: str, collection_prefix: str,
                rebuild: bool = False, progress: Progress | None = None,
                keep_previous: bool = False, force: bool = False) -> BuildReport:
    """Build a new generation unless the current one is up to date (``force``: build one
    anyway, reusing the vectors of the current collection; ``rebuild``: embed everything)."""
    started = time.perf_counter()
    location = IndexLocation(data_dir)
    location.dir.mkdir(parents=True, exist_ok=True)
    old = location.manifest()
    if old is not None and not rebuild:
        _check_embedder(old, embedder)
    chunks = chunk_corpus(corpus)
    wanted = {c.chunk_id for c in chunks}
    current_hash = corpus_hash(corpus, corpus_dir)
    old_live = (old is not None and old.collection in store.collections()
                and (location.dir / old.lexical_dir).is_dir())
    old_ids: set[str] = set()
    if old is not None and old_live and not rebuild:
        old_ids = store.ids(old.collection)
        unchanged = (old.version == MANIFEST_VERSION
                     and old.corpus_hash == current_hash and old_ids == wanted
                     and old.chunker_version == CHUNKER_VERSION
                     and old.store_location == store.location
                     and old.store_params == store.params
                     and bool(old.checksums))
        if unchanged and not force:
            return BuildReport(0, len(wanted), 0, time.perf_counter() - started,
                               old.collection, changed=False)

    collection = f"{collection_prefix}-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
    lexical_dir = f"lexical-{collection}"
    keep = [c for c in chunks if c.chunk_id in old_ids]
    fresh = [c for c in chunks if c.chunk_id not in old_ids]
    store.create(collection)
    try:
        if keep and old is not None:
            reused = store.vectors(old.collection, [c.chunk_id for c in keep])
            store.add(collection, keep, np.vstack([reused[c.chunk_id] for c in keep]))
        _embed_into(store, collection, fresh, embedder, progress)
        if store.count(collection) != len(chunks):
            raise SearchIndexError(f"collection {collection} holds {store.count(collection)} "
                                   f"chunks, expected {len(chunks)}")
        tokenizer = Tokenizer.for_corpus(corpus, corpus_dir)
        LexicalIndex.build(chunks, tokenizer).save(location.dir / lexical_dir)
        checksums = file_checksums(location.dir / lexical_dir)
        Manifest(
            version=MANIFEST_VERSION, embedder=embedder.name, dimension=embedder.dimension,
            chunker_version=CHUNKER_VERSION, corpus_hash=current_hash,
            package_version=_package_version(), store=store_name,
            store_location=store.location, store_params=store.params,
            collection=collection, lexical_dir=lexical_dir,
            chunks=len(chunks), built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            checksums=checksums,
        ).write(location.manifest_path)
    except BaseException:
        _discard(store, collection, location.dir / lexical_dir)
        raise
    previous = ("", "")
    if old is not None and old.collection != collection:
        if keep_previous:
            previous = (old.collection, old.lexical_dir)
        else:
            _discard(store, old.collection, location.dir / old.lexical_dir)
    removed = len(old_ids - wanted) if old_ids else (old.chunks if old else 0)
    return BuildReport(len(fresh), len(keep), removed, time.perf_counter() - started,
                       collection, changed=True, previous_collection=previous[0],
                       previous_lexical=previous[1])


def discard_generation(store: VectorStore, data_dir: Path, collection: str,
                       lexical_dir: str) -> None:
    """Drop a generation no manifest names any more (best effort)."""
    if collection:
        _discard(store, collection, IndexLocation(data_dir).dir / lexical_dir
                 if lexical_dir else Path("/nonexistent"))


def clean_leftovers(store: VectorStore, data_dir: Path, collection_prefix: str,
                    older_than: float = 0.0) -> list[str]:
    """Remove the collections with our prefix and the lexical folders that the manifest does
    not name, made more than ``older_than`` seconds ago (by the time in their name): what a
    crash mid-build or an undropped generation left. Younger ones may be a generation another
    replica still serves, or one it is building. Returns what was removed."""
    location = IndexLocation(data_dir)
    manifest = location.manifest()
    keep_collection = manifest.collection if manifest else None
    keep_lexical = manifest.lexical_dir if manifest else None
    removed = []
    for name in sorted(store.collections()):
        if name.startswith(f"{collection_prefix}-") and name != keep_collection \
                and _age(name, collection_prefix) >= older_than:
            store.delete(name)
            removed.append(name)
    if location.dir.is_dir():
        for path in sorted(location.dir.glob(f"lexical-{collection_prefix}-*")):
            if path.is_dir() and path.name != keep_lexical \
                    and _age(path.name.removeprefix("lexical-"), collection_prefix) >= older_than:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path.name)
    return removed


def _age(collection: str, prefix: str) -> float:
    """Seconds since a generation was made, from its name (``prefix-YYYYmmddHHMMSS-xxxxxx``);
    a name without a readable time counts as old."""
    stamp = collection.removeprefix(f"{prefix}-").split("-")[0]
    try:
        return time.time() - time.mktime(time.strptime(stamp, "%Y%m%d%H%M%S"))
    except (ValueError, OverflowError):
        return float("inf")


def _embed_into(store: VectorStore, collection: str, chunks: Sequence[Chunk],
                embedder: Embedder, progress: Progress | None) -> None:
    total = len(chunks)
    if progress:
        progress(0, total)
    for i in range(0, total, _EMBED_BATCH):
        batch = chunks[i:i + _EMBED_BATCH]
        vectors = embedder.embed_documents([c.embed_text for c in batch])
        store.add(collection, batch, vectors)
        if progress:
            progress(min(i + _EMBED_BATCH, total), total)


def _discard(store: VectorStore, collection: str, lexical: Path) -> None:
    """Best effort: a leftover is harmless (the manifest never names it), an error here would
    hide the one that matters."""
    try:
        if collection in store.collections():
            store.delete(collection)
    except Exception:
        pass
    shutil.rmtree(lexical, ignore_errors=True)


@dataclass(frozen=True)
class Index:
    """An opened index: search by vector and by words, chunks by id. ``view`` narrows it to
    some documents: their chunks only, ranked among themselves, word weights theirs."""

    manifest: Manifest
    store: VectorStore
    lexical: LexicalIndex
    chunks: dict[str, Chunk]
    embedder: Embedder
    doc_ids: frozenset[str] = frozenset()  # a view's documents; empty: the whole index
    outside: int = 0  # a view: how many chunks of the whole index it leaves out
    _query_vectors: dict[str, Vectors] = field(default_factory=dict, repr=False)
    # the HTTP service asks from several threads at once
    _cache_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def query_vector(self, query: str) -> Vectors:
        """Embedded once per distinct text: people ask the same questions again."""
        with self._cache_lock:
            vector = self._query_vectors.get(query)
        if vector is None:
            vector = self.embedder.embed_query(query)  # outside the lock: the slow part
            with self._cache_lock:
                if len(self._query_vectors) >= _QUERY_CACHE:
                    self._query_vectors.pop(next(iter(self._query_vectors)))
                self._query_vectors[query] = vector
        return vector

    def clear_query_cache(self) -> None:
        self._query_vectors.clear()

    def dense(self, query: str, n: int) -> list[tuple[Chunk, float]]:
        return self.dense_by_vector(self.query_vector(query), n)

    def dense_by_vector(self, vector: Vectors, n: int) -> list[tuple[Chunk, float]]:
        # a view asks for as many more as there are chunks outside it, and keeps its own: the
        # n nearest of its chunks (cheaper than the store's metadata filter, which took 2.7 ms
        # a query against 1.0 here)
        wanted = n + self.outside if self.doc_ids else n
        hits = self.store.query(self.manifest.collection, vector, wanted)
        return [(self.chunks[i], s) for i, s in hits if i in self.chunks][:n]

    def view(self, doc_ids: Iterable[str]) -> Index:
        """The index of these documents alone; the query vectors' cache is shared."""
        wanted = frozenset(doc_ids)
        chunks = {i: c for i, c in self.chunks.items() if c.doc_id in wanted}
        if len(chunks) == len(self.chunks):
            return self
        return replace(self, lexical=self.lexical.view(chunks), chunks=chunks,
                       doc_ids=wanted, outside=len(self.chunks) - len(chunks) + self.outside)

    def lexical_search(self, query: str, n: int) -> list[tuple[Chunk, float]]:
        return [(self.chunks[i], s) for i, s in self.lexical.search(query, n)
                if i in self.chunks]


def open_index(corpus: Corpus, corpus_dir: Path, data_dir: Path, embedder: Embedder,
               store: VectorStore) -> Index:
    location = IndexLocation(data_dir)
    manifest = location.manifest()
    if manifest is None:
        raise SearchIndexError(f"no index in {location.dir}; run `policy-assistant index`")
    _check_embedder(manifest, embedder)
    if manifest.corpus_hash != corpus_hash(corpus, corpus_dir) \
            or manifest.version != MANIFEST_VERSION \
            or manifest.chunker_version != CHUNKER_VERSION \
            or manifest.store_params != store.params:
        raise SearchIndexError("the index is older than the corpus; run `policy-assistant index`")
    if manifest.collection not in store.collections():
        raise SearchIndexError(f"collection {manifest.collection} is missing from "
                               f"{store.location}; run `policy-assistant index --rebuild`")
    lexical_dir = location.dir / manifest.lexical_dir
    _verify_files(manifest, lexical_dir)
    chunks = {c.chunk_id: c for c in chunk_corpus(corpus)}
    if store.ids(manifest.collection) != set(chunks):
        raise IndexCorrupt(f"collection {manifest.collection} does not hold the corpus's "
                           f"{len(chunks)} chunks; run `policy-assistant index --rebuild`")
    tokenizer = Tokenizer.for_corpus(corpus, corpus_dir)
    lexical = LexicalIndex.load(lexical_dir, tokenizer)
    return Index(manifest, store, lexical, chunks, embedder)


def _verify_files(manifest: Manifest, lexical_dir: Path) -> None:
    if not manifest.checksums:
        raise IndexCorrupt(f"{lexical_dir}: the manifest records no checksums (an older "
                           "index); run `policy-assistant index --rebuild`")
    actual = file_checksums(lexical_dir) if lexical_dir.is_dir() else {}
    for name, digest in sorted(manifest.checksums.items()):
        if actual.get(name) != digest:
            why = "is missing" if name not in actual else "does not match its checksum"
            raise IndexCorrupt(f"{lexical_dir / name} {why}; run "
                               "`policy-assistant index --rebuild`")


def build_from_settings(settings: Settings, corpus: Corpus, rebuild: bool = False,
                        progress: Progress | None = None) -> tuple[Embedder, VectorStore,
                                                                   BuildReport]:
    """Build or update the index with a store client of the build's deadline
    (``STORE__BUILD_TIMEOUT``: bulk adds and reads take seconds on a loaded server where a
    question's query takes milliseconds), returned for the caller to close."""
    embedder = get_embedder(settings.embedder)
    store = get_store(settings.store.for_builds(), settings.data_dir)
    try:
        report = build_index(corpus, settings.corpus.dir, settings.data_dir, embedder, store,
                             settings.store.backend, settings.store.collection, rebuild,
                             progress)
    except BaseException:
        store.close()
        raise
    return embedder, store, report


def ensure_index(settings: Settings, corpus: Corpus, progress: Progress | None = None,
                 clean_older_than: float | None = None) -> tuple[Index, BuildReport]:
    """Open the index, building or updating it first when the corpus has changed; with
    ``clean_older_than``, also remove what earlier builds left behind (``clean_leftovers``).
    A corrupt index is rebuilt (or refused, by ``settings.search.on_corrupt_index``). The
    build, the clean-up and the opening (it reads every id) have the build deadline; the index
    returned asks the store with the questions' own client and deadline."""
    embedder, store, report = build_from_settings(settings, corpus, progress=progress)
    try:
        if clean_older_than is not None:
            clean_leftovers(store, settings.data_dir, settings.store.collection,
                            clean_older_than)
        try:
            index = open_index(corpus, settings.corpus.dir, settings.data_dir, embedder, store)
        except IndexCorrupt:
            if settings.search.on_corrupt_index == "refuse":
                raise
            report = build_index(corpus, settings.corpus.dir, settings.data_dir, embedder,
                                 store, settings.store.backend, settings.store.collection,
                                 progress=progress, force=True)
            index = open_index(corpus, settings.corpus.dir, settings.data_dir, embedder, store)
        if settings.store.for_builds() != settings.store:
            index = replace(index, store=get_store(settings.store, settings.data_dir))
            store.close()
    except BaseException:
        store.close()
        raise
    return index, report
