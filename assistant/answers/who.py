"""Who is responsible: the task search finds, its agencies lead first, with the clause it
stands in and the task quoted as the basis."""

from __future__ import annotations

from assistant.answers.framing import refuse
from assistant.answers.kit import Kit
from assistant.compose import Sources
from assistant.evidence import Evidence
from core.model import Answer, Intent, Provision


def responsibility(kit: Kit, ev: Evidence, question: str, lang: str,
                   context: str = "") -> Answer:
    hits = ev.search(question, context)
    with_agencies = [p for p in (ev.provision_of(h) for h in hits[:5]) if p and p.agencies]
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


def of(kit: Kit, lang: str, *tasks: Provision) -> Answer:
    """Who does each of ``tasks``, each followed by the task quoted."""
    sources = Sources(kit.corpus)
    lines = []
    for each in tasks:
        n = sources.provision(each)
        lines += [kit.responsibility_text(each, n, lang), kit.basis(each, n, lang)]
    return Answer("\n".join(lines), False, Intent.RESPONSIBILITY, tuple(sources.citations))
