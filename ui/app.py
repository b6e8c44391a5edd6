"""The HTTP service: ``create_app(settings, assistant) -> FastAPI``.

Nothing is opened at import. The lifespan loads the corpus and opens the Assistant (building
the index on first start) unless one was passed in. The live objects sit in one ``Service``
on ``app.state.service`` (ui.state); routes reach it through a dependency.

Requests pass, outermost first: security headers → metrics → CORS → body limit → errors
(CatchAll) → routes. So every response, a 413 or a 500 included, is counted and carries the
security headers, and CORS answers preflights before anything else reads the request.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from assistant.service import Assistant
from core.settings import Settings
from ui import admin, pages
from ui.api import api_router
from ui.body_limit import BodyLimit
from ui.chat import chat_router
from ui.docs import docs_router
from ui.errors import CatchAll, install_error_handlers
from ui.headers import SecurityHeaders
from ui.metrics import CONTENT_TYPE, MetricsMiddleware
from ui.state import Service, get_service

CONSOLE_PATH = "/ui"
TITLE = "Policy assistant"
DESCRIPTION = (
    "Questions about the Tianjin green low-carbon circular economy plan and the national "
    "documents it implements, answered with clause-exact citations. Errors are "
    '`{"error": {"code": "…", "message": "…"}}` with a 4xx or 5xx status. Limits on the '
    "question and the history are part of the request schema (422 beyond them); the question "
    "endpoints are rate limited per client (429 with Retry-After).")
log = logging.getLogger("policy_assistant.http")


def create_app(settings: Settings | None = None,
               assistant: Assistant | None = None) -> FastAPI:
    settings = settings or Settings()
    service = Service(settings, assistant)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not service.ready:
            log.info("opening the index in %s", settings.data_dir)
            await run_in_threadpool(service.open)
        yield

    app = FastAPI(title=TITLE, description=DESCRIPTION, version=_version(), lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    app.state.service = service
    install_error_handlers(app)

    app.include_router(api_router(settings))
    app.include_router(chat_router(settings))
    app.include_router(admin.router)
    app.include_router(pages.router)
    app.include_router(docs_router(app))

    @app.get("/metrics", include_in_schema=False)
    def metrics(service: Annotated[Service, Depends(get_service)]) -> Response:
        return Response(service.metrics.render(), media_type=CONTENT_TYPE)

    server = settings.server
    if server.console:
        _mount_console(app, service)
    # added innermost first
    app.add_middleware(CatchAll)
    app.add_middleware(BodyLimit, max_bytes=server.max_body_bytes,
                       overrides={CONSOLE_PATH: server.console_max_body_bytes})
    app.add_middleware(CORSMiddleware, allow_origins=server.cors_origins,
                       allow_methods=["GET", "POST"], allow_headers=["Content-Type"],
                       max_age=600)
    app.add_middleware(MetricsMiddleware, metrics=service.metrics)
    app.add_middleware(SecurityHeaders, console_prefix=CONSOLE_PATH)
    return app


def _mount_console(app: FastAPI, service: Service) -> None:
    """The Gradio staff console at /ui; gradio is imported only when it is wanted."""
    from ui.console import mount_console

    mount_console(app, lambda: service.assistant, path=CONSOLE_PATH)


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("policy-assistant")
    except metadata.PackageNotFoundError:
        return "0+unknown"

