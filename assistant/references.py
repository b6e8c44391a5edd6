"""What a question names exactly: clauses by number (第二十二条, （九）, 第9条第2项), documents
by how people call them (国务院的指导意见, 中央的意见, 天津方案), and agencies by name or alias.
These go through the parsed structure, never through similarity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexing.corpus import Corpus
from indexing.numerals import parse_numeral

_NUM = r"[0-9]{1,2}|[一二三四五六七八九十]{1,3}"
_CLAUSE_RE = re.compile(
    rf"(?:第\s*(?P<a>{_NUM})\s*条|[（(]\s*(?P<b>[一二三四五六七八九十]{{1,3}})\s*[）)]"
    rf"|(?<![这那哪每该此上下])(?P<c>[一二三四五六七八九十]{{1,3}})条|clause\s*(?P<d>[0-9]{{1,2}}))"
    rf"(?:\s*(?:的)?第\s*(?P<p>{_NUM})\s*(?:项|个任务|句)|\s*item\s*(?P<q>[0-9]{{1,2}}))?",
    re.IGNORECASE,
)

# How people refer to each document; checked in this order (the most specific cues first).
_DOC_CUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("zhongfa-2021-36", ("中发", "36号", "中共中央", "党中央", "中央意见", "中央的意见",
                         "碳达峰碳中和工作的意见", "碳达峰碳中和意见", "新发展理念")),
    ("guofa-2021-4", ("国发", "4号", "国务院", "指导意见", "国家指导意见", "国家的指导意见")),
    ("tianjin-2022", ("天津", "实施方案", "本市", "市里", "我市", "tianjin")),
)
_NATIONAL_CUES = ("国家层面", "国家的", "国家对", "国家有", "全国", "national", "central")


@dataclass(frozen=True, slots=True)
class ClauseRef:
    doc_id: str | None  # None: the question does not say which document
    clause_no: int
    provision: int | None


def _number(text: str) -> int | None:
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


def clause_refs(question: str) -> tuple[ClauseRef, ...]:
    named = documents_named(question)
    doc_id = named[0] if len(named) == 1 else None
    refs = []
    for m in _CLAUSE_RE.finditer(question):
        no = _number(m.group("a") or m.group("b") or m.group("c") or m.group("d") or "")
        item = m.group("p") or m.group("q")
        provision = _number(item) if item else None
        if no is not None and no > 0:
            refs.append(ClauseRef(doc_id, no, provision))
    return tuple(dict.fromkeys(refs))


def agencies_named(question: str, corpus: Corpus) -> tuple[str, ...]:
    """Canonical names of the agencies a question names, longest match first, no overlaps."""
    keys: dict[str, str] = {}
    for agency in corpus.registry:
        for key in (agency.name, *agency.aliases):
            keys[key] = agency.name
    for name in corpus.agencies_in_use:
        keys.setdefault(name, name)
    found: list[tuple[int, str]] = []
    taken = [False] * len(question)
    for key in sorted(keys, key=len, reverse=True):
        start = question.find(key)
        while start >= 0:
            span = range(start, start + len(key))
            if not any(taken[i] for i in span):
                for i in span:
                    taken[i] = True
                found.append((start, keys[key]))
            start = question.find(key, start + 1)
    return tuple(dict.fromkeys(name for _, name in sorted(found)))
