"""An agency's duties: every task it leads or supports, from the structure (complete, not
top-k), or only its tasks on the subject a question names."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from assistant.answers.kit import Kit
from assistant.compose import Sources
from assistant.evidence import Evidence
from assistant.query import Query
from assistant.tasks import Selection
from core.model import Answer, Intent


def duties(kit: Kit, agency: str, lang: str) -> Answer:
    found = kit.corpus.duties(agency)
    name = kit.agency_names([agency], lang)[0]
    if not found:
        return Answer(kit.t(lang, "duties_none", agency=name), True, Intent.DUTIES)
    sources = Sources(kit.corpus)
    lead_n = sum(1 for d in found if d.role.value == "lead")
    doc_ids = list(dict.fromkeys(d.provision.doc_id for d in found))
    lines = [kit.t(lang, "duties_head", agency=name, doc=kit.doc_name(doc_ids[0], lang),
                   n=len(found), lead_n=lead_n, support_n=len(found) - lead_n)]
    current: int | None = -1
    for i, d in enumerate(found, start=1):
        p = d.provision
        if p.clause_no != current:
            current = p.clause_no
            clause = kit.corpus.document(p.doc_id).clause(p.clause_no or 0)
            lines.append(clause.heading if clause else "")
        n = sources.provision(p)
        role = kit.t(lang, "lead" if d.role.value == "lead" else "support")
        line = kit.t(lang, "duties_item", i=i, role=role, text=p.text, n=n)
        if d.role.value != "lead" and p.lead_agency:
            lead = kit.agency_names([p.lead_agency], lang)[0]
            line += f"（{lead}牵头）" if lang == "zh" else f" (led by {lead})"
        lines.append(line)
    return Answer("\n".join(lines), False, Intent.DUTIES, tuple(sources.citations))


def on_topic(kit: Kit, ev: Evidence, question: str, agency: str, lang: str,
             context: str = "") -> Answer:
    """An agency's tasks on one subject (市发展改革委在组织实施中承担什么): its best-matching
    tasks, the clause they are in first."""
    hits = ev.search(question, context, k=5)
    theirs = [h for h in hits if agency in h.chunk.agencies]
    if not theirs:
        theirs = ev.search(question, context, k=5, agency=agency)
    top = ev.top_provisions(theirs, 2)
    top = [p for p in top if agency in p.agencies] or top
    if not top:
        return duties(kit, agency, lang)
    sources = Sources(kit.corpus)
    name = kit.agency_names([agency], lang)[0]
    lines = [kit.t(lang, "duties_topic_head", agency=name)]
    for i, p in enumerate(top, start=1):
        n = sources.provision(p)
        role = kit.t(lang, "lead" if p.lead_agency == agency else "support")
        lines.append(kit.t(lang, "duties_item", i=i, role=role, text=p.text, n=n))
        lines.append(kit.basis_place(p, n, lang))
    return Answer("\n".join(lines), False, Intent.DUTIES, tuple(sources.citations))


def on_subject(kit: Kit, ev: Evidence, q: Query) -> Callable[[Selection], Selection] | None:
    """An agency's tasks narrowed to the subject the question names, by the words the
    tasks share with it (the most of them); no subject, or no task on it: all."""
    names = [key for name in q.agencies for a in [kit.corpus.registry.agency(name)]
             for key in (a.name, *a.aliases)]
    # the agency's own words are no subject (market regulation → 监管 is its name)
    words = {w for w in ev.topic(q.topic) if not any(w in k for k in names)}
    if not words:
        return None
    tokens = ev.tokenizer.tokens

    def narrow(chosen: Selection) -> Selection:
        scores = [(len(words & set(tokens(p.text))), p) for p in chosen.tasks]
        best = max((n for n, _ in scores), default=0)
        if best == 0:
            return chosen
        kept = tuple(p for n, p in scores if n == best)
        said = [w for w in words if any(w in p.text for p in kept)]
        said = sorted((w for w in said if not any(w != o and w in o for o in said)),
                      key=lambda w: q.topic.find(w) if w in q.topic else len(q.topic))
        return replace(chosen, tasks=kept, subject="、".join(said[:3]))
    return narrow
