"""Query: the typed meaning of a question, what ``understand`` makes of it and what the answer
composers act on. Nothing here looks at the index; every field is plain data, so a follow-up
can inherit the slots of the question before and a table of rows can test the understanding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Ask(StrEnum):
    """What is asked: one composer per value."""

    DECLINE = "decline"  # out of scope: small talk, manipulation, other services and places
    DOCUMENT = "document"  # facts about a document: date, issuer, number, structure, basis
    PART = "part"  # a part by number (第三部分)
    CLAUSE = "clause"  # a clause by number or position (第九条, 最后一条)
    COUNT = "count"  # how many tasks (of an agency, in a role, in a part)
    LIST = "list"  # the tasks of an agency (in a role, on a topic)
    WHO = "who"  # who is responsible for a task
    VALUE = "value"  # a quantitative target
    COMPARE = "compare"  # the home document against the national ones
    DEFINE = "define"  # what a term means
    SUPPORT = "support"  # measures that support a business
    TOPIC = "topic"  # anything else the documents treat: the best clause
    CLARIFY = "clarify"  # the question lacks what it needs (我们局牵头哪些 without the bureau)


class Role(StrEnum):
    ANY = "any"
    LEAD = "lead"
    SUPPORTING = "supporting"


@dataclass(frozen=True, slots=True)
class ClauseRef:
    doc_id: str | None  # None: the question does not say which document
    clause_no: int  # -1: the last clause
    provision: int | None = None


@dataclass(frozen=True, slots=True)
class Query:
    text: str  # the question, normalised
    lang: str  # zh | en
    ask: Ask
    docs: tuple[str, ...] = ()  # documents meant; () = any, the home document first
    docs_named: bool = False  # the question itself names them (not inherited, not default)
    agencies: tuple[str, ...] = ()  # canonical names
    role: Role = Role.ANY
    topic: str = ""  # what the question is about, for retrieval: cue words taken out
    clauses: tuple[ClauseRef, ...] = ()
    part: int | None = None  # 第三部分 → 3; -1: the last part
    year: int | None = None
    fact: str = ""  # for Ask.DOCUMENT: date | issuer | number | structure | basis
    unstated: tuple[str, ...] = ()  # details asked that plans never give: money, procedure …
    decline: str = ""  # for Ask.DECLINE: the guard's category
    yes_no: bool = False  # answer opens with yes, no or "not stated"
    claims: tuple[str, ...] = ()  # what a yes/no question supposes (取消, 强制): claims.toml
    all_values: bool = False  # every target (主要目标有哪些)
    asks_number: bool = False  # a target or number is asked (目标, 多少, 比例)
    # a business speaking for itself (我们公司, 开饭馆的); follow-ups keep it
    enterprise: bool = False
    business: str = ""  # how the business described itself in a turn before (我们是做快递的)
    follow_up: bool = False  # slots were inherited from the question before
    cues: frozenset[str] = frozenset()  # the cue lists the question's own words fired
    why: tuple[str, ...] = field(default=())  # the cues that decided, for route and tests

    @property
    def route(self) -> str:
        return f"{self.ask.value}: {', '.join(self.why)}" if self.why else self.ask.value
