"""Answers read off the structure alone: counts and lists of tasks by agency and role, facts
about a document (date, issuer, number, structure, basis), a part by number. No search."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from assistant.answers.kit import Kit
from assistant.compose import Sources
from assistant.query import Query, Role
from assistant.references import documents_called
from assistant.tasks import Selection, TaskTable
from core.model import Answer, Document, Intent
from indexing.corpus import Corpus
from indexing.numerals import to_numeral

_BASIS = re.compile(r"根据(《[^》]+》(?:（[^）]*）)?(?:和《[^》]+》(?:（[^）]*）)?)*)")


def count_or_list(kit: Kit, table: TaskTable, q: Query, doc_ids: Sequence[str],
                  on: Callable[[Selection], Selection] | None = None) -> Answer:
    """An agency's tasks (in a role), or every task of a document or part: the exact count,
    what was counted, then the tasks themselves with their clauses. ``on`` narrows a
    selection to the question's subject (其中跟再生资源回收有关的), when any task is on it."""
    docs = [d for d in doc_ids if d in table.documents_with_tasks()] \
        or list(table.documents_with_tasks())
    part = q.part if q.part and q.part > 0 else None
    # a clause named by its subject (能源体系那条里它牵头几项): the table within that clause
    clause = q.clauses[0] if q.clauses and q.clauses[0].clause_no > 0 else None
    if clause is not None and clause.doc_id:
        docs = [clause.doc_id]
    clause_no = clause.clause_no if clause is not None else None
    lines: list[str] = []
    sources = Sources(kit.corpus)
    agencies: list[str | None] = list(q.agencies[:3]) or [None]  # 商务局和发改委各做什么
    for agency in agencies:
        found = []
        for doc_id in docs:
            chosen = table.select([doc_id], agency, q.role, part, clause_no)
            chosen = on(chosen) if on is not None else chosen
            if agency is not None and not chosen and len(docs) > 1:
                continue
            found += _selection(kit, table, chosen, doc_id, q, sources)
        if not found:
            doc_id = docs[0]
            found = _selection(kit, table, table.select([doc_id], agency, q.role, part, clause_no),
                               doc_id, q, sources)
        lines += found
    intent = Intent.DUTIES if q.agencies else Intent.GENERAL
    refused = not sources.citations and bool(q.agencies)
    return Answer("\n".join(lines), refused, intent, tuple(sources.citations),
                  route=q.route)


def _selection(kit: Kit, table: TaskTable, chosen: Selection, doc_id: str, q: Query,
               sources: Sources) -> list[str]:
    lang = q.lang
    doc = kit.doc_name(doc_id, lang)
    scope, about = _scope(kit, chosen, doc_id, lang), _about(kit, chosen, lang)
    if chosen.agency is None:
        lines = [kit.t(lang, "count_tasks", doc=doc, n=len(chosen), scope=scope)]
    else:
        name = kit.agency_names([chosen.agency], lang)[0]
        role = kit.t(lang, f"role_{chosen.role.value}")
        if not chosen:
            other = table.select([doc_id], chosen.agency, Role.ANY, chosen.part, chosen.clause)
            if chosen.role == Role.ANY or not other:
                return [kit.t(lang, "count_none", agency=name, doc=doc, role=role, scope=scope,
                              about=about)]
            # 邮政管理局有牵头的任务吗: none, but here is what it does do
            other_role = Role.SUPPORTING if chosen.role == Role.LEAD else Role.LEAD
            chosen = table.select([doc_id], chosen.agency, other_role, chosen.part,
                                  chosen.clause)
            head = kit.t(lang, "count_none_other", agency=name, doc=doc, role=role, scope=scope,
                         about=about,
                         other=kit.t(lang, f"role_{other_role.value}"), n=len(chosen))
            if q.yes_no:
                head = kit.t(lang, "open_no") + ("" if lang == "zh" else " ") + head
            return [head, *_items(kit, chosen, sources, lang)]
        detail = ""
        if chosen.role == Role.ANY:
            lead_n = sum(1 for p in chosen.tasks if p.agencies[0] == chosen.agency)
            detail = kit.t(lang, "count_detail", lead_n=lead_n,
                           support_n=len(chosen) - lead_n)
        lines = [kit.t(lang, "count_agency", agency=name, doc=doc, role=role, n=len(chosen),
                       scope=scope, about=about, detail=detail)]
        if q.yes_no:
            lines[0] = kit.t(lang, "open_yes") + ("" if lang == "zh" else " ") + lines[0]
    return lines + _items(kit, chosen, sources, lang)


def _scope(kit: Kit, chosen: Selection, doc_id: str, lang: str) -> str:
    """What the count was narrowed to: a part, or a clause (by its label and title)."""
    scope = ""
    clause = kit.corpus.document(doc_id).clause(chosen.clause) \
        if chosen.clause is not None else None
    if clause is not None:
        scope = kit.t(lang, "count_scope_clause", clause=clause.heading)
    elif chosen.part:
        scope = kit.t(lang, "count_scope_part", part=to_numeral(chosen.part))
    return scope


def _about(kit: Kit, chosen: Selection, lang: str) -> str:
    return kit.t(lang, "count_scope_subject", words=chosen.subject) if chosen.subject else ""


def _items(kit: Kit, chosen: Selection, sources: Sources, lang: str) -> list[str]:
    lines: list[str] = []
    current: int | None = -1
    for i, p in enumerate(chosen.tasks, start=1):
        if p.clause_no != current:
            current = p.clause_no
            clause = kit.corpus.document(p.doc_id).clause(p.clause_no or 0)
            lines.append(clause.heading if clause else "")
        n = sources.provision(p)
        lead = p.agencies[0] == chosen.agency
        role = kit.t(lang, "lead" if lead else "support") if chosen.agency else ""
        text = f"{i}. 【{role}】{p.text}[{n}]" if role and lang == "zh" else \
            f"{i}. [{role}] {p.text} [{n}]" if role else f"{i}. {p.text}[{n}]"
        if not lead or chosen.agency is None:
            text += f"（{kit.agency_list(p, lang)}）" if lang == "zh" \
                else f" ({kit.agency_list(p, lang)})"
        elif p.agencies[1:]:  # whom the lead works with on it
            names = kit.agency_names(p.agencies[1:], lang)
            text += kit.t(lang, "partners", agencies=("、" if lang == "zh" else "; ").join(names))
        lines.append(text)
    return lines


def document_fact(kit: Kit, q: Query, doc_id: str, table: TaskTable) -> Answer:
    if "+" in q.fact:  # several facts asked at once: each in turn, one source
        parts = [document_fact(kit, replace(q, fact=f), doc_id, table)
                 for f in q.fact.split("+")]
        return replace(parts[0], answer="\n".join(p.answer for p in parts))
    lang = q.lang
    doc = kit.corpus.document(doc_id)
    meta = doc.meta
    sources = Sources(kit.corpus)
    n = sources.clause(doc_id, 0)  # the document: its title and preamble
    title = kit.doc_title(doc_id, lang)
    if q.fact == "structure":
        lines = [_structure(kit, doc, lang, n, table)]
        lines += [_part_line(kit, part_no, doc, lang) for part_no in (p.no for p in doc.parts)]
        if doc.clauses:  # the count is checked where the numbering ends
            lines[-1] += f"[{sources.clause(doc_id, doc.clauses[-1].no)}]"
        text = "\n".join(lines)
    elif q.fact == "overview":
        purpose = next((p for p in doc.preamble.provisions if p.text.startswith("为")
                        or "制定本" in p.text), None) \
            or (doc.preamble.provisions[-1] if doc.preamble.provisions else None)
        lines = [kit.t(lang, "doc_overview", title=title, issuer=meta.issuer,
                       date=_date(meta.date, lang),
                       purpose=purpose.text if purpose else "", n=n)]
        first = doc.clauses[0] if doc.clauses else None
        if first is not None:
            lines.append(f"{first.heading}：{first.text[:120]}…[{sources.clause(doc_id, 1)}]")
        lines.append(kit.t(lang, "doc_overview_parts", parts=len(doc.parts),
                           clauses=len(doc.clauses)))
        lines += [_part_line(kit, p.no, doc, lang) for p in doc.parts]
        text = "\n".join(lines)
    elif q.fact == "addressee":
        to = next((p.text.rstrip("：:") for p in doc.preamble.provisions
                   if p.text.endswith(("：", ":")) and len(p.text) < 80), None)
        text = kit.t(lang, "doc_addressee", title=title, to=to, n=n) if to \
            else kit.t(lang, "doc_addressee_none", title=title)
    elif q.fact == "basis":
        m = _BASIS.search(doc.preamble.text)
        text = kit.t(lang, "doc_basis", title=title, basis=m.group(1), n=n) if m \
            else kit.t(lang, "doc_basis_none", title=title)
        # 是依据中发36号制定的吗: the documents the question supposes, against the basis named
        supposed = documents_called(q.text, kit.corpus) - {doc_id}
        if q.yes_no and supposed:
            basis = documents_called(m.group(1), kit.corpus) if m else frozenset()
            text = kit.t(lang, "open_yes" if supposed <= basis else "open_no") \
                + ("" if lang == "zh" else " ") + text
    else:
        number = kit.t(lang, "doc_number", number=meta.number) if meta.number \
            else kit.t(lang, "doc_number_none")
        text = kit.t(lang, "doc_issued", title=title, issuer=meta.issuer,
                     date=_date(meta.date, lang), number=number, n=n)
        verdict = None
        if q.yes_no and q.year is not None and meta.date[:4].isdigit():
            # 是2021年发的吧: the year the question supposes, checked against the document's
            verdict = "yes" if int(meta.date[:4]) == q.year else "no"
        elif q.yes_no:
            verdict = _issuer_verdict(kit, q.text, doc)  # XX方案是国务院发的吗
        if verdict is not None:
            text = kit.t(lang, f"open_{verdict}") + ("" if lang == "zh" else " ") + text
    return Answer(text, False, Intent.GENERAL, tuple(sources.citations), route=q.route)


def _issuer_verdict(kit: Kit, question: str, doc: Document) -> str | None:
    """Whether the issuer a question supposes is the document's: any issuer of the corpus's
    documents the question names, in full or short (XX市人民政府 → 市政府), decides; the
    longest name found wins (市人民政府 inside XX市人民政府); every issuer named must be the
    document's (中共中央和国务院联合发的 of a 国务院 document is no). None: it names none."""
    named: dict[str, bool] = {}
    for other in kit.corpus.documents:
        own = other.doc_id == doc.doc_id
        for form in _document_issuer_forms(other):
            if form in question:
                named[form] = named.get(form, False) or own or form in doc.meta.issuer
    if not named:
        return None
    # a name inside a longer one found is that one (市政府 of XX市政府)
    names = [f for f in named if not any(f != g and f in g for g in named)]
    return "yes" if all(named[f] for f in names) else "no"


def _document_issuer_forms(doc: Document) -> set[str]:
    """Every form of every issuer of ``doc`` (中共中央、国务院: both, each as people name it)."""
    return {form for issuer in re.split(r"[、，,\s]+", doc.meta.issuer)
            for form in _issuer_forms(issuer, doc.meta.jurisdiction or "")}


def _issuer_forms(issuer: str, jurisdiction: str) -> set[str]:
    """XX市人民政府 → itself, XX市政府, 市人民政府, 市政府: how people name an issuer."""
    forms = {issuer, issuer.replace("人民政府", "政府")}
    if jurisdiction and issuer.startswith(jurisdiction) and len(jurisdiction) > 1:
        level = jurisdiction[-1]  # 市, 省, 区: the level word stays (市政府)
        forms |= {level + f[len(jurisdiction):] for f in list(forms)}
    return {f for f in forms if len(f) >= 3}


def _structure(kit: Kit, doc: Document, lang: str, n: int, table: TaskTable) -> str:
    tasks = len(table.select([doc.doc_id]))
    return kit.t(lang, "doc_structure", title=kit.doc_title(doc.doc_id, lang),
                 parts=len(doc.parts), clauses=len(doc.clauses), n=n,
                 tasks=kit.t(lang, "doc_structure_tasks", n=tasks) if tasks else "")


def _part_line(kit: Kit, part_no: int, doc: Document, lang: str) -> str:
    part = doc.part(part_no)
    assert part is not None
    clauses = part.clauses
    if not clauses:
        span = kit.t(lang, "doc_part_none")
    elif len(clauses) == 1:
        span = kit.t(lang, "doc_part_single", first=to_numeral(clauses[0].no))
    else:
        span = kit.t(lang, "doc_part_range", first=to_numeral(clauses[0].no),
                     last=to_numeral(clauses[-1].no))
    return kit.t(lang, "doc_part_line", label=to_numeral(part.no), title=part.title,
                 range=span)


def part(kit: Kit, q: Query, doc_id: str) -> Answer:
    lang = q.lang
    doc = kit.corpus.document(doc_id)
    no = len(doc.parts) if q.part == -1 else (q.part or 0)
    p = doc.part(no)
    name = kit.doc_name(doc_id, lang)
    if p is None:
        return Answer(kit.t(lang, "part_none", doc=name, last=len(doc.parts), no=no), True,
                      Intent.CLAUSE, route=q.route)
    sources = Sources(kit.corpus)
    label = to_numeral(p.no)
    if not p.clauses:
        lines = [kit.t(lang, "part_intro", doc=name, label=label, title=p.title)]
        for prov in p.intro:
            lines.append(f"· {prov.text}[{sources.provision(prov)}]")
        return Answer("\n".join(lines), False, Intent.CLAUSE, tuple(sources.citations),
                      route=q.route)
    lines = [kit.t(lang, "part_head", doc=name, label=label, title=p.title, n=len(p.clauses))]
    for c in p.clauses:
        n = sources.clause(doc_id, c.no)
        lines.append(kit.t(lang, "part_line", label=c.label, title=c.title, n=n))
    return Answer("\n".join(lines), False, Intent.CLAUSE, tuple(sources.citations),
                  route=q.route)


def clarify(kit: Kit, q: Query) -> Answer:
    return Answer(kit.t(q.lang, "clarify_agency"), False, Intent.DUTIES, route=q.route)


def _date(iso: str, lang: str) -> str:
    y, m, d = (int(x) for x in iso.split("-"))
    if lang == "zh":
        return f"{y}年{m}月{d}日"
    months = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")
    return f"{d} {months[m - 1]} {y}"


def fact_of(corpus: Corpus, q: Query, doc_id: str) -> str:
    """The document a fact question is about (``doc_id``: the one it names, or home's). Asked
    what it is based on while pointing only by level at documents that implement none (which
    national document is it based on?), those are the answer and the one implementing them
    (the home plan first) the subject."""
    if q.fact in ("issuer", "date") and len(q.docs) > 1:
        # 中发36号是国务院发的吗: 国务院 is the issuer supposed, the other name the subject
        rest = q.text
        forms = {f for d in corpus.documents for f in _document_issuer_forms(d)}
        for form in sorted(forms, key=len, reverse=True):
            rest = rest.replace(form, "")
        left = documents_called(rest, corpus)
        if left and left != set(q.docs):
            return next(d for d in q.docs if d in left)
    if "basis" not in q.fact or not q.docs or documents_called(q.text, corpus) or any(
            corpus.document(d).meta.implements for d in q.docs):
        return doc_id  # 国务院指导意见依据什么: that document, by its name
    based = sorted((d for d in corpus.documents if set(d.meta.implements) & set(q.docs)),
                   key=lambda d: not d.meta.home)
    return based[0].doc_id if based else doc_id
