"""The pages people load: ``/`` (the demo page that embeds the widget) and ``/widget.js``.

Both are files of ui/static, read when asked for (the widget can be edited without a restart);
a missing file is a 404 in the error envelope.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

from ui.errors import ApiError
from ui.headers import PAGE_POLICY

STATIC_DIR = Path(__file__).resolve().parent / "static"
WIDGET_CACHE = "public, max-age=300"


def _read(name: str) -> bytes:
    try:
        return (STATIC_DIR / name).read_bytes()
    except OSError:
        raise ApiError(404, "not_found", f"{name} is not installed in ui/static") from None


router = APIRouter(include_in_schema=False)


@router.get("/")
async def demo_page() -> Response:
    return Response(_read("index.html"), media_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": PAGE_POLICY,
                             "Cache-Control": "no-cache"})


@router.get("/widget.js")
async def widget() -> Response:
    return Response(_read("widget.js"), media_type="application/javascript; charset=utf-8",
                    headers={"Cache-Control": WIDGET_CACHE})
