"""Adding and removing a document on the running service, as an operator does it: the service
process (``python -m ui.cli serve``) over a real Chroma server, a PDF of the shared extra corpus
uploaded to ``POST /v1/admin/documents``, then asked about and its clauses fetched, then
removed — with questions asked all along, none failing, and no restart. Part of the fault suite
(``make test-faults``)."""

from __future__ import annotations

import shutil
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import MemoEmbedder
from procs import Chroma, Service, wait_for

from core.settings import CorpusSettings, Settings
from indexing.corpus import Corpus
from indexing.index import build_index
from indexing.store import get_store

pytestmark = pytest.mark.faults

EXTRA = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "extra"
PDF = EXTRA / "pdf" / "tianjin-2022-energy-saving.pdf"
DOC = "tianjin-2022-energy-saving"
AUTH = {"Authorization": "Bearer s3cret"}
QUESTION = "挥发性有机物综合整治工程由哪些部门负责？"


@pytest.fixture(scope="module")
def chroma(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chroma]:
    server = Chroma(tmp_path_factory.mktemp("documents-chroma"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def cited(client: httpx.Client) -> list[tuple[str, int]]:
    response = client.post("/v1/ask", json={"question": QUESTION})
    response.raise_for_status()
    return [(c["doc_id"], c["clause_no"]) for c in response.json()["citations"]]


def test_a_running_service_serves_an_added_pdf_and_forgets_a_removed_one(
        chroma: Chroma, embedder: MemoEmbedder, corpus_dir: Path, tmp_path: Path) -> None:
    corpus_copy = tmp_path / "corpus"
    shutil.copytree(corpus_dir, corpus_copy, ignore=shutil.ignore_patterns("__pycache__"))
    data_dir = tmp_path / "data"
    settings = Settings(data_dir=data_dir, corpus=CorpusSettings(dir=corpus_copy),
                        store=chroma.settings.model_copy(update={"collection": "documents",
                                                                 "timeout": 30}))
    store = get_store(settings.store, data_dir)
    try:  # built here with the memoised embedder: the service only opens it
        build_index(Corpus.load(corpus_copy), corpus_copy, data_dir, embedder, store, "chroma",
                    "documents")
    finally:
        store.close()
    svc = Service(tmp_path, {
        "DATA_DIR": data_dir, "CORPUS__DIR": corpus_copy, "STORE__HOST": "127.0.0.1",
        "STORE__PORT": chroma.port, "STORE__COLLECTION": "documents", "STORE__TIMEOUT": 30,
        "SERVER__ADMIN_TOKEN": "s3cret", "SERVER__GENERATION_GRACE": 1,
        "SERVER__RATE_LIMIT_PER_MINUTE": 1_000_000, "SERVER__RATE_LIMIT_BURST": 1_000_000})
    svc.start()
    statuses: Counter[int] = Counter()
    stop = threading.Event()

    def load() -> None:  # questions all along: the swaps fail none of them
        with svc.client() as client:
            while not stop.is_set():
                statuses[client.post("/v1/ask", json={"question": QUESTION}).status_code] += 1

    asking = threading.Thread(target=load)
    try:
        svc.wait_ready()
        pid = svc.pid
        with svc.client(timeout=600) as client:
            before = cited(client)
            asking.start()
            added = client.post("/v1/admin/documents", headers=AUTH,
                                files={"file": (PDF.name, PDF.read_bytes(), "application/pdf")})
            assert added.status_code == 200, added.text
            report = added.json()
            after = cited(client)
            clause = client.get(f"/v1/documents/{DOC}/clauses/三、（九）").json()
            documents = [d["doc_id"] for d in client.get("/v1/documents").json()]
            removed = client.delete(f"/v1/admin/documents/{DOC}", headers=AUTH)
            assert removed.status_code == 200, removed.text
            gone = client.get(f"/v1/documents/{DOC}/clauses/309")
            wait_for(lambda: sum(statuses.values()) >= 5, "questions during the changes", 120)
            stop.set()
            asking.join(60)
            finally_cited = cited(client)
        assert svc.alive() and svc.pid == pid  # no restart
    finally:
        stop.set()
        svc.stop()
    print(f"\nadded {DOC}: {report['index']['added']} chunks embedded, "
          f"{report['index']['kept']} kept; removed: {removed.json()['index']['removed']}; "
          f"questions meanwhile: {dict(statuses)}")
    assert (report["doc_id"], report["format"], report["clauses"]) == (DOC, "pdf", 21)
    assert report["index"]["kept"] > report["index"]["added"] > 0
    assert (DOC, 309) not in before and (DOC, 309) in after
    assert (clause["clause_no"], clause["clause_title"]) == (309, "挥发性有机物综合整治工程")
    assert documents[-1] == DOC
    assert gone.status_code == 404
    assert finally_cited == before
    assert set(statuses) == {200}
    assert Corpus.load(corpus_copy).documents[-1].doc_id == "zhongfa-2021-36"
