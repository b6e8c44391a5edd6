"""Security headers on every response.

Everywhere: ``X-Content-Type-Options: nosniff``, a referrer policy and a permissions policy.
Outside the console: ``X-Frame-Options: DENY`` and, unless the route set its own (the demo
page and /docs do, see ``PAGE_POLICY`` and ui.docs), a Content-Security-Policy that allows
nothing, which is right for JSON and scripts. The Gradio console at /ui runs inline scripts
and styles of its own, so it gets no CSP from here and may only be framed by this origin.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The demo page: its own scripts (widget.js) and API calls only; no inline script, no plugin,
# no framing. Inline styles are allowed: the widget styles its shadow root.
PAGE_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
               "object-src 'none'; base-uri 'none'; form-action 'self'; "
               "frame-ancestors 'none'")
NOTHING_POLICY = "default-src 'none'; frame-ancestors 'none'"

_ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp, console_prefix: str = "/ui") -> None:
        self.app = app
        self.console_prefix = console_prefix

    def _in_console(self, path: str) -> bool:
        return path == self.console_prefix or path.startswith(self.console_prefix + "/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        console = self._in_console(str(scope.get("path", "")))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                for name, value in _ALWAYS.items():
                    headers.setdefault(name, value)
                if console:
                    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
                else:
                    headers.setdefault("X-Frame-Options", "DENY")
                    headers.setdefault("Content-Security-Policy", NOTHING_POLICY)
            await send(message)

        await self.app(scope, receive, send_with_headers)
