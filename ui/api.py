"""The /v1 routes over the assistant and the structure, and /healthz. Each is a few lines over
``Assistant`` or ``Corpus``; bodies are the dicts of ui.views (the CLI's ``--json`` shapes).

(No ``from __future__ import annotations`` here: the parameter annotations carry the limits of
the settings the router is built with, so they are evaluated where the routes are defined.)"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request

from core.model import Turn
from core.settings import Settings
from ui import views
from ui.schemas import (
    ERROR_RESPONSES,
    AgencyOut,
    AnswerOut,
    ClauseOut,
    DocumentOut,
    DutiesOut,
    HealthOut,
    HistoryTurn,
    HitOut,
    TargetOut,
    require_text,
)
from ui.state import Service, get_service

ServiceDep = Annotated[Service, Depends(get_service)]


def api_router(settings: Settings) -> APIRouter:
    """The routes, with the limits of ``settings`` in their schema."""
    limits = settings.assistant
    router = APIRouter(responses=ERROR_RESPONSES)

    @router.post("/v1/ask", response_model=AnswerOut, tags=["questions"], operation_id="ask",
                 summary="Ask a question; the answer cites clauses and agencies")
    def ask(
        request: Request,
        service: ServiceDep,
        question: Annotated[str, Body(min_length=1, max_length=limits.max_question_chars,
                                      examples=["谁负责岸电建设？"])],
        history: Annotated[list[HistoryTurn], Body(
            max_length=limits.max_history_turns,
            description="earlier turns, oldest first; the server keeps no conversation")
        ] = [],  # noqa: B006 (FastAPI copies defaults per request)
    ) -> dict[str, Any]:
        require_text(question, "body.question")
        service.take_question_token(request, "ask")
        answer = service.assistant.answer(question, [Turn(t.role, t.content) for t in history])
        service.metrics.answered("ask", answer)
        return views.answer_view(answer)

    @router.get("/v1/search", response_model=list[HitOut], tags=["structure"],
                operation_id="search", summary="Ranked hybrid search over clauses and tasks")
    def search(
        service: ServiceDep,
        q: Annotated[str, Query(min_length=1, max_length=settings.search.max_query_chars)],
        k: Annotated[int, Query(ge=1, le=50, description="number of hits")] = 10,
    ) -> list[dict[str, Any]]:
        require_text(q, "query.q")
        assistant = service.assistant
        hits = assistant.searcher.search(q, k=k)
        return [views.hit_view(assistant.corpus, h, rank) for rank, h in enumerate(hits, 1)]

    @router.get("/v1/documents", response_model=list[DocumentOut], tags=["structure"],
                operation_id="documents", summary="The documents of the corpus")
    def documents(service: ServiceDep) -> list[dict[str, Any]]:
        return [views.document_view(d) for d in service.assistant.corpus.documents]

    @router.get("/v1/documents/{doc_id}/clauses/{no}", response_model=ClauseOut,
                tags=["structure"], operation_id="clause",
                summary="One clause with its tasks and agencies (0: the preamble)")
    def clause(
        service: ServiceDep,
        doc_id: Annotated[str, Path(max_length=200, examples=["tianjin-2022"])],
        no: Annotated[int, Path(examples=[9])],
    ) -> dict[str, Any]:
        corpus = service.assistant.corpus
        return views.clause_view(corpus, corpus.clause(doc_id, no))

    @router.get("/v1/agencies", response_model=list[AgencyOut], tags=["structure"],
                operation_id="agencies",
                summary="The agencies the documents charge with tasks, most tasks first")
    def agencies(service: ServiceDep) -> list[dict[str, Any]]:
        corpus = service.assistant.corpus
        return [views.agency_view(corpus.agency(name)) for name in corpus.agencies_in_use]

    @router.get("/v1/agencies/{name}/duties", response_model=DutiesOut, tags=["structure"],
                operation_id="duties",
                summary="Every task of an agency, lead or supporting (aliases resolve)")
    def duties(
        service: ServiceDep,
        name: Annotated[str, Path(max_length=200, examples=["发改委"])],
    ) -> dict[str, Any]:
        corpus = service.assistant.corpus
        agency = corpus.agency(name)
        return {"agency": views.agency_view(agency),
                "duties": [views.duty_view(corpus, d) for d in corpus.duties(agency.name)]}

    @router.get("/v1/targets", response_model=list[TargetOut], tags=["structure"],
                operation_id="targets", summary="Every quantitative target in the texts")
    def targets(service: ServiceDep) -> list[dict[str, Any]]:
        corpus = service.assistant.corpus
        return [views.target_view(corpus, t) for t in corpus.targets]

    @router.get("/healthz", response_model=HealthOut, tags=["service"], operation_id="health",
                summary="Liveness and what is being served")
    def health(service: ServiceDep) -> dict[str, Any]:
        assistant = service.assistant
        manifest = assistant.searcher.index.manifest
        return {"status": "ok", "documents": len(assistant.corpus.documents),
                "chunks": manifest.chunks, "embedder": manifest.embedder,
                "collection": manifest.collection, "reindexing": service.reindexing}

    return router
