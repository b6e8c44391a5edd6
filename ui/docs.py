"""``/docs``: Swagger UI served from the swagger-ui-bundle package, so it works offline.

The page's one inline script (FastAPI's Swagger UI set-up) is allowed by its hash in the
page's Content-Security-Policy; nothing loads from another origin (no CDN, no favicon from
fastapi.tiangolo.com, no online validator).

The bundled Swagger UI (4.x) reads OpenAPI 3.0 only, while the app publishes 3.1 at
/openapi.json. /docs therefore reads /docs/openapi.json, the same schema written in 3.0 terms
(``nullable`` for ``anyOf [X, null]`` and ``null``, ``example`` for ``examples``, ``enum`` for
``const``).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, Response

DOCS_PATH = "/docs"
_ASSETS = {"swagger-ui-bundle.js": "application/javascript; charset=utf-8",
           "swagger-ui.css": "text/css; charset=utf-8"}
_NULL = {"type": "null"}
_INLINE_SCRIPT_RE = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _assets_dir() -> Path:
    import swagger_ui_bundle  # type: ignore[import-untyped]

    return Path(swagger_ui_bundle.swagger_ui_path)


def docs_page(title: str) -> tuple[bytes, str]:
    """The HTML of /docs and the CSP that allows exactly its inline script."""
    html = bytes(get_swagger_ui_html(
        openapi_url=f"{DOCS_PATH}/openapi.json",
        title=title,
        swagger_js_url=f"{DOCS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_PATH}/swagger-ui.css",
        swagger_favicon_url="data:,",
        swagger_ui_parameters={"validatorUrl": None},
    ).body)
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in _INLINE_SCRIPT_RE.findall(html.decode()))
    policy = (f"default-src 'self'; script-src 'self' {hashes}; "
              "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
              "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    return html, policy


def openapi_30(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of an OpenAPI 3.1 schema that Swagger UI 4 renders (3.0 keywords)."""

    def convert(node: Any) -> Any:
        if isinstance(node, list):
            return [convert(n) for n in node]
        if not isinstance(node, dict):
            return node
        out = dict(node)
        for key in ("anyOf", "oneOf"):
            options = out.get(key)
            if isinstance(options, list) and _NULL in options:
                rest = [o for o in options if o != _NULL]
                del out[key]
                if len(rest) == 1:
                    out.update(rest[0] if "$ref" not in rest[0] else {"allOf": rest})
                else:
                    out[key] = rest
                out["nullable"] = True
        if out.get("type") == "null":  # a field that is always null
            del out["type"]
            out.update(nullable=True, enum=[None])
        if "const" in out:
            out["enum"] = [out.pop("const")]
        examples = out.get("examples")
        if isinstance(examples, list) and "schema" not in out and "in" not in out:
            out.pop("examples")
            if examples:
                out["example"] = examples[0]
        return {k: convert(v) for k, v in out.items()}

    converted: dict[str, Any] = convert(copy.deepcopy(schema))
    converted["openapi"] = "3.0.3"
    return converted


def docs_router(app: FastAPI) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    html, policy = docs_page(f"{app.title} – API")
    assets = _assets_dir()

    @router.get(DOCS_PATH)
    def docs() -> Response:
        return Response(html, media_type="text/html; charset=utf-8",
                        headers={"Content-Security-Policy": policy})

    @router.get(f"{DOCS_PATH}/openapi.json")
    def docs_schema() -> JSONResponse:
        return JSONResponse(openapi_30(app.openapi()))

    def asset(name: str, media_type: str) -> None:
        @router.get(f"{DOCS_PATH}/{name}", name=name)
        def serve() -> Response:
            return Response((assets / name).read_bytes(), media_type=media_type,
                            headers={"Cache-Control": "public, max-age=86400"})

    for name, media_type in _ASSETS.items():
        asset(name, media_type)
    return router
