"""How ``policy-assistant serve`` runs the HTTP app: one process, or ``--workers N`` processes.

One process: uvicorn serves ``create_app(settings)`` with the connection guard of
``ui.protocol``. Several: uvicorn's supervisor binds the socket once and starts N worker
processes (``spawn``: nothing is inherited from the parent, which never opens the index). Each
worker is an entry point of its own: ``worker_app`` builds its Settings from the same
environment, its own app and its own Service, and opens the index in the background like a
single process does, so ``/readyz`` answers for the worker that took the connection (its
``pid`` is in the body). Workers are replicas on one machine: the build lock lets one of them
build the index while the others wait in ``building``; a reindex on one is followed by the
others (``server.generation_poll``); rate limits and metrics are per worker (README,
"Operations"). The supervisor restarts a worker that dies and passes SIGTERM on to all of
them, each draining its requests.

Several workers need a Chroma server (``store.host``): the embedded store is one process's.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING, ClassVar

from core.errors import BadInput
from core.settings import ServerSettings, Settings
from ui.protocol import GuardedHttpToolsProtocol, HttpLimits, guarded_protocol

if TYPE_CHECKING:
    from fastapi import FastAPI

_LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


def http_limits(server: ServerSettings) -> HttpLimits:
    return HttpLimits(max_header_bytes=server.max_header_bytes, max_headers=server.max_headers,
                      header_timeout=server.header_timeout, body_timeout=server.body_timeout)


class WorkerProtocol(GuardedHttpToolsProtocol):
    """The guarded protocol of a worker process. uvicorn hands its configuration to the
    workers by pickling it, which names a protocol class by its import path: so the class is
    this module-level one, and ``worker_app`` sets its limits from the worker's settings
    before the first connection."""

    limits: ClassVar[HttpLimits] = HttpLimits()


def worker_app() -> FastAPI:
    """uvicorn's app factory in each worker process (``ui.serving:worker_app``)."""
    from ui.app import create_app

    settings = Settings()
    logging.basicConfig(level=logging.INFO, format=_LOG_FORMAT)
    WorkerProtocol.limits = http_limits(settings.server)
    return create_app(settings)


def serve(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    """Listen at once (the index opens in the background) until SIGTERM or Ctrl-C."""
    import uvicorn

    from ui.app import CONSOLE_PATH, create_app
    from ui.questions import cores

    if workers > 1 and not settings.store.host:
        raise BadInput("--workers above 1 needs a Chroma server (POLICY_ASSISTANT_STORE__HOST): "
                       "the embedded store can be opened by one process only")
    server = settings.server
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else shown}:{port}"
    print(f"demo page:   {base}/", file=sys.stderr)
    if server.console:
        print(f"console:     {base}{CONSOLE_PATH}", file=sys.stderr)
    print(f"API docs:    {base}/docs", file=sys.stderr)
    print(f"ready when:  {base}/readyz answers 200"
          + (f" (each of {workers} workers answers for itself)" if workers > 1 else ""),
          file=sys.stderr)
    logging.basicConfig(level=logging.INFO, format=_LOG_FORMAT)
    common = {
        "host": host, "port": port,
        # the client address is ours to read (settings.server.trusted_proxies), not uvicorn's;
        # uvicorn's access log prints query strings (questions) and addresses: ours does not
        "proxy_headers": False, "server_header": False, "log_level": "info",
        "access_log": False, "ws": "none", "timeout_keep_alive": server.keep_alive,
        "timeout_graceful_shutdown": server.graceful_shutdown,
        # a backstop below the app's own load shedding (ui.shedding)
        "limit_concurrency": server.max_concurrent_requests * 4,
    }
    if workers > 1:
        if not settings.embedder.threads:
            # the workers share the cores: one engine thread each per core's share. A team
            # as wide as the machine in every worker contended for the same cores (evals.load,
            # 2 workers on 2 cores, new questions at c=8: 55 → 47 ms CPU a question, 33 → 40
            # req/s). The workers read it from the environment, as all their settings.
            os.environ["POLICY_ASSISTANT_EMBEDDER__THREADS"] = str(max(1, cores() // workers))
        uvicorn.run("ui.serving:worker_app", factory=True, workers=workers,
                    http=WorkerProtocol, **common)  # type: ignore[arg-type]
    else:
        uvicorn.run(create_app(settings), http=guarded_protocol(http_limits(server)),
                    **common)  # type: ignore[arg-type]
