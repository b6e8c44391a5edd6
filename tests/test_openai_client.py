"""The official ``openai`` package against the running service (uvicorn in a thread): the
OpenAI-compatible endpoint answers with citations, streamed and not."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from openai import NotFoundError, OpenAI, UnprocessableEntityError

QUESTION = "谁负责岸电建设？"


@pytest.fixture
def openai_client(live_server: str) -> Iterator[OpenAI]:
    with OpenAI(base_url=live_server + "/v1", api_key="not-needed", max_retries=0) as client:
        yield client


def test_models(openai_client: OpenAI) -> None:
    assert [m.id for m in openai_client.models.list()] == ["policy-assistant"]
    assert openai_client.models.retrieve("policy-assistant").owned_by == "policy-assistant"


def test_completion_is_cited(openai_client: OpenAI) -> None:
    completion = openai_client.chat.completions.create(
        model="policy-assistant",
        messages=[{"role": "system", "content": "你是一个乐于助人的助手。"},
                  {"role": "user", "content": QUESTION}])
    choice = completion.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    content = choice.message.content
    assert content is not None and "市交通运输委" in content and "[1]" in content
    extra: dict[str, Any] = completion.model_extra or {}
    assert extra["refused"] is False and extra["intent"] == "responsibility"
    citation = extra["citations"][0]
    assert (citation["n"], citation["doc_id"], citation["clause_no"], citation["provision"],
            citation["lead_agency"]) == (1, "tianjin-2022", 9, 5, "市交通运输委")


def test_raw_response_carries_the_citations(openai_client: OpenAI) -> None:
    raw = openai_client.chat.completions.with_raw_response.create(
        model="policy-assistant", messages=[{"role": "user", "content": QUESTION}])
    body = json.loads(raw.text)
    assert body["citations"] and body["citations"][0]["clause_label"] == "（九）"
    assert raw.parse().choices[0].message.content == body["choices"][0]["message"]["content"]


def test_streamed_text_is_the_same_answer(openai_client: OpenAI) -> None:
    messages: Any = [{"role": "user", "content": QUESTION}]
    whole = openai_client.chat.completions.create(model="policy-assistant", messages=messages)
    stream = openai_client.chat.completions.create(model="policy-assistant",
                                                   messages=messages, stream=True)
    chunks = list(stream)
    deltas = [c.choices[0].delta.content for c in chunks if c.choices[0].delta.content]
    assert len(deltas) > 3  # the text arrives piece by piece
    assert "".join(deltas) == whole.choices[0].message.content
    assert chunks[0].choices[0].delta.role == "assistant"
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    extra = last.model_extra or {}
    assert extra["citations"] == (whole.model_extra or {})["citations"]
    assert (extra["refused"], extra["intent"]) == (False, "responsibility")
    assert all(not (c.model_extra or {}).get("citations") for c in chunks[:-1])


def test_a_follow_up_uses_the_conversation(openai_client: OpenAI) -> None:
    first = openai_client.chat.completions.create(
        model="policy-assistant",
        messages=[{"role": "user", "content": "天津方案第九条讲什么？"}])
    follow = openai_client.chat.completions.create(
        model="policy-assistant",
        messages=[{"role": "user", "content": "天津方案第九条讲什么？"},
                  {"role": "assistant", "content": first.choices[0].message.content or ""},
                  {"role": "user", "content": "谁负责？"}])
    assert not (follow.model_extra or {})["refused"]
    assert {c["clause_no"] for c in (follow.model_extra or {})["citations"]} == {9}


def test_errors_reach_the_client(openai_client: OpenAI) -> None:
    with pytest.raises(NotFoundError) as unknown:
        openai_client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": QUESTION}])
    assert unknown.value.body == {"code": "model_not_found", "message":
                                  "unknown model 'gpt-4o'; available: policy-assistant"}
    with pytest.raises(UnprocessableEntityError):
        openai_client.chat.completions.create(
            model="policy-assistant", messages=[{"role": "user", "content": "问" * 1001}])
