"""``POST /v1/admin/reindex``: rebuild the index from the corpus on disk and serve it.

Guarded by ``Authorization: Bearer <settings.server.admin_token>``. With no token configured
the route is off (403); a missing or wrong token is 401 with ``WWW-Authenticate: Bearer``.
After ``server.admin_failures`` wrong tokens in a row a client is refused (429, Retry-After)
for a time that doubles with each further failure (ui.backoff), without the token being
checked.
The build runs in a worker thread, one at a time (409 while one runs); the answer is the
build report.
"""

from __future__ import annotations

import hmac
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from ui.errors import ApiError
from ui.schemas import ERROR_RESPONSES, ReindexOut
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
