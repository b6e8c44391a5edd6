"""Quantitative targets, read off the parsed provisions exactly as written.

A target is a number with a unit and a verb that makes it a commitment:
- a level: ``非化石能源消费比重力争达到11.5%以上`` (indicator before the verb);
- a count: ``培育150家市级以上农业产业化龙头企业`` (indicator after the number);
- the next item of a list inherits the verb: ``…、20个农业产业化联合体``.
Its year is the nearest ``到2025年`` before it: in the same task, or, in text without
responsibility brackets, in an earlier sentence of the same clause. Numbers with any other verb
(巩固26条…) state facts, not targets, and are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from core.model import Document, Provision, Target

_UNITS = "亿千瓦|亿立方米|万千瓦|亿吨|万吨|千瓦|立方米|吨|%|家|个|条|项|座|处|公里"
_QUANTITY_RE = re.compile(
    rf"(?P<value>\d+(?:\.\d+)?)(?P<unit>{_UNITS})(?P<qual>以上|左右|以下|以内)?")
_LEVEL_VERBS = ("力争达到", "提高至", "提高到", "降低到", "下降到", "控制在", "达到", "降低",
                "下降", "提高", "超过")
_COUNT_VERBS = ("培育", "选择", "建设", "打造", "创建", "新增")
_YEAR_RE = re.compile(r"到(\d{4})年")
_BASE_RE = re.compile(r"比(\d{4})年$")
_CLAUSE_STOP = "，；。：！？"


def extract_targets(document: Document) -> tuple[Target, ...]:
    out: list[Target] = []
    for container in _containers(document):
        year: int | None = None
        for provision in container:
            if provision.responsibility is not None:
                year = None  # a task's year never leaks into the next task
            targets, year = _from_provision(provision, year)
            out.extend(targets)
    return tuple(out)


def _containers(document: Document) -> Iterator[tuple[Provision, ...]]:
    for part in document.parts:
        if part.intro:
            yield part.intro
        for clause in part.clauses:
            yield clause.provisions


def _from_provision(provision: Provision, year: int | None) -> tuple[list[Target], int | None]:
    text = provision.text
    years = [(m.start(), int(m.group(1))) for m in _YEAR_RE.finditer(text)]
    targets: list[Target] = []
    previous_end = -1  # where the last counted item ended, so a list can continue it
    previous_count_verb: str | None = None
    for match in _QUANTITY_RE.finditer(text):
        start = match.start()
        before = text[:start]
        year_here = next((y for pos, y in reversed(years) if pos < start), year)
        level_verb = next((v for v in _LEVEL_VERBS if before.endswith(v)), None)
        count_verb = next((v for v in _COUNT_VERBS if before.endswith(v)), None)
        if count_verb is None and level_verb is None and previous_end == start - 1 \
                and before.endswith("、"):
            count_verb = previous_count_verb  # the next item of a counted list
        if level_verb is not None:
            target = _level(provision, match, level_verb, year_here)
        elif count_verb is not None:
            target = _count(provision, match, count_verb, year_here)
            previous_count_verb = count_verb
            previous_end = match.end() + len(target.indicator)
        else:
            continue
        targets.append(target)
    if years:
        year = years[-1][1]
    return targets, year


def _level(provision: Provision, match: re.Match[str], verb: str, year: int | None) -> Target:
    text = provision.text
    verb_start = match.start() - len(verb)
    phrase_start = max(text.rfind(ch, 0, verb_start) for ch in _CLAUSE_STOP) + 1
    indicator = text[phrase_start:verb_start]
    year_prefix = _YEAR_RE.match(indicator)
    if year_prefix:
        indicator = indicator[year_prefix.end():]
        phrase_start += year_prefix.end()
    base_year = None
    base = _BASE_RE.search(indicator)
    if base:
        base_year = int(base.group(1))
        indicator = indicator[:base.start()]
    return Target(
        doc_id=provision.doc_id, part_no=provision.part_no, clause_no=provision.clause_no,
        provision=provision.index, indicator=indicator, comparator=verb,
        value=match.group("value"), unit=match.group("unit"), qualifier=match.group("qual") or "",
        year=year, base_year=base_year, text=text[phrase_start:match.end()],
    )


def _count(provision: Provision, match: re.Match[str], verb: str, year: int | None) -> Target:
    text = provision.text
    end = match.end()
    stop = len(text)
    for i in range(end, len(text)):
        if text[i] in _CLAUSE_STOP or (text[i] == "、" and i + 1 < len(text)
                                       and text[i + 1].isdigit()):
            stop = i
            break
    indicator = text[end:stop]
    verb_start = match.start() - len(verb)
    phrase_start = verb_start if text[verb_start:match.start()] == verb else match.start()
    return Target(
        doc_id=provision.doc_id, part_no=provision.part_no, clause_no=provision.clause_no,
        provision=provision.index, indicator=indicator, comparator=verb,
        value=match.group("value"), unit=match.group("unit"), qualifier=match.group("qual") or "",
        year=year, base_year=None, text=text[phrase_start:stop],
    )
