"""Anything else: hybrid retrieval, citing the best clause (the home plan's first when the
question names no document, with the national clause that ranked first as its counterpart);
a detail the documents never give, said so; a term they use without defining, said so."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from assistant.answers import who, years
from assistant.answers.framing import refuse, suggestions
from assistant.answers.kit import Kit, has
from assistant.answers.terms import CJK_TERM, QUOTED, using
from assistant.compose import Sources
from assistant.evidence import Evidence
from assistant.guard import Guard
from assistant.links import Links
from assistant.query import Query
from core.model import Answer, Hit, Intent, Provision

_DEFINES = re.compile(r"是指|指的是|，即|也就是|简称|以下简称")
_WIDER_INDICATOR = 5  # characters: 二氧化碳排放, not 碳排放 (which every clause on it uses)
_A_YEAR_ONLY = re.compile(r"(?:19|20)\d\d")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{3,}")
_PHRASE_BREAK = re.compile(r"[，,；;。：:]")
_SENTENCE_BREAK = re.compile(r"[；;。]")


def general(kit: Kit, ev: Evidence, links: Links, question: str, lang: str, context: str = "",
            doc_ids: Sequence[str] = (), home_first: bool = False, topic: str = "",
            when: str = "", number: bool = False, year: int | None = None) -> Answer:
    """``topic``: the question's own subject; the other clauses that use its term verbatim
    are listed after the best one (垃圾分类 stands in three clauses of a plan; the one search
    ranks first is not always the one a reader means). ``when``: the subject whose year is
    asked (碳达峰是哪年), so the places on it that give one come first; none: said so.
    ``year``: the year a yes/no question supposes for it (碳达峰是2030年吗): the places on the
    subject with that year come first, then those with another, whichever document holds them."""
    hits = ev.search(question, context, doc_ids=doc_ids)
    words = years.year_subject(ev, question, when, kit.routing.reached) if when else set()
    if year is not None and when:
        asked = re.compile(rf"{year}\s*年")

        def rank(h: Hit) -> int:
            text = years.dated(kit, h)
            on_it = any(years.after_it(text, w) is False for w in words)
            return 0 if on_it and asked.search(text) \
                else 1 if on_it and years.A_YEAR.search(text) else 2

        hits = sorted(hits, key=rank)
        home_first = home_first and not (hits and rank(hits[0]) < 2)
    elif when:
        # the places that give a year first, among those on the subject asked: a year in a
        # clause on something else (a plan's title, 2019—2030年) answers nothing
        hits = sorted(hits, key=lambda h: years.A_YEAR.search(h.chunk.text) is None or bool(
            words and not any(years.after_it(h.chunk.text, w) is False for w in words)))
    ranked = ev.home_first(hits) if home_first else hits
    top = ev.top_provisions(ranked, ev.settings.general_provisions)
    if not top:
        return refuse(kit, lang, "refuse_not_covered", ev.words(question))
    if when:
        top = years.with_their_years(kit, top)
    term, more = _same_term(kit, ev, topic, top[0].doc_id, top) if topic else ("", [])
    on_it = next((p for p in more if who.about(term, p.text)), None) \
        if more and not any(who.about(term, p.text) or term in _title(kit, p) for p in top) \
        else None
    if on_it is not None:
        # 垃圾分类咋说的: the task on the sorting itself leads, not the fee's that uses the
        # word as a modifier (生活垃圾分类计价); the one ranked first follows
        more = [p for p in more if p is not on_it]
        top = [on_it, *top]
    sources = Sources(kit.corpus)
    lines = kit.cited_items(top, sources, lang)
    if more:
        lines.append(kit.t(lang, "see_also", term=term))
        for p in more:
            n = sources.provision(p)
            lines.append(kit.t(lang, "see_also_item", where=kit.place(p), text=p.text, n=n)
                         + kit.agency_suffix(p, lang))
    if ranked is not hits:
        # the national clause that ranked first stays as the counterpart, unless the home
        # clause shown implements it (then it says the same, locally)
        counterpart = ev.top_provisions(hits, 1)
        first = top[0]
        linked = links.counterparts(first.doc_id, first.clause_no or 0,
                                    [counterpart[0].doc_id]) if counterpart else []
        if counterpart and (counterpart[0].doc_id, counterpart[0].clause_no) not in linked:
            lines.append(kit.t(lang, "national_head"))
            lines.extend(kit.cited_items(counterpart, sources, lang))
    silent = ""
    if when and year is None and not any(years.gives_year(ev, p, words) for p in top):
        # 哪年之前要淘汰完 of a task with no year: said, rather than left to be guessed
        lines.append(kit.t(lang, "silent_year"))
        silent = lines[-1]
    elif number or has(question.lower(), kit.routing.target):
        if not any(ch.isdigit() for p in top for ch in p.text):
            lines.append(kit.t(lang, "silent_number"))
            silent = lines[-1]  # a yes/no (国家文件里也有这个数吗) is answered 否 by it
        elif _figure_missing(ev, question, top):
            # figures stand beside, none for what is asked: said first, as what is omitted
            silent = kit.t(lang, "silent_number")
    return Answer("\n".join(lines), False, Intent.GENERAL, tuple(sources.citations),
                  not_stated=silent)


def _figure_missing(ev: Evidence, question: str, shown: Sequence[Provision]) -> bool:
    """The indicator the question names (碳排放强度) or the year it asks (2035) stands only in
    phrases without a figure (碳排放强度明显降低): the other figures beside it are no answer."""
    phrases = [s for p in shown for s in _PHRASE_BREAK.split(p.text)]
    for year in set(_A_YEAR_ONLY.findall(question)):
        # the sentences of that year: 到2035年，……基本建成……
        said = [s for p in shown for s in _SENTENCE_BREAK.split(p.text) if year in s]
        if said and not any(_A_YEAR_ONLY.sub("", s).strip() and
                            any(ch.isdigit() for ch in _A_YEAR_ONLY.sub("", s))
                            for s in said):
            return True
    term = _indicator(ev, question, shown, limit=ev.settings.see_also_max_provisions)
    if term:
        return not any(term in s and any(ch.isdigit() for ch in s) for s in phrases)
    # an indicator another text uses (二氧化碳排放 of 中发) that the shown ones never name:
    # their figures are for other things
    return bool(_indicator(ev, question, (), _WIDER_INDICATOR, limit=None))


def _indicator(ev: Evidence, question: str, shown: Sequence[Provision], least: int = 3,
               limit: int | None = None) -> str:
    """The longest stretch of the question (``least`` characters or more) that the shown
    provisions (none given: any text) use and few provisions of all use (at most ``limit``;
    None: any number): the indicator asked about, not a phrase every clause repeats
    (绿色低碳循环发展)."""
    text = "\n".join(p.text for p in shown) if shown else ev.verbatim
    runs: list[str] = _CJK_RUN.findall(question)
    for chunk in sorted(runs, key=len, reverse=True):
        for size in range(len(chunk), least - 1, -1):
            for i in range(len(chunk) - size + 1):
                stretch = chunk[i:i + size]
                if stretch in text and (limit is None or ev.verbatim.count(stretch) <= limit):
                    return stretch
    return ""


def _same_term(kit: Kit, ev: Evidence, topic: str, doc_id: str,
               shown: Sequence[Provision]) -> tuple[str, list[Provision]]:
    """The question's most specific term (its longest word that a few of the document's
    provisions use verbatim) and those provisions, in clauses not shown."""
    limit = ev.settings.see_also_max_provisions
    provisions = [p for p in kit.corpus.document(doc_id).provisions if p.clause_no is not None]
    # the user's own words only: a synonym the search added (环保 → 生态环境) points at
    # clauses the question never named
    said = topic.lower()
    words = {t for t in ev.topic(topic) if len(t) >= 2 and not t.isascii() and t in said}
    for term in sorted(words, key=lambda t: (-len(t), t)):
        if any(w not in term for w in words):
            # the term must be the whole subject (垃圾分类怎么搞): in a question about more
            # than one thing, the other clauses using one of its words are beside the point
            return "", []
        holding = [p for p in provisions if term in p.text]
        if len(holding) > limit:
            continue  # too common to point anywhere: another of its words may be rarer
        clauses = {p.clause_no for p in shown}
        return term, [p for p in holding if p.clause_no not in clauses]
    return "", []


def define(kit: Kit, ev: Evidence, q: Query, answer: Answer) -> Answer:
    """A term the cited texts use without explaining it: say so, then show where. Where the
    texts use the term verbatim, those places are cited (search may rank a clause on a
    neighbouring subject first: 双超双有 is not a word the index splits out)."""
    term = QUOTED.search(q.text)
    name = term.group(1) if term else used_stretch(ev, q.topic)
    used = using(kit, name, q.docs if q.docs_named else ())
    if used and not any(p in used for p in _cited(kit, answer)):
        sources = Sources(kit.corpus)
        lines = kit.cited_items(used, sources, q.lang)
        answer = replace(answer, answer="\n".join(lines), citations=tuple(sources.citations),
                         refused=False, intent=Intent.GENERAL)
    if answer.refused or any(_DEFINES.search(c.quote) for c in answer.citations):
        return answer
    if not used and CJK_TERM.fullmatch(name):
        # a term no text uses: a loosely related clause would pass for its meaning
        return refuse(kit, q.lang, "define_none", {name}, term=name)
    key = "define_unexplained" if used else "define_none"
    return replace(answer, not_stated=kit.t(q.lang, key, term=name))


def _title(kit: Kit, p: Provision) -> str:
    """The title of the provision's clause (大力发展绿色金融: every task in it is on that)."""
    clause = kit.corpus.document(p.doc_id).clause(p.clause_no) if p.clause_no else None
    return clause.title if clause else ""


def used_stretch(ev: Evidence, topic: str) -> str:
    """The longest stretch of the topic that a text uses (里面说的两网融合 → 两网融合), or the
    topic's first phrase when no stretch of three characters or more is used."""
    texts = ev.verbatim
    best = ""
    # 说的碳汇: a particle left before the term is no part of it
    for chunk in (c.lstrip("的之了地") for c in topic.split(" ")):
        for size in range(len(chunk), max(len(best), 1), -1):
            # the rightmost of equal length: a Chinese phrase ends with its head (发展绿色债券
            # is about 绿色债券, not 发展绿色)
            found = next((chunk[i:i + size] for i in reversed(range(len(chunk) - size + 1))
                          if chunk[i:i + size] in texts), "")
            if found:
                best = found
                break
    return best or topic.split(" ")[0].lstrip("的之了地")


def _cited(kit: Kit, answer: Answer) -> list[Provision]:
    out = []
    for c in answer.citations:
        if c.provision is None or c.clause_no is None:
            continue
        doc = kit.corpus.document(c.doc_id)
        clause = doc.clause(c.clause_no)
        p = doc.provision(clause.part_no if clause else 0, c.clause_no, c.provision)
        if p is not None:
            out.append(p)
    return out


def unstated(kit: Kit, ev: Evidence, guard: Guard, q: Query, context: str = "") -> Answer:
    """A detail the documents never give (an amount, a procedure, a phone number …): say so,
    with the provisions on the same subject, whose agencies are the ones to ask. Provisions
    that only lie near in the index are not shown: a question about 公租房 must not be
    answered with whatever task is least far away."""
    question, lang, kind = q.text, q.lang, q.unstated[0]
    topic = ev.topic(guard.without(question, kind)) | (ev.topic(context) if context else set())
    docs = ev.scoped(q)
    hits = ev.search(question, context, doc_ids=docs)
    related: list[Provision] = []
    if kind == "contact" and q.agencies:
        # a named agency's phone number: nothing in a plan comes near it, unless a subject
        # is named beside the agency (which office runs 绿色商场创建): its tasks are shown
        topic = {t for t in topic - ev.topic(" ".join(q.agencies))
                 if not any(t in a for a in q.agencies)}
    if topic:
        for ranked in ([hits] if docs else [ev.home_first(hits), hits]):
            related = [p for p in ev.top_provisions(ranked, 2)
                       if topic & set(ev.tokenizer.query_tokens(p.text))]
            if related:
                break
    kinds = [k for k in q.unstated if not guard.stated(k, [p.text for p in related])]
    not_stated = " ".join(kit.t(lang, f"unstated_{k}") for k in kinds)
    lines = [not_stated] if not_stated else []
    sources = Sources(kit.corpus)
    if related:
        if not_stated:
            lines.append(kit.t(lang, "unstated_related"))
        lines.extend(kit.cited_items(related, sources, lang))
        return Answer("\n".join(lines), False, Intent.GENERAL, tuple(sources.citations),
                      not_stated=not_stated)
    lines.append(kit.scope(lang))
    lines.append(suggestions(kit, lang, topic))
    return Answer("\n".join(lines), True, Intent.OUT_OF_SCOPE, not_stated=not_stated)
