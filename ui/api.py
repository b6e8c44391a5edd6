"""The /v1 routes over the assistant and the structure, /healthz and /readyz. Each is a few
lines over ``Assistant`` or ``Corpus``; bodies are the dicts of ui.views (the CLI's ``--json``
shapes).

The structure routes read the parsed corpus only (``service.structure()``): they answer while
the index is still building and never wait on the vector store. The question routes (ask,
search) take the current generation for the whole request (``service.using()``), do their
work in the question pool (ui/questions.py) and are rate limited per client. /healthz is
liveness (the process answers) and never touches the store; /readyz is readiness (index open,
store answering) and is 503 until it is.

(No ``from __future__ import annotations`` here: the parameter annotations carry the limits of
the settings the router is built with, so they are evaluated where the routes are defined.)"""

import os
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from core.model import Turn
from core.settings import Settings
from ui import views
from ui.questions import QuestionPool, get_questions
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
    ReadyOut,
    TargetOut,
    require_text,
)
from ui.state import Service, get_service

ServiceDep = Annotated[Service, Depends(get_service)]
PoolDep = Annotated[QuestionPool, Depends(get_questions)]


def api_router(settings: Settings) -> APIRouter:
    """The routes, with the limits of ``settings`` in their schema."""
    limits = settings.assistant
    router = APIRouter(responses=ERROR_RESPONSES)

    @router.post("/v1/ask", response_model=AnswerOut, tags=["questions"], operation_id="ask",
                 summary="Ask a question; the answer cites clauses and agencies")
    async def ask(
        request: Request,
        service: ServiceDep,
        pool: PoolDep,
        question: Annotated[str, Body(min_length=1, max_length=limits.max_question_chars,
                                      examples=["谁负责岸电建设？"])],
        history: Annotated[list[HistoryTurn], Body(
            max_length=limits.max_history_turns,
            description="earlier turns, oldest first; the server keeps no conversation")
        ] = [],  # noqa: B006 (FastAPI copies defaults per request)
    ) -> dict[str, Any]:
        require_text(question, "body.question")
        service.take_question_token(request, "ask")
        turns = [Turn(t.role, t.content) for t in history]

        def answer() -> dict[str, Any]:
            with service.using() as assistant:
                given = assistant.answer(question, turns)
            service.metrics.answered("ask", given)
            return views.answer_view(given)

        return await pool.run(answer)

    @router.get("/v1/search", response_model=list[HitOut], tags=["structure"],
                operation_id="search", summary="Ranked hybrid search over clauses and tasks")
    async def search(
        request: Request,
        service: ServiceDep,
        pool: PoolDep,
        q: Annotated[str, Query(min_length=1, max_length=settings.search.max_query_chars)],
        k: Annotated[int, Query(ge=1, le=50, description="number of hits")] = 10,
        place: Annotated[list[str] | None, Query(max_length=10, description=(
            "search this place's side: its documents and the national ones (a held "
            "place's name or short name; home's name for the home side); "
            "repeatable (the union). Default: the home side"))] = None,
        doc: Annotated[list[str] | None, Query(max_length=20, description=(
            "only these documents (ids or titles; repeatable); a document of another "
            "place searches that place's side"))] = None,
    ) -> list[dict[str, Any]]:
        require_text(q, "query.q")
        service.take_question_token(request, "search")

        def hits() -> list[dict[str, Any]]:
            with service.using() as assistant:
                side = assistant.side(place or (), doc or ())
                found = side.searcher.search(q, k=k, doc_ids=doc or ())
                return [views.hit_view(side.corpus, h, rank) for rank, h in enumerate(found, 1)]

        return await pool.run(hits)

    @router.get("/v1/documents", response_model=list[DocumentOut], tags=["structure"],
                operation_id="documents", summary="The documents of the corpus")
    def documents(service: ServiceDep) -> list[dict[str, Any]]:
        return [views.document_view(d) for d in service.structure().documents]

    @router.get("/v1/documents/{doc_id}/clauses/{no}", response_model=ClauseOut,
                tags=["structure"], operation_id="clause",
                summary="One clause with its tasks and agencies (0: the preamble)")
    def clause(
        service: ServiceDep,
        doc_id: Annotated[str, Path(max_length=200,
                                 description="a document id (GET /v1/documents)")],
        no: Annotated[str, Path(max_length=40, examples=["9"], description=(
            "the clause id (9; 301 where numbering restarts in each part), or as written: "
            "九, （九）, 第九条, 三、（一）, 三（一）, 3.1"))],
    ) -> dict[str, Any]:
        corpus = service.structure()
        return views.clause_view(corpus, corpus.find_clause(doc_id, no))

    @router.get("/v1/agencies", response_model=list[AgencyOut], tags=["structure"],
                operation_id="agencies",
                summary="The agencies the documents charge with tasks, most tasks first")
    def agencies(service: ServiceDep) -> list[dict[str, Any]]:
        corpus = service.structure()
        return [views.agency_view(corpus.agency(name)) for name in corpus.agencies_in_use]

    @router.get("/v1/agencies/{name}/duties", response_model=DutiesOut, tags=["structure"],
                operation_id="duties",
                summary="Every task of an agency, lead or supporting (aliases resolve)")
    def duties(
        service: ServiceDep,
        name: Annotated[str, Path(max_length=200, examples=["发改委"])],
    ) -> dict[str, Any]:
        corpus = service.structure()
        agency = corpus.agency(name)  # 409 ambiguous_agency: several, none of them home's
        return {"agency": views.agency_view(agency),
                "duties": [views.duty_view(corpus, d) for d in corpus.duties(agency.name)],
                "elsewhere": list(corpus.namesakes(name, agency))}

    @router.get("/v1/targets", response_model=list[TargetOut], tags=["structure"],
                operation_id="targets", summary="Every quantitative target in the texts")
    def targets(service: ServiceDep) -> list[dict[str, Any]]:
        corpus = service.structure()
        return [views.target_view(corpus, t) for t in corpus.targets]

    @router.get("/healthz", response_model=HealthOut, tags=["service"], operation_id="health",
                summary="Liveness: the process answers (never waits on the store)")
    async def health(service: ServiceDep) -> dict[str, Any]:
        corpus = service.corpus
        current = service.ready and service.assistant.searcher.index.manifest
        return {"status": "ok", "state": service.state,
                "documents": len(corpus.documents) if corpus else 0,
                "chunks": current.chunks if current else 0,
                "embedder": current.embedder if current else "",
                "collection": current.collection if current else "",
                "reindexing": service.reindexing, "pid": os.getpid()}

    @router.get("/readyz", response_model=ReadyOut, tags=["service"], operation_id="ready",
                summary="Readiness: index open and store answering (else 503)",
                responses={503: {"model": ReadyOut, "description": "not ready (building, "
                                 "store unavailable or failed); Retry-After says when to "
                                 "look again"}})
    async def ready(service: ServiceDep) -> JSONResponse:
        body = {**await run_in_threadpool(service.readiness), "pid": os.getpid()}
        if body["ready"]:
            return JSONResponse(body)
        return JSONResponse(body, status_code=503,
                            headers={"Retry-After": str(settings.server.retry_after)})

    return router
