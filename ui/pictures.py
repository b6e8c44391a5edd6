"""Pictures of the structure (ui.charts' SVG) and the numbers behind them:

- ``GET /v1/agencies/{name}/partners``: the agencies an agency shares tasks with, counted;
- ``GET /v1/agencies/{name}/partners.svg``: the same as bars;
- ``GET /v1/targets/timeline.svg``: the targets by year;
- ``GET /v1/documents/{doc_id}/matrix.svg``: a document's agency × clause matrix.

Structure routes like ui.exports': they read the parsed corpus only, answer while the index
is still building and never wait on the vector store; unknown agencies and documents are the
usual 404 (an ambiguous agency 409). The SVG is served inline (a browser shows it) with a file
name to save it under. (No ``from __future__ import annotations``: FastAPI reads them.)
"""

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path
from fastapi.responses import Response
from pydantic import BaseModel, Field

from assistant.division import agency_division, division, partners
from ui import charts
from ui.exports import ServiceDep
from ui.schemas import ERROR_RESPONSES

SVG = "image/svg+xml"
_PICTURE: dict[int | str, dict[str, Any]] = {
    200: {"content": {SVG: {"schema": {"type": "string"}}}, "description": "the picture"}}
_AGENCY = Path(max_length=200, examples=["发改委"], description="an agency (aliases resolve)")

router = APIRouter(responses=ERROR_RESPONSES)


class PartnerOut(BaseModel):
    name: str
    tasks: int = Field(description="tasks that name both agencies")
    agency_leads: int = Field(description="of them, led by the agency asked about")
    partner_leads: int = Field(description="of them, led by the partner")
    neither_leads: int = Field(description="of them, both support a third agency")


class PartnersOut(BaseModel):
    agency: str
    tasks: int = Field(description="the agency's tasks, lead and supporting")
    partners: list[PartnerOut] = Field(description="most shared tasks first")


def picture(svg: str, ascii_name: str, name: str) -> Response:
    disposition = f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(svg.encode("utf-8"), media_type=f"{SVG}; charset=utf-8",
                    headers={"Content-Disposition": disposition, "Cache-Control": "no-cache"})


@router.get("/v1/agencies/{name}/partners", response_model=PartnersOut, tags=["structure"],
            operation_id="partners",
            summary="The agencies an agency shares tasks with, most shared tasks first")
def agency_partners(service: ServiceDep, name: Annotated[str, _AGENCY]) -> dict[str, Any]:
    agency = agency_division(service.structure(), name)
    return {"agency": agency.agency, "tasks": len(agency.lead) + len(agency.supporting),
            "partners": [{"name": p.name, "tasks": p.tasks, "agency_leads": p.agency_leads,
                          "partner_leads": p.partner_leads, "neither_leads": p.neither_leads}
                         for p in partners(agency)]}


@router.get("/v1/agencies/{name}/partners.svg", response_class=Response, responses=_PICTURE,
            tags=["structure"], operation_id="partners_svg",
            summary="The agencies an agency works with most, as a bar chart (SVG)")
def partners_svg(service: ServiceDep, name: Annotated[str, _AGENCY]) -> Response:
    agency = agency_division(service.structure(), name)
    return picture(charts.partners_svg(agency, partners(agency)), "partners.svg",
                   f"{agency.agency}-合作部门.svg")


@router.get("/v1/targets/timeline.svg", response_class=Response, responses=_PICTURE,
            tags=["structure"], operation_id="targets_svg",
            summary="Every quantitative target by the year it is set for (SVG)")
def targets_svg(service: ServiceDep) -> Response:
    return picture(charts.targets_svg(service.structure()), "targets.svg", "量化目标-按年份.svg")


@router.get("/v1/documents/{doc_id}/matrix.svg", response_class=Response, responses=_PICTURE,
            tags=["structure"], operation_id="matrix_svg",
            summary="The document's agency × clause matrix, lead and supporting (SVG)")
def matrix_svg(
    service: ServiceDep,
    doc_id: Annotated[str, Path(max_length=200,
                                 description="a document id (GET /v1/documents)")],
) -> Response:
    div = division(service.structure(), doc_id)
    return picture(charts.matrix_svg(div), f"{div.doc_id}-matrix.svg",
                   f"{div.short_title}-分工矩阵.svg")
