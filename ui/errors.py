"""Every failure of the HTTP service becomes one body: ``{"error": {"code", "message"}}``.

=========================================  ======  =====================================
what went wrong                            status  code
=========================================  ======  =====================================
BadInput (the Assistant's own checks)      400     bad_input
UnknownDocument / Clause / Agency          404     unknown_document / _clause / _agency
UnknownPlace (a side's place= not held)    404     unknown_place (+ "places": the valid ones)
AmbiguousAgency (several jurisdictions'    409     ambiguous_agency (+ "candidates":
agencies have the name, home's none)               [{"name", "jurisdiction"}])
DuplicateDocument, RemovalRefused          409     duplicate_document, removal_refused
UnsupportedFormat (an upload's suffix)     415     unsupported_format
UnreadableDocument (empty, scan, no plan)  422     unreadable_document
UnknownLabel (a sector or kind)            422     unknown_label (the valid ones listed)
a body that is not UTF-8 JSON              400     invalid_json
a value of the wrong type or out of range  422     validation_error
ApiError: no/wrong admin token             401     unauthorized (+ WWW-Authenticate)
ApiError: admin route off (no token set)   403     admin_disabled
ApiError: unknown model                    404     model_not_found
ApiError: a reindex is running             409     reindex_running
ApiError: rate limited                     429     rate_limited (+ Retry-After)
ApiError: index still opening              503     building (+ Retry-After)
ApiError: index failed to open             503     unavailable (+ Retry-After)
StoreUnavailable (timeout, refused, open   503     store_unavailable (+ Retry-After)
circuit breaker)
too many requests in flight (ui.shedding)  503     overloaded (+ Retry-After)
a body over the limit (ui.body_limit)      413     payload_too_large
headers over the limits (ui.protocol)      431     headers_too_large
headers/body too slow (ui.protocol)        408     request_timeout
malformed HTTP (ui.protocol)               400     bad_request
Starlette HTTPException (404, 405 …)       its own not_found, method_not_allowed …
any other PolicyAssistantError             500     its code (index_error, store_error …)
anything else                              500     internal_error
=========================================  ======  =====================================

Limits on the question and the history are part of the request schema, so exceeding them is a
422 like any other out-of-range value; the Assistant's own BadInput (400) stays as a fallback.
5xx bodies never carry exception text: it is logged with its traceback instead. Validation
messages name the field and the rule, never the value sent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import (
    AmbiguousAgency,
    BadInput,
    DuplicateDocument,
    PolicyAssistantError,
    RemovalRefused,
    StoreUnavailable,
    UnknownAgency,
    UnknownClause,
    UnknownDocument,
    UnknownLabel,
    UnknownPlace,
    UnreadableDocument,
    UnsupportedFormat,
)

log = logging.getLogger("policy_assistant.http")

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    408: "request_timeout",
    429: "rate_limited",
    431: "headers_too_large",
    500: "internal_error",
    503: "unavailable",
}
# the first class an error is an instance of gives its status; BadInput otherwise 400
_STATUS_OF: tuple[tuple[type[BadInput], int], ...] = (
    (UnknownDocument, 404), (UnknownClause, 404), (UnknownAgency, 404), (UnknownPlace, 404),
    (DuplicateDocument, 409), (RemovalRefused, 409), (AmbiguousAgency, 409),
    (UnsupportedFormat, 415), (UnreadableDocument, 422), (UnknownLabel, 422),
)
_MAX_MESSAGE = 500
_NOT_JSON = "the request body is not valid UTF-8 JSON"
_MAX_FIELD_ERRORS = 5


class ApiError(Exception):
    """An error the service answers on purpose, with its status, code and headers."""

    def __init__(self, status: int, code: str, message: str,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message[:_MAX_MESSAGE]}}


def error_response(status: int, code: str, message: str,
                   headers: Mapping[str, str] | None = None,
                   extra: Mapping[str, Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {**error_body(code, message)["error"], **(extra or {})}
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def code_for_status(status: int) -> str:
    return _STATUS_CODES.get(status, "client_error" if status < 500 else "internal_error")


def status_for(exc: BadInput) -> int:
    return next((status for kind, status in _STATUS_OF if isinstance(exc, kind)), 400)


def validation_message(errors: Sequence[Any]) -> str:
    """``body.question: String should have at most 1000 characters; …`` (no input echoed)."""
    parts = []
    for error in errors[:_MAX_FIELD_ERRORS]:
        loc = ".".join(str(p) for p in error.get("loc", ()))
        parts.append(f"{loc}: {error.get('msg', 'invalid')}" if loc else
                     str(error.get("msg", "invalid")))
    more = len(errors) - _MAX_FIELD_ERRORS
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts) or "the request is invalid"


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, exc.headers)


async def _bad_input(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BadInput)
    extra: dict[str, Any] | None = None
    if isinstance(exc, AmbiguousAgency):
        extra = {"candidates": [{"name": n, "jurisdiction": j} for n, j in exc.candidates]}
    elif isinstance(exc, UnknownPlace):
        extra = {"places": list(exc.valid)}
    return error_response(status_for(exc), exc.code, str(exc), extra=extra)


async def _store_unavailable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StoreUnavailable)
    log.warning("%s %s: %s", request.method, request.url.path, exc)
    return error_response(503, "store_unavailable", "the search index is not reachable right "
                          f"now; retry in {exc.retry_after} s",
                          {"Retry-After": str(exc.retry_after)})


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PolicyAssistantError)
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response(500, exc.code, "the service failed to answer; the error is logged")


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "invalid_json", _NOT_JSON)
    return error_response(422, "validation_error", validation_message(errors))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    message = str(exc.detail)
    if status == 404 and message == "Not Found":
        message = f"no such path: {request.url.path[:200]}"
    elif status == 405:
        message = f"{request.method[:20]} is not allowed on {request.url.path[:200]}"
    elif status == 400 and message == "There was an error parsing the body":
        return error_response(400, "invalid_json", _NOT_JSON)
    return error_response(status, code_for_status(status), message, exc.headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    """The last resort, outside every middleware (CatchAll handles what routes raise)."""
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return _internal_error()


class CatchAll:
    """Turns an exception no handler took into the 500 body *inside* the middleware stack, so
    that the response still gets the security headers and is counted by the metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:  # a stream broke half-way: nothing left to answer with
                raise
            log.error("%s %s failed", scope.get("method"), scope.get("path"), exc_info=exc)
            await _internal_error()(scope, receive, send)


def _internal_error() -> JSONResponse:
    return error_response(500, "internal_error", "the service failed to answer; the error "
                                                 "is logged")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(BadInput, _bad_input)
    app.add_exception_handler(StoreUnavailable, _store_unavailable)
    app.add_exception_handler(PolicyAssistantError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
