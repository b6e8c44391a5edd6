"""The live objects of one app, kept on ``app.state.service`` and reached by routes through
the ``get_service`` dependency (tests may override it).

The Assistant is the one reference a reindex replaces: a route takes ``service.assistant`` once
and uses that object (and its corpus) to the end, so a request never mixes two indexes.
"""

from __future__ import annotations

import threading
from typing import cast

from starlette.requests import Request

from assistant.service import Assistant
from core.settings import Settings
from indexing.corpus import Corpus
from indexing.index import BuildReport, Progress, build_from_settings
from ui.errors import ApiError
from ui.metrics import Metrics
from ui.ratelimit import RateLimiter, client_address


class Service:
    def __init__(self, settings: Settings, assistant: Assistant | None = None) -> None:
        self.settings = settings
        self.metrics = Metrics()
        server = settings.server
        self.limiter = RateLimiter(server.rate_limit_per_minute, server.rate_limit_burst)
        self._assistant = assistant
        self.reindex_lock = threading.Lock()  # held while a reindex runs

    @property
    def ready(self) -> bool:
        return self._assistant is not None

    @property
    def assistant(self) -> Assistant:
        assistant = self._assistant
        if assistant is None:
            raise ApiError(503, "unavailable", "the service is still opening its index",
                           {"Retry-After": "5"})
        return assistant

    @property
    def reindexing(self) -> bool:
        return self.reindex_lock.locked()

    def take_question_token(self, request: Request, endpoint: str) -> None:
        """The rate limit of the question endpoints: 429 with Retry-After when spent."""
        server = self.settings.server
        wait = self.limiter.acquire(client_address(request, server.trust_forwarded_for))
        if wait:
            self.metrics.rate_limited.labels(endpoint).inc()
            raise ApiError(429, "rate_limited", f"too many questions from this client; "
                                                f"retry in {wait} s", {"Retry-After": str(wait)})

    def open(self, progress: Progress | None = None) -> None:
        """Load the corpus and open the index, building or updating it first if needed."""
        corpus = Corpus.load(self.settings.corpus.dir)
        self._assistant = Assistant.from_settings(self.settings, corpus, progress=progress)

    def reindex(self) -> BuildReport:
        """Reload the corpus, update the index, and swap in an Assistant over it. One at a
        time: a second call while one runs raises 409. Blocking: call it from a worker."""
        if not self.reindex_lock.acquire(blocking=False):
            raise ApiError(409, "reindex_running", "a reindex is already running; try again "
                                                   "when it has finished")
        try:
            corpus = Corpus.load(self.settings.corpus.dir)
            _, _, report = build_from_settings(self.settings, corpus)
            # opens the index just built (finding it current, it embeds nothing)
            self._assistant = Assistant.from_settings(self.settings, corpus)
            return report
        finally:
            self.reindex_lock.release()


def get_service(request: Request) -> Service:
    return cast(Service, request.app.state.service)
