"""Starlette's CORS middleware, with a refused preflight in the error envelope.

Starlette answers a preflight it refuses with ``400 text/plain "Disallowed CORS origin"``;
this answers the same status and CORS headers with ``{"error": {"code": "cors_refused",
"message": …}}``.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from ui.errors import error_response

_DROPPED = frozenset({"content-type", "content-length"})


class JsonCORSMiddleware(CORSMiddleware):
    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        message = bytes(response.body).decode(errors="replace").lower()
        headers = {k: v for k, v in response.headers.items() if k.lower() not in _DROPPED}
        return error_response(response.status_code, "cors_refused",
                              f"the CORS preflight is refused: {message}", headers)
