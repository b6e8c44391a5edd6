"""What supports an enterprise: the measures that fit the business, most relevant first (the
home plan's before national ones), each with its place and whom to contact, lead first."""

from __future__ import annotations

from assistant.answers.framing import refuse
from assistant.answers.kit import Kit, has
from assistant.compose import Sources, where
from assistant.evidence import Evidence
from core.model import Answer, Intent, Provision

_MEASURES = 4  # enough to choose from, few enough to read in a chat window


def measures(kit: Kit, ev: Evidence, question: str, lang: str, context: str = "") -> Answer:
    hits = ev.home_first(ev.search(question, context, k=10))
    provisions: list[Provision] = []
    clauses: list[tuple[str, int | None]] = []
    for h in hits:
        p = ev.provision_of(h)
        if p is None or p in provisions:
            continue
        place = (p.doc_id, p.clause_no)
        if place not in clauses:
            if len(clauses) >= ev.settings.incentive_clauses:
                continue
            clauses.append(place)
        provisions.append(p)
        if len(provisions) >= _MEASURES:
            break
    if not provisions:
        return refuse(kit, lang, "refuse_not_covered", ev.words(question))
    sources = Sources(kit.corpus)
    lines = [kit.t(lang, "incentive_head")]
    for p in provisions:
        n = sources.provision(p)
        contact = kit.t(lang, "contact", agencies=kit.agency_list(p, lang)) if p.agencies \
            else kit.t(lang, "contact_national")
        lines.append(kit.t(lang, "incentive_item", text=p.text, n=n,
                           where=where(kit.corpus, p, lang), doc=kit.doc_name(p.doc_id, lang),
                           contact=contact))
    not_stated = kit.t(lang, "silent_amount") \
        if has(question.lower(), kit.routing.asks_funding) else ""
    return Answer("\n".join(lines), False, Intent.INCENTIVE, tuple(sources.citations),
                  not_stated=not_stated)
