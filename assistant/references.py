"""What a question names exactly: clauses by number (第二十二条, （九）, 第9条第2项), documents
by how people call them (国务院的指导意见, 中央的意见, 天津方案), and agencies by name or alias.
These go through the parsed structure, never through similarity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.model import Level
from indexing.corpus import Corpus
from indexing.numerals import parse_numeral

_NUM = r"[0-9]{1,2}|[一二三四五六七八九十]{1,3}"
_CLAUSE_RE = re.compile(
    rf"(?:第\s*(?P<a>{_NUM})\s*条|[（(]\s*(?P<b>[一二三四五六七八九十]{{1,3}})\s*[）)]"
    rf"|(?<![这那哪每该此上下])(?P<c>[一二三四五六七八九十]{{1,3}})条"
    rf"|clause\s*[（(]?\s*(?P<d>[0-9]{{1,2}})\s*[）)]?|[（(](?P<e>[0-9]{{1,2}})[）)])"
    rf"(?:\s*(?:的)?第\s*(?P<p>{_NUM})\s*(?:项|个任务|句)|\s*item\s*(?P<q>[0-9]{{1,2}}))?",
    re.IGNORECASE,
)

# How people refer to each document; checked in this order (the most specific cues first).
_DOC_CUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("zhongfa-2021-36", ("中发", "36号", "中共中央", "党中央", "中央意见", "中央的意见", "中央文件",
                         "中央要求", "中央定", "中央对",
                         "碳达峰碳中和工作的意见", "碳达峰碳中和意见", "新发展理念")),
    ("guofa-2021-4", ("国发", "4号", "国务院", "指导意见", "国家指导意见", "国家的指导意见")),
    ("tianjin-2022", ("天津", "实施方案", "本市", "市里", "我市", "tianjin")),
)
_NATIONAL_CUES = ("国家层面", "国家对", "全国", "国家要求", "中央要求", "national level",
                  "nationally", "central government", "state council")
_NATIONAL_BODY_PREFIXES = ("国家", "国务院", "中央", "全国")
# Words that make an agency the subject of the question rather than a passing mention.
_DUTY_CUES = ("负责", "职责", "分工", "任务", "工作", "牵头", "配合", "参与", "干什么", "做什么",
              "干哪些", "做哪些", "要做", "要干", "责任", "管什么", "管哪些", "duties", "duty",
              "responsible", "responsibilit", "in charge", "tasks", "role", "lead")


@dataclass(frozen=True, slots=True)
class ClauseRef:
    doc_id: str | None  # None: the question does not say which document
    clause_no: int
    provision: int | None


def number_of(text: str) -> int | None:
    """'22' or '二十二' -> 22; None for anything else."""
    if text.isdigit():
        return int(text)
    try:
        return parse_numeral(text)
    except ValueError:
        return None


def documents_named(question: str) -> tuple[str, ...]:
    """Document ids the question points at, in the order above."""
    q = question.lower()
    return tuple(doc_id for doc_id, cues in _DOC_CUES if any(c.lower() in q for c in cues))


def asks_national(question: str) -> bool:
    q = question.lower()
    return any(c in q for c in _NATIONAL_CUES) or bool(
        {"guofa-2021-4", "zhongfa-2021-36"} & set(documents_named(question)))


def preferred_documents(question: str, corpus: Corpus) -> tuple[str, ...]:
    """The documents a question points at when it points at one side only: one document by
    name, or the national ones (国家层面, 全国 …) without the Tianjin plan. Empty otherwise."""
    named = documents_named(question)
    if len(named) == 1:
        return named
    national = tuple(d.doc_id for d in corpus.documents if d.meta.level == Level.NATIONAL)
    if not named and asks_national(question):
        return national
    if named and set(named) <= set(national):
        return named
    return ()


def clause_refs(question: str) -> tuple[ClauseRef, ...]:
    named = documents_named(question)
    doc_id = named[0] if len(named) == 1 else None
    refs = []
    for m in _CLAUSE_RE.finditer(question):
        no = number_of(m.group("a") or m.group("b") or m.group("c") or m.group("d")
                     or m.group("e") or "")
        item = m.group("p") or m.group("q")
        provision = number_of(item) if item else None
        if no is not None and no > 0:
            refs.append(ClauseRef(doc_id, no, provision))
    return tuple(dict.fromkeys(refs))


def asks_about_duties(question: str) -> bool:
    q = question.lower()
    return any(cue in q for cue in _DUTY_CUES)


def agencies_named(question: str, corpus: Corpus) -> tuple[str, ...]:
    """Canonical names of the agencies a question names (by name, alias or English name),
    in the order they appear; longer names win over names inside them."""
    keys: dict[str, str] = {}
    for agency in corpus.registry:
        for key in (agency.name, *agency.aliases):
            keys[key] = agency.name
        if agency.english:
            keys[agency.english.lower()] = agency.name
    for name in corpus.agencies_in_use:
        keys.setdefault(name, name)
    text = question.lower()
    found: list[tuple[int, str]] = []
    taken = [False] * len(text)
    for key in sorted(keys, key=len, reverse=True):
        start = text.find(key)
        while start >= 0:
            span = range(start, start + len(key))
            # 国家发展改革委 is the national commission, not the city's 市发展改革委
            national = text[:start].endswith(_NATIONAL_BODY_PREFIXES)
            if not any(taken[i] for i in span) and not national:
                for i in span:
                    taken[i] = True
                found.append((start, keys[key]))
            start = text.find(key, start + 1)
    return tuple(dict.fromkeys(name for _, name in sorted(found)))


def without_document_cues(question: str) -> str:
    """The question with the words that point at a document or level removed: 天津到2025年…
    becomes 到2025年…, so that a follow-up (国家层面呢？) can ask it of the other side."""
    cues = sorted({c for _, cs in _DOC_CUES for c in cs} | set(_NATIONAL_CUES) | {"天津市"},
                  key=len, reverse=True)
    out = question
    for cue in cues:
        out = re.sub(re.escape(cue), "", out, flags=re.IGNORECASE)
    return out
