"""The admin routes: ``POST /v1/admin/reindex`` rebuilds the index from the corpus on disk and
serves it; ``POST /v1/admin/documents`` checks an uploaded document (``dry_run``) or adds it,
``DELETE /v1/admin/documents/{doc_id}`` removes one — both served without a restart
(ui.documents).

Guarded by ``Authorization: Bearer <settings.server.admin_token>``. With no token configured
the route is off (403); a missing or wrong token is 401 with ``WWW-Authenticate: Bearer``.
After ``server.admin_failures`` wrong tokens in a row a client is refused (429, Retry-After)
for a time that doubles with each further failure (ui.backoff), without the token being
checked.
The build runs in a worker thread, one at a time (409 while one runs); the answer is the
build report, or for a document the report of ``policy-assistant add --json``.

An upload is ``multipart/form-data`` with a ``file`` field (.txt, .pdf, .docx, .html) and
optional ``id`` and ``dry_run`` fields, read only after the token is checked; its size is capped
by ``server.max_upload_bytes`` (413, ui.body_limit). The file is saved under its own name in a
private temporary folder, read from there and removed.
"""

from __future__ import annotations

import hmac
import re
import tempfile
from dataclasses import asdict
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ui import documents
from ui.errors import ApiError
from ui.schemas import ERROR_RESPONSES, UPLOAD_BODY, AddReportOut, ReindexOut, RemovedOut
from ui.state import Service, get_service

ServiceDep = Annotated[Service, Depends(get_service)]


async def require_admin(request: Request, service: ServiceDep) -> None:
    token = service.settings.server.admin_token.get_secret_value()
    if not token:
        raise ApiError(403, "admin_disabled",
                       "reindexing over HTTP is off: no admin token is configured "
                       "(set POLICY_ASSISTANT_SERVER__ADMIN_TOKEN)")
    client = service.client(request)
    wait = service.admin_backoff.wait(client)
    if wait:
        raise ApiError(429, "too_many_failures", f"too many wrong tokens; retry in {wait} s",
                       {"Retry-After": str(wait)})
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        raise ApiError(401, "unauthorized", "this route needs an Authorization: Bearer token",
                       {"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        service.admin_backoff.failed(client)
        raise ApiError(401, "unauthorized", "the bearer token is not valid",
                       {"WWW-Authenticate": 'Bearer error="invalid_token"'})
    service.admin_backoff.succeeded(client)


router = APIRouter(responses=ERROR_RESPONSES, tags=["admin"])


@router.post("/v1/admin/reindex", response_model=ReindexOut, operation_id="reindex",
             summary="Rebuild the index from the corpus on disk and serve it (bearer token)",
             dependencies=[Depends(require_admin)])
async def reindex(service: ServiceDep) -> dict[str, Any]:
    report = await run_in_threadpool(service.reindex)
    return asdict(report)


_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off", "")


@router.post("/v1/admin/documents", response_model=AddReportOut, operation_id="add_document",
             summary="Check an uploaded document (dry_run) or add it and serve it at once "
                     "(bearer token)",
             dependencies=[Depends(require_admin)], openapi_extra=UPLOAD_BODY,
             response_model_exclude_unset=True)
async def add_document(request: Request, service: ServiceDep) -> dict[str, Any]:
    async with request.form(max_files=1, max_fields=4, max_part_size=4096) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ApiError(400, "bad_input", "send the document as multipart/form-data with a "
                                             "file field named file (.txt, .pdf, .docx, .html)")
        doc_id = _text(form.get("id")) or None
        dry_run = _flag(_text(form.get("dry_run")))
        name = _safe_name(upload.filename)
        data = await upload.read()
    with tempfile.TemporaryDirectory(prefix="policy-upload-") as folder:
        path = FilePath(folder) / name
        path.write_bytes(data)
        return await run_in_threadpool(documents.add_document, service, path, doc_id,
                                       dry_run, name)


@router.delete("/v1/admin/documents/{doc_id}", response_model=RemovedOut,
               operation_id="remove_document",
               summary="Remove a document and serve the index without it (bearer token)",
               dependencies=[Depends(require_admin)])
async def remove_document(
    service: ServiceDep,
    doc_id: Annotated[str, Path(max_length=200, examples=["guangxi-2021-green"])],
    force: Annotated[bool, Query(description="also the home document")] = False,
) -> dict[str, Any]:
    return await run_in_threadpool(documents.remove_document, service, doc_id, force)


def _safe_name(filename: str) -> str:
    """The upload's own file name (its suffix chooses the reader, its stem the default id),
    without any folder and never a special name."""
    name = re.sub(r"[^\w.-]", "_", filename.replace("\\", "/").rsplit("/", 1)[-1])
    return name if name.strip(".") else "upload"


def _text(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ApiError(422, "validation_error", "id and dry_run are text fields, not files")
    return value.strip()


def _flag(value: str) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ApiError(422, "validation_error", "dry_run: must be true or false")
