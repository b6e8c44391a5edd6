"""What every answer gets around its content: the sentence saying what the documents do not
give (a widget shows it apart, as ``not_stated``), the opening of a yes/no answer, and short
suggestions for a refusal that relate to what was asked."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace

from assistant.answers import years
from assistant.answers.kit import Kit
from assistant.claims import Claim, claims, denied, shares
from assistant.guard import Guard
from assistant.query import Query
from core.model import Answer, Intent, Role

# a figure with its unit (20%, 11.5%, 11600家, 12亿千瓦): what a target sets; a year is no figure
_FIGURE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:%|％|家|个|万|亿|吨|千瓦|平方米|公顷|立方米)")


def frame(kit: Kit, q: Query, answer: Answer, guard: Guard | None = None,
          terms: Sequence[str] = (), subject: Collection[str] = (),
          of_all: Sequence[str] = ()) -> Answer:
    """``terms``: the texts' words for the English phrases of the question (oil and gas →
    油气), so that an English question meets the Chinese text it is checked against;
    ``of_all``: those of what it says all of (all harbour tugs: not the 码头 of harbour);
    ``subject``: the words of what a year the question supposes is asked of (碳中和)."""
    lang = q.lang
    asked = " ".join((q.text, *terms))
    openings = tuple(kit.t(lang, f"open_{o}") for o in ("yes", "no", "unstated"))
    if answer.refused or not answer.citations:
        return answer
    not_stated = answer.not_stated
    silent = kit.t(lang, "silent_number")
    silences = (silent, kit.t(lang, "silent_year"))
    quotes = [c.quote for c in answer.citations]
    # a detail a cited provision gives after all (约谈问责 of 完不成会怎样) is not "not stated"
    kinds = [k for k in q.unstated if guard is None or not guard.stated(k, quotes)]
    if kinds and (not not_stated or not_stated in silences):
        # 有以旧换新补贴吗: the amount asked is what is not given, not a figure of the clause
        not_stated = " ".join(kit.t(lang, f"unstated_{k}") for k in kinds)
    text = answer.answer
    if not_stated and not_stated not in text:
        text = f"{not_stated}\n{text}"
    # 提到…没: whether a text speaks of it, not whether it bans or requires it
    def about(stretch: str) -> bool:  # what a cited rule governs is what is asked of
        return shares(stretch, asked, kit.rare)

    unmade = [] if not_stated or "mention" in q.cues else _unmade_claims(q, answer, about)
    what = "、".join(c.label(lang) for c in unmade) if lang == "zh" \
        else " or ".join(c.label(lang) for c in unmade)
    if q.yes_no and unmade and all(c.unsaid_in(quotes) for c in unmade) and len(q.docs) < 2:
        # 政府给发补贴不, of provisions that give none: not stated, rather than no (whether
        # one document takes up what another names, 国家文件说…本市方案有吗, is a plain no)
        not_stated = kit.t(lang, "claim_unsaid", what=what)
        text = f"{kit.t(lang, 'open_unstated')}{'' if lang == 'zh' else ' '}{not_stated}\n{text}"
    elif q.yes_no and unmade:
        # 是不是要取消了, answered with a clause that keeps it: the documents do not say so
        text = kit.t(lang, "claim_absent", what=what) + text
    leads = {c.agencies[0] for c in answer.citations if c.agencies}
    verdict = _role_verdict(kit, q, answer, leads) if q.yes_no and not unmade else None
    if verdict is None and q.yes_no and not unmade and not not_stated \
            and _excepted(asked, answer, "universal" in q.cues, " ".join((q.text, *of_all))):
        verdict = False  # 油气化工码头也要建岸电吗 of a task that says （油气化工码头除外）
    if verdict is None and q.yes_no and not unmade and any(
            denied(known, asked, quotes, kit.rare)
            for known in (claims()[name] for name in q.claims)):
        verdict = False  # 还能享受电价优惠吗 of a task that says 严禁…实施电价优惠
    if verdict is None and q.yes_no and not unmade and "universal" in q.cues and any(
            claims()[name].scoped and claims()[name].restricted_in(quotes)
            for name in q.claims):
        verdict = False  # 是不是一律不准新建炼油厂, of 未纳入…规划的，一律不得新建…炼油
    if verdict is None and q.yes_no and answer.intent == Intent.TARGET:
        verdict = _figure_verdict(q.text, text)  # 要求达到20%，真的吗 of a target of 11.5%
    if verdict is None and q.yes_no and not unmade and answer.intent != Intent.TARGET:
        # a target's quote is its figure alone: _figure_verdict reads those
        verdict = years.year_verdict(q.year, subject, quotes)
        if verdict is None and q.year is not None and not not_stated \
                and not text.startswith(openings) \
                and not any(str(q.year) in quote for quote in quotes):
            # 是要求在2023年底前完成吗, of a task that sets no date: the year is not given
            not_stated = kit.t(lang, "silent_year")
            text = f"{not_stated}\n{text}"
    if verdict is not None:
        for opened in openings:
            text = text.removeprefix(opened).lstrip()  # a composer's own opening yields
        text = f"{kit.t(lang, 'open_yes' if verdict else 'open_no')}" \
               f"{'' if lang == 'zh' else ' '}{text}"
    elif q.yes_no and q.agencies and answer.intent == Intent.RESPONSIBILITY and leads:
        # 这个是发改委牵头吧: the lead the text names decides; 有没有让法院也参与: any
        # agency named on the task
        named = leads if "lead" in q.cues else {a for c in answer.citations for a in c.agencies}
        opening = kit.t(lang, "open_yes" if set(q.agencies) & named else "open_no")
        text = f"{opening}{'' if lang == 'zh' else ' '}{text}"
    elif q.yes_no:
        # 也有这个数吗 / does it give a percentage: the figure missing is a plain no; a year
        # (有没有规定哪年开始禁用) is one the documents leave unset
        opening = kit.t(lang, "open_no" if not_stated == silent
                        else "open_unstated" if not_stated else "open_yes")
        if not text.startswith(openings):
            text = f"{opening}{'' if lang == 'zh' else ' '}{text}"
    return replace(answer, answer=text, not_stated=not_stated)


def gives_figure(quotes: Sequence[str]) -> bool:
    """A figure with its unit (20%, 11600家) stands in one of the quotes."""
    return any(_FIGURE.search(q) for q in quotes)


def _figure_verdict(question: str, answer: str) -> bool | None:
    """The figures a yes/no question supposes (20%, 11600家; years aside) against the targets
    shown: each shown, yes; one not, no; none supposed, None."""
    supposed = [m.group(1) for m in _FIGURE.finditer(question)]
    if not supposed:
        return None
    shown = {m.group(1) for m in _FIGURE.finditer(answer)}
    return all(f in shown for f in supposed)


def _role_verdict(kit: Kit, q: Query, answer: Answer, leads: set[str]) -> bool | None:
    """有没有牵头的任务 / 是不是只当配合单位 / does it lead anything, of an agency's task
    list: decided by whether it leads any task listed (a list answer cites every task)."""
    if not q.agencies or answer.intent != Intent.DUTIES:
        return None
    if "only" in q.cues and "supporting" in q.cues:
        # 是不是只当配合单位: whether it leads any task of the documents listed, shown or not
        docs = {c.doc_id for c in answer.citations}
        return not any(p.role_of(a) == Role.LEAD for d in kit.corpus.documents
                       if d.doc_id in docs for p in d.provisions for a in q.agencies)
    if "lead" not in q.cues:
        return None
    return bool(leads & set(q.agencies))


_EXCEPTED = re.compile(r"[（(]([^（）()]{2,30}?)除外[）)]")


def _excepted(question: str, answer: Answer, universal: bool = False, of_all: str = ""
              ) -> bool:
    """A cited task excepts what the question asks about (（油气化工码头除外）), or excepts some
    of the kind the question says all of (是不是所有新改扩建码头都必须…; ``of_all``: the
    question, or in English the words after all)."""
    for c in answer.citations:
        for m in _EXCEPTED.finditer(c.quote):
            phrase = m.group(1)
            if any(phrase[i:i + 3] in question for i in range(len(phrase) - 2)):
                return True
            if universal and len(phrase) >= 2 and phrase[-2:] in (of_all or question):
                return True
            # said shorter (油气码头 for 油气化工码头): its head and another piece of it
            pieces = {phrase[i:i + 2] for i in range(0, len(phrase) - 3)} - {phrase[-2:]}
            if len(phrase) >= 4 and phrase[-2:] in question \
                    and any(p in question for p in pieces):
                return True
    return False


def _unmade_claims(q: Query, answer: Answer, about: Callable[[str], bool]) -> list[Claim]:
    """The claims the question supposes that no cited provision makes (of what it asks)."""
    known = claims()
    quotes = [c.quote for c in answer.citations]
    return [known[name] for name in q.claims if not known[name].denied_by and (
        known[name].unmade_in(quotes, about) or known[name].unsaid_in(quotes))]


def suggestions(kit: Kit, lang: str, tokens: Collection[str], limit: int = 2) -> str:
    """The example questions (templates ``suggest``) that share the most words with what was
    asked, at most ``limit``, as '· question' lines (the widget makes them clickable)."""
    lines = kit.t(lang, "suggest").splitlines()
    head, examples = lines[0], [line for line in lines[1:] if line.strip()]
    scored = sorted(examples, key=lambda e: -sum(1 for t in tokens if t in e.lower()))
    return "\n".join([head, *scored[:limit]])


def refuse(kit: Kit, lang: str, key: str, tokens: Collection[str] = (),
           **values: object) -> Answer:
    """One line of why, and two suggestions near what was asked; the scope line only when
    the subject is simply not covered."""
    lines = [kit.t(lang, key, **values)]
    if key == "refuse_not_covered":
        lines.append(kit.scope(lang))
    lines.append(suggestions(kit, lang, tokens))
    return Answer("\n".join(lines), True, Intent.OUT_OF_SCOPE)
