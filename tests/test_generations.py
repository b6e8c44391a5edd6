"""What one index generation holds, and that a dropped one is let go: the embedded store's open
files and cache, the shared tokenizer, the HTTP client's timeouts (the one private chromadb
attribute the project touches) and the build lock between processes."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from core.errors import BuildRunning
from core.model import Chunk
from core.settings import StoreSettings
from indexing.build_lock import LOCK_FILE, build_lock, holder
from indexing.chunker import chunk_corpus
from indexing.corpus import Corpus
from indexing.lexical import Tokenizer
from indexing.store import ChromaStore, get_store, set_http_timeouts


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[ChromaStore]:
    store = get_store(StoreSettings(), tmp_path)
    assert isinstance(store, ChromaStore)
    try:
        yield store
    finally:
        store.close()


def generation(store: ChromaStore, name: str, chunks: list[Chunk]) -> None:
    """A collection searched once: what a served generation makes the store open."""
    store.create(name)
    rng = np.random.default_rng(7)
    store.add(name, chunks, rng.random((len(chunks), 16), dtype=np.float32))
    assert len(store.query(name, rng.random(16, dtype=np.float32), 5)) == 5


def test_dropped_collections_leave_no_open_files(embedded: ChromaStore,
                                                 corpus: Corpus) -> None:
    """chromadb's embedded client kept four files (and the index in memory) of every
    collection it had opened, deleted or not; the store reopens its client after a delete."""
    chunks = chunk_corpus(corpus)[:60]
    generation(embedded, "policy-first", chunks)
    baseline = open_files()
    previous = "policy-first"
    counts = []
    for i in range(6):
        generation(embedded, f"policy-next{i}", chunks)
        embedded.delete(previous)
        previous = f"policy-next{i}"
        counts.append(open_files())
    print(f"\nopen files: {baseline} with one generation, after each swap {counts}; "
          f"client reopened {embedded.recycled} times")
    assert max(counts) <= baseline + 2
    assert embedded.recycled == 6
    assert embedded.collections() == {previous}
    assert embedded.ids(previous) == {c.chunk_id for c in chunks}


def test_calls_during_a_reopen_wait_and_succeed(embedded: ChromaStore, corpus: Corpus) -> None:
    chunks = chunk_corpus(corpus)[:40]
    generation(embedded, "policy-served", chunks)
    generation(embedded, "policy-dropped", chunks)
    failures: list[BaseException] = []
    done = threading.Event()

    def ask() -> None:
        vector = np.ones(16, dtype=np.float32)
        while not done.is_set():
            try:
                embedded.query("policy-served", vector, 3)
            except BaseException as exc:
                failures.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        embedded.delete("policy-dropped")
        generation(embedded, "policy-other", chunks)
        embedded.delete("policy-other")
    finally:
        done.set()
        for t in threads:
            t.join()
    assert failures == []
    assert embedded.recycled == 2


def test_a_tokenizer_is_shared_while_the_dictionary_is_the_same(corpus: Corpus,
                                                                corpus_dir: Path) -> None:
    first = Tokenizer.for_corpus(corpus, corpus_dir)
    assert Tokenizer.for_corpus(Corpus.load(corpus_dir), corpus_dir) is first


def test_an_unused_tokenizer_is_freed(corpus_dir: Path, tmp_path: Path) -> None:
    """A corpus whose dictionary changed gets a new tokenizer, and the old one is let go."""

    def with_term(name: str, term: str) -> Path:
        copy = tmp_path / name
        shutil.copytree(corpus_dir, copy, ignore=shutil.ignore_patterns("__pycache__"))
        with (copy / "terms.txt").open("a", encoding="utf-8") as terms:
            terms.write(f"\n{term}\n")
        return copy

    first, second = with_term("a", "绿色低碳测试词甲"), with_term("b", "绿色低碳测试词乙")
    old = weakref.ref(Tokenizer.for_corpus(Corpus.load(first), first))
    assert Tokenizer.for_corpus(Corpus.load(second), second) is not old()
    gc.collect()
    assert old() is None


def test_the_http_client_gets_timeouts(chroma_server: StoreSettings, tmp_path: Path) -> None:
    """Fails when a chromadb release moves the session ``set_http_timeouts`` reaches into."""
    import chromadb
    import httpx
    from chromadb.config import Settings as ChromaSettings

    settings = chroma_server.model_copy(update={"timeout": 2.5, "connect_timeout": 0.75})
    client = chromadb.HttpClient(host=settings.host, port=settings.port,
                                 settings=ChromaSettings(anonymized_telemetry=False))
    try:
        assert set_http_timeouts(client, settings) is True
        session = client._server._session
        assert isinstance(session, httpx.Client)
        assert session.timeout == httpx.Timeout(2.5, connect=0.75)
    finally:
        client.close()
    store = get_store(settings, tmp_path)
    try:
        assert store._client._server._session.timeout.read == 2.5  # type: ignore[attr-defined]
    finally:
        store.close()


def test_set_http_timeouts_says_when_the_session_is_gone() -> None:
    assert set_http_timeouts(object(), StoreSettings()) is False


# -- the build lock ---------------------------------------------------------------------------


HOLD = """
import sys, time
from pathlib import Path
from indexing.build_lock import build_lock
with build_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(600)
"""


def test_the_build_lock_is_one_at_a_time_and_never_stale(tmp_path: Path) -> None:
    """Another process holds the lock: a reindex fails at once naming it, a start waits; the
    holder killed (-9, no clean-up), the lock is free."""
    index_dir = tmp_path / "index"
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(index_dir)], cwd=root,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        busy = rf"a build is already running \({proc.pid}@"
        with pytest.raises(BuildRunning, match=busy), build_lock(index_dir):
            pass
        waited: list[str] = []
        stop = threading.Event()
        entered = threading.Event()

        def start() -> None:
            with build_lock(index_dir, wait=True, stop=stop, waiting=waited.append):
                entered.set()

        waiter = threading.Thread(target=start)
        waiter.start()
        assert not entered.wait(1.0)  # bounded: it is still waiting
        assert waited and waited[0].startswith(f"{proc.pid}@")
        proc.kill()
        proc.wait(timeout=30)
        waiter.join(timeout=30)
        assert entered.is_set()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
    assert (index_dir / LOCK_FILE).exists()
    assert holder(index_dir).startswith(f"{os.getpid()}@")
