"""The fault suite: the real service (``python -m ui.cli serve``, as ``make run`` starts it) and
a real Chroma server in subprocesses, on loopback ports, with the faults an operator meets: a
frozen (SIGSTOP) or killed store, a cold start with the store away, a corrupt index, a reindex
of a changed corpus under load, oversized headers and slow clients, forged X-Forwarded-For, and
SIGTERM with a request in flight. Each asserts outcomes and prints what it measured; loops are
bounded. Run alone with ``make test-faults`` (``pytest -m faults``)."""

from __future__ import annotations

import json
import random
import shutil
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from conftest import MemoEmbedder
from procs import Chroma, Service, wait_for

from core.settings import Settings
from indexing.corpus import Corpus
from indexing.index import IndexLocation, build_index
from indexing.store import get_store

pytestmark = pytest.mark.faults

QUESTION = "谁负责岸电建设？"
LEAD = "市交通运输委"
TIANJIN_FILE = "tianjin-2022-notice.txt"
OLD_9_2 = "发展甩挂运输、共同配送。"
NEW_9_2 = "发展甩挂运输、共同配送，建设城乡冷链配送骨干网络。"
EVAL_QUESTIONS = Path(__file__).resolve().parent.parent / "evals" / "questions.jsonl"


def questions() -> list[str]:
    rows = [json.loads(line) for line in EVAL_QUESTIONS.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return [r["question"] for r in rows]


@pytest.fixture(scope="module")
def chroma(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chroma]:
    """This module's own Chroma server: the tests freeze and kill it (and restore it)."""
    server = Chroma(tmp_path_factory.mktemp("fault-chroma"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def restored(chroma: Chroma) -> None:
    """After a test: the server running and answering again."""
    if chroma.alive():
        chroma.thaw()
    else:
        chroma.start()
    wait_for(chroma.up, "chroma answering again", 60, 0.2)


def build(chroma: Chroma, data_dir: Path, prefix: str, embedder: MemoEmbedder,
          corpus_dir: Path | None = None) -> Settings:
    """An index in the fault server under its own collection prefix (the service's start-up
    clean-up touches only its own prefix), built in this process with the memoised embedder."""
    settings = Settings(data_dir=data_dir)
    settings.store = chroma.settings.model_copy(update={"collection": prefix})
    if corpus_dir is not None:
        settings.corpus.dir = corpus_dir
    store = get_store(settings.store, data_dir)
    try:
        build_index(Corpus.load(settings.corpus.dir), settings.corpus.dir, data_dir, embedder,
                    store, "chroma", prefix)
    finally:
        store.close()
    return settings


def service_settings(chroma: Chroma, data_dir: Path, prefix: str, **extra: Any) -> dict[str, Any]:
    return {"DATA_DIR": data_dir, "STORE__HOST": "127.0.0.1", "STORE__PORT": chroma.port,
            "STORE__COLLECTION": prefix, "STORE__TIMEOUT": 1.5, "STORE__BREAKER_RESET": 1,
            "SERVER__RATE_LIMIT_PER_MINUTE": 1_000_000, "SERVER__RATE_LIMIT_BURST": 1_000_000,
            **extra}


@pytest.fixture(scope="module")
def fault_index(chroma: Chroma, embedder: MemoEmbedder,
                tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("fault-index")
    build(chroma, data_dir, "faults", embedder)
    return data_dir


@pytest.fixture
def service(chroma: Chroma, fault_index: Path, tmp_path: Path) -> Iterator[Service]:
    svc = Service(tmp_path, service_settings(chroma, fault_index, "faults",
                                             SERVER__MAX_CONCURRENT_QUESTIONS=2,
                                             STORE__BREAKER_FAILURES=2))
    svc.start()
    try:
        svc.wait_ready()
        yield svc
    finally:
        svc.stop()
        restored(chroma)


def ask(client: httpx.Client, question: str) -> tuple[int, str, str, float]:
    """(status, error code or "", Retry-After or "", seconds)."""
    started = time.perf_counter()
    response = client.post("/v1/ask", json={"question": question})
    seconds = time.perf_counter() - started
    code = response.json()["error"]["code"] if response.status_code >= 400 else ""
    return response.status_code, code, response.headers.get("retry-after", ""), seconds


def _resources(pid: int) -> tuple[int, int]:
    """Open file descriptors and resident MiB of a process (Linux /proc)."""
    fds = len(list(Path(f"/proc/{pid}/fd").iterdir()))
    status = Path(f"/proc/{pid}/status").read_text()
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    return fds, rss // 1024


def search(client: httpx.Client, q: str) -> tuple[int, str, str, float]:
    """As ``ask``, for /v1/search: every search asks the store (dense retrieval)."""
    started = time.perf_counter()
    response = client.get("/v1/search", params={"q": q})
    seconds = time.perf_counter() - started
    code = response.json()["error"]["code"] if response.status_code >= 400 else ""
    return response.status_code, code, response.headers.get("retry-after", ""), seconds


def timed_get(client: httpx.Client, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    status = client.get(path).status_code
    return status, time.perf_counter() - started


class Load:
    """What the load threads got: their answers counted by the key ``send`` returns."""

    def __init__(self) -> None:
        self.answers: Counter[Hashable] = Counter()
        self.stop = threading.Event()
        self._lock = threading.Lock()

    def count(self, key: Hashable) -> None:
        with self._lock:
            self.answers[key] += 1

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.answers.values())

    def more(self, n: int, what: str) -> None:
        """Wait (bounded) until ``n`` more requests have been answered."""
        seen = self.total
        wait_for(lambda: self.total >= seen + n, what, 60)


@contextmanager
def under_load(client_for: Callable[[int], httpx.Client],
               send: Callable[[httpx.Client, int, str], Hashable],
               workers: int = 8) -> Iterator[Load]:
    """``workers`` threads, each with its own client (``client_for(worker)``), sending the
    eval questions in turn (``send(client, worker, question)``) until the block ends; the
    block starts once 40 requests have been answered. A failure in
    the block stops the load (leaving the pool would otherwise wait forever); a failure in a
    load thread is raised when the block ends."""
    load = Load()
    pool = questions()

    def run(worker: int) -> None:
        with client_for(worker) as client:
            i = worker
            while not load.stop.is_set():
                load.count(send(client, worker, pool[i % len(pool)]))
                i += workers

    with ThreadPoolExecutor(workers) as threads:
        running = [threads.submit(run, w) for w in range(workers)]
        try:
            load.more(40, "load running")
            yield load
        finally:
            load.stop.set()
        for r in running:
            r.result()


# -- the store frozen, killed, away at start --------------------------------------------------


def test_frozen_store_gives_503_and_the_rest_keeps_answering(chroma: Chroma,
                                                             service: Service) -> None:
    fresh = random.Random(1).sample(questions(), 8)
    with service.client(timeout=30) as client:
        assert ask(client, QUESTION)[0] == 200
        chroma.freeze()
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda q: search(client, q), fresh))
            # the store-free routes, while those questions wait on the frozen store
            side = {path: timed_get(client, path) for path in
                    ("/healthz", "/widget.js", "/", "/metrics", "/v1/agencies",
                     "/v1/documents/tianjin-2022/clauses/9", "/v1/targets")}
        # a question asked before is the answer given then (the answer cache), store or not
        cached = ask(client, QUESTION)
        after = ask(client, fresh[0])  # a new question, breaker open: no wait
        ready = client.get("/readyz")
        print(f"\nfrozen store: {len(answers)} searches → "
              f"{Counter((a[0], a[1]) for a in answers)}, slowest "
              f"{max(a[3] for a in answers):.2f} s; with the breaker open {after[3]*1000:.0f} ms; "
              + ", ".join(f"{p} {s*1000:.0f} ms" for p, (_, s) in side.items()))
        assert all(status == 503 and code in ("store_unavailable", "overloaded")
                   and retry.isdigit() for status, code, retry, _ in answers)
        # two questions at a time (the cap): the rest are shed at once
        assert {a[1] for a in answers} == {"store_unavailable", "overloaded"}
        assert {p: s for p, (s, _) in side.items()} == dict.fromkeys(side, 200)
        assert cached[0] == 200
        assert after[:2] == (503, "store_unavailable")
        assert (ready.status_code, ready.json()["status"]) == (503, "store_unavailable")
        chroma.thaw()
        service.wait_ready(60)
        assert ask(client, fresh[0])[0] == 200


def test_killed_store_gives_503_and_recovers_without_restart(chroma: Chroma,
                                                              service: Service) -> None:
    pid = service.pid
    with service.client() as client:
        assert ask(client, QUESTION)[0] == 200
        chroma.kill()
        down = [search(client, q) for q in questions()[:5]]
        ready = client.get("/readyz")
        chroma.start()  # the same port and data
        attempts = 0

        def answered() -> bool:
            nonlocal attempts
            attempts += 1  # a search asks the store every time (an answer may be cached)
            return search(client, QUESTION)[0] == 200

        wait_for(answered, "answering after the store came back", 60, 0.5)
        print(f"\nkilled store: {Counter((a[0], a[1]) for a in down)}, slowest "
              f"{max(a[3] for a in down)*1000:.0f} ms; answering again after {attempts} tries")
    assert all(a[:2] == (503, "store_unavailable") and a[2].isdigit() for a in down)
    assert (ready.status_code, ready.json()["status"]) == (503, "store_unavailable")
    assert service.alive() and service.pid == pid


def test_serves_while_the_index_opens(chroma: Chroma, fault_index: Path,
                                      tmp_path: Path) -> None:
    """The store frozen at start: the service listens at once, serves the structure, answers
    questions 503 "building" and opens the index when the store is back."""
    svc = Service(tmp_path, service_settings(chroma, fault_index, "faults"))
    chroma.freeze()
    try:
        svc.start()
        with svc.client() as client:
            health = client.get("/healthz").json()
            ready = client.get("/readyz")
            question = client.post("/v1/ask", json={"question": QUESTION})
            search = client.get("/v1/search", params={"q": QUESTION})
            structure = {p: client.get(p).status_code for p in (
                "/v1/documents", "/v1/documents/tianjin-2022/clauses/9", "/v1/agencies",
                "/v1/agencies/发改委/duties", "/v1/targets", "/widget.js", "/")}
            chroma.thaw()
            svc.wait_ready(120)
            after = client.post("/v1/ask", json={"question": QUESTION})
    finally:
        svc.stop()
        restored(chroma)
    assert (health["status"], health["state"]) == ("ok", "building")
    assert (ready.status_code, ready.json()["status"], ready.headers["retry-after"]) == (
        503, "building", "5")
    for response in (question, search):
        assert (response.status_code, response.json()["error"]["code"]) == (503, "building")
        assert response.headers["retry-after"] == "5"
    assert structure == dict.fromkeys(structure, 200)
    assert after.json()["citations"][0]["lead_agency"] == LEAD


# -- integrity and leftovers ------------------------------------------------------------------


def test_a_corrupt_index_is_refused_or_rebuilt(chroma: Chroma, embedder: MemoEmbedder,
                                               tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    build(chroma, data_dir, "corrupt", embedder)
    location = IndexLocation(data_dir)
    manifest = location.manifest()
    assert manifest is not None
    lexical = location.dir / manifest.lexical_dir
    # the chunk-id list shifted by one, and random bytes in another file
    ids_file = lexical / "chunk_ids.json"
    ids = json.loads(ids_file.read_text(encoding="utf-8"))
    ids_file.write_text(json.dumps(ids[1:] + ids[:1]), encoding="utf-8")
    other = next(p for p in sorted(lexical.iterdir()) if p.name != "chunk_ids.json")
    blob = bytearray(other.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    other.write_bytes(bytes(blob))
    # what a build killed half-way leaves: a collection and a lexical folder nobody names
    store = get_store(chroma.settings, data_dir)
    store.create("corrupt-20000101000000-dead00")
    store.close()
    (location.dir / "lexical-corrupt-20000101000000-dead00").mkdir()

    refusing = Service(tmp_path, service_settings(chroma, data_dir, "corrupt",
                                                  SEARCH__ON_CORRUPT_INDEX="refuse"))
    refusing.start()
    try:
        with refusing.client() as client:
            wait_for(lambda: client.get("/healthz").json()["state"] == "failed",
                     "refused", 60, 0.2)
            ready = client.get("/readyz").json()
            question = client.post("/v1/ask", json={"question": QUESTION})
    finally:
        refusing.stop()
    assert ready["status"] == "failed"
    assert "does not match its checksum; run `policy-assistant index --rebuild`" in (
        ready["detail"])
    assert (question.status_code, question.json()["error"]["code"]) == (503, "unavailable")

    rebuilding = Service(tmp_path, service_settings(chroma, data_dir, "corrupt"))
    rebuilding.start()
    try:
        rebuilding.wait_ready()
        with rebuilding.client() as client:
            answer = client.post("/v1/ask", json={"question": QUESTION}).json()
    finally:
        rebuilding.stop()
    fixed = location.manifest()
    assert fixed is not None and fixed.collection != manifest.collection
    assert answer["citations"][0]["lead_agency"] == LEAD
    store = get_store(chroma.settings, data_dir)
    try:
        assert {c for c in store.collections() if c.startswith("corrupt-")} == {
            fixed.collection}
    finally:
        store.close()
    assert [p.name for p in location.dir.glob("lexical-*")] == [fixed.lexical_dir]
    print(f"\ncorrupt index: refused with {ready['detail']!r}; rebuilt as {fixed.collection}")


# -- reindex under load -----------------------------------------------------------------------


def test_reindex_of_a_changed_corpus_under_load_fails_no_request(
        chroma: Chroma, embedder: MemoEmbedder, corpus_dir: Path, tmp_path: Path) -> None:
    corpus_copy = tmp_path / "corpus"
    shutil.copytree(corpus_dir, corpus_copy, ignore=shutil.ignore_patterns("__pycache__"))
    data_dir = tmp_path / "data"
    build(chroma, data_dir, "reindex", embedder, corpus_copy)
    svc = Service(tmp_path, service_settings(
        chroma, data_dir, "reindex", CORPUS__DIR=corpus_copy, SERVER__ADMIN_TOKEN="s3cret",
        SERVER__MAX_CONCURRENT_QUESTIONS=32, SERVER__GENERATION_GRACE=2))
    svc.start()

    def ask_or_search(client: httpx.Client, worker: int, q: str) -> int:
        """Half the threads ask, half search (every search asks the store)."""
        return (client.post("/v1/ask", json={"question": q}) if worker % 2 else
                client.get("/v1/search", params={"q": q})).status_code

    try:
        svc.wait_ready()
        text = (corpus_copy / TIANJIN_FILE).read_text(encoding="utf-8")
        with under_load(lambda _: svc.client(), ask_or_search) as load:
            (corpus_copy / TIANJIN_FILE).write_text(text.replace(OLD_9_2, NEW_9_2),
                                                    encoding="utf-8")
            with svc.client(timeout=300) as admin:
                auth = {"Authorization": "Bearer s3cret"}
                with ThreadPoolExecutor(2) as two:
                    both = list(two.map(lambda _: admin.post("/v1/admin/reindex",
                                                             headers=auth), range(2)))
            load.more(40, "load after the reindex")
        # what the two reindexes answered, before anything builds on it: one built the
        # changed corpus, the other found it running (409) or already built
        codes = sorted(r.status_code for r in both)
        reports = [r.json() for r in both if r.status_code == 200]
        assert codes in ([200, 200], [200, 409]), [(r.status_code, r.text[:300]) for r in both]
        assert sorted(r["changed"] for r in reports) in ([True], [False, True]), reports
        with svc.client() as client:
            hits = client.get("/v1/search", params={"q": "城乡冷链配送骨干网络"}).json()
        manifest = IndexLocation(data_dir).manifest()
        assert manifest is not None
        store = get_store(chroma.settings, data_dir)
        try:
            wait_for(lambda: {c for c in store.collections() if c.startswith("reindex-")}
                     == {manifest.collection}, "old generation dropped", 30)
            # more reindexes, the corpus changed back and forth: no files kept per swap
            resources = [_resources(svc.pid)]
            with svc.client(timeout=300) as admin:
                for i in range(4):
                    (corpus_copy / TIANJIN_FILE).write_text(
                        text if i % 2 == 0 else text.replace(OLD_9_2, NEW_9_2), encoding="utf-8")
                    again = admin.post("/v1/admin/reindex",
                                       headers={"Authorization": "Bearer s3cret"})
                    assert again.status_code == 200 and again.json()["changed"], again.text
                    admin.post("/v1/ask", json={"question": QUESTION}).raise_for_status()
            wait_for(lambda: len({c for c in store.collections()
                                  if c.startswith("reindex-")}) == 1, "all dropped", 30)
            resources.append(_resources(svc.pid))
        finally:
            store.close()
    finally:
        svc.stop()
    print(f"\nreindex under c=8: {dict(load.answers)} across reindexes answered {codes}, "
          f"{[(r['added'], r['kept'], r['changed']) for r in reports]}; open files and RSS "
          f"(MiB) before / after 4 more reindexes: {resources}")
    assert resources[1][0] <= resources[0][0] + 2  # connections may vary by one or two
    assert [p.name for p in (data_dir / "index").glob("lexical-*")] == [manifest.lexical_dir] \
        or len(list((data_dir / "index").glob("lexical-*"))) == 1
    assert set(load.answers) == {200} and load.total >= 80
    assert any(r["changed"] and r["added"] >= 1 for r in reports)
    assert "城乡冷链配送骨干网络" in hits[0]["text"]


def test_a_reindex_waits_out_a_slow_store_that_questions_do_not(
        chroma: Chroma, embedder: MemoEmbedder, corpus_dir: Path, tmp_path: Path) -> None:
    """A reindex's store calls have the build deadline (STORE__BUILD_TIMEOUT) and a breaker of
    their own; questions keep STORE__TIMEOUT. With the store frozen for longer than the
    question deadline while a reindex runs, questions get 503 at once and the reindex builds
    the changed corpus when the store is back (it used to fail with 503 and build nothing:
    the flake of the reindex tests above on a loaded machine)."""
    corpus_copy = tmp_path / "corpus"
    shutil.copytree(corpus_dir, corpus_copy, ignore=shutil.ignore_patterns("__pycache__"))
    data_dir = tmp_path / "data"
    build(chroma, data_dir, "slowbuild", embedder, corpus_copy)
    svc = Service(tmp_path, service_settings(
        chroma, data_dir, "slowbuild", CORPUS__DIR=corpus_copy, SERVER__ADMIN_TOKEN="s3cret",
        STORE__TIMEOUT=0.5, STORE__BUILD_TIMEOUT=60))
    svc.start()
    try:
        svc.wait_ready()
        text = (corpus_copy / TIANJIN_FILE).read_text(encoding="utf-8")
        (corpus_copy / TIANJIN_FILE).write_text(text.replace(OLD_9_2, NEW_9_2),
                                                encoding="utf-8")
        with svc.client(timeout=300) as client, ThreadPoolExecutor(1) as one:
            chroma.freeze()
            try:
                reindex = one.submit(client.post, "/v1/admin/reindex",
                                     headers={"Authorization": "Bearer s3cret"})
                wait_for(lambda: bool(client.get("/healthz").json()["reindexing"])
                         or reindex.done(), "reindex started", 60)
                frozen = search(client, "绿色建筑")
                # the store stays frozen a while after the reindex has reached it, or until
                # the reindex has answered (it did, with 503, before the build deadline)
                wait([reindex], timeout=5)
            finally:
                chroma.thaw()
            answered = reindex.result()
            wait_for(lambda: search(client, "城乡冷链配送骨干网络")[0] == 200, "answering", 60)
            hits = client.get("/v1/search", params={"q": "城乡冷链配送骨干网络"}).json()
    finally:
        svc.stop()
        restored(chroma)
    print(f"\nslow store: a question while frozen {frozen[:2]} in {frozen[3]:.2f} s; the "
          f"reindex {answered.status_code} {answered.text[:200]}")
    assert frozen[:2] == (503, "store_unavailable")
    assert answered.status_code == 200, answered.text
    assert answered.json()["changed"] and answered.json()["added"] >= 1
    assert "城乡冷链配送骨干网络" in hits[0]["text"]


def test_two_replicas_follow_a_reindex_with_no_failed_request(
        chroma: Chroma, embedder: MemoEmbedder, corpus_dir: Path, tmp_path: Path) -> None:
    """Two service processes, one data directory, one Chroma server: a reindex on one is
    served by both, the old generation is dropped only after both have left it, and no request
    to either fails."""
    corpus_copy = tmp_path / "corpus"
    shutil.copytree(corpus_dir, corpus_copy, ignore=shutil.ignore_patterns("__pycache__"))
    data_dir = tmp_path / "data"
    build(chroma, data_dir, "replicas", embedder, corpus_copy)
    settings = service_settings(chroma, data_dir, "replicas", CORPUS__DIR=corpus_copy,
                                SERVER__ADMIN_TOKEN="s3cret", SERVER__GENERATION_POLL=0.5,
                                SERVER__GENERATION_GRACE=5,
                                SERVER__MAX_CONCURRENT_QUESTIONS=32)
    replicas = [Service(tmp_path, settings), Service(tmp_path, settings)]

    def search_at(client: httpx.Client, worker: int, q: str) -> tuple[int, int]:
        """(which replica, status): the even threads ask one replica, the odd the other."""
        return worker % 2, client.get("/v1/search", params={"q": q}).status_code

    def collections() -> set[str]:
        store = get_store(chroma.settings, data_dir)
        try:
            return {c for c in store.collections() if c.startswith("replicas-")}
        finally:
            store.close()

    def serving(replica: Service) -> str:
        return str(httpx.get(f"{replica.base}/healthz", timeout=10).json()["collection"])

    try:
        for replica in replicas:
            replica.start()
        for replica in replicas:
            replica.wait_ready()
        before = collections()
        text = (corpus_copy / TIANJIN_FILE).read_text(encoding="utf-8")
        with under_load(lambda worker: replicas[worker % 2].client(), search_at) as load:
            (corpus_copy / TIANJIN_FILE).write_text(text.replace(OLD_9_2, NEW_9_2),
                                                    encoding="utf-8")
            auth = {"Authorization": "Bearer s3cret"}
            with ThreadPoolExecutor(2) as two:  # one on each replica at once
                both = list(two.map(lambda r: httpx.post(f"{r.base}/v1/admin/reindex",
                                                         headers=auth, timeout=300),
                                    replicas))
            codes = sorted(r.status_code for r in both)
            # one built the changed corpus; the other found it running (409) or built (200)
            assert codes in ([200, 200], [200, 409]), [(r.status_code, r.text[:300])
                                                        for r in both]
            changed = [r.json()["collection"] for r in both
                       if r.status_code == 200 and r.json()["changed"]]
            assert len(changed) == 1, [r.json() for r in both if r.status_code == 200]
            new = changed[0]
            wait_for(lambda: all(serving(r) == new for r in replicas), "both follow", 60)
            wait_for(lambda: collections() == {new}, "old generation dropped", 60, 0.5)
            load.more(40, "load after the drop")
    finally:
        for replica in replicas:
            replica.stop()
    print(f"\ntwo replicas: {dict(load.answers)}; reindex answered {codes}; "
          f"{len(before)} → {new}")
    assert {status for _, status in load.answers} == {200}
    assert {replica for replica, _ in load.answers} == {0, 1}


# -- HTTP limits --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def limited(chroma: Chroma, fault_index: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    svc = Service(tmp_path_factory.mktemp("limited"), service_settings(
        chroma, fault_index, "faults", SERVER__HEADER_TIMEOUT=1, SERVER__BODY_TIMEOUT=1,
        SERVER__KEEP_ALIVE=1, SERVER__RATE_LIMIT_PER_MINUTE=1, SERVER__RATE_LIMIT_BURST=1,
        SERVER__TRUSTED_PROXIES='["127.0.0.1"]'))
    svc.start()
    try:
        svc.wait_ready()
        yield svc
    finally:
        svc.stop()


def raw(port: int, data: bytes, pause: float = 0.0, pieces: int = 1) -> tuple[bytes, float]:
    """Send ``data`` (in ``pieces`` with ``pause`` between them), read to EOF: (reply, s)."""
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        size = max(1, len(data) // pieces) if data else 0
        try:
            for i in range(0, len(data), size or 1):
                sock.sendall(data[i:i + size])
                if pause:
                    time.sleep(pause)
        except OSError:
            pass  # the server has answered and closed
        reply = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            reply += chunk
    return reply, time.perf_counter() - started


def status_and_body(reply: bytes) -> tuple[int, dict[str, Any]]:
    head, _, body = reply.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body)


def test_oversized_and_too_many_headers_get_431(limited: Service) -> None:
    with limited.client() as client:
        big = client.get("/healthz", headers={"X-Big": "a" * 1_000_000})
        many = client.get("/healthz", headers={f"X-H{i}": "1" for i in range(100)})
        fine = client.get("/healthz", headers={"X-Fine": "a" * 4000})
    assert (big.status_code, big.json()) == (431, {"error": {
        "code": "headers_too_large", "message": "the request headers are larger than 16384 "
                                                "bytes"}})
    assert (many.status_code, many.json()["error"]["code"]) == (431, "headers_too_large")
    assert fine.status_code == 200
    malformed, _ = raw(limited.port, b"NOT HTTP AT ALL\x00\r\n\r\n")
    assert status_and_body(malformed) == (400, {"error": {
        "code": "bad_request", "message": "the request is not valid HTTP/1.1"}})


def test_slow_and_idle_clients_are_dropped(limited: Service) -> None:
    idle, idle_s = raw(limited.port, b"")
    trickled, trickled_s = raw(limited.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
                               + b"X-Slow: 1\r\n" * 20, pause=0.2, pieces=20)
    body, body_s = raw(limited.port, b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: "
                       b"application/json\r\nContent-Length: 100\r\n\r\n{\"q", pause=3)
    kept, kept_s = raw(limited.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    # twenty silent connections: all closed by the server
    socks = [socket.create_connection(("127.0.0.1", limited.port), timeout=15)
             for _ in range(20)]
    closed = 0
    for sock in socks:
        with sock:
            while sock.recv(65536):
                pass
            closed += 1
    print(f"\nslow clients: idle dropped after {idle_s:.1f} s, trickled headers "
          f"{trickled_s:.1f} s, trickled body {body_s:.1f} s, idle keep-alive {kept_s:.1f} s, "
          f"{closed}/20 silent connections closed")
    assert status_and_body(idle) == (408, {"error": {
        "code": "request_timeout", "message": "the request headers did not arrive within 1 s"}})
    assert status_and_body(trickled)[0] == 408
    assert status_and_body(body) == (408, {"error": {
        "code": "request_timeout", "message": "the request body did not arrive within 1 s"}})
    assert kept.startswith(b"HTTP/1.1 200")  # answered, then closed when idle
    assert closed == 20


def test_head_wherever_get_exists(limited: Service) -> None:
    with limited.client() as client:
        for path in ("/", "/widget.js", "/healthz", "/v1/documents", "/docs", "/metrics"):
            get, head = client.get(path), client.head(path)
            assert (head.status_code, head.content) == (get.status_code, b""), path
            assert head.headers["content-type"] == get.headers["content-type"], path


def test_forged_forwarded_for_changes_no_client(limited: Service) -> None:
    """127.0.0.1 is the trusted proxy; 127.0.0.2 is any other peer. One question a minute."""
    q = "岸电建设由哪个部门牵头"
    from_peer = httpx.Client(base_url=limited.base, timeout=30,
                             transport=httpx.HTTPTransport(local_address="127.0.0.2"))
    with from_peer, limited.client() as via_proxy:
        peer = [from_peer.get("/v1/search", params={"q": q},
                              headers={"X-Forwarded-For": xff}).status_code
                for xff in ("198.51.100.1", "198.51.100.2", "127.0.0.1")]
        proxied = [via_proxy.get("/v1/search", params={"q": q},
                                 headers={"X-Forwarded-For": xff}).status_code
                   for xff in ("6.6.6.6, 203.0.113.5", "7.7.7.7, 203.0.113.5", "203.0.113.9",
                               "203.0.113.9, 127.0.0.1")]
    print(f"\nforwarded-for: untrusted peer {peer}, through the proxy {proxied}")
    assert peer == [200, 429, 429]  # one client whatever it writes
    assert proxied == [200, 429, 200, 429]  # the right-most untrusted address is the client
    log = limited.log()
    assert "GET /v1/search 200" in log and "GET /v1/search 429" in log
    for secret in (q, quote(q), "198.51.100", "203.0.113", "6.6.6.6"):
        assert secret not in log


# -- SIGTERM ----------------------------------------------------------------------------------


def test_sigterm_drains_the_request_in_flight(chroma: Chroma, fault_index: Path,
                                              tmp_path: Path) -> None:
    svc = Service(tmp_path, service_settings(chroma, fault_index, "faults",
                                             STORE__TIMEOUT=30))
    svc.start()
    try:
        svc.wait_ready()
        with svc.client(timeout=60) as client, ThreadPoolExecutor(1) as pool:
            assert client.get("/healthz").status_code == 200  # a keep-alive connection
            chroma.freeze()
            in_flight = pool.submit(client.post, "/v1/ask", json={"question": QUESTION})
            time.sleep(1.0)  # sequencing only: let the request reach the frozen store
            svc.signal(signal.SIGTERM)
            time.sleep(0.5)
            draining = svc.alive()
            chroma.thaw()
            response = in_flight.result()
        code = svc.proc.wait(timeout=60) if svc.proc else None
    finally:
        svc.stop()
        restored(chroma)
    print(f"\nSIGTERM: in-flight answered {response.status_code}, exit status {code}")
    assert draining
    assert response.status_code == 200 and response.json()["citations"]
    # uvicorn shuts down cleanly, then lets the signal end the process (its exit status)
    assert code in (0, -signal.SIGTERM)
    assert "Finished server process" in svc.log()
