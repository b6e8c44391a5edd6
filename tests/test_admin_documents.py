"""``POST /v1/admin/documents`` and ``DELETE /v1/admin/documents/{doc_id}`` in process: a real
index (embedded Chroma in tmp_path, the memoised real embedder) over a copy of the corpus, the
app serving it. An added document is searched, answered from and listed at once, only its own
chunks embedded; every bad upload gets its status and one clear message and changes nothing."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from conftest import MemoEmbedder
from fastapi.testclient import TestClient
from pydantic import SecretStr

from core.errors import EmbeddingError
from core.settings import CorpusSettings, Settings, StoreSettings
from indexing.corpus import Corpus
from indexing.index import IndexLocation, build_index, open_index
from indexing.ingest import inspect
from indexing.store import get_store
from ui.app import create_app
from ui.console_adding import AddingTab
from ui.documents import add_document
from ui.state import wire

EXTRA = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "extra"
PDF = EXTRA / "pdf" / "tianjin-2022-energy-saving.pdf"
DOC = "tianjin-2022-energy-saving"
TOKEN = "s3cret-admin"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def fingerprint(*folders: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for folder in folders for p in sorted(folder.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


class Failing:
    """The memoised embedder, made to fail while ``failing`` is set: a build that breaks off
    half-way (the store or the model gone), through the same interface as every embedder."""

    def __init__(self, inner: MemoEmbedder) -> None:
        self.inner = inner
        self.failing = False
        self.name, self.dimension = inner.name, inner.dimension

    def embed_documents(self, texts: Sequence[str]) -> Any:
        if self.failing:
            raise EmbeddingError("the embedder failed (on purpose)")
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> Any:
        return self.inner.embed_query(text)


class Admin:
    def __init__(self, client: TestClient, corpus_dir: Path, data_dir: Path,
                 embedder: Failing) -> None:
        self.client = client
        self.corpus_dir = corpus_dir
        self.data_dir = data_dir
        self.embedder = embedder

    def upload(self, path: Path, name: str | None = None, **fields: str) -> Any:
        with path.open("rb") as fh:
            return self.client.post("/v1/admin/documents", headers=AUTH, data=fields,
                                    files={"file": (name or path.name, fh)})

    def state(self) -> dict[str, str]:
        """The corpus folder and the index manifest, byte for byte."""
        manifest = IndexLocation(self.data_dir).manifest_path
        return {**fingerprint(self.corpus_dir), "manifest": manifest.read_text()}


@pytest.fixture(scope="module")
def admin(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path,
          embedder: MemoEmbedder) -> Iterator[Admin]:
    """One service for the module: each test leaves the corpus as it found it."""
    tmp_path = tmp_path_factory.mktemp("admin")
    copy = tmp_path / "corpus"
    shutil.copytree(corpus_dir, copy, ignore=shutil.ignore_patterns("__pycache__"))
    # a generous store deadline: these tests are about documents, not a store under load
    settings = Settings(data_dir=tmp_path / "data", corpus=CorpusSettings(dir=copy),
                        store=StoreSettings(timeout=30))
    settings.server = settings.server.model_copy(update={
        "admin_token": SecretStr(TOKEN), "generation_grace": 0, "generation_poll": 0,
        "rate_limit_per_minute": 1_000_000, "rate_limit_burst": 1_000_000,
        "max_upload_bytes": 2_000_000})
    corpus = Corpus.load(copy)
    store = get_store(settings.store, settings.data_dir)
    failing = Failing(embedder)
    build_index(corpus, copy, settings.data_dir, failing, store, "chroma", "policy")
    index = open_index(corpus, copy, settings.data_dir, failing, store)
    with TestClient(create_app(settings, wire(settings, corpus, index)),
                    raise_server_exceptions=False) as client:
        yield Admin(client, copy, settings.data_dir, failing)


def test_add_a_pdf_ask_about_it_fetch_its_clauses_and_remove_it(admin: Admin,
                                                                corpus: Corpus) -> None:
    client = admin.client
    before = admin.state()
    chunks_before = client.get("/healthz").json()["chunks"]

    dry = admin.upload(PDF, dry_run="true")
    assert dry.status_code == 200
    expected = inspect(PDF, corpus.registry, None, tuple(d.meta for d in corpus.documents))
    assert dry.json() == {**expected.report(), "source": PDF.name}
    assert admin.state() == before
    assert client.get(f"/v1/documents/{DOC}/clauses/301").status_code == 404

    embedded = admin.embedder.inner.embedded
    added = admin.upload(PDF)
    assert added.status_code == 200, added.text
    report = added.json()
    assert (report["doc_id"], report["clauses"], report["brackets"]) == (DOC, 21, 21)
    assert report["added"].endswith(f"{DOC}.txt")
    # only the new document's chunks were embedded; every other vector was reused
    assert report["index"]["added"] == admin.embedder.inner.embedded - embedded > 0
    assert report["index"]["kept"] == chunks_before
    assert client.get("/healthz").json()["chunks"] == chunks_before + report["index"]["added"]

    listed = [d["doc_id"] for d in client.get("/v1/documents").json()]
    assert listed == ["tianjin-2022", "guofa-2021-4", "zhongfa-2021-36", DOC]
    for form in ("309", "三、（九）", "三（九）", "3.9"):
        clause = client.get(f"/v1/documents/{DOC}/clauses/{form}")
        assert clause.status_code == 200
        assert (clause.json()["clause_no"], clause.json()["clause_title"]) == \
            (309, "挥发性有机物综合整治工程")
    duties = client.get("/v1/agencies/市公安交管局/duties")  # named only by the new plan
    assert duties.status_code == 200
    assert {d["doc_id"] for d in duties.json()["duties"]} == {DOC}
    assert "市公安交管局" in [a["name"] for a in client.get("/v1/agencies").json()]
    hits = client.get("/v1/search", params={"q": "挥发性有机物综合整治工程", "k": 3}).json()
    assert (hits[0]["doc_id"], hits[0]["clause_no"]) == (DOC, 309)
    answer = client.post("/v1/ask", json={"question": "挥发性有机物综合整治工程由哪些部门负责？"})
    assert answer.status_code == 200
    body = answer.json()
    assert not body["refused"]
    assert body["answer"].startswith("这项工作由市工业和信息化局牵头")
    assert [(c["doc_id"], c["clause_no"], c["lead_agency"]) for c in body["citations"]] == \
        [(DOC, 309, "市工业和信息化局")]

    again = admin.upload(PDF)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "duplicate_document"

    removed = client.delete(f"/v1/admin/documents/{DOC}", headers=AUTH)
    assert removed.status_code == 200, removed.text
    assert removed.json()["index"]["removed"] == report["index"]["added"]
    assert [d["doc_id"] for d in client.get("/v1/documents").json()] == listed[:3]
    assert client.get("/v1/agencies/市公安交管局/duties").status_code == 404
    gone = client.get(f"/v1/documents/{DOC}/clauses/309")
    assert (gone.status_code, gone.json()["error"]["code"]) == (404, "unknown_document")
    after = admin.state()
    assert {k: v for k, v in after.items() if k != "manifest"} == \
        {k: v for k, v in before.items() if k != "manifest"}


def test_a_build_that_fails_puts_the_corpus_and_the_index_back(admin: Admin) -> None:
    before = admin.state()
    admin.embedder.failing = True
    try:
        response = admin.upload(PDF)
    finally:
        admin.embedder.failing = False
    assert (response.status_code, response.json()) == (500, {"error": {
        "code": "embedding_error", "message": "the service failed to answer; the error is "
                                              "logged"}})
    assert admin.state() == before
    assert DOC not in [d["doc_id"] for d in admin.client.get("/v1/documents").json()]
    assert admin.client.post("/v1/ask", json={"question": "谁负责岸电建设？"}).status_code == 200
    assert admin.upload(PDF, dry_run="true").status_code == 200  # and it may be tried again


def error(status: int, code: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"error": {"code": code, "message": message}}


@pytest.mark.parametrize("name,content,fields,expected", [
    pytest.param("plan.doc", b"\xd0\xcf\x11\xe0", {}, error(
        415, "unsupported_format", "plan.doc: cannot read .doc: the formats are .docx, .htm, "
        ".html, .pdf, .txt"), id="unsupported-format"),
    pytest.param("plan.txt", b"", {}, error(
        422, "unreadable_document", "plan.txt: the file is empty"), id="empty"),
    pytest.param("plan.txt", "一段不是方案的文字。\n".encode(), {}, error(
        422, "unreadable_document", "plan.txt: not a plan of the form 一、（一）1.: line 1: "
        "no part heading (一、…) found"), id="not-a-plan"),
    pytest.param("plan.pdf", b"%PDF-1.4 broken", {}, None, id="broken-pdf"),
    pytest.param("plan.txt", b"x", {"id": "Bad Id"}, error(
        400, "bad_input", "not a document id: 'Bad Id' (lower-case letters, digits and -, "
        "e.g. shanghai-2022-carbon-peak)"), id="bad-id"),
    pytest.param("plan.txt", b"x", {"dry_run": "perhaps"}, error(
        422, "validation_error", "dry_run: must be true or false"), id="bad-dry-run"),
    pytest.param("tianjin.txt", None, {"id": "guofa-2021-4"}, error(
        409, "duplicate_document", "guofa-2021-4 is already in the corpus; give another id"),
        id="duplicate-id"),
])
def test_bad_upload_is_one_clear_error_and_changes_nothing(
        admin: Admin, corpus_dir: Path, tmp_path: Path, name: str, content: bytes | None,
        fields: dict[str, str], expected: tuple[int, dict[str, Any]] | None) -> None:
    path = tmp_path / name
    path.write_bytes(content if content is not None else
                     (corpus_dir / "tianjin-2022-notice.txt").read_bytes())
    before = admin.state()
    response = admin.upload(path, **fields)
    if expected is None:
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "unreadable_document"
        assert response.json()["error"]["message"].startswith("plan.pdf: not a readable PDF")
    else:
        assert (response.status_code, response.json()) == expected
    assert admin.state() == before
    assert "policy-upload" not in response.text  # the folder it was saved in is not shown


def test_too_large_upload_is_413_before_it_is_read(admin: Admin, tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 2_100_000)
    response = admin.upload(path)
    assert (response.status_code, response.json()["error"]["code"]) == \
        (413, "payload_too_large")


@pytest.mark.parametrize("request_kwargs,expected", [
    pytest.param({"data": {"dry_run": "true"}}, error(
        400, "bad_input", "send the document as multipart/form-data with a file field named "
        "file (.txt, .pdf, .docx, .html)"), id="no-file"),
    pytest.param({"json": {"file": "plan.txt"}}, error(
        400, "bad_input", "send the document as multipart/form-data with a file field named "
        "file (.txt, .pdf, .docx, .html)"), id="json-body"),
])
def test_upload_without_a_file(admin: Admin, request_kwargs: dict[str, Any],
                               expected: tuple[int, dict[str, Any]]) -> None:
    response = admin.client.post("/v1/admin/documents", headers=AUTH, **request_kwargs)
    assert (response.status_code, response.json()) == expected


@pytest.mark.parametrize("path,expected", [
    pytest.param("/v1/admin/documents/tianjin-2022", error(
        409, "removal_refused", "tianjin-2022 is the home document of this deployment (home = "
        "true in documents.toml); remove it with force"), id="home"),
    pytest.param("/v1/admin/documents/guofa-2021-4?force=true", error(
        409, "removal_refused", "guofa-2021-4 is implemented by tianjin-2022 (their implements "
        "in documents.toml); remove those first"), id="implemented"),
    pytest.param("/v1/admin/documents/guangxi", error(
        404, "unknown_document", "unknown document: guangxi; did you mean: tianjin-2022, "
        "guofa-2021-4"), id="unknown"),
])
def test_refused_removal(admin: Admin, path: str, expected: tuple[int, dict[str, Any]]) -> None:
    before = admin.state()
    response = admin.client.delete(path, headers=AUTH)
    assert (response.status_code, response.json()) == expected
    assert admin.state() == before


def test_admin_document_routes_need_the_token(admin: Admin) -> None:
    upload = admin.client.post("/v1/admin/documents", files={"file": ("a.txt", b"x")})
    remove = admin.client.delete(f"/v1/admin/documents/{DOC}",
                                 headers={"Authorization": "Bearer wrong"})
    assert (upload.status_code, upload.json()["error"]["code"]) == (401, "unauthorized")
    assert (remove.status_code, remove.json()["error"]["code"]) == (401, "unauthorized")


def test_console_tab_checks_then_adds_what_was_checked(admin: Admin, tmp_path: Path) -> None:
    service = admin.client.app.state.service  # type: ignore[attr-defined]
    tab = AddingTab(partial(add_document, service))
    upload = tmp_path / PDF.name  # Gradio keeps the uploaded file under its own name
    shutil.copyfile(PDF, upload)
    before = admin.state()

    text, checked, button = tab.check(str(upload), "")
    assert text.startswith("**试运行报告**（尚未添加，确认后生效）\n\n| 项目 | 内容 |")
    assert f"| 编号 | {DOC} |" in text and "| 条 | 21 |" in text
    assert (checked, button.interactive) == ({"path": str(upload), "id": DOC}, True)
    assert admin.state() == before

    text, checked, button = tab.confirm(checked)
    assert text.startswith(f"✅ 已添加《天津市“十四五”节能减排工作实施方案》（{DOC}），新嵌入 ")
    assert (checked, button.interactive) == (None, False)
    assert admin.client.get(f"/v1/documents/{DOC}/clauses/3.9").status_code == 200

    text, checked, button = tab.check(str(upload), "")
    assert text == (f"⚠️ 无法添加：{DOC} is already in the corpus; give another id")
    assert (checked, button.interactive) == (None, False)
    assert admin.client.delete(f"/v1/admin/documents/{DOC}", headers=AUTH).status_code == 200


@pytest.mark.parametrize("file,message", [
    pytest.param(None, "请先选择文件（.txt、.pdf、.docx、.html）。", id="no-file"),
    pytest.param("plan.doc", "⚠️ 无法添加：plan.doc: cannot read .doc: the formats are .docx, "
                 ".htm, .html, .pdf, .txt", id="unsupported"),
])
def test_console_tab_says_what_is_wrong(admin: Admin, tmp_path: Path, file: str | None,
                                        message: str) -> None:
    service = admin.client.app.state.service  # type: ignore[attr-defined]
    tab = AddingTab(partial(add_document, service))
    path = None
    if file:
        (tmp_path / file).write_bytes(b"x")
        path = str(tmp_path / file)
    text, checked, button = tab.check(path, "")
    assert (text, checked, button.interactive) == (message, None, False)
    assert tab.confirm(None)[0] == "请先检查文件。"
