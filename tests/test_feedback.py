"""Visitors' feedback: POST /v1/feedback into the store (SQLite in the data directory, or any
SQLAlchemy URL), its errors and rate limit, what is kept (nothing about the visitor), and the
console's view and CSV of it."""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.service import Assistant
from core.settings import FeedbackSettings, Settings
from ui.app import create_app
from ui.feedback_store import (
    SQLITE_FILE,
    CitedPlace,
    Feedback,
    FeedbackStore,
    feedback_csv,
    redact,
)
from ui.staff_views import feedback_rows, feedback_summary

SHORE = {"n": 1, "doc_id": "tianjin-2022", "clause_no": 9, "provision": 5,
         "quote": "新改扩建码头工程……", "agencies": ["市交通运输委"], "lead_agency": "市交通运输委"}
GOOD = {"rating": "down", "question": "谁负责岸电建设？",
        "answer": "这项工作由市交通运输委牵头。[1]", "citations": [SHORE],
        "comment": "没有说补贴金额，请回电 13812345678"}


def with_settings(settings: Settings, data_dir: Path, **server: Any) -> Settings:
    return settings.model_copy(update={
        "data_dir": data_dir,
        "server": settings.server.model_copy(update=server)})


@pytest.fixture
def app_client(api_settings: Settings, api_assistant: Assistant,
               tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(with_settings(api_settings, tmp_path), api_assistant)) as c:
        yield c


def stored(data_dir: Path) -> list[dict[str, Any]]:
    with sqlite3.connect(data_dir / SQLITE_FILE) as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute("select * from feedback order by id")]


def test_feedback_is_stored_without_anything_about_the_visitor(app_client: TestClient,
                                                              tmp_path: Path) -> None:
    response = app_client.post("/v1/feedback", json=GOOD,
                               headers={"User-Agent": "secret-agent/1.0",
                                        "X-Forwarded-For": "203.0.113.9"})
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "created"} and body["id"] == 1
    rows = stored(tmp_path)
    assert len(rows) == 1
    row = rows[0]
    assert set(row) == {"id", "created", "rating", "question", "answer", "citations", "comment"}
    assert (row["rating"], row["question"], row["answer"], row["citations"], row["comment"]) == (
        "down", "谁负责岸电建设？", "这项工作由市交通运输委牵头。[1]", '[["tianjin-2022", 9, 5]]',
        "没有说补贴金额，请回电 [手机号]")
    database = (tmp_path / SQLITE_FILE).read_bytes()
    for trace in (b"testclient", b"secret-agent", b"203.0.113.9", b"13812345678"):
        assert trace not in database


@pytest.mark.parametrize(("change", "status", "code", "message"), [
    ({"rating": "meh"}, 422, "validation_error", "body.rating: Input should be 'up' or 'down'"),
    ({"question": "   "}, 422, "validation_error",
     "body.question: must hold some text, not only spaces"),
    ({"answer": ""}, 422, "validation_error",
     "body.answer: String should have at least 1 character"),
    ({"comment": "长" * 1001}, 422, "validation_error",
     "body.comment: String should have at most 1000 characters"),
    ({"citations": [{"clause_no": 9}]}, 422, "validation_error",
     "body.citations.0.doc_id: Field required"),
    ({"citations": [SHORE] * 51}, 422, "validation_error",
     "body.citations: List should have at most 50 items after validation, not 51"),
    ({"ip": "1.2.3.4"}, 422, "validation_error", "body.ip: Extra inputs are not permitted"),
], ids=["rating", "blank-question", "empty-answer", "long-comment", "citation-without-doc",
        "too-many-citations", "extra-field"])
def test_bad_feedback_is_the_error_envelope(app_client: TestClient, tmp_path: Path,
                                            change: dict[str, Any], status: int, code: str,
                                            message: str) -> None:
    response = app_client.post("/v1/feedback", json={**GOOD, **change})
    assert (response.status_code, response.json()) == (
        status, {"error": {"code": code, "message": message}})
    assert not (tmp_path / SQLITE_FILE).exists() or stored(tmp_path) == []


def test_feedback_that_is_not_json(app_client: TestClient) -> None:
    response = app_client.post("/v1/feedback", content=b"{rating: up",
                               headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"


def test_feedback_is_rate_limited(api_settings: Settings, api_assistant: Assistant,
                                  tmp_path: Path) -> None:
    tight = with_settings(api_settings, tmp_path, rate_limit_per_minute=1, rate_limit_burst=1)
    with TestClient(create_app(tight, api_assistant)) as limited:
        assert limited.post("/v1/feedback", json=GOOD).status_code == 201
        second = limited.post("/v1/feedback", json=GOOD)
    assert second.status_code == 429
    wait = second.headers["retry-after"]
    assert second.json() == {"error": {"code": "rate_limited", "message":
                                       f"too many questions from this client; retry in {wait} s"}}
    assert len(stored(tmp_path)) == 1


def test_any_sqlalchemy_url_by_setting(api_settings: Settings, api_assistant: Assistant,
                                       tmp_path: Path) -> None:
    elsewhere = tmp_path / "other" / "votes.db"
    settings = with_settings(api_settings, tmp_path / "data").model_copy(update={
        "feedback": FeedbackSettings(url=SecretStr(f"sqlite:///{elsewhere}"))})
    with TestClient(create_app(settings, api_assistant)) as c:
        assert c.post("/v1/feedback", json=GOOD).status_code == 201
    assert elsewhere.exists() and not (tmp_path / "data" / SQLITE_FILE).exists()
    store = FeedbackStore(f"sqlite:///{elsewhere}")
    try:
        assert [r.feedback.question for r in store.recent()] == ["谁负责岸电建设？"]
    finally:
        store.close()


def test_a_store_that_cannot_be_opened_is_a_500_without_details(
        api_settings: Settings, api_assistant: Assistant, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings = api_settings.model_copy(update={
        "feedback": FeedbackSettings(url=SecretStr(f"sqlite:///{blocker}/feedback.db"))})
    with TestClient(create_app(settings, api_assistant)) as c:
        response = c.post("/v1/feedback", json=GOOD)
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "store_error"
    assert str(tmp_path) not in response.text


@pytest.mark.parametrize(("text", "masked"), [
    ("请回电13812345678", "请回电[手机号]"),
    ("电话 022-23456789 找我", "电话 [电话] 找我"),
    ("身份证12010119900101123X", "身份证[证件号]"),
    ("邮件 zhang.san@example.com 谢谢", "邮件 [邮箱] 谢谢"),
    ("2025年非化石能源比重达到11.5%，共97项任务", "2025年非化石能源比重达到11.5%，共97项任务"),
], ids=["mobile", "landline", "id-card", "email", "numbers-of-the-plan-stay"])
def test_personal_data_in_free_text_is_masked(text: str, masked: str) -> None:
    assert redact(text) == masked


# -- the store and the console ----------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[FeedbackStore]:
    s = FeedbackStore.from_settings(FeedbackSettings(), tmp_path)
    yield s
    s.close()


def test_newest_first_with_counts(store: FeedbackStore) -> None:
    when = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
    store.add(Feedback("up", "问一", "答一"), now=when)
    store.add(Feedback("down", "问二", "答二", (CitedPlace("tianjin-2022", 9, 5),
                                                CitedPlace("guofa-2021-4", 3, None)), "不对"),
              now=when)
    records = store.recent()
    assert [r.feedback.question for r in records] == ["问二", "问一"]
    assert records[0].created == when
    assert store.counts() == {"up": 1, "down": 1}
    assert feedback_rows(records) == [
        [2, "2026-03-01 08:30", "没帮助", "问二", "答二",
         "tianjin-2022 9.5；guofa-2021-4 3", "不对"],
        [1, "2026-03-01 08:30", "有帮助", "问一", "答一", "", ""]]
    assert feedback_summary(store.counts(), 2) == "共 2 条反馈：有帮助 1 条，没帮助 1 条"
    assert feedback_summary(store.counts(), 1).endswith("（显示最新 1 条）")


def test_csv_export_cannot_run_formulas(store: FeedbackStore) -> None:
    store.add(Feedback("down", "=HYPERLINK(\"http://x\")", "答", (), "@SUM(1)"),
              now=datetime(2026, 3, 1, tzinfo=UTC))
    rows = list(csv.reader(io.StringIO(feedback_csv(store.recent()))))
    assert rows == [["id", "created", "rating", "question", "answer", "citations", "comment"],
                    ["1", "2026-03-01T00:00:00+00:00", "down", "'=HYPERLINK(\"http://x\")",
                     "答", "", "'@SUM(1)"]]


def test_a_rating_is_up_or_down(store: FeedbackStore) -> None:
    with pytest.raises(ValueError, match="rating must be one of"):
        store.add(Feedback("meh", "问", "答"))
