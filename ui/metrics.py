"""Prometheus metrics of one app, in a registry of its own (two apps in one process, as in the
tests, never share counts).

- ``policy_assistant_http_requests_total{route, method, status}``: ``route`` is the route's
  template (``/v1/documents/{doc_id}/clauses/{no}``), ``/ui`` for the console, ``unmatched``
  for paths no route serves (so random paths cannot grow the label set);
- ``policy_assistant_http_request_seconds{route, method}``: latency until the response ends;
- ``policy_assistant_answers_total{endpoint, intent}`` and
  ``policy_assistant_refusals_total{endpoint, intent}``: ``endpoint`` is ask or chat;
- ``policy_assistant_rate_limited_total{endpoint}``.

The same middleware writes the access log (logger ``policy_assistant.access``, one line a
request: method, route template, status, milliseconds). It names the route's *template*, never
the path as sent, a query string, a body or the client's address: a question never reaches
the logs. (``policy-assistant serve`` turns uvicorn's own access log, which prints the query
string and the address, off.)
"""

from __future__ import annotations

import logging
import time

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.model import Answer

CONTENT_TYPE = CONTENT_TYPE_LATEST
access_log = logging.getLogger("policy_assistant.access")
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "policy_assistant_http_requests", "HTTP requests by route template, method and "
            "status", ["route", "method", "status"], registry=self.registry)
        self.latency = Histogram(
            "policy_assistant_http_request_seconds", "Time to the end of the response",
            ["route", "method"], buckets=_BUCKETS, registry=self.registry)
        self.answers = Counter(
            "policy_assistant_answers", "Answers given, by endpoint and intent",
            ["endpoint", "intent"], registry=self.registry)
        self.refusals = Counter(
            "policy_assistant_refusals", "Answers that decline (refused=true), by endpoint "
            "and intent", ["endpoint", "intent"], registry=self.registry)
        self.rate_limited = Counter(
            "policy_assistant_rate_limited", "Questions refused with 429, by endpoint",
            ["endpoint"], registry=self.registry)

    def answered(self, endpoint: str, answer: Answer) -> None:
        self.answers.labels(endpoint, answer.intent.value).inc()
        if answer.refused:
            self.refusals.labels(endpoint, answer.intent.value).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_label(scope: Scope) -> str:
    """The template of the route that served the request; a mounted app's routes (the
    console) carry the mount's prefix, kept in ``root_path``."""
    route = scope.get("route")
    if isinstance(route, Mount):
        return route.path or "/"
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return "unmatched"
    return f"{scope.get('root_path', '')}{path}"


def method_label(scope: Scope) -> str:
    method = str(scope.get("method", ""))
    return method if method in _METHODS else "other"


class MetricsMiddleware:
    """Counts every HTTP request and times it to the end of its response body."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route, method = route_label(scope), method_label(scope)
            seconds = time.perf_counter() - started
            self.metrics.requests.labels(route, method, str(status)).inc()
            self.metrics.latency.labels(route, method).observe(seconds)
            access_log.info("%s %s %d %.0fms", method, route, status, seconds * 1000)
