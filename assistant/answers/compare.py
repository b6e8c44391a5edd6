"""The home plan against the national documents, when the question names no subject: which
clauses one side has and the other has no counterpart for (from corpus/links.toml), and the
targets each side sets; with a subject, what each side says about it (by search)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from assistant.answers import targets as target_answers
from assistant.answers.framing import refuse
from assistant.answers.kit import Kit
from assistant.compose import Sources
from assistant.evidence import Evidence
from assistant.links import Links
from assistant.query import Query
from core.model import Answer, Intent, Level, Target


def compare(kit: Kit, ev: Evidence, links: Links, q: Query, context: str = "") -> Answer:
    """Targets side by side when numbers are asked; the clauses one side has and the other
    lacks when no subject is named; otherwise both sides on the subject."""
    if "counterpart" in q.cues:
        answer = counterpart(kit, ev, q)
        if answer is not None:
            return answer
    if q.asks_number:
        # both sides' targets on the indicator named (a follow-up names it in the turn
        # before: 比全国的要求高还是低)
        said = f"{q.topic} {q.text}" if q.follow_up else q.text
        named = target_answers.match(kit, ev, said, replace(q, docs=(), docs_named=False,
                                                             all_values=False),
                                     every_document=True)
        chosen = named or [t for t in kit.corpus.targets
                           if target_answers.in_targets_clause(kit, t)
                           and (q.year is None or t.year == q.year)]
        answer = targets(kit, q, chosen)
        if answer is not None:
            return answer
    if not ev.topic(q.topic):
        answer = unmatched(kit, links, q)
        if answer is not None:
            return answer
    plans = [d for d in q.docs if kit.corpus.document(d).meta.level != Level.NATIONAL]
    if len(plans) > 1:  # two places' plans (in a side of several places): each on the subject
        return each_plan(kit, ev, q.text, plans, q.lang, context)
    return national_and_local(kit, ev, q.text, q.lang, context)


def each_plan(kit: Kit, ev: Evidence, question: str, doc_ids: Sequence[str], lang: str,
              context: str = "") -> Answer:
    """What each of the plans named says on the subject, in the order of the corpus."""
    sources = Sources(kit.corpus)
    lines: list[str] = []
    for doc_id in doc_ids:
        top = ev.top_provisions(ev.search(question, context, doc_ids=[doc_id]), 2)
        lines.extend(kit.cited_items(top, sources, lang))  # each opens with its document
    if not lines:
        return refuse(kit, lang, "refuse_not_covered")
    return Answer("\n".join(lines), False, Intent.GENERAL, tuple(sources.citations))


def counterpart(kit: Kit, ev: Evidence, q: Query) -> Answer | None:
    """指导意见讲国际合作那条，方案里有对应的吗: the other document's clause on the
    subject, and the home clauses the reviewed links (corpus/links.toml) tie to it. Without
    reviewed links for the pair there is no verdict to give: None."""
    home = kit.corpus.home
    other = next((d for d in q.docs if home is None or d != home.doc_id), None)
    if home is None or other is None or not ev.topic(q.topic):
        return None
    links = [(no, o_no) for d, no, o, o_no in kit.corpus.links
             if d == home.doc_id and o == other]
    top = ev.top_provisions(ev.search(q.topic, doc_ids=[other]), 2)
    if not links or not top or top[0].clause_no is None:
        return None
    theirs = top[0].clause_no
    mine = sorted({no for no, o_no in links if o_no == theirs})
    sources = Sources(kit.corpus)
    lang = q.lang
    names = dict(doc=kit.doc_name(other, lang), home=kit.doc_name(home.doc_id, lang),
                 where=kit.place(top[0]))
    lines = []
    if mine:
        doc = kit.corpus.document(home.doc_id)
        places = "、".join(f"{c.heading}[{sources.clause(home.doc_id, c.no)}]"
                          for no in mine if (c := doc.clause(no)) is not None)
        lines.append(kit.t(lang, "counterpart_found", places=places, **names))
    else:
        lines.append(kit.t(lang, "counterpart_none", **names))
    lines.extend(kit.cited_items(top, sources, lang))
    return Answer("\n".join(lines), False, Intent.GENERAL, tuple(sources.citations),
                  route=f"{q.route}, reviewed links")


def national_and_local(kit: Kit, ev: Evidence, question: str, lang: str,
                       context: str = "") -> Answer:
    """What the national documents say on the subject, then what the home plan says."""
    corpus = kit.corpus
    national = [d.doc_id for d in corpus.documents if d.meta.level == Level.NATIONAL]
    local = [corpus.home.doc_id] if corpus.home else []
    sources = Sources(corpus)
    lines: list[str] = []
    for head, docs in (("national_head", national), ("local_head", local)):
        if not docs:
            continue
        top = ev.top_provisions(ev.search(question, context, doc_ids=docs), 2)
        if not top:
            continue
        lines.append(kit.t(lang, head, home=kit.home_name(lang)))
        lines.extend(kit.cited_items(top, sources, lang))
    if not lines:
        return refuse(kit, lang, "refuse_not_covered")
    return Answer("\n".join(lines), False, Intent.GENERAL, tuple(sources.citations))


def sides(kit: Kit, q: Query) -> tuple[str, list[str]] | None:
    """(home, the national documents asked about), or None without a home plan."""
    home = kit.corpus.home
    if home is None:
        return None
    named = [d for d in q.docs if d != home.doc_id]
    national = named or [d.doc_id for d in kit.corpus.documents
                         if d.meta.level == Level.NATIONAL and d.doc_id in home.meta.implements]
    return home.doc_id, national


def unmatched(kit: Kit, links: Links, q: Query) -> Answer | None:
    """What the home plan lacks against a national document: the national clauses no home
    clause implements, and the home clauses that implement none."""
    found = sides(kit, q)
    if found is None:
        return None
    home, national = found
    lang = q.lang
    sources = Sources(kit.corpus)
    lines: list[str] = []
    for other in national:
        linked = {no for _, _, o, no in kit.corpus.links if o == other}
        if not linked:
            continue  # no reviewed links for this pair: nothing to say with confidence
        missing = [c for c in kit.corpus.document(other).clauses if c.no not in linked]
        lines.append(kit.t(lang, "compare_missing", doc=kit.doc_name(other, lang),
                           home=kit.doc_name(home, lang), n=len(missing)))
        lines += [f"· {c.heading}[{sources.clause(other, c.no)}]" for c in missing]
        own = [c for c in kit.corpus.document(home).clauses
               if not any(d == home and no == c.no and o == other
                          for d, no, o, _ in kit.corpus.links)]
        if own:
            lines.append(kit.t(lang, "compare_own", doc=kit.doc_name(other, lang),
                               home=kit.doc_name(home, lang), n=len(own)))
            lines += [f"· {c.heading}[{sources.clause(home, c.no)}]" for c in own]
    if not lines:
        return None
    return Answer("\n".join(lines), False, Intent.GENERAL, tuple(sources.citations),
                  route=q.route)


def targets(kit: Kit, q: Query, chosen: Sequence[Target]) -> Answer | None:
    """主要目标有什么区别: each side's targets, side by side; says so when one sets none."""
    found = sides(kit, q)
    if found is None:
        return None
    home, national = found
    lang = q.lang
    sources = Sources(kit.corpus)
    lines: list[str] = []
    for doc_id in (home, *national):
        mine = [t for t in chosen if t.doc_id == doc_id]
        lines.append(kit.t(lang, "compare_side", doc=kit.doc_name(doc_id, lang)))
        if not mine:
            lines.append(kit.t(lang, "compare_no_targets", doc=kit.doc_name(doc_id, lang)))
            continue
        for t in mine:
            n = sources.provision(target_answers.provision(kit, t))
            lines.append(target_answers.line(kit, t, n, lang))
    if not sources.citations:
        return None
    return Answer("\n".join(lines), False, Intent.TARGET, tuple(sources.citations),
                  route=q.route)
