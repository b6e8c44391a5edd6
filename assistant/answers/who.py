"""Who is responsible: the task search finds, its agencies lead first, with the clause it
stands in and the task quoted as the basis."""

from __future__ import annotations

import re

from assistant.answers.framing import refuse
from assistant.answers.kit import Kit
from assistant.compose import Sources
from assistant.evidence import Evidence
from core.model import Answer, Intent, Provision

# a word ends a phrase of its own where a conjunction, a list mark or a sentence mark follows
_PHRASE_END = r"(?=[和与及、，。；：]|工作|等)"


def about(term: str, text: str) -> bool:
    """The term stands as a phrase of its own (推进生活垃圾分类和减量化), not only as the
    modifier of another noun (生活垃圾分类计价, a fee)."""
    return re.search(re.escape(term) + _PHRASE_END, text) is not None
_ABOUT_WITHIN = 3  # tasks found after the first that may be the one about the subject


def responsibility(kit: Kit, ev: Evidence, question: str, lang: str,
                   context: str = "") -> Answer:
    hits = ev.search(question, context)
    with_agencies = _about_first(ev, question, [p for p in (ev.provision_of(h) for h in hits[:5])
                                                if p and p.agencies])
    chosen = with_agencies[0] if with_agencies else None
    if chosen is None:
        top = ev.top_provisions(hits, 1)
        if not top:
            return refuse(kit, lang, "refuse_not_covered", ev.words(question))
        chosen = top[0]
    # tasks of the same clause that also match, under another lead (绿色金融: the bank leads
    # one task, the finance bureau another): each with its own agencies
    others = [p for p in with_agencies[1:]
              if (p.doc_id, p.clause_no) == (chosen.doc_id, chosen.clause_no)
              and p.lead_agency != chosen.lead_agency]
    return of(kit, lang, chosen, *others[:1])


def _about_first(ev: Evidence, question: str, tasks: list[Provision]) -> list[Provision]:
    """Of the first tasks found, one that is about the subject asked first: where its
    longest word stands as a phrase of its own (推进生活垃圾分类和减量化), not only as the
    modifier of another noun (生活垃圾分类计价, a fee's task): whom to ask about 垃圾分类 is
    who leads the sorting, not the fee."""
    words = sorted(ev.topic(question), key=len, reverse=True)
    if not words or len(words[0]) < 3 or not tasks \
            or any(w not in words[0] for w in words[1:]):
        return tasks  # the question says more than the one word (垃圾分类计量收费)
    if about(words[0], tasks[0].text):
        return tasks
    on_it = next((p for p in tasks[1:_ABOUT_WITHIN] if about(words[0], p.text)), None)
    return tasks if on_it is None else [on_it, *(p for p in tasks if p is not on_it)]


def of(kit: Kit, lang: str, *tasks: Provision) -> Answer:
    """Who does each of ``tasks``, each followed by the task quoted."""
    sources = Sources(kit.corpus)
    lines = []
    for each in tasks:
        n = sources.provision(each)
        lines += [kit.responsibility_text(each, n, lang), kit.basis(each, n, lang)]
    return Answer("\n".join(lines), False, Intent.RESPONSIBILITY, tuple(sources.citations))
