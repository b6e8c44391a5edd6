"""Terms as the texts write them: where a term stands verbatim, a quoted term that no
document uses (方案里的“XX账户”怎么开通), which a loosely related clause must not answer, and
the provisions that forbid what a question asks to be allowed."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answers.framing import refuse
from assistant.answers.kit import Kit
from assistant.claims import claims, denied
from assistant.evidence import Evidence
from assistant.query import Query
from assistant.references import documents_named
from core.errors import AmbiguousAgency, UnknownAgency
from core.model import Answer, Provision

UNQUOTED = re.compile(r"[\s“”\"「」『』]")
CJK_TERM = re.compile(r"[\u4e00-\u9fff]{2,12}")
_ABOUT_IT = set("drmpcuqtf")  # jieba's tags of words that are no part of a name
_ABSENT_MAX_DF = 6  # provisions a word one document lacks may stand in, at most
_EVERYDAY = 1000  # jieba's count above which a word is everyday language (数字), no term
QUOTED = re.compile(r"[“\"「『]([^”\"」』]{1,20})[”\"」』]")
_CLAUSES = re.compile(r"[，,。？?；;！!]")


def using(kit: Kit, term: str, docs: Sequence[str]) -> list[Provision]:
    """The tasks that use ``term`` verbatim (quotation marks and spaces aside), the home
    plan's first, at most one per clause and three in all."""
    bare = UNQUOTED.sub("", term)
    if len(bare) < 2:
        return []
    home = kit.corpus.home
    documents = sorted((d for d in kit.corpus.documents if not docs or d.doc_id in docs),
                       key=lambda d: d is not home)
    out: list[Provision] = []
    for doc in documents:
        for p in doc.provisions:
            if p.clause_no != 0 and bare in UNQUOTED.sub("", p.text) \
                    and all((p.doc_id, p.clause_no) != (o.doc_id, o.clause_no) for o in out):
                out.append(p)
        if out:
            break  # the home plan's use of it answers; another document's only otherwise
    return out[:3]


def quoted_unknown(kit: Kit, ev: Evidence, q: Query) -> Answer | None:
    """A term the question quotes as the documents' own that none of them uses: declined
    with the term named. A quoted document or agency name, or a word the search widens to
    the texts' own (充电桩 → 充换电), is no such term."""
    for match in QUOTED.finditer(q.text):
        term = match.group(1).strip()
        if not CJK_TERM.fullmatch(term) or using(kit, term, ()) or _titled(kit, term):
            continue
        # a word of the search's own (充电桩 → 充换电): one token that the search widens
        tokens = ev.tokenizer.tokens(term)
        widened = term in tokens and set(ev.tokenizer.query_tokens(term)) - set(tokens)
        if widened or documents_named(
                term, kit.corpus) or _agency(kit, term):
            continue
        return refuse(kit, q.lang, "define_none", {term}, term=term)
    return None


def coined_unknown(kit: Kit, ev: Evidence, q: Query, morphemes: Sequence[str]) -> Answer | None:
    """A word formed on a scheme's morpheme (碳 of 碳普惠, 碳账户) that no text uses and the
    glossary does not know: declined with the word named (the texts' own words, and the
    users' words the glossary maps to them, 碳市场 → 碳排放权交易, answer as usual)."""
    if not any(m in q.text for m in morphemes):
        return None
    segments = ev.tokenizer.segments(q.text)
    at = 0  # where the token starts in the lower-cased question
    text = q.text.lower()
    for i, token in enumerate(segments):
        at = text.find(token, at)
        start, at = at, at + len(token)
        if not any(m in token for m in morphemes):
            continue
        if any(start >= k and ev.df(text[start - k:start + 1]) for k in (1, 2)):
            continue  # 低|碳教育 split so: the morpheme belongs to the text word before (低碳)
        # 碳 alone is a piece: the word is it and the two-character word after it (碳 账户,
        # 碳 普惠); not 碳 大概 (an adverb, pronoun, numeral … is a word about it)
        after = segments[i + 1] if i + 1 < len(segments) else ""
        tags = ev.tokenizer.tagged(after) if token in morphemes and len(after) == 2 else []
        word = token + after if len(tags) == 1 and tags[0][1][:1] not in _ABOUT_IT else token
        if not CJK_TERM.fullmatch(word) or _known(kit, ev, word, morphemes):
            continue
        return refuse(kit, q.lang, "define_none", {word}, term=word)
    return None


def _known(kit: Kit, ev: Evidence, word: str, morphemes: Sequence[str]) -> bool:
    """The texts use the word, a longer form of one of theirs (碳价格 of 碳价) or one
    mistyped beside its morpheme (碳达锋; not 碳账户 for FT账户), or the glossary or a title
    knows it."""
    texts = ev.verbatim
    return word in texts or any(word[:k] in texts for k in range(2, len(word))) \
        or any(re.search(re.escape(word[:i]) + "." + re.escape(word[i + 1:]), texts)
               for i in range(len(word)) if word[i] not in "".join(morphemes)) \
        or bool(ev.tokenizer.synonyms_of(word)) or _titled(kit, word) \
        or bool(documents_named(word, kit.corpus))


def absent_from(kit: Kit, ev: Evidence, q: Query
                ) -> tuple[str, tuple[str, ...], list[Provision]] | None:
    """天津方案有没有说要建区域交易中心 / 国务院文件说…散乱污…，天津方案有没有: a word of the
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
    texts = {d.doc_id: "".join(UNQUOTED.sub("", p.text) for p in d.provisions)
             for d in kit.corpus.documents}
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
               and not any(w in texts[d] or _worded_otherwise(g, texts[d]) for d in asked)]
    if not lacking:
        return None
    word = max(lacking, key=lambda w: (len(w), w))
    elsewhere = using(kit, word, others)
    return (word, tuple(asked), elsewhere) if elsewhere else None


def _worded_otherwise(word: str, text: str) -> bool:
    """The word's characters in order, close together (交易市场 in 交易试点市场)."""
    return re.search(".{0,2}".join(map(re.escape, word)), text) is not None


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


def _titled(kit: Kit, term: str) -> bool:
    """The term names a clause or part by its title (“大力发展绿色金融”那条)."""
    return any(term in c.title for d in kit.corpus.documents for c in d.clauses) \
        or any(term in p.title for d in kit.corpus.documents for p in d.parts)


def _agency(kit: Kit, name: str) -> bool:
    try:
        kit.corpus.agency(name)
    except (UnknownAgency, AmbiguousAgency):
        return False
    return True


def denial(kit: Kit, q: Query) -> Answer | None:
    """还能享受电价优惠吗: the provisions of the documents asked about that forbid what the
    question asks to be allowed (严禁…实施电价优惠), quoted; framing opens the answer 否. A
    ban is no support, so a search for what helps the asker would not show it."""
    known = claims()
    permits = [known[name] for name in q.claims if known[name].denied_by]
    if not q.yes_no or not permits:
        return None
    docs = [d for d in kit.corpus.documents if not q.docs_named or d.doc_id in q.docs]
    found = [p for d in docs for p in d.provisions
             if p.clause_no != 0 and any(denied(c, q.text, [p.text], kit.rare) for c in permits)]
    return kit.cited(found[:2], q.lang) if found else None

