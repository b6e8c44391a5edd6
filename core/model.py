"""The vocabulary every layer speaks: frozen records, no behaviour beyond simple lookups.

Document ─┬─ preamble: Clause 0 (title, notice, preamble)
          └─ parts: Part (一、…) ─┬─ intro: Provision…   (text of a part that has no clauses)
                                 └─ clauses: Clause (（一）…) ── provisions: Provision (one task)

A provision carries the agencies of its responsibility bracket, canonical names, lead first: the
registry's for the deployment's own jurisdiction, named with their place for any other
(广西壮族自治区发展改革委: indexing.agency_names).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    MUNICIPAL = "municipal"  # a city, including the province-level ones
    NATIONAL = "national"
    PROVINCIAL = "provincial"  # a province or autonomous region
    DISTRICT = "district"  # a district or county (区, 县)


class AgencyKind(StrEnum):
    CITY_DEPARTMENT = "city_department"
    DISTRICT_GOVERNMENT = "district_government"
    CENTRAL_UNIT = "central_unit"
    ENTERPRISE = "enterprise"
    OTHER = "other"
    UNREGISTERED = "unregistered"  # named in a text but absent from the registry


class Role(StrEnum):
    LEAD = "lead"
    SUPPORTING = "supporting"


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    doc_id: str
    title: str
    short_title: str
    issuer: str
    number: str | None
    date: str  # ISO date the document was signed
    published: str | None
    level: Level
    implements: tuple[str, ...]
    file: str
    english_title: str
    aliases: tuple[str, ...] = ()  # what users call it (方案, 指导意见): documents.toml
    home: bool = False  # the deployment's own document: answers lead with it
    # where the document applies (a city, a province, the nation); None: the registry's own
    jurisdiction: str | None = None


@dataclass(frozen=True, slots=True)
class Agency:
    name: str  # canonical, as the document writes it
    kind: AgencyKind
    english: str
    aliases: tuple[str, ...] = ()
    # whose agency it is (the place its document's metadata gives); None: not said (a bare
    # registry entry)
    jurisdiction: str | None = None


@dataclass(frozen=True, slots=True)
class Provision:
    """One task of a clause: its text and the bracket of agencies that closes it (if any)."""

    doc_id: str
    part_no: int
    clause_no: int | None  # None for the text of a part that has no clauses
    index: int  # 1-based within its clause (or part)
    text: str
    line: int  # source line where the task starts
    agencies: tuple[str, ...] = ()  # canonical names, lead first
    responsibility: str | None = None  # the bracket as written, normalised
    and_others: bool = False  # the bracket says 等部门: more departments than named
    item: int | None = None  # the numbered task 1. 2. … of the clause this text belongs to
    leads: tuple[str, ...] = ()  # the agencies the bracket names with 牵头 (lead first anyway)

    @property
    def lead_agency(self) -> str | None:
        return self.agencies[0] if self.agencies else None

    @property
    def lead_agencies(self) -> tuple[str, ...]:
        """The agencies named with 牵头, else the first agency."""
        return self.leads or self.agencies[:1]

    def role_of(self, agency: str) -> Role | None:
        if agency not in self.agencies:
            return None
        return Role.LEAD if agency in self.lead_agencies else Role.SUPPORTING


@dataclass(frozen=True, slots=True)
class Clause:
    doc_id: str
    # the clause id: （十） -> 10; 0 for the text before the first numbered clause. Where the
    # numbering restarts in each part, part * 100 + number: 四、（二） -> 402 (docs/api.md)
    no: int
    label: str  # "（十）", "" for clause 0
    title: str
    part_no: int  # 0 for clause 0
    text: str  # the whole clause after its label, normalised
    provisions: tuple[Provision, ...]
    line: int

    @property
    def heading(self) -> str:
        return f"{self.label}{self.title}"


@dataclass(frozen=True, slots=True)
class Part:
    doc_id: str
    no: int
    label: str  # "三、"
    title: str
    clauses: tuple[Clause, ...]
    intro: tuple[Provision, ...]  # text under the heading that belongs to no clause
    line: int

    @property
    def heading(self) -> str:
        return f"{self.label}{self.title}"


@dataclass(frozen=True, slots=True)
class Document:
    meta: DocumentMeta
    preamble: Clause
    parts: tuple[Part, ...]

    @property
    def doc_id(self) -> str:
        return self.meta.doc_id

    @property
    def clauses(self) -> tuple[Clause, ...]:
        """The numbered clauses, in order (clause 0 not included)."""
        return tuple(c for p in self.parts for c in p.clauses)

    def clause(self, no: int) -> Clause | None:
        if no == 0:
            return self.preamble
        return next((c for c in self.clauses if c.no == no), None)

    def part(self, no: int) -> Part | None:
        return next((p for p in self.parts if p.no == no), None)

    def provision(self, part_no: int, clause_no: int | None, index: int) -> Provision | None:
        """A clause's task, or a task of a part's own text when ``clause_no`` is None."""
        if clause_no is None:
            part = self.part(part_no)
            tasks = part.intro if part else ()
        else:
            clause = self.clause(clause_no)
            tasks = clause.provisions if clause else ()
        return tasks[index - 1] if 1 <= index <= len(tasks) else None

    @property
    def provisions(self) -> tuple[Provision, ...]:
        """Every provision in reading order, preamble first."""
        out: list[Provision] = list(self.preamble.provisions)
        for part in self.parts:
            out.extend(part.intro)
            for clause in part.clauses:
                out.extend(clause.provisions)
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Target:
    """A quantitative target exactly as a text states it."""

    doc_id: str
    part_no: int
    clause_no: int | None
    provision: int
    indicator: str
    comparator: str  # 达到 / 力争达到 / 提高至 / 降低 / 下降 / 培育 …
    value: str  # as written: "11.5", "11600"
    unit: str  # "%", "家", "亿立方米" …
    qualifier: str  # "以上", "左右" or ""
    year: int | None
    base_year: int | None  # 比2020年下降13.5% -> 2020
    text: str  # the phrase as written

    @property
    def display_value(self) -> str:
        return f"{self.value}{self.unit}{self.qualifier}"


@dataclass(frozen=True, slots=True)
class Duty:
    """One task of an agency, with its role in it."""

    provision: Provision
    role: Role


class ChunkKind(StrEnum):
    PROVISION = "provision"  # one task
    CLAUSE = "clause"  # a whole clause, or the text of a part that has no clauses


@dataclass(frozen=True, slots=True)
class Chunk:
    """What gets embedded and searched: one provision or one whole clause, never more."""

    chunk_id: str  # content hash: unchanged text keeps its id and its embedding
    kind: ChunkKind
    doc_id: str
    part_no: int
    clause_no: int | None
    provision: int | None  # None for a whole-clause chunk
    header: str  # short title › part heading › clause heading
    text: str
    agencies: tuple[str, ...] = ()
    has_target: bool = False

    @property
    def lead_agency(self) -> str | None:
        return self.agencies[0] if self.agencies else None

    @property
    def embed_text(self) -> str:
        return f"{self.header}\n{self.text}"


@dataclass(frozen=True, slots=True)
class Hit:
    """A search result. ``via`` says how it was found: reference, agency, hybrid, dense,
    lexical."""

    chunk: Chunk
    score: float
    via: str
    dense_rank: int | None = None
    lexical_rank: int | None = None


class Intent(StrEnum):
    DUTIES = "duties"  # what an agency must do
    RESPONSIBILITY = "responsibility"  # who does a task
    TARGET = "target"  # a number the texts set
    INCENTIVE = "incentive"  # what supports a business
    CLAUSE = "clause"  # a clause asked for by number
    GENERAL = "general"
    OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True, slots=True)
class Turn:
    role: str  # "user" or "assistant"
    content: str


@dataclass(frozen=True, slots=True)
class Citation:
    """One source of an answer, numbered as its [n] marker. Everything here comes from the
    parsed structure, never from generated text."""

    n: int
    doc_id: str
    doc_title: str
    clause_no: int | None
    clause_label: str | None
    clause_title: str | None
    part: str | None
    provision: int | None  # None: the whole clause (or part text)
    quote: str
    agencies: tuple[str, ...] = ()
    doc_short_title: str = ""
    # the part it stands in (0: the preamble): where clause numbering restarts in each part,
    # （二） alone is ambiguous and the part says which
    part_no: int | None = None

    @property
    def lead_agency(self) -> str | None:
        return self.agencies[0] if self.agencies else None


@dataclass(frozen=True, slots=True)
class Answer:
    """``refused``: nothing relevant is given. ``not_stated``: the sentence saying what the
    documents do not give (an amount, a procedure …), alongside what they do give. ``route``:
    which answer type fired and why, for logs, evals and the API."""

    answer: str
    refused: bool
    intent: Intent
    citations: tuple[Citation, ...] = ()
    not_stated: str = ""
    route: str = ""
