"""The HTTP service: ``create_app(settings, assistant) -> FastAPI``.

Nothing is opened at import. The lifespan parses the corpus and starts opening the index in
the background (building it on first start) unless an Assistant was passed in, so the server
listens at once: structure routes answer from the parsed corpus, question routes 503
"building" until the index is open (ui.state). The live objects sit in one ``Service`` on
``app.state.service``; routes reach it through a dependency.

Requests pass, outermost first: HEAD as GET → security headers → metrics and access log →
load shedding → CORS → console gate (/ui) → body limit → errors (CatchAll) → routes. So every
response, a 413, a shed 503 or a 500 included, is counted and carries the security headers,
and CORS answers preflights before anything else reads the request. What the HTTP connection
itself refuses (431, 408, malformed requests) is ui.protocol's, below the app.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from assistant.service import Assistant
from core.settings import Settings
from ui import admin, pages
from ui.api import api_router
from ui.body_limit import BodyLimit
from ui.chat import chat_router
from ui.cors import JsonCORSMiddleware
from ui.docs import docs_router
from ui.errors import CatchAll, install_error_handlers
from ui.exports import router as exports_router
from ui.feedback import FeedbackStoreHolder, feedback_router
from ui.head import HeadAsGet
from ui.headers import SecurityHeaders
from ui.measures import router as measures_router
from ui.metrics import CONTENT_TYPE, MetricsMiddleware
from ui.pictures import router as pictures_router
from ui.questions import QuestionPool
from ui.shedding import LoadShedding
from ui.state import Service, get_service

CONSOLE_PATH = "/ui"
CONSOLE_UPLOADS = ("/gradio_api/upload",)  # Gradio's upload route, under the console
DOCUMENTS_PATH = "/v1/admin/documents"
TITLE = "Policy assistant"
DESCRIPTION = (
    "Questions about the policy documents of the corpus (an implementation plan and the "
    "national documents it implements), answered with clause-exact citations. Errors are "
    '`{"error": {"code": "…", "message": "…"}}` with a 4xx or 5xx status. Limits on the '
    "question and the history are part of the request schema (422 beyond them); the question "
    "endpoints are rate limited per client (429 with Retry-After).")
log = logging.getLogger("policy_assistant.http")


def create_app(settings: Settings | None = None,
               assistant: Assistant | None = None) -> FastAPI:
    settings = settings or Settings()
    service = Service(settings, assistant)
    feedback = FeedbackStoreHolder(settings)
    questions = QuestionPool(settings.server.question_threads)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not service.ready:
            log.info("opening the index in %s (in the background)", settings.data_dir)
            await run_in_threadpool(service.start)
        try:
            yield
        finally:
            await run_in_threadpool(service.stop)
            await run_in_threadpool(feedback.close)
            questions.close()

    app = FastAPI(title=TITLE, description=DESCRIPTION, version=_version(), lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    app.state.service = service
    app.state.feedback = feedback
    app.state.questions = questions
    install_error_handlers(app)

    app.include_router(api_router(settings))
    app.include_router(chat_router(settings))
    app.include_router(exports_router)
    app.include_router(pictures_router)
    app.include_router(measures_router)
    app.include_router(feedback_router(settings, feedback))
    app.include_router(admin.router)
    app.include_router(pages.router)
    app.include_router(docs_router(app))

    @app.get("/metrics", include_in_schema=False)
    async def metrics(service: Annotated[Service, Depends(get_service)]) -> Response:
        return Response(service.metrics.render(), media_type=CONTENT_TYPE)

    server = settings.server
    # added innermost first
    app.add_middleware(CatchAll)
    app.add_middleware(BodyLimit, max_bytes=server.max_body_bytes, overrides={
        # the most specific first: an upload of the console's 添加文件 tab, then its events
        **({f"{CONSOLE_PATH}{path}": server.max_upload_bytes for path in CONSOLE_UPLOADS}
           if server.console_uploads else {}),
        CONSOLE_PATH: server.console_max_body_bytes,
        DOCUMENTS_PATH: server.max_upload_bytes})
    if server.console:
        _mount_console(app, service, feedback)
        from ui.console_gate import ConsoleGate

        app.add_middleware(ConsoleGate, service=service, prefix=CONSOLE_PATH)
    app.add_middleware(JsonCORSMiddleware, allow_origins=server.cors_origins,
                       allow_methods=["GET", "HEAD", "POST"], allow_headers=["Content-Type"],
                       max_age=600)
    app.add_middleware(LoadShedding, max_requests=server.max_concurrent_requests,
                       max_questions=server.max_concurrent_questions,
                       retry_after=server.retry_after, console_prefix=CONSOLE_PATH)
    app.add_middleware(MetricsMiddleware, metrics=service.metrics)
    app.add_middleware(SecurityHeaders, console_prefix=CONSOLE_PATH)
    app.add_middleware(HeadAsGet)
    return app


def _mount_console(app: FastAPI, service: Service, feedback: FeedbackStoreHolder) -> None:
    """The Gradio staff console at /ui; gradio is imported only when it is wanted."""
    from ui.console import mount_console
    from ui.documents import add_document

    server = service.settings.server
    adding = partial(add_document, service) if server.console_uploads else None
    mount_console(app, lambda: service.assistant, path=CONSOLE_PATH,
                  max_file_size=server.max_upload_bytes if adding else
                  server.console_max_body_bytes, adding=adding, feedback=feedback)


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("policy-assistant")
    except metadata.PackageNotFoundError:
        return "0+unknown"

