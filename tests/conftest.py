"""Shared fixtures: the real corpus (parsed once), its agency registry, a DocumentMeta factory
for crafted texts, the real default embedder, a real Chroma server, the served index, and the
HTTP service over it (an app, a TestClient, a live uvicorn server)."""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.search import Searcher
from assistant.service import Assistant
from core.model import Answer, DocumentMeta, Level, Turn
from core.settings import CorpusSettings, EmbedderSettings, Settings, StoreSettings
from indexing.agencies import AgencyRegistry
from indexing.corpus import AGENCIES_FILE, Corpus
from indexing.embedders import Embedder, get_embedder
from indexing.index import Index, build_index, open_index
from indexing.store import get_store
from ui.app import create_app

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"

MetaFactory = Callable[..., DocumentMeta]


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file of a folder by content: to show a command changed nothing."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``policy-assistant ARGV`` in-process: (exit code, stdout, stderr)."""
    from ui.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def corpus_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the corpus folder that the settings point at: commands may edit it."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, target, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setenv("POLICY_ASSISTANT_CORPUS__DIR", str(target))
    # its own data folder: add and remove update an index only where one exists
    monkeypatch.setenv("POLICY_ASSISTANT_DATA_DIR", str(tmp_path / "data"))
    return target


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS_DIR


@pytest.fixture(scope="session")
def corpus(corpus_dir: Path) -> Corpus:
    return Corpus.load(corpus_dir)


@pytest.fixture(scope="session")
def registry(corpus_dir: Path) -> AgencyRegistry:
    return AgencyRegistry.load(corpus_dir / AGENCIES_FILE)


@pytest.fixture
def meta() -> MetaFactory:
    """``meta()`` or ``meta(doc_id="x", level=Level.NATIONAL)``: metadata for a crafted text."""

    def make(doc_id: str = "crafted", level: Level = Level.MUNICIPAL,
             file: str = "crafted.txt") -> DocumentMeta:
        return DocumentMeta(
            doc_id=doc_id,
            title="测试文件",
            short_title="测试",
            issuer="测试机关",
            number=None,
            date="2022-01-01",
            published=None,
            level=level,
            implements=(),
            file=file,
            english_title="Crafted test document",
        )

    return make


# -- the search index ----------------------------------------------------------------------


class MemoEmbedder:
    """The real default embedder with a memo, so that the many builds the tests make embed each
    text once per session. ``embedded`` counts the texts builds asked for, memo or not."""

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self._memo: dict[str, np.ndarray[Any, np.dtype[np.float32]]] = {}
        self.embedded = 0

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        self.embedded += len(texts)
        todo = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if todo:
            for text, vector in zip(todo, self._inner.embed_documents(todo), strict=True):
                self._memo[text] = vector
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([self._memo[t] for t in texts])

    def embed_query(self, text: str) -> np.ndarray[Any, np.dtype[np.float32]]:
        return self._inner.embed_query(text)


@pytest.fixture(scope="session")
def embedder() -> MemoEmbedder:
    return MemoEmbedder(get_embedder(EmbedderSettings()))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StoreSettings]:
    """A real Chroma server (``chroma run`` from the chromadb package) on a free local port."""
    chroma = Path(sys.executable).with_name("chroma")
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = (path / "server.log").open("wb")
    proc = subprocess.Popen([str(chroma), "run", "--path", str(path / "data"),
                             "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/api/v2/heartbeat"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                break
        except OSError as exc:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log.close()
                raise RuntimeError("chroma server did not start: "
                                   + (path / "server.log").read_text(errors="replace")[-2000:]
                                   ) from exc
            time.sleep(0.3)
    try:
        yield StoreSettings(host="127.0.0.1", port=port)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@dataclass
class Served:
    settings: Settings
    index: Index
    searcher: Searcher


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory, corpus: Corpus, corpus_dir: Path,
           embedder: MemoEmbedder) -> Served:
    """The real corpus indexed with the real default embedder in an embedded Chroma."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("served"))
    store = get_store(settings.store, settings.data_dir)
    build_index(corpus, corpus_dir, settings.data_dir, embedder, store, "chroma", "policy")
    index = open_index(corpus, corpus_dir, settings.data_dir, embedder, store)
    return Served(settings, index, Searcher(index, corpus, settings.search))


# -- the HTTP service ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def api_settings(served: Served) -> Settings:
    """The served index's settings for the HTTP service: no Gradio console, and rate limits
    so generous that no test meets them by accident."""
    server = served.settings.server.model_copy(
        update={"console": False, "rate_limit_per_minute": 1_000_000,
                "rate_limit_burst": 1_000_000})
    return served.settings.model_copy(update={"server": server})


@pytest.fixture(scope="session")
def api_assistant(corpus: Corpus, served: Served) -> Assistant:
    """The Assistant over the served index (the real embedder), shared by the service tests."""
    return Assistant(corpus, served.searcher, served.settings.assistant)


@pytest.fixture
def api_app(api_settings: Settings, api_assistant: Assistant) -> FastAPI:
    """A fresh app (its own metrics and rate limiter) serving ``api_assistant``."""
    return create_app(api_settings, api_assistant)


@pytest.fixture
def client(api_app: FastAPI) -> Iterator[TestClient]:
    """A TestClient of ``api_app``, lifespan run."""
    with TestClient(api_app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def live_server(api_settings: Settings, api_assistant: Assistant) -> Iterator[str]:
    """The app under uvicorn in a background thread on a free 127.0.0.1 port; yields its base
    URL ("http://127.0.0.1:PORT") and stops the server at the end of the session."""
    config = uvicorn.Config(create_app(api_settings, api_assistant), host="127.0.0.1",
                            port=_free_port(), log_level="warning", ws="none",
                            proxy_headers=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def assistant(corpus: Corpus, served: Served) -> Assistant:
    """The assistant over the session's index (a module may define its own)."""
    return Assistant(corpus, served.searcher, served.settings.assistant)


def talk(assistant: Assistant, *questions: str) -> Answer:
    """Ask the questions in turn, each with the conversation so far; the last answer."""
    history: list[Turn] = []
    answer = None
    for q in questions:
        answer = assistant.answer(q, history)
        history += [Turn("user", q), Turn("assistant", answer.answer)]
    assert answer is not None
    return answer


def cited_places(answer: Answer) -> set[tuple[str, int | None]]:
    return {(c.doc_id, c.clause_no) for c in answer.citations}


def answer_key(answer: Answer) -> tuple[object, ...]:
    """What two answers must share to be the same: route, text, flags, citations."""
    return (answer.route, answer.answer, answer.refused, answer.not_stated,
            tuple((c.doc_id, c.clause_no, c.provision, c.agencies) for c in answer.citations))


def fixed_answers(assistant: Assistant, corpus: Corpus) -> Iterator[tuple[str, Answer]]:
    """Every fixed question's answer, a follow-up with its conversation before it as a chat
    front end resends it (as evals.answers asks them)."""
    from evals.questions import load_questions

    history: list[Turn] = []
    previous: tuple[str, Answer] | None = None
    for q in load_questions(corpus):
        if q.follows is not None and previous is not None:
            history = [*history, Turn("user", previous[0]),
                       Turn("assistant", previous[1].answer)]
        else:
            history = []
        answer = assistant.answer(q.question, history)
        yield q.id, answer
        previous = (q.question, answer)


def add_plan(path: Path, settings: Settings) -> dict[str, Any]:
    """``policy-assistant add PATH --json`` against the corpus and data folders of
    ``settings`` (a test's copy): its report."""
    import io
    import json
    from contextlib import redirect_stderr, redirect_stdout

    from ui.cli import main

    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as env, redirect_stdout(out), redirect_stderr(err):
        env.setenv("POLICY_ASSISTANT_CORPUS__DIR", str(settings.corpus.dir))
        env.setenv("POLICY_ASSISTANT_DATA_DIR", str(settings.data_dir))
        env.setenv("POLICY_ASSISTANT_STORE__TIMEOUT", "30")
        code = main(["add", str(path), "--json"])
    assert code == 0, err.getvalue()
    report: dict[str, Any] = json.loads(out.getvalue())
    return report


def copied_corpus(tmp: Path, corpus_dir: Path, **updates: Any) -> Settings:
    """Settings over a copy of the corpus folder in ``tmp`` and a data folder beside it (a
    test that adds plans edits only the copy); ``updates``: further Settings fields."""
    folder = tmp / "corpus"
    shutil.copytree(corpus_dir, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return Settings(data_dir=tmp / "data", corpus=CorpusSettings(dir=folder),
                    store=StoreSettings(timeout=30), **updates)


def open_assistant(settings: Settings, embedder: Embedder) -> tuple[Corpus, Assistant]:
    """The corpus folder of ``settings`` as it is now, its index opened afresh."""
    corpus = Corpus.load(settings.corpus.dir)
    store = get_store(settings.store, settings.data_dir)
    index = open_index(corpus, settings.corpus.dir, settings.data_dir, embedder, store)
    return corpus, Assistant(corpus, Searcher(index, corpus, settings.search),
                             settings.assistant)
