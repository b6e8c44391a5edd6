"""A clause asked for by number (第三条, （十二）的第2项, 最后一条): its tasks quoted with their
brackets; a number the document does not have is said plainly."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answers.kit import Kit
from assistant.compose import Sources
from assistant.query import ClauseRef
from core.model import Answer, Intent
from indexing.numerals import to_numeral


def clause(kit: Kit, lang: str, refs: Sequence[ClauseRef], default_doc: str) -> Answer:
    sources = Sources(kit.corpus)
    lines: list[str] = []
    for ref in refs:
        doc_id = ref.doc_id or default_doc
        doc = kit.corpus.document(doc_id)
        found = doc.clause(ref.clause_no)
        if found is None:
            last = len(doc.clauses)
            text = (f"《{doc.meta.short_title}》只有（一）至（{to_numeral(last)}）共{last}条，"
                    f"没有第{ref.clause_no}条。") if lang == "zh" else \
                (f"The {doc.meta.english_title} has clauses 1 to {last}; "
                 f"there is no clause {ref.clause_no}.")
            return Answer(text + "\n" + kit.t(lang, "suggest"), True, Intent.CLAUSE)
        provisions = list(found.provisions)
        if ref.provision is not None and 1 <= ref.provision <= len(provisions):
            provisions = [provisions[ref.provision - 1]]
        part = doc.part(found.part_no)
        lines.append(kit.t(lang, "clause_head", doc=kit.doc_name(doc_id, lang),
                           label=found.label, title=found.title,
                           part=part.heading if part else "", n=len(provisions)))
        for i, p in enumerate(provisions, start=1):
            n = sources.provision(p)
            lines.append(kit.t(lang, "clause_item", i=i, text=p.text, n=n)
                         + kit.agency_suffix(p, lang))
    return Answer("\n".join(lines), False, Intent.CLAUSE, tuple(sources.citations))
