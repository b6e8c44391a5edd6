"""Whether the documents use a term at all: 提没提核电 (the places, or 否 with where another
document uses it), and a yes/no question on one document whose subject only another document
has (方案有没有说要建再生资源区域交易中心)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answers.framing import refuse
from assistant.answers.general import used_stretch
from assistant.answers.kit import UNQUOTED, Kit
from assistant.answers.terms import CJK_TERM, using
from assistant.compose import Sources
from assistant.evidence import Evidence
from assistant.links import Links
from assistant.names import in_order
from assistant.query import Query
from assistant.references import documents_named
from core.model import Answer, Intent, Provision

_TRAILING_PARTICLES = re.compile(r"(?:了|吗|呢|啊|吧|没有|没)+(?=\s|$)")
_MENTION_MAX = 8  # a longer subject is a sentence, not a term a text would use verbatim
# a term with other words beside it, answered no where the documents asked about lack it:
# long enough to be a term of its own (再生资源区域交易中心, 绿色债券), not a common word
_NARROWED_MIN = 4
_DETAIL_CUES = frozenset({"when", "value", "count"})  # 有没有写明碳中和的年份: a detail asked
_ABSENT_MAX_DF = 6  # provisions a word one document lacks may stand in, at most
_EVERYDAY = 1000  # jieba's count above which a word is everyday language (数字), no term
_CLAUSES = re.compile(r"[，,。？?；;！!]")


def mention(kit: Kit, ev: Evidence, links: Links, q: Query, context: str = "",
            docs: Sequence[str] = ()) -> Answer | None:
    """提没提核电 / 提到氢能没: whether the documents asked about (``docs``; any, when none is
    named) use the term at all. Used: those places are cited. Not used: said first, with the
    documents that do use it and the nearest provisions of those asked about; used nowhere:
    declined (a loosely related clause would pass for it). ``None`` where the subject is no
    term (支持物流企业搞数字化运营平台 is a sentence): search answers as for any question."""
    subject = _TRAILING_PARTICLES.sub("", q.topic).strip()
    # words before the term (要建…): a term the documents asked about never use is not in
    # any part of them either, so that still answers no; a term they do use is left to
    # search, which the other words may steer
    narrowed = False
    if q.lang == "en":
        # nuclear power: the words the texts use for it (核电, 核聚变), any of them
        phrases, terms, rest = ev.tokenizer.translations(subject)
        if not terms or ev.topic(rest) or re.search(r"[\u4e00-\u9fff]", rest):
            return None  # words beyond the subject, or none the search translates
        name = " / ".join(phrases)
    else:
        name = used_stretch(ev, subject)
        if not CJK_TERM.fullmatch(name):  # at most twelve characters: a term, not a sentence
            return None
        if name != subject:
            if len(name) < _NARROWED_MIN or not subject.endswith(name) or name.endswith("的") \
                    or q.cues & _DETAIL_CUES:
                return None  # more than one term (多式联运 beside 运输结构), or a detail of
            narrowed = True  # the term asked (碳中和的具体年份): search answers
        elif len(name) > _MENTION_MAX:
            return None
        terms = [name]
    lang, sources = q.lang, Sources(kit.corpus)

    def used_in(in_docs: Sequence[str]) -> list[Provision]:
        found = [p for term in terms for p in using(kit, term, in_docs)]
        return list(dict.fromkeys(found))[:3]

    said = used_in(docs)
    if narrowed and (said or _near_in_order(kit, name, docs)):
        return None
    if said:
        return Answer("\n".join(kit.cited_items(said, sources, lang)), False, Intent.GENERAL,
                      tuple(sources.citations))
    elsewhere = used_in([d.doc_id for d in kit.corpus.documents if d.doc_id not in docs])
    if not elsewhere and narrowed:
        return None
    if not elsewhere:
        return refuse(kit, lang, "mention_nowhere", {name}, term=name)
    return unused(kit, ev, q, name, docs, elsewhere, context)


def unused(kit: Kit, ev: Evidence, q: Query, name: str, docs: Sequence[str],
           elsewhere: Sequence[Provision], context: str = "") -> Answer:
    """否: the documents asked about do not use the term; where another does, and the
    nearest provisions of those asked about."""
    lang, sources = q.lang, Sources(kit.corpus)
    names = "、" if lang == "zh" else " or the "
    opening = kit.t(lang, "open_no") + ("" if lang == "zh" else " ")
    absent = kit.t(lang, "mention_none", term=name, doc=names.join(
        kit.doc_name(d, lang) for d in docs))
    lines = [opening + absent]
    lines.append(kit.t(lang, "mention_elsewhere", term=name,
                       doc=kit.doc_name(elsewhere[0].doc_id, lang)))
    lines.extend(kit.cited_items(elsewhere, sources, lang))
    near = ev.top_provisions(ev.search(q.text, context, doc_ids=docs), 2)
    if near:
        lines.append(kit.t(lang, "mention_related", doc=kit.doc_name(near[0].doc_id, lang)))
        lines.extend(kit.cited_items(near, sources, lang))
    # what the documents asked about do not say, apart for a widget as any "not stated"
    return Answer("\n".join(lines), False, Intent.GENERAL, tuple(sources.citations),
                  not_stated=absent)


def _near_in_order(kit: Kit, term: str, docs: Sequence[str]) -> bool:
    """A provision of ``docs`` has the term's characters in order, worded otherwise
    (碳捕集利用 in 二氧化碳捕集、利用和封存 of a sentence): not absent, only not verbatim."""
    span = 2 * len(term)  # close together: a long provision has most characters somewhere
    return any(in_order(term, p.text[i:i + span])
               for d in kit.corpus.documents if not docs or d.doc_id in docs
               for p in d.provisions for i, ch in enumerate(p.text) if ch == term[0])


def absent_from(kit: Kit, ev: Evidence, q: Query
                ) -> tuple[str, tuple[str, ...], list[Provision]] | None:
    """方案有没有说要建区域交易中心 / 国家文件说…散乱污…，方案有没有: a word of the
    question that another document uses but none of those asked about does, with those
    documents (named in the part of the question that asks, else the only ones named) and
    where the others use it.
    The question's own words only (not what search widens them to), and rare ones: a word
    the texts use in many provisions is no subject one document could lack by chance."""
    if not (q.yes_no and q.docs_named) or q.agencies or q.year is not None:
        return None
    parts = [p for p in _CLAUSES.split(q.text) if p.strip()]
    named = [documents_named(p, kit.corpus) for p in parts]
    asked = next((found for found in reversed(named) if found), q.docs)
    if not asked or len(asked) == len(kit.corpus.documents):
        return None
    # the words of the part that asks, and of parts on a document (国务院文件说…), not of
    # what the asker says of itself (我们是煤化工企业，…)
    said = " ".join(p for i, (p, found) in enumerate(zip(parts, named, strict=True))
                    if found or i == len(parts) - 1)
    texts = kit.texts()
    if q.lang == "en":  # a phrase none of whose renderings the documents asked about use
        renderings = [ev.tokenizer.translations(phrase)[1]
                      for phrase in ev.tokenizer.translations(said)[0]]
        words = {r[0] for r in renderings
                 if r and not any(w in texts[d] for w in r for d in asked)}
    else:
        words = {w for w in ev.topic(said) if w in said and CJK_TERM.fullmatch(w)
                 and ev.tokenizer.frequency(w) <= _EVERYDAY}
    others = [d for d in texts if d not in asked]
    elsewhere_text = "\n".join(texts[d] for d in others)
    # each word as the other document writes it (散乱 → 散乱污企业), which those asked about
    # neither use nor word otherwise (交易试点市场 is a 交易市场)
    grown = {w: _widened(w, UNQUOTED.sub("", said), elsewhere_text) for w in words}
    lacking = [g for w, g in grown.items() if ev.df(w) <= _ABSENT_MAX_DF
               and w in elsewhere_text
               and not any(w in texts[d] for d in asked)
               and not _near_in_order(kit, g, asked)]
    if not lacking:
        return None
    word = max(lacking, key=lambda w: (len(w), w))
    elsewhere = using(kit, word, others)
    return (word, tuple(asked), elsewhere) if elsewhere else None


def _widened(word: str, question: str, text: str) -> str:
    """The word grown within the question while the other text still has it (散乱 →
    散乱污, 交易中心 → 再生资源区域交易中心): the term as that document writes it."""
    at = question.find(word)
    if at < 0:
        return word
    start, end = at, at + len(word)
    while start > 0 and question[start - 1:end] in text:
        start -= 1
    while end < len(question) and question[start:end + 1] in text:
        end += 1
    return question[start:end]
