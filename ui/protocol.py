"""The HTTP connection's own limits, below the app: uvicorn's httptools protocol with a guard.

uvicorn's httptools parser has no limit on the size or number of request headers and no
deadline for a request to arrive, so one client could send a 100 MB header or hold a thousand
connections open by sending nothing (or a byte a minute). This protocol adds:

- headers larger than ``max_header_bytes`` (request line included) or more than
  ``max_headers`` of them: ``431`` and the connection closed, as soon as the limit is passed
  (nothing more is read);
- a new connection, or a request, whose headers have not all arrived ``header_timeout``
  seconds after it began: ``408`` and closed; a body not complete ``body_timeout`` seconds
  after its headers: closed (``408`` when no response has started);
- malformed HTTP: ``400``. Each of these is the JSON error envelope, like every answer of
  the app.

Idle keep-alive connections are closed by uvicorn itself after ``timeout_keep_alive``. A
refused request's connection is closed the way nginx's lingering close does it: the answer is
written, the sending side shut, and what the client is still sending read and dropped for up to
``LINGER`` seconds, so that the client reads the answer instead of a connection reset.
Use ``guarded_protocol(limits)`` as uvicorn's ``http`` setting.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import ClassVar

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from ui.errors import code_for_status, error_body


@dataclass(frozen=True, slots=True)
class HttpLimits:
    max_header_bytes: int = 16384
    max_headers: int = 64
    header_timeout: float = 10.0
    body_timeout: float = 30.0


def guarded_protocol(limits: HttpLimits) -> type[asyncio.Protocol]:
    """uvicorn's ``http`` setting: the guarded protocol with these limits."""
    return type("GuardedHttpToolsProtocol", (GuardedHttpToolsProtocol,), {"limits": limits})


LINGER = 2.0


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    limits: ClassVar[HttpLimits] = HttpLimits()

    # -- connection ----------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._rejected = False
        self._in_headers = False
        self._in_body = False
        self._header_bytes = 0
        self._deadline: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        # a new connection must send its first request's headers in time
        self._arm(self.limits.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._rejected:
            return
        super().data_received(data)
        if self._in_headers and not self._rejected:
            self._header_bytes += len(data)
            if self._header_bytes > self.limits.max_header_bytes:
                self._reject(431, f"the request headers are larger than "
                                  f"{self.limits.max_header_bytes} bytes")

    def send_400_response(self, msg: str) -> None:
        if not self._rejected:
            self._reject(400, "the request is not valid HTTP/1.1")

    # -- parser callbacks ----------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_headers, self._in_body, self._header_bytes = True, False, 0
        if self._deadline is None:
            self._arm(self.limits.header_timeout)

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._rejected:
            return
        super().on_header(name, value)
        if len(self.headers) > self.limits.max_headers:
            self._reject(431, f"the request has more than {self.limits.max_headers} headers")

    def on_headers_complete(self) -> None:
        if self._rejected:
            return
        self._in_headers = False
        self._disarm()
        size = len(self.url) + sum(len(n) + len(v) + 4 for n, v in self.headers)
        if size > self.limits.max_header_bytes:
            self._reject(431, f"the request headers are larger than "
                              f"{self.limits.max_header_bytes} bytes")
            return
        super().on_headers_complete()
        if not self.parser.should_upgrade():
            self._in_body = True
            self._arm(self.limits.body_timeout)

    def on_body(self, body: bytes) -> None:
        if not self._rejected:
            super().on_body(body)

    def on_message_complete(self) -> None:
        self._in_body = False
        self._disarm()
        if not self._rejected:
            super().on_message_complete()

    # -- deadlines -----------------------------------------------------------------------

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self._rejected or self.transport.is_closing():
            return
        if self._in_body and self.cycle is not None and self.cycle.response_started:
            self._rejected = True
            self.transport.close()
            return
        what = "body" if self._in_body else "headers"
        seconds = self.limits.body_timeout if self._in_body else self.limits.header_timeout
        self._reject(408, f"the request {what} did not arrive within {seconds:g} s")

    # -- the answer ----------------------------------------------------------------------

    def _reject(self, status: int, message: str) -> None:
        """Answer with the error envelope and close; nothing more of this connection is read
        or handed to the app."""
        self._rejected = True
        self._disarm()
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True  # the app, if it started, hears a disconnect
            self.cycle.message_event.set()
        if self.cycle is not None and self.cycle.response_started:
            self.transport.close()
            return
        body = json.dumps(error_body(code_for_status(status), message)).encode()
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [b"content-type: application/json\r\n",
                 b"content-length: " + str(len(body)).encode() + b"\r\n",
                 b"x-content-type-options: nosniff\r\n",
                 b"connection: close\r\n\r\n", body]
        self.transport.write(b"".join(head))
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self.loop.call_later(LINGER, self.transport.close)
        else:
            self.transport.close()
