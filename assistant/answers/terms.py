"""Terms as the texts write them: where a term stands verbatim, a quoted term that no
document uses (方案里的“XX账户”怎么开通), which a loosely related clause must not answer, and
the provisions that forbid what a question asks to be allowed."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answers.framing import refuse
from assistant.answers.kit import UNQUOTED, Kit
from assistant.claims import claims, denied
from assistant.evidence import Evidence
from assistant.query import Query
from assistant.references import documents_named
from core.errors import AmbiguousAgency, UnknownAgency
from core.model import Answer, Provision

CJK_TERM = re.compile(r"[\u4e00-\u9fff]{2,12}")
_ABOUT_IT = set("drmpcuqtf")  # jieba's tags of words that are no part of a name
QUOTED = re.compile(r"[“\"「『]([^”\"」』]{1,20})[”\"」』]")


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

