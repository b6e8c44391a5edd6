"""``POST /v1/match`` (an enterprise's profile → the measures that support it and the
requirements that bind it), ``GET /v1/measures`` (browse the catalogue by sector, kind and
document) and ``GET /v1/measures/labels`` (the vocabulary). A few lines each over
``Assistant.matcher``; bodies are the dicts of ui.match_views. The match is rate limited like
the other question routes (it embeds the description); browsing reads the catalogue only.
(No ``from __future__ import annotations``: FastAPI reads the annotations.)"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from assistant.matcher import MAX_DESCRIPTION, MAX_DISTRICT, Profile
from indexing.measures.labels import vocabulary
from ui import match_views
from ui.api import ServiceDep
from ui.schemas import ERROR_RESPONSES, require_text


class MatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION,
                             description="the business in the user's words",
                             examples=["我们是一家做冷链物流的公司，有30辆货车"])
    sector: str | None = Field(default=None, max_length=50, description=(
        "an audience label of GET /v1/measures/labels: its id (logistics), name or alias "
        "(物流); unknown → 422 with the valid ids"))
    district: str | None = Field(default=None, max_length=MAX_DISTRICT,
                                 description="where the business is; named in the notes of "
                                             "tasks that district governments carry out")
    size: str | None = Field(default=None, max_length=20,
                             description="micro, small, medium or large (微型/小型/中型/大型); "
                                         "micro to medium add the sme label")
    limit: int = Field(default=10, ge=1, le=50, description="items per list")
    place: str | None = Field(default=None, max_length=50, description=(
        "the place whose measures: a held place's name or short name (its documents and the "
        "national ones); default the home side, with the plan of a district of home that "
        "``district`` names. Unknown → 404 unknown_place listing the valid ones"))


class MeasureOut(BaseModel):
    ref: str
    doc_id: str
    doc_title: str
    doc_short_title: str
    part: str | None
    part_no: int
    clause_no: int | None
    clause_label: str | None
    clause_title: str | None
    provision: int
    quote: str
    agencies: list[str]
    lead_agency: str | None
    audience: list[str]
    kind: list[str]
    sides: list[str]
    labels: list[str]
    source: str


class TwinOut(BaseModel):
    """The same task in another document, shown with the item rather than as its own."""

    ref: str
    doc_id: str
    doc_title: str
    doc_short_title: str
    part: str | None
    clause_no: int | None
    clause_label: str | None
    clause_title: str | None
    provision: int
    quote: str
    agencies: list[str]
    lead_agency: str | None


class MatchItemOut(MeasureOut):
    rank: int
    score: float
    shared: list[str]
    not_stated: list[str]
    also: list[TwinOut] = Field(description="the same task in other documents (nearly the "
                                            "same words), named with this item")


class ProfileOut(BaseModel):
    description: str
    sector: str | None
    district: str | None
    size: str | None
    audience: list[str]
    audience_names: list[str]
    read_from: str


class MatchOut(BaseModel):
    profile: ProfileOut
    support: list[MatchItemOut]
    requirements: list[MatchItemOut]
    notes: list[str]


class MeasuresOut(BaseModel):
    count: int
    measures: list[MeasureOut]


router = APIRouter(responses=ERROR_RESPONSES)


@router.post("/v1/match", response_model=MatchOut, tags=["measures"], operation_id="match",
             summary="An enterprise profile → the measures that support it and the "
                     "requirements that bind it, ranked by fit")
def match(request: Request, service: ServiceDep, body: MatchIn) -> dict[str, Any]:
    require_text(body.description, "body.description")
    service.take_question_token(request, "match")
    profile = Profile(body.description, body.sector, body.district, body.size)
    with service.using() as whole:
        assistant = whole.side([body.place] if body.place else (), district=body.district)
        matcher = assistant.matcher
        result = matcher.match(profile, body.limit)
        return match_views.match_view(assistant.corpus, matcher.catalogue, profile, result)


@router.get("/v1/measures", response_model=MeasuresOut, tags=["measures"],
            operation_id="measures", summary="The measures catalogue, filtered")
def measures(
    service: ServiceDep,
    sector: Annotated[str | None, Query(max_length=50, description="an audience label")] = None,
    kind: Annotated[str | None, Query(max_length=50, description=(
        "a kind label, or a side: support, requirement, internal"))] = None,
    doc: Annotated[list[str] | None, Query(max_length=20, description="document ids")] = None,
) -> dict[str, Any]:
    with service.using() as assistant:
        matcher = assistant.matcher
        found = matcher.browse(sector, kind, doc or ())
        return {"count": len(found),
                "measures": [match_views.measure_view(assistant.corpus, matcher.catalogue, m)
                             for m in found]}


@router.get("/v1/measures/labels", tags=["measures"], operation_id="measure_labels",
            summary="The catalogue's label vocabulary: audience and kind")
def labels() -> dict[str, Any]:
    return match_views.labels_view(vocabulary())
