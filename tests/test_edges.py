"""The service's edges in process: who the client is behind proxies, back-off after wrong
credentials, the admin route's back-off, load shedding, HEAD, a refused CORS preflight in the
envelope, the staff console's gate, and the index's integrity checks and clean-up."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import MemoEmbedder, Served
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from starlette.types import Message, Receive, Scope, Send

from assistant.service import Assistant
from core.errors import IndexCorrupt
from core.settings import Settings
from indexing.corpus import Corpus
from indexing.index import IndexLocation, build_index, clean_leftovers, open_index
from indexing.store import get_store
from ui.app import create_app
from ui.backoff import Backoff
from ui.passwords import hash_password, verify_password
from ui.ratelimit import ClientIdentity
from ui.shedding import LoadShedding


def settings_with(settings: Settings, **server: Any) -> Settings:
    return settings.model_copy(update={"server": settings.server.model_copy(update=server)})


def error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


# -- client identity ------------------------------------------------------------------------


@pytest.mark.parametrize("trusted,peer,forwarded,client", [
    pytest.param([], "203.0.113.1", ["6.6.6.6"], "203.0.113.1", id="no-proxies"),
    pytest.param(["10.0.0.1"], "203.0.113.1", ["6.6.6.6"], "203.0.113.1",
                 id="untrusted-peer"),
    pytest.param(["10.0.0.1"], "10.0.0.1", ["198.51.100.7"], "198.51.100.7", id="one-proxy"),
    pytest.param(["10.0.0.1"], "10.0.0.1", ["6.6.6.6, 198.51.100.7"], "198.51.100.7",
                 id="forged-first-entry"),
    pytest.param(["10.0.0.0/8"], "10.0.0.1", ["6.6.6.6, 198.51.100.7, 10.1.2.3"],
                 "198.51.100.7", id="two-proxies-cidr"),
    pytest.param(["10.0.0.1"], "10.0.0.1", ["6.6.6.6", "198.51.100.7"], "198.51.100.7",
                 id="two-headers"),
    pytest.param(["10.0.0.1"], "10.0.0.1", [], "10.0.0.1", id="proxy-without-header"),
    pytest.param(["10.0.0.1"], "10.0.0.1", ["6.6.6.6, not-an-ip"], "10.0.0.1",
                 id="garbage-right-most"),
    pytest.param(["10.0.0.1"], "10.0.0.1", ["10.0.0.1"], "10.0.0.1", id="all-trusted"),
    pytest.param(["::1"], "::1", ["2001:db8::7"], "2001:db8::7", id="ipv6"),
])
def test_client_identity(trusted: list[str], peer: str, forwarded: list[str],
                         client: str) -> None:
    assert ClientIdentity(trusted).resolve(peer, forwarded) == client


def test_trusted_proxies_must_be_addresses(api_settings: Settings) -> None:
    with pytest.raises(ValueError, match="does not appear to be an IPv4 or IPv6 network"):
        ClientIdentity(["proxy.example"])


# -- back-off -------------------------------------------------------------------------------


def test_backoff_doubles_and_a_success_clears_it() -> None:
    now = [0.0]
    backoff = Backoff(allowed=3, longest=8, clock=lambda: now[0])
    waits = []
    for _ in range(7):
        backoff.failed("a")
        waits.append(backoff.wait("a"))
    assert waits == [0, 0, 1, 2, 4, 8, 8]
    assert backoff.wait("b") == 0
    now[0] += 8
    assert backoff.wait("a") == 0
    backoff.succeeded("a")
    backoff.failed("a")
    assert backoff.wait("a") == 0


def test_password_hashes() -> None:
    encoded = hash_password("correct horse", iterations=1000)
    assert encoded.startswith("pbkdf2_sha256$1000$")
    assert verify_password("correct horse", encoded)
    assert not verify_password("correct hors", encoded)
    assert not verify_password("x", "not-a-hash")
    assert hash_password("x", iterations=1000) != hash_password("x", iterations=1000)


def test_admin_route_backs_off_after_wrong_tokens(api_settings: Settings,
                                                  api_assistant: Assistant) -> None:
    settings = settings_with(api_settings, admin_token=SecretStr("s3cret"), admin_failures=2)
    with TestClient(create_app(settings, api_assistant)) as client:
        statuses = [client.post("/v1/admin/reindex",
                                headers={"Authorization": "Bearer guess"}).status_code
                    for _ in range(2)]
        refused = client.post("/v1/admin/reindex", headers={"Authorization": "Bearer s3cret"})
    assert statuses == [401, 401]
    assert (refused.status_code, refused.json()) == (429, error(
        "too_many_failures", "too many wrong tokens; retry in 1 s"))
    assert refused.headers["retry-after"] == "1"


# -- load shedding, HEAD, CORS ----------------------------------------------------------------


def test_load_shedding_answers_503_over_the_caps() -> None:
    release = asyncio.Event()

    async def slow(scope: Scope, receive: Receive, send: Send) -> None:
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    shedding = LoadShedding(slow, max_requests=3, max_questions=1, retry_after=7)

    async def request(path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        sent: list[Message] = []

        async def send(message: Message) -> None:
            sent.append(message)

        async def receive() -> Message:
            return {"type": "http.request", "body": b""}

        await shedding({"type": "http", "path": path, "method": method, "headers": []},
                       receive, send)
        headers = {k.decode(): v.decode() for k, v in sent[0].get("headers", [])}
        return sent[0]["status"], headers, b"".join(m.get("body", b"") for m in sent[1:])

    async def scenario() -> list[tuple[int, dict[str, str], bytes]]:
        first = asyncio.create_task(request("/v1/ask", "POST"))
        await asyncio.sleep(0)
        second_question = await request("/v1/search")
        others = [asyncio.create_task(request("/v1/documents")) for _ in range(2)]
        await asyncio.sleep(0)
        over = await request("/v1/agencies")
        probe = asyncio.create_task(request("/healthz"))
        await asyncio.sleep(0)
        release.set()
        return [second_question, over, await first, *[await o for o in others], await probe]

    results = asyncio.run(scenario())
    assert [r[0] for r in results] == [503, 503, 200, 200, 200, 200]
    assert json.loads(results[0][2]) == error("overloaded", "too many questions in progress; "
                                                            "retry in 7 s")
    assert json.loads(results[1][2]) == error("overloaded", "too many requests in progress; "
                                                            "retry in 7 s")
    assert results[0][1]["retry-after"] == "7"
    assert (shedding.requests, shedding.questions) == (0, 0)


def test_head_is_get_without_a_body(client: TestClient) -> None:
    for path in ("/", "/widget.js", "/healthz", "/v1/targets"):
        get, head = client.get(path), client.head(path)
        assert (head.status_code, head.content) == (200, b""), path
        assert head.headers["content-length"] == get.headers["content-length"], path


def test_a_refused_cors_preflight_is_in_the_envelope(client: TestClient) -> None:
    response = client.options("/v1/ask", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert (response.status_code, response.json()) == (400, error(
        "cors_refused", "the CORS preflight is refused: disallowed cors origin"))


# -- the console's gate ---------------------------------------------------------------------


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


STAFF = basic("staff", "pw")


@pytest.fixture(scope="module")
def console_app(api_settings: Settings, api_assistant: Assistant) -> FastAPI:
    users = {"staff": SecretStr(hash_password("pw", iterations=1000))}
    return create_app(settings_with(api_settings, console=True, console_users=users,
                                    admin_failures=3, rate_limit_per_minute=1,
                                    rate_limit_burst=2), api_assistant)


@pytest.fixture
def console(console_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(console_app) as client:
        yield client


def test_no_console_without_a_login(console: TestClient) -> None:
    for path in ("/ui", "/ui/", "/ui/config", "/ui/gradio_api/info"):
        response = console.get(path)
        assert (response.status_code, response.json()) == (401, error(
            "unauthorized", "the console needs a staff login")), path
        assert response.headers["www-authenticate"].startswith("Basic ")
    page = console.get("/ui/", headers=STAFF)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]


def test_wrong_passwords_back_off(console_app: FastAPI) -> None:
    with TestClient(console_app, client=("198.51.100.20", 1234)) as client:
        statuses = [client.get("/ui/", headers=basic("staff", f"guess{i}")).status_code
                    for i in range(3)]
        refused = client.get("/ui/", headers=STAFF)
    assert statuses == [401, 401, 401]
    assert (refused.status_code, refused.json()["error"]["code"]) == (429, "too_many_failures")


def test_forwarded_host_is_not_reflected(console: TestClient) -> None:
    headers = {**STAFF, "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https",
               "Forwarded": "host=evil.example"}
    for path in ("/ui/", "/ui/config"):
        response = console.get(path, headers=headers)
        assert response.status_code == 200, path
        assert "evil.example" not in response.text, path


def test_console_uploads_are_off_and_events_rate_limited(console_app: FastAPI) -> None:
    with TestClient(console_app, client=("198.51.100.21", 1234)) as client:
        upload = client.post("/ui/gradio_api/upload", headers=STAFF,
                             files={"files": ("a.txt", b"x" * 100)})
        events = [client.post("/ui/gradio_api/queue/join", headers=STAFF,
                              json={"data": [], "fn_index": 0}).status_code
                  for _ in range(3)]
    assert (upload.status_code, upload.json()) == (403, error(
        "uploads_disabled", "the console takes no uploads"))
    assert events[-1] == 429


def test_console_uploads_open_the_adding_tab_and_are_capped(
        api_settings: Settings, api_assistant: Assistant) -> None:
    users = {"staff": SecretStr(hash_password("pw", iterations=1000))}
    tabs = {}
    for uploads in (False, True):
        app = create_app(settings_with(api_settings, console=True, console_users=users,
                                       console_uploads=uploads, max_upload_bytes=4096),
                         api_assistant)
        with TestClient(app) as client:
            config = client.get("/ui/config", headers=STAFF).json()
            tabs[uploads] = {c["props"].get("label") for c in config["components"]
                             if c.get("type") == "tabitem"}
            if uploads:
                upload = client.post("/ui/gradio_api/upload", headers=STAFF,
                                     files={"files": ("a.txt", b"x" * 100)})
                too_large = client.post("/ui/gradio_api/upload", headers=STAFF,
                                        files={"files": ("b.txt", b"x" * 5000)})
    assert tabs[False] == {"问答", "条款", "部门职责", "目标", "适用政策", "分工矩阵", "图示",
                           "反馈"}
    assert tabs[True] == tabs[False] | {"添加文件"}
    assert upload.status_code == 200
    assert (too_large.status_code, too_large.json()["error"]["code"]) == \
        (413, "payload_too_large")


def test_a_console_without_users_is_closed(api_settings: Settings,
                                           api_assistant: Assistant) -> None:
    with TestClient(create_app(settings_with(api_settings, console=True),
                               api_assistant)) as client:
        response = client.get("/ui/", headers=STAFF)
    assert (response.status_code, response.json()["error"]["code"]) == (
        403, "console_disabled")


# -- the index: integrity and leftovers -------------------------------------------------------


def test_a_changed_index_file_is_detected(served: Served, corpus: Corpus, corpus_dir: Path,
                                          embedder: MemoEmbedder, tmp_path: Path) -> None:
    store = get_store(served.settings.store, tmp_path)
    try:
        build_index(corpus, corpus_dir, tmp_path, embedder, store, "chroma", "policy")
        manifest = IndexLocation(tmp_path).manifest()
        assert manifest is not None
        ids = tmp_path / "index" / manifest.lexical_dir / "chunk_ids.json"
        shifted = json.loads(ids.read_text(encoding="utf-8"))
        ids.write_text(json.dumps(shifted[1:] + shifted[:1]), encoding="utf-8")
        with pytest.raises(IndexCorrupt, match=r"chunk_ids\.json does not match its checksum; "
                                               r"run `policy-assistant index --rebuild`"):
            open_index(corpus, corpus_dir, tmp_path, embedder, store)
        ids.unlink()
        with pytest.raises(IndexCorrupt, match=r"chunk_ids\.json is missing"):
            open_index(corpus, corpus_dir, tmp_path, embedder, store)
        # a forced build reuses every vector and serves again
        before = embedder.embedded
        report = build_index(corpus, corpus_dir, tmp_path, embedder, store, "chroma", "policy",
                             force=True)
        assert (report.changed, embedder.embedded) == (True, before)
        assert open_index(corpus, corpus_dir, tmp_path, embedder, store).chunks
        # leftovers of a crash: only our prefix's, not the current generation, and not one
        # younger than the grace period (another replica may be building or serving it)
        young = time.strftime("policy-%Y%m%d%H%M%S-beef00")
        for name in ("policy-20000101000000-dead00", "other-20000101000000-dead00", young):
            store.create(name)
        (tmp_path / "index" / "lexical-policy-20000101000000-dead00").mkdir()
        removed = clean_leftovers(store, tmp_path, "policy", older_than=60)
        assert removed == ["policy-20000101000000-dead00",
                           "lexical-policy-20000101000000-dead00"]
        assert store.collections() == {report.collection, "other-20000101000000-dead00", young}
        assert clean_leftovers(store, tmp_path, "policy") == [young]
    finally:
        store.close()


def test_hash_password_command() -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    env = {"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "ui.cli", "hash-password"], input="long enough\n",
                          capture_output=True, text=True, env=env, cwd=root, check=True)
    assert verify_password("long enough", done.stdout.strip())
    short = subprocess.run([sys.executable, "-m", "ui.cli", "hash-password"], input="short\n",
                           capture_output=True, text=True, env=env, cwd=root)
    assert (short.returncode, short.stderr) == (
        2, "policy-assistant: a console password needs at least 8 characters\n")


def test_console_errors_are_in_the_envelope(console: TestClient) -> None:
    response = console.get("/ui/gradio_api/no-such-route", headers=STAFF)
    assert response.status_code == 404
    assert set(response.json()) == {"error"}
    assert response.json()["error"]["code"] == "not_found"
