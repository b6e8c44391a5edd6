"""An agency's duties: every task it leads or supports, from the structure (complete, not
top-k), or only its tasks on the subject a question names."""

from __future__ import annotations

from assistant.answers.kit import Kit
from assistant.compose import Sources
from assistant.evidence import Evidence
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
