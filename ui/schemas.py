"""The pydantic models of the HTTP edge: what the OpenAPI schema documents and what requests
are validated against. Response bodies are built by ui.views; these models describe them.

Limits that come from settings (question length, history turns, query length) are attached
where the routes are built (ui.api, ui.chat), so the schema shows the configured values.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ui.errors import ApiError


def require_text(value: str, where: str) -> str:
    """A question must hold more than spaces: a 422 like the schema's own checks. (Not a
    validator on the type: pydantic would then report the length limit as "items after
    validation".) Strings with lone surrogates never get here: pydantic refuses them."""
    if not value.strip():
        raise ApiError(422, "validation_error", f"{where}: must hold some text, not only "
                                                "spaces")
    return value


# -- errors ---------------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    code: str = Field(examples=["unknown_document"])
    message: str = Field(examples=["unknown document: plan; did you mean: plan-2022"])
    # two codes carry what to ask again with
    candidates: list[dict[str, str]] | None = Field(
        default=None, description="ambiguous_agency: each agency the name may mean")
    places: list[str] | None = Field(
        default=None, description="unknown_place: the places that may be named, home first")


class ErrorBody(BaseModel):
    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    "default": {"model": ErrorBody, "description": "An error: the status says which kind"},
}


# -- requests -------------------------------------------------------------------------------


class HistoryTurn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class TextPart(BaseModel):
    type: Literal["text"]
    text: str


class ChatMessage(BaseModel):
    """An OpenAI chat message. System and developer messages are accepted and ignored."""

    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[TextPart] | None = None

    @property
    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text for part in self.content)


# -- answers --------------------------------------------------------------------------------


class CitationOut(BaseModel):
    n: int
    doc_id: str
    doc_title: str
    doc_short_title: str
    clause_no: int | None
    clause_label: str | None
    clause_title: str | None
    part: str | None
    part_no: int | None
    provision: int | None
    quote: str
    agencies: list[str]
    lead_agency: str | None


Intent = Literal["duties", "responsibility", "target", "incentive", "clause", "general",
                 "out_of_scope"]


class AnswerOut(BaseModel):
    answer: str
    refused: bool  # true only when nothing relevant is given
    not_stated: str  # what the documents do not give, said alongside what they do; "" if none
    intent: Intent
    route: str  # which answer type fired and why (e.g. "count: agency+role+count cue")
    citations: list[CitationOut]


# -- the structure --------------------------------------------------------------------------


class LocationOut(BaseModel):
    doc_id: str
    doc_title: str
    clause_no: int | None
    clause_label: str | None
    clause_title: str | None
    part: str | None


class HitOut(BaseModel):
    rank: int
    doc_id: str
    doc_title: str
    clause_no: int | None
    clause_label: str | None
    clause_title: str | None
    part: str | None
    provision: int | None
    kind: Literal["provision", "clause"]
    score: float | None
    via: str
    text: str
    agencies: list[str]
    lead_agency: str | None


class DocumentOut(BaseModel):
    doc_id: str
    title: str
    short_title: str
    english_title: str
    issuer: str
    number: str | None
    date: str
    published: str | None
    level: Literal["national", "provincial", "municipal", "district"]
    implements: list[str]
    parts: int
    clauses: int
    provisions: int
    responsibility_brackets: int


class ProvisionOut(BaseModel):
    provision: int
    text: str
    agencies: list[str]
    lead_agency: str | None
    and_others: bool
    responsibility: str | None
    line: int


class ClauseOut(LocationOut):
    text: str
    line: int
    provisions: list[ProvisionOut]


class AgencyOut(BaseModel):
    name: str
    kind: str
    english: str
    aliases: list[str]
    jurisdiction: str | None = Field(
        default=None, description="whose agency it is: the place its document's metadata gives")


class DutyOut(LocationOut, ProvisionOut):
    role: Literal["lead", "supporting"]


class DutiesOut(BaseModel):
    agency: AgencyOut
    duties: list[DutyOut]
    elsewhere: list[str] = Field(
        default=[], description="agencies of other jurisdictions the same name also means (the "
                                "home jurisdiction's answers by default)")


class TargetOut(LocationOut):
    provision: int
    indicator: str
    comparator: str
    value: str
    unit: str
    qualifier: str
    display_value: str
    year: int | None
    base_year: int | None
    text: str


# -- the service ----------------------------------------------------------------------------


class HealthOut(BaseModel):
    """Liveness. ``state``: building (the index is being opened; questions get 503), ready,
    or failed; the index fields are empty until it is open."""

    status: Literal["ok"]
    state: Literal["starting", "building", "ready", "failed"]
    documents: int
    chunks: int
    embedder: str
    collection: str
    reindexing: bool
    pid: int  # the process that answered: with `serve --workers N`, each worker for itself


class ReadyOut(BaseModel):
    """Readiness: ``ready`` only with the index open and the vector store answering."""

    ready: bool
    status: Literal["starting", "building", "ready", "failed", "store_unavailable"]
    detail: str
    collection: str | None = None
    reindexing: bool | None = None
    breaker: Literal["closed", "open", "half-open"] | None = None
    pid: int  # the process that answered: with `serve --workers N`, each worker for itself


class ReindexOut(BaseModel):
    """The build report: chunks embedded, reused and dropped."""

    added: int
    kept: int
    removed: int
    seconds: float
    collection: str
    changed: bool


class ImplementsOut(BaseModel):
    title: str
    number: str | None
    doc_id: str | None


class AddReportOut(BaseModel):
    """The report of ``policy-assistant add --json`` (docs/documents.md); ``added`` and
    ``index`` only when the document was added (not with dry_run)."""

    doc_id: str
    source: str
    format: str
    title: str | None
    issuer: str | None
    number: str | None
    date: str | None
    level: str | None
    jurisdiction: str | None
    implements: list[ImplementsOut]
    parts: int
    clauses: int
    numbered_items: int
    brackets: int
    clause_numbering: Literal["continuous", "restarts"]
    clause_ids: list[int]
    agencies: list[str]
    warnings: list[str]
    added: str | None = None
    index: ReindexOut | None = None


class RemovedOut(BaseModel):
    doc_id: str
    title: str
    removed: bool
    index: ReindexOut


# multipart/form-data is read by the route itself, after the token is checked
UPLOAD_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "multipart/form-data": {"schema": {
        "type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary",
                     "description": ".txt, .pdf (text layer), .docx or .html"},
            "id": {"type": "string", "description": "document id (default: from the file "
                                                    "name); lower-case letters, digits, -"},
            "dry_run": {"type": "boolean", "default": False,
                        "description": "only check: the report, nothing changed"}}}}}}}


# -- OpenAI-compatible ----------------------------------------------------------------------


class ModelOut(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelOut]


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int
    message: AssistantMessage
    finish_reason: Literal["stop"]
    logprobs: None = None


class ChatCompletionOut(BaseModel):
    """An OpenAI chat.completion, with the answer's citations, refusal and intent beside the
    choices. Streamed (``stream: true``), the same arrives as ``chat.completion.chunk`` server
    events, the citations on the last one, then ``data: [DONE]``."""

    model_config = ConfigDict(title="ChatCompletion")

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    citations: list[CitationOut]
    refused: bool
    not_stated: str
    intent: Intent
    route: str
