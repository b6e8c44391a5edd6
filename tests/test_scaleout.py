"""Scale-out on one machine, with real processes: ``serve --workers 2`` against a Chroma server
(each worker opens the index for itself, after it has started, and answers /readyz for itself;
one builds, the other waits), and the build lock's recovery from a builder killed mid-build.
Part of the fault suite (``make test-faults``)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from procs import Chroma, Service, rss_mib, wait_for

from indexing.build_lock import holder
from indexing.index import IndexLocation
from indexing.store import get_store

pytestmark = pytest.mark.faults

QUESTION = "谁负责岸电建设？"
LEAD = "市交通运输委"


@pytest.fixture(scope="module")
def chroma(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chroma]:
    server = Chroma(tmp_path_factory.mktemp("scaleout-chroma"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def settings(chroma: Chroma, data_dir: Path, prefix: str, **extra: object) -> dict[str, object]:
    return {"DATA_DIR": data_dir, "STORE__HOST": "127.0.0.1", "STORE__PORT": chroma.port,
            "STORE__COLLECTION": prefix, "STORE__TIMEOUT": 30,
            "SERVER__RATE_LIMIT_PER_MINUTE": 1_000_000, "SERVER__RATE_LIMIT_BURST": 1_000_000,
            **extra}


def collections(chroma: Chroma, data_dir: Path, prefix: str) -> set[str]:
    store = get_store(chroma.settings, data_dir)
    try:
        return {c for c in store.collections() if c.startswith(f"{prefix}-")}
    finally:
        store.close()


def probe(base: str, path: str) -> httpx.Response:
    """A new connection each time, so that either worker may take it."""
    with httpx.Client(base_url=base, timeout=30) as client:
        return client.get(path)


def test_two_workers_build_once_and_each_answers_for_itself(chroma: Chroma,
                                                            tmp_path: Path) -> None:
    """A cold start of ``serve --workers 2``: the index is built once (one collection) while
    both workers say "building"; then both are ready, on the same generation, and answer."""
    data_dir = tmp_path / "data"
    svc = Service(tmp_path, settings(chroma, data_dir, "workers"), workers=2)
    svc.start()
    seen: dict[int, set[str]] = {}
    try:
        def both_ready() -> bool:
            body = probe(svc.base, "/readyz").json()
            seen.setdefault(body["pid"], set()).add(body["status"])
            ready = {pid for pid, states in seen.items() if "ready" in states}
            return len(ready) == 2 and all(
                probe(svc.base, "/readyz").status_code == 200 for _ in range(6))

        wait_for(both_ready, "both workers ready", 600, 0.3)
        workers = svc.children()
        with svc.client() as client:
            answer = client.post("/v1/ask", json={"question": QUESTION}).json()
        served = {probe(svc.base, "/healthz").json()["collection"] for _ in range(10)}
        rss = {"parent": rss_mib(svc.pid), **{f"worker {p}": rss_mib(p) for p in workers}}
        built = collections(chroma, data_dir, "workers")
        svc.signal(signal.SIGTERM)
        code = svc.proc.wait(timeout=60) if svc.proc else None
    finally:
        svc.stop()
    manifest = IndexLocation(data_dir).manifest()
    print(f"\ntwo workers: states seen per worker {seen}; collections {built}; "
          f"RSS MiB {rss}; exit status {code}")
    assert manifest is not None and built == {manifest.collection} == served
    assert set(seen) == set(workers) and len(workers) == 2 and svc.pid not in seen
    assert all(states <= {"starting", "building", "ready"} for states in seen.values())
    assert answer["citations"][0]["lead_agency"] == LEAD
    assert code == 0
    log = svc.log()
    assert log.count("serving index") == 2


def test_a_builder_killed_mid_build_does_not_block_the_next(chroma: Chroma,
                                                            tmp_path: Path) -> None:
    """Replica A starts on an empty data directory and builds; B waits ("building", naming A);
    A is killed with SIGKILL mid-build; B takes the lock, removes A's partial collection
    (grace 0) and builds: one collection, and B answers."""
    data_dir = tmp_path / "data"
    index_dir = IndexLocation(data_dir).dir
    first = Service(tmp_path, settings(chroma, data_dir, "stale"))
    second = Service(tmp_path, settings(chroma, data_dir, "stale",
                                        SERVER__GENERATION_GRACE=0))
    try:
        first.start()
        wait_for(lambda: holder(index_dir).startswith(f"{first.pid}@")
                 and bool(collections(chroma, data_dir, "stale")), "A building", 120, 0.2)
        second.start()
        wait_for(lambda: "waiting" in probe(second.base, "/readyz").json()["detail"],
                 "B waiting", 60, 0.2)
        waiting = probe(second.base, "/readyz")
        partial = collections(chroma, data_dir, "stale")
        first.signal(signal.SIGKILL)
        second.wait_ready(600)
        with second.client() as client:
            answer = client.post("/v1/ask", json={"question": QUESTION}).json()
    finally:
        first.stop()
        second.stop()
    manifest = IndexLocation(data_dir).manifest()
    left = collections(chroma, data_dir, "stale")
    print(f"\nstale lock: B said {waiting.json()}; A's partial {partial}; after: {left}")
    assert (waiting.status_code, waiting.json()["status"]) == (503, "building")
    assert waiting.json()["detail"].startswith(f"waiting for the index build of {first.pid}@")
    assert manifest is not None and left == {manifest.collection}
    assert not partial & left
    assert answer["citations"][0]["lead_agency"] == LEAD
