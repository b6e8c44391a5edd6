"""The pages people load: ``/`` (the demo page that embeds the widget), ``/jiedu`` (a second
page of the demo site: the conversation follows the visitor there), their ``/site.css``, and
``/widget.js``.

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


def _page(name: str) -> Response:
    return Response(_read(name), media_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": PAGE_POLICY,
                             "Cache-Control": "no-cache"})


@router.get("/")
async def demo_page() -> Response:
    return _page("index.html")


@router.get("/jiedu")
async def demo_reading_page() -> Response:
    return _page("jiedu.html")


@router.get("/site.css")
async def site_css() -> Response:
    return Response(_read("site.css"), media_type="text/css; charset=utf-8",
                    headers={"Cache-Control": WIDGET_CACHE})


@router.get("/widget.js")
async def widget() -> Response:
    return Response(_read("widget.js"), media_type="application/javascript; charset=utf-8",
                    headers={"Cache-Control": WIDGET_CACHE})
