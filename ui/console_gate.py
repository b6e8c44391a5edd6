"""The gate in front of the Gradio console at /ui.

- A login: HTTP Basic credentials checked against ``server.console_users`` (user → PBKDF2
  hash). Without them every path under /ui is 401 (``WWW-Authenticate: Basic``) and no part of
  the console is served; with no users configured the console is 403. Repeated wrong passwords
  from one client back off (429). Serve it over TLS only (the nginx configuration does).
- The question rate limit of the API applies to the console's events (its POSTs).
- Gradio's upload route is closed unless ``server.console_uploads`` is set (the console needs
  none); the body limit of ui.body_limit caps what an event may carry.
- ``X-Forwarded-Host`` / ``X-Forwarded-Proto`` / ``Forwarded`` are removed before Gradio sees
  them, so no client-chosen host is reflected into the page.
- Gradio's own JSON errors (``{"detail": …}``) are rewritten into the error envelope.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ui.backoff import Backoff
from ui.errors import ApiError, code_for_status, error_body, error_response
from ui.passwords import verify_password
from ui.state import Service

_STRIPPED = frozenset({b"x-forwarded-host", b"x-forwarded-proto", b"x-forwarded-port",
                       b"x-forwarded-prefix", b"forwarded"})
_UPLOADS = ("/gradio_api/upload", "/upload")


class ConsoleGate:
    def __init__(self, app: ASGIApp, service: Service, prefix: str = "/ui") -> None:
        self.app = app
        self.service = service
        self.prefix = prefix
        server = service.settings.server
        self.users = {name: secret.get_secret_value()
                      for name, secret in server.console_users.items()}
        self.uploads = server.console_uploads
        self.backoff = Backoff(server.admin_failures, server.admin_backoff_max)
        # digests of Authorization headers already verified: PBKDF2 is slow on purpose, and
        # a console page loads many files
        self._verified: set[bytes] = set()

    def _inside(self, path: str) -> bool:
        return path == self.prefix or path.startswith(self.prefix + "/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] not in ("http", "websocket") or not self._inside(path):
            await self.app(scope, receive, send)
            return
        scope = {**scope, "headers": [(k, v) for k, v in scope.get("headers", [])
                                      if k.lower() not in _STRIPPED]}
        try:
            await self._check(scope, path)
        except ApiError as exc:
            if scope["type"] == "http":
                await error_response(exc.status, exc.code, exc.message,
                                     exc.headers)(scope, receive, send)
            else:
                await send({"type": "websocket.close", "code": 1008})
            return
        await self.app(scope, receive, _enveloped(send) if scope["type"] == "http" else send)

    async def _check(self, scope: Scope, path: str) -> None:
        client = self.service.identity.of(Request(scope))
        if not self.users:
            raise ApiError(403, "console_disabled", "the console has no users (set "
                                                    "POLICY_ASSISTANT_SERVER__CONSOLE_USERS)")
        wait = self.backoff.wait(client)
        if wait:
            raise ApiError(429, "too_many_failures", f"too many failed logins; retry in "
                                                     f"{wait} s", {"Retry-After": str(wait)})
        header = Headers(scope=scope).get("authorization", "")
        seen = hashlib.sha256(header.encode()).digest()
        if seen not in self._verified:
            user, password = _basic(header)
            encoded = self.users.get(user or "")
            if user is None or encoded is None or not await run_in_threadpool(
                    verify_password, password, encoded):
                if user is not None:
                    self.backoff.failed(client)
                raise ApiError(401, "unauthorized", "the console needs a staff login",
                               {"WWW-Authenticate": 'Basic realm="policy-assistant console", '
                                                    'charset="UTF-8"'})
            self.backoff.succeeded(client)
            if len(self._verified) > 1000:
                self._verified.clear()
            self._verified.add(seen)
        method = str(scope.get("method", ""))
        inner = path[len(self.prefix):]
        if method == "POST" and not self.uploads and inner.endswith(_UPLOADS):
            raise ApiError(403, "uploads_disabled", "the console takes no uploads")
        if method == "POST":
            self.service.take_question_token(Request(scope), "console")


def _enveloped(send: Send) -> Send:
    """Rewrites Gradio's JSON error bodies (``{"detail": …}``) into the error envelope."""
    start: Message | None = None
    chunks: list[bytes] = []

    async def wrapped(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            headers = MutableHeaders(raw=list(message.get("headers", [])))
            if message["status"] >= 400 and headers.get("content-type", "").startswith(
                    "application/json"):
                start = message  # held until the body is complete
                return
            await send(message)
            return
        if start is None or message["type"] != "http.response.body":
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        status = int(start["status"])
        body = b"".join(chunks)
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, dict) and "error" not in data:
            detail = data.get("detail", data.get("message", ""))
            text = detail if isinstance(detail, str) else "the console refused the request"
            body = json.dumps(error_body(code_for_status(status), text)).encode()
        headers = MutableHeaders(raw=list(start.get("headers", [])))
        headers["content-length"] = str(len(body))
        await send({**start, "headers": headers.raw})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return wrapped


def _basic(header: str) -> tuple[str | None, str]:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None, ""
    try:
        user, sep, password = base64.b64decode(value.strip(), validate=True).decode().partition(
            ":")
    except (binascii.Error, UnicodeDecodeError):
        return None, ""
    return (user, password) if sep else (None, "")
