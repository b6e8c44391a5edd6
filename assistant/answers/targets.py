"""Targets: the value and year exactly as the targets table read them off the texts, for the
indicators a question names, or every target of the document and year it names."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answers.kit import Kit, has
from assistant.compose import Sources, where
from assistant.evidence import Evidence
from assistant.query import Query
from assistant.references import document_keys, preferred_documents
from core.model import Answer, Intent, Provision, Target

_YEARISH = re.compile(r"(?:19|20)\d\d年?|\d+")
# one question asking two things: 秸秆利用率要达到多少？畜禽粪污呢？
_ASKS = re.compile(r"[？?；;。]")


def match(kit: Kit, ev: Evidence, question: str, q: Query | None = None,
          every_document: bool = False) -> list[Target]:
    """Targets whose indicator the question names (the best-matching ones), or, for a
    question after the targets in general (定了哪些指标), every target of the document and
    year it names. ``every_document``: the best of each document, so that two documents
    naming one indicator in their own words (单位地区生产总值能源消耗, 单位国内生产总值能耗)
    both answer a comparison."""
    corpus, tokenizer = kit.corpus, ev.tokenizer
    named = [r for r in (q.clauses if q is not None else ()) if r.doc_id and r.clause_no > 0]
    if named:  # 农业那条有哪些量化指标: the targets of that clause, whatever their words
        return [t for t in corpus.targets for r in named
                if (t.doc_id, t.clause_no) == (r.doc_id, r.clause_no)]
    tokens = set(tokenizer.query_tokens(question))
    preferred = set() if every_document else set(
        q.docs if q is not None and q.docs_named and len(q.docs) < len(corpus.documents)
        else preferred_documents(question, corpus))
    asked_years = {int(y) for y in re.findall(r"(?:19|20)\d{2}", question)}
    eligible = [t for t in corpus.targets
                if (not preferred or t.doc_id in preferred)
                and (not asked_years or t.year in asked_years)]
    # 比例, 目标, 达到 say that a number is asked, not which one; 国家文件 names a document
    tokens -= {w for cue in kit.routing.target for w in tokenizer.tokens(cue)}
    tokens -= {w for key, _ in document_keys(corpus) for w in tokenizer.tokens(key)}
    tokens -= set(kit.routing.qualifiers)  # 单位GDP: what an indicator is measured per
    scored = [(len(tokens & set(tokenizer.tokens(t.indicator))), t) for t in eligible]
    scored = [(s, t) for s, t in scored if s > 0]
    every = q.all_values if q is not None else has(question.lower(), kit.routing.all_targets)
    if every and (preferred or asked_years):
        # 主要目标/哪些量化指标: a document's targets clause (its title says 目标) if any
        main = [t for t in eligible if in_targets_clause(kit, t)]
        chosen = main or eligible
    elif not scored:
        return []
    else:
        best = max(s for s, _ in scored)
        # several indicators asked at once (能耗和碳排放) each match on their own words
        several = has(question, kit.routing.several)
        if every_document and not several:
            tops = {t.doc_id: max(s for s, o in scored if o.doc_id == t.doc_id)
                    for _, t in scored}
            chosen = [t for s, t in scored if s == tops[t.doc_id] and 2 * s >= best]
        else:
            floor = 1 if several else best
            chosen = [t for s, t in scored if s >= floor]
    if not every:  # each ask of the question its own best indicator as well
        for part in (p for p in _ASKS.split(question) if p.strip()):
            own = tokens & set(tokenizer.query_tokens(part))
            part_scored = [(len(own & set(tokenizer.tokens(t.indicator))), t) for t in eligible]
            top = max((n for n, _ in part_scored), default=0)
            chosen += [t for n, t in part_scored if top and n == top and t not in chosen]
    home = corpus.home
    if not preferred and home:  # the home plan first, national context after
        chosen = sorted(chosen, key=lambda t: t.doc_id != home.doc_id)
    return chosen


def other_years(kit: Kit, ev: Evidence, q: Query) -> Answer | None:
    """A year asked of a named document that sets no target for it (XX方案2030年的目标):
    said first, then the targets it does set, of the indicator asked where one matches,
    else those of its targets clause. ``None`` where the document has that year's targets or
    none at all, or no document is named."""
    years = sorted({int(y) for y in re.findall(r"(?:19|20)\d{2}", q.text)})
    if not years or not q.docs_named:
        return None
    own = [t for t in kit.corpus.targets if t.doc_id in q.docs]
    if not own or any(t.year in years for t in own) or any(
            str(y) in p.text for d in q.docs for p in kit.corpus.document(d).provisions
            for y in years if _in_targets_clause(kit, p)):
        return None  # 到2035年 … 基本建成: goals without figures are goals still
    chosen = match(kit, ev, re.sub(r"(?:19|20)\d{2}年?", "", q.text), q)
    chosen = [t for t in chosen if t.doc_id in q.docs] or [
        t for t in own if in_targets_clause(kit, t)] or own
    set_years = sorted({t.year for t in own if t.year})
    missing = kit.t(q.lang, "year_unset", doc=kit.doc_name(q.docs[0], q.lang),
                    year="、".join(map(str, years)) if q.lang == "zh"
                    else " or ".join(map(str, years)),
                    years="、".join(map(str, set_years)) if q.lang == "zh"
                    else " and ".join(map(str, set_years)))
    found = answer(kit, chosen, q.lang)
    opening = kit.t(q.lang, "open_no") + ("" if q.lang == "zh" else " ") if q.yes_no else ""
    return Answer(f"{opening}{missing}\n{found.answer}", False, Intent.TARGET,
                  found.citations, not_stated=missing)


def in_targets_clause(kit: Kit, t: Target) -> bool:
    return _in_targets_clause(kit, provision(kit, t))


def _in_targets_clause(kit: Kit, p: Provision) -> bool:
    doc = kit.corpus.document(p.doc_id)
    clause = doc.clause(p.clause_no) if p.clause_no is not None else None
    part = doc.part(p.part_no)
    title = clause.title if clause else (part.title if part else "")
    return any(w in title for w in kit.routing.targets_clause)


def answer(kit: Kit, chosen: Sequence[Target], lang: str) -> Answer:
    """The targets, each under the head of the clause it stands in."""
    sources = Sources(kit.corpus)
    lines: list[str] = []
    head = ""
    for t in chosen:
        p = provision(kit, t)
        n = sources.provision(p)
        this_head = kit.t(lang, "target_head", doc=kit.doc_name(t.doc_id, lang),
                          where=where(kit.corpus, p, lang))
        if this_head != head:
            head = this_head
            lines.append(head)
        lines.append(line(kit, t, n, lang))
    return Answer("\n".join(lines), False, Intent.TARGET, tuple(sources.citations))


def line(kit: Kit, t: Target, n: int, lang: str) -> str:
    when = kit.t(lang, "target_when", year=t.year) if t.year else ""
    base = kit.t(lang, "target_base", year=t.base_year) if t.base_year else ""
    return kit.t(lang, "target_line", when=when, indicator=t.indicator,
                 comparator=t.comparator, value=t.display_value, base=base, n=n)


def provision(kit: Kit, t: Target) -> Provision:
    p = kit.corpus.document(t.doc_id).provision(t.part_no, t.clause_no, t.provision)
    assert p is not None, t  # targets are read off provisions
    return p


def unset(kit: Kit, ev: Evidence, q: Query) -> bool:
    """A value asked for an indicator no target matched and the provisions found do not
    name either (GDP增速, 人均收入): the documents set no such target. The words asked are
    the topic's, qualifiers (单位GDP) and years aside; only qualifiers left (XX市GDP是多少) is
    no indicator the documents set either."""
    tokenizer = ev.tokenizer
    asked = {t for t in tokenizer.query_tokens(q.topic)
             if not _YEARISH.fullmatch(t) and (len(t) > 1 or t.isascii())} - ev.not_topic
    if not asked:
        return False
    indicator = asked - set(kit.routing.qualifiers)
    # a word no text uses names it (增速, 人均收入); English is read through its translations,
    # too loosely to say the texts never name it
    unknown = [t for t in indicator if not t.isascii() and len(t) > 1 and ev.df(t) == 0]
    if indicator and not unknown:
        return False
    shown = ev.top_provisions(ev.home_first(ev.search(q.text, doc_ids=ev.scoped(q))), 2)
    said = {t for p in shown for t in tokenizer.tokens(p.text)}
    return not indicator & said
