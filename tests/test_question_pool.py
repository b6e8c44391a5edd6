"""Questions are answered in the question pool (as wide as the cores), by an Assistant warmed
before it serves."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.service import Assistant
from core.errors import BadInput
from core.model import Answer
from indexing.corpus import Corpus
from ui.questions import QuestionPool, cores


def test_the_pool_is_as_wide_as_the_cores_unless_told() -> None:
    assert QuestionPool().threads == cores() >= 1
    assert QuestionPool(3).threads == 3


def test_work_runs_in_the_pool_and_its_errors_reach_the_route() -> None:
    pool = QuestionPool(1)

    def refuse() -> None:
        raise BadInput("the question is empty")

    async def main() -> str:
        with pytest.raises(BadInput, match="empty"):
            await pool.run(refuse)
        return await pool.run(lambda: threading.current_thread().name)

    try:
        assert asyncio.run(main()).startswith("question")
    finally:
        pool.close()


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/v1/ask", {"question": "谁负责岸电建设？"}),
    ("POST", "/v1/chat/completions", {"model": "policy-assistant", "messages": [
        {"role": "user", "content": "谁负责岸电建设？"}]}),
], ids=["ask", "chat"])
def test_question_routes_answer_in_the_pool(client: TestClient, api_assistant: Assistant,
                                            monkeypatch: pytest.MonkeyPatch, method: str,
                                            path: str, body: dict[str, Any]) -> None:
    threads: list[str] = []
    answer = api_assistant.answer

    def noted(question: str, history: Any = ()) -> Answer:
        threads.append(threading.current_thread().name)
        return answer(question, history)

    monkeypatch.setattr(api_assistant, "answer", noted)
    response = client.request(method, path, json=body)
    assert response.status_code == 200, response.text
    assert len(threads) == 1 and threads[0].startswith("question"), threads


def test_warm_loads_what_the_first_question_would(corpus: Corpus, api_assistant: Assistant
                                                  ) -> None:
    fresh = Assistant(corpus, api_assistant.searcher, api_assistant.settings)
    side = fresh.home or fresh
    assert side.understander.reader._speller is None and side._matcher is None
    fresh.warm()
    assert side.understander.reader._speller is not None and side._matcher is not None
