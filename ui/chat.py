"""The OpenAI-compatible endpoint: ``/v1/chat/completions`` and ``/v1/models``.

The last user message is the question; the user and assistant messages before it are the
history; system and developer messages are ignored, so nothing a caller writes can change how
the assistant answers. The reply's content is the answer text; its citations, refusal and
intent ride along at the top level of the response, or of the last chunk of a stream.

(No ``from __future__ import annotations``: the route's annotations carry configured limits.)
"""

import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import StreamingResponse

from core.model import Answer, Turn
from core.settings import Settings
from ui import views
from ui.errors import ApiError
from ui.questions import QuestionPool, get_questions
from ui.schemas import ERROR_RESPONSES, ChatCompletionOut, ChatMessage, ModelList, ModelOut
from ui.state import Service, get_service

MODEL = "policy-assistant"
_CREATED = 1_735_689_600  # 2025-01-01: the model list needs a date; the model has no other
_PIECE = 20  # characters a stream chunk carries at most
_BREAK_RE = re.compile(r"(?<=[。！？；，、：\n.!?;,:])")

ServiceDep = Annotated[Service, Depends(get_service)]
PoolDep = Annotated[QuestionPool, Depends(get_questions)]


def stream_pieces(text: str, size: int = _PIECE) -> list[str]:
    """The text cut after punctuation into pieces of at most ``size`` characters (longer runs
    are cut by length); joined, the pieces are the text."""
    pieces: list[str] = []
    buffer = ""
    for part in _BREAK_RE.split(text):
        while len(part) > size:
            if buffer:
                pieces.append(buffer)
                buffer = ""
            pieces.append(part[:size])
            part = part[size:]
        if len(buffer) + len(part) > size:
            pieces.append(buffer)
            buffer = ""
        buffer += part
    if buffer:
        pieces.append(buffer)
    return pieces


def _unknown_model(model: str) -> ApiError:
    return ApiError(404, "model_not_found",
                    f"unknown model {model[:100]!r}; available: {MODEL}")


# a whole conversation may come along, but not an unbounded one
MESSAGES_PER_TURN_LIMIT = 5


def _question_and_history(messages: Sequence[ChatMessage], max_chars: int,
                          max_turns: int) -> tuple[str, list[Turn]]:
    users = [i for i, m in enumerate(messages) if m.role == "user"]
    if not users:
        raise ApiError(422, "validation_error", "body.messages: no user message holds a "
                                                "question")
    last = users[-1]
    question = messages[last].text
    where = f"body.messages.{last}.content"
    if not question.strip():
        raise ApiError(422, "validation_error", f"{where}: the question is empty")
    if len(question.strip()) > max_chars:
        raise ApiError(422, "validation_error",
                       f"{where}: the question is {len(question.strip())} characters long; "
                       f"the limit is {max_chars}")
    history = [Turn(m.role, m.text) for m in messages[:last] if m.role in ("user", "assistant")]
    # chat front ends send the whole conversation; follow-ups lean only on the latest turns
    return question, history[-max_turns:] if max_turns else []


def _extras(answer: Answer) -> dict[str, Any]:
    view = views.answer_view(answer)
    return {"citations": view["citations"], "refused": view["refused"],
            "not_stated": view["not_stated"], "intent": view["intent"], "route": view["route"]}


def completion(answer: Answer, completion_id: str, created: int) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": MODEL,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.answer},
                     "finish_reason": "stop", "logprobs": None}],
        **_extras(answer),
    }


def completion_chunks(answer: Answer, completion_id: str, created: int
                      ) -> list[dict[str, Any]]:
    """The chunks of a streamed completion: the role, the text piece by piece, and a last
    chunk that says stop and carries the citations."""
    def chunk(delta: dict[str, str], finish: str | None = None) -> dict[str, Any]:
        return {"id": completion_id, "object": "chat.completion.chunk", "created": created,
                "model": MODEL,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish,
                             "logprobs": None}]}

    chunks = [chunk({"role": "assistant", "content": ""})]
    chunks += [chunk({"content": piece}) for piece in stream_pieces(answer.answer)]
    chunks.append({**chunk({}, "stop"), **_extras(answer)})
    return chunks


async def _events(chunks: list[dict[str, Any]]) -> AsyncIterator[str]:
    for c in chunks:
        data = json.dumps(c, ensure_ascii=False, separators=(",", ":"))
        yield f"data: {data}\n\n"
    yield "data: [DONE]\n\n"


def chat_router(settings: Settings) -> APIRouter:
    limits = settings.assistant
    router = APIRouter(responses=ERROR_RESPONSES, tags=["openai-compatible"])

    @router.post(
        "/v1/chat/completions", response_model=ChatCompletionOut,
        operation_id="chat_completions",
        summary="OpenAI-compatible chat completion (model policy-assistant), streamed or not",
        responses={200: {"content": {"text/event-stream": {
            "schema": {"type": "string", "description": "chat.completion.chunk events"}}}}})
    async def chat_completions(
        request: Request,
        service: ServiceDep,
        pool: PoolDep,
        model: Annotated[str, Body(max_length=200, examples=[MODEL])],
        messages: Annotated[list[ChatMessage], Body(
            min_length=1, max_length=MESSAGES_PER_TURN_LIMIT * limits.max_history_turns + 2,
            description=f"the conversation (the latest {limits.max_history_turns} user and "
                        "assistant turns are used), system messages (ignored) and the "
                        "question, the last user message")],
        stream: Annotated[bool, Body()] = False,
    ) -> Any:
        if model != MODEL:
            raise _unknown_model(model)
        question, history = _question_and_history(messages, limits.max_question_chars,
                                                  limits.max_history_turns)
        service.take_question_token(request, "chat")
        def ask() -> Answer:
            with service.using() as assistant:
                return assistant.answer(question, history)

        answer = await pool.run(ask)
        service.metrics.answered("chat", answer)
        completion_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if not stream:
            return completion(answer, completion_id, created)
        return StreamingResponse(
            _events(completion_chunks(answer, completion_id, created)),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @router.get("/v1/models", response_model=ModelList, operation_id="models",
                summary="The one model: policy-assistant")
    def models() -> dict[str, Any]:
        return {"object": "list", "data": [_model()]}

    @router.get("/v1/models/{model}", response_model=ModelOut, operation_id="model",
                summary="One model")
    def model_info(model: str) -> dict[str, Any]:
        if model != MODEL:
            raise _unknown_model(model)
        return _model()

    return router


def _model() -> dict[str, Any]:
    return {"id": MODEL, "object": "model", "created": _CREATED, "owned_by": "policy-assistant"}
