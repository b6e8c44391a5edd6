"""Whether one answer passes, judged as a person checking it would: the right refusal, a gold
clause cited, every gold agency and fact named, a "not stated" sentence where the question asks
for a detail the documents do not give, and a yes/no answer that starts with the answer.

Reported overall, by persona, by kind, for follow-up turns and for whole conversations (a
conversation passes when every turn does)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from core.model import Answer
from evals.questions import Question

# what an answer says when the documents give no such detail (either version of the system)
_NOT_STATED = re.compile(
    r"(没有|未|并未|均未|无)(作出|做出)?(具体)?(规定|载明|明确|列明|提及|给出|设定|涉及|写明|说明)"
    r"|not (stated|specified|set out|given)"
    r"|do(es)? not (state|specify|set|give|say|mention|provide)",
    re.IGNORECASE)
# how a yes/no answer may open
_OPENINGS = {
    "yes": ("是", "有", "对", "会", "要", "需要", "可以", "支持", "yes"),
    "no": ("否", "不", "没有", "无", "no"),
    "unstated": ("文件未规定", "文件没有", "未规定", "没有规定", "所依据的文件没有", "文件未",
                 "the documents do not", "not stated", "the documents don't"),
}


def says_not_stated(text: str) -> bool:
    return _NOT_STATED.search(text) is not None


def opens_with(text: str, expected: str) -> bool:
    head = text.lstrip(" \n*#【[").casefold()
    return head.startswith(tuple(o.casefold() for o in _OPENINGS[expected]))


@dataclass(frozen=True, slots=True)
class Verdict:
    passed: bool
    why: str  # the first reason it failed; "" when it passed


def judge(q: Question, a: Answer, hit: bool, named: Sequence[bool],
          facts: Sequence[bool]) -> Verdict:
    if q.refuse:
        return Verdict(a.refused, "" if a.refused else "answered; should decline")
    checks = (
        (not a.refused, "declined; should answer"),
        (hit, "no gold clause cited"),
        (all(named), "gold agency missing"),
        (all(facts), "gold fact missing"),
        (not q.not_stated or says_not_stated(a.answer), "no 'not stated' sentence"),
        (q.yes_no is None or opens_with(a.answer, q.yes_no), f"does not open with {q.yes_no}"),
    )
    why = next((reason for ok, reason in checks if not ok), "")
    return Verdict(not why, why)
