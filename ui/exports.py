"""The 分工表 downloads: ``GET /v1/documents/{doc_id}/division.xlsx`` and
``GET /v1/agencies/{name}/duties.xlsx``.

Structure routes like ui.api's: they read the parsed corpus only, answer while the index is
still building and never wait on the vector store. Unknown documents and agencies are the
usual 404 envelope (with the nearest names). The file name is given both as ASCII and as
UTF-8 (RFC 6266 ``filename*``) so that a browser saves ``<short title>-任务分工表.xlsx``.
openpyxl (ui.workbooks) is imported at the first download.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path
from fastapi.responses import Response

from assistant.division import agency_division, division
from ui.schemas import ERROR_RESPONSES
from ui.state import Service, get_service

ServiceDep = Annotated[Service, Depends(get_service)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FILE: dict[int | str, dict[str, Any]] = {
    200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
          "description": "the workbook"}}

router = APIRouter(responses=ERROR_RESPONSES)


def attachment(data: bytes, ascii_name: str, name: str) -> Response:
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": disposition,
                                                    "Cache-Control": "no-cache"})


@router.get("/v1/documents/{doc_id}/division.xlsx", response_class=Response, responses=_FILE,
            tags=["structure"], operation_id="division_xlsx",
            summary="The document's 任务分工表 as an Excel workbook: one row per task")
def division_xlsx(
    service: ServiceDep,
    doc_id: Annotated[str, Path(max_length=200,
                                 description="a document id (GET /v1/documents)")],
) -> Response:
    from ui.workbooks import division_workbook

    div = division(service.structure(), doc_id)
    return attachment(division_workbook(div), f"{div.doc_id}-division.xlsx",
                      f"{div.short_title}-任务分工表.xlsx")


@router.get("/v1/agencies/{name}/duties.xlsx", response_class=Response, responses=_FILE,
            tags=["structure"], operation_id="duties_xlsx",
            summary="An agency's tasks as an Excel workbook: sheets 牵头 and 配合")
def duties_xlsx(
    service: ServiceDep,
    name: Annotated[str, Path(max_length=200, examples=["发改委"])],
) -> Response:
    from ui.workbooks import duties_workbook

    agency = agency_division(service.structure(), name)
    return attachment(duties_workbook(agency), "duties.xlsx", f"{agency.agency}-任务清单.xlsx")
