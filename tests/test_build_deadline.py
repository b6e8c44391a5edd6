"""A build talks to a Chroma server with the build deadline, not the questions' one.

``policy-assistant index`` (as ``add``, ``remove`` and the service's start-up build, all
through ``build_from_settings``) against a real Chroma server that freezes (SIGSTOP) just as
the build starts adding the changed chunks, for longer than STORE__TIMEOUT: the build waits
for the server (STORE__BUILD_TIMEOUT) and completes. With the questions' deadline it failed
with "the vector store is unavailable" and built nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import MemoEmbedder
from procs import ROOT, Chroma, wait_for

from core.settings import Settings
from indexing.corpus import Corpus
from indexing.index import IndexLocation, build_index
from indexing.store import get_store

pytestmark = pytest.mark.faults

TIANJIN_FILE = "tianjin-2022-notice.txt"
OLD_9_2 = "发展甩挂运输、共同配送。"
NEW_9_2 = "发展甩挂运输、共同配送，建设城乡冷链配送骨干网络。"
FROZEN_SECONDS = 4.0


@pytest.fixture(scope="module")
def chroma(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chroma]:
    server = Chroma(tmp_path_factory.mktemp("build-chroma"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_the_cli_build_waits_out_a_store_slower_than_a_question_may_wait(
        chroma: Chroma, embedder: MemoEmbedder, corpus_dir: Path, tmp_path: Path) -> None:
    corpus_copy = tmp_path / "corpus"
    shutil.copytree(corpus_dir, corpus_copy, ignore=shutil.ignore_patterns("__pycache__"))
    data_dir = tmp_path / "data"
    store_settings = chroma.settings.model_copy(update={"collection": "clibuild", "timeout": 30})
    store = get_store(store_settings, data_dir)
    try:  # the index as it is, built here with the memoised embedder
        build_index(Corpus.load(corpus_copy), corpus_copy, data_dir, embedder, store, "chroma",
                    "clibuild")
    finally:
        store.close()
    before = IndexLocation(data_dir).manifest()
    text = (corpus_copy / TIANJIN_FILE).read_text(encoding="utf-8")
    (corpus_copy / TIANJIN_FILE).write_text(text.replace(OLD_9_2, NEW_9_2), encoding="utf-8")

    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICY_ASSISTANT_")}
    env["PYTHONPATH"] = str(ROOT)
    env.update({f"POLICY_ASSISTANT_{k}": str(v) for k, v in {
        "DATA_DIR": data_dir, "CORPUS__DIR": corpus_copy, "STORE__HOST": "127.0.0.1",
        "STORE__PORT": chroma.port, "STORE__COLLECTION": "clibuild", "STORE__TIMEOUT": 0.5,
        "STORE__BREAKER_RESET": 1, "STORE__BUILD_TIMEOUT": 60}.items()})
    cli = subprocess.Popen([sys.executable, "-m", "ui.cli", "index"], env=env, cwd=tmp_path,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    said: list[str] = []
    reader = threading.Thread(target=lambda: said.extend(iter(
        lambda: cli.stderr.read(1) if cli.stderr else "", "")), daemon=True)
    reader.start()
    frozen_at = None
    try:
        # the progress line's first "embedding": what changed is about to be added
        wait_for(lambda: "embedding" in "".join(said) or cli.poll() is not None,
                 "the build started", 180, 0.05)
        chroma.freeze()
        frozen_at = time.monotonic()
        time.sleep(FROZEN_SECONDS)
    finally:
        chroma.thaw()
    out, _ = cli.communicate(timeout=300)
    reader.join(10)
    wait_for(chroma.up, "chroma answering", 30)
    after = IndexLocation(data_dir).manifest()
    print(f"\nbuild with the store frozen {FROZEN_SECONDS:.0f} s (STORE__TIMEOUT 0.5 s): exit "
          f"{cli.returncode}, {out.strip()[:200]} {''.join(said)[-300:]!r}")
    assert frozen_at is not None
    assert cli.returncode == 0, "".join(said)
    assert "embedded" in out
    assert before is not None and after is not None
    assert after.collection != before.collection and after.corpus_hash != before.corpus_hash


def test_the_served_index_keeps_the_questions_deadline(
        chroma: Chroma, embedder: MemoEmbedder, corpus_dir: Path, tmp_path: Path) -> None:
    """ensure_index builds with the build deadline but returns an index whose store client has
    STORE__TIMEOUT: a question never waits a build's minute."""
    from indexing.index import ensure_index

    settings = Settings(data_dir=tmp_path / "data")
    settings.corpus.dir = corpus_dir
    settings.store = chroma.settings.model_copy(update={
        "collection": "deadline", "timeout": 0.5, "build_timeout": 60})
    store = get_store(settings.store.for_builds(), settings.data_dir)
    try:
        build_index(Corpus.load(corpus_dir), corpus_dir, settings.data_dir, embedder, store,
                    "chroma", "deadline")
    finally:
        store.close()
    index, report = ensure_index(settings, Corpus.load(corpus_dir))
    try:
        assert not report.changed
        assert index.store.deadline == 0.5
    finally:
        index.store.close()
