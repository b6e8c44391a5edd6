"""A clause asked for by number (第三条, （十二）的第2项, 最后一条): its tasks quoted with their
brackets; a number the document does not have is said plainly. Where the answer before stands
(这是第几条, 这一部分)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from assistant.answers import general
from assistant.answers.kit import Context, Kit
from assistant.compose import Sources
from assistant.evidence import Evidence
from assistant.links import Links
from assistant.query import Ask, ClauseRef, Query
from core.model import Answer, Intent
from indexing.corpus import Corpus
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


def this_part(corpus: Corpus, q: Query, ctx: Context | None) -> Query:
    """这一部分: the part of the clause answered before."""
    cited = ctx.answer.citations if ctx is not None else ()
    place = next(((c.doc_id, corpus.document(c.doc_id).clause(c.clause_no))
                  for c in cited if c.clause_no), None)
    q = replace(q, part=place[1].part_no if place and place[1] else None,
                docs=(place[0],) if place else q.docs, docs_named=bool(place))
    return replace(q, ask=Ask.TOPIC) if q.part is None and q.ask == Ask.PART else q


def by_number(kit: Kit, ev: Evidence, links: Links, q: Query, ctx: Context | None,
              default_doc: str) -> Answer:
    """A clause by number, or 这是第几条: where the last answer stands (in the document
    now named, its counterpart)."""
    lang = q.lang
    if q.clauses:
        refs = [ClauseRef(r.doc_id, len(kit.corpus.document(r.doc_id or default_doc).clauses),
                          r.provision)
                if r.clause_no == -1 else r  # -1: 最后一条
                for r in q.clauses]
        return clause(kit, lang, refs, default_doc)
    before = [c for c in ctx.answer.citations if c.clause_no] if ctx is not None else []
    if not before:
        return general.general(kit, ev, links, q.text, lang, ctx.question if ctx else "",
                               home_first=True)
    c = before[0]
    if q.docs_named and c.doc_id not in q.docs:  # the other document's counterpart
        linked = links.counterparts(c.doc_id, c.clause_no or 0, q.docs)
        if linked:
            doc_id, no = linked[0]
            return clause(kit, lang, [ClauseRef(doc_id, no, None)], doc_id)
    return clause(kit, lang, [ClauseRef(c.doc_id, c.clause_no or 0, c.provision)], c.doc_id)
