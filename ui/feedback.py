"""``POST /v1/feedback``: a visitor's thumbs up or down on one answer, with an optional comment.

The body repeats what the visitor saw (question, answer text, the citations' places), so the
service keeps no conversation to look it up in. It is rate limited per client like the
question routes; bad input is the usual 422 envelope. Nothing about the client is stored
(ui.feedback_store). The store is opened at the first feedback (SQLAlchemy is imported then)
and closed with the app; staff read it in the console (ui.console_tabs).

(No ``from __future__ import annotations``: the body model is built with the limits of the
settings, inside ``feedback_router``, and FastAPI must see it as a class.)
"""

import threading
from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from core.settings import Settings
from ui.schemas import ERROR_RESPONSES, require_text
from ui.state import Service, get_service

if TYPE_CHECKING:
    from ui.feedback_store import FeedbackStore


class FeedbackStoreHolder:
    """The app's one feedback store, made when first asked for."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.console_rows = settings.feedback.console_rows
        self._store: FeedbackStore | None = None
        self._lock = threading.Lock()

    def __call__(self) -> "FeedbackStore":
        with self._lock:
            if self._store is None:
                from ui.feedback_store import FeedbackStore

                self._store = FeedbackStore.from_settings(self._settings.feedback,
                                                          self._settings.data_dir)
            return self._store

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()


class CitedPlaceIn(BaseModel):
    """Where a citation points; the other fields of a citation may come along and are
    ignored."""

    model_config = ConfigDict(extra="ignore")
    doc_id: str = Field(min_length=1, max_length=200)
    clause_no: int | None = Field(default=None, ge=0, le=100_000)
    provision: int | None = Field(default=None, ge=1, le=10_000)


class FeedbackOut(BaseModel):
    id: int
    created: str = Field(description="UTC, ISO 8601")


def feedback_router(settings: Settings, holder: FeedbackStoreHolder) -> APIRouter:
    limits = settings.feedback

    class FeedbackIn(BaseModel):
        model_config = ConfigDict(extra="forbid")
        rating: Literal["up", "down"]
        question: str = Field(min_length=1, max_length=settings.assistant.max_question_chars)
        answer: str = Field(min_length=1, max_length=limits.max_answer_chars)
        citations: list[CitedPlaceIn] = Field(default_factory=list,
                                              max_length=limits.max_citations)
        comment: str = Field(default="", max_length=limits.max_comment_chars,
                             description="optional; phone numbers, e-mail addresses and ID "
                                         "numbers in it are masked before it is stored")

    router = APIRouter(responses=ERROR_RESPONSES)

    @router.post("/v1/feedback", status_code=201, response_model=FeedbackOut,
                 tags=["feedback"], operation_id="feedback",
                 summary="Thumbs up or down on an answer, with an optional comment")
    async def feedback(request: Request, body: FeedbackIn,
                       service: Annotated[Service, Depends(get_service)]) -> FeedbackOut:
        require_text(body.question, "body.question")
        require_text(body.answer, "body.answer")
        service.take_question_token(request, "feedback")
        from ui.feedback_store import CitedPlace, Feedback

        record = Feedback(body.rating, body.question, body.answer,
                          tuple(CitedPlace(c.doc_id, c.clause_no, c.provision)
                                for c in body.citations), body.comment.strip())
        stored = await run_in_threadpool(lambda: holder().add(record))
        return FeedbackOut(id=stored.id, created=stored.created.isoformat(timespec="seconds"))

    return router
