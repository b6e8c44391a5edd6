"""Load shedding: a cap on the requests in flight, answered 503 + Retry-After beyond it.

Two caps, counted on the event loop (no locks needed): every request (``max_requests``), and
the question routes, whose work is the heavy part (``max_questions``: /v1/ask,
/v1/chat/completions, /v1/search, /v1/match and the console's events). A request over a cap
is answered at once with the error envelope instead of queueing without bound behind the
worker threads. The probes and the metrics (/healthz, /readyz, /metrics) are never shed, so an
orchestrator still sees the truth under load.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from ui.errors import error_response

QUESTION_PATHS = frozenset({"/v1/ask", "/v1/chat/completions", "/v1/search", "/v1/match"})
NEVER_SHED = frozenset({"/healthz", "/readyz", "/metrics"})


def is_question(method: str, path: str, console_prefix: str) -> bool:
    """The routes that ask the Assistant: the API's, and the console's POSTs (its events)."""
    return path in QUESTION_PATHS or (
        method == "POST" and (path == console_prefix or path.startswith(console_prefix + "/")))


class LoadShedding:
    def __init__(self, app: ASGIApp, max_requests: int, max_questions: int, retry_after: int,
                 console_prefix: str = "/ui", never: Iterable[str] = NEVER_SHED) -> None:
        self.app = app
        self.max_requests = max_requests
        self.max_questions = max_questions
        self.retry_after = retry_after
        self.console_prefix = console_prefix
        self.never = frozenset(never)
        self.requests = 0
        self.questions = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or path in self.never:
            await self.app(scope, receive, send)
            return
        question = is_question(str(scope.get("method", "")), path, self.console_prefix)
        if self.requests >= self.max_requests or (question
                                                  and self.questions >= self.max_questions):
            what = "questions" if question else "requests"
            await error_response(503, "overloaded", f"too many {what} in progress; retry in "
                                 f"{self.retry_after} s",
                                 {"Retry-After": str(self.retry_after)})(scope, receive, send)
            return
        self.requests += 1
        self.questions += question
        try:
            await self.app(scope, receive, send)
        finally:
            self.requests -= 1
            self.questions -= question
