"""Years in answers: what a year in a provision is a year of (到2035年，…碳排放达峰后稳中有降
sets no year of the peak), the places on a subject that give one, and whether the year a
yes/no question supposes is the one the texts set."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from assistant.answers.kit import Kit
from assistant.evidence import Evidence
from core.model import Hit, Provision

A_YEAR = re.compile(r"(?:19|20)\d\d\s*年")
_OPENS_A_YEAR = re.compile(r"到\s*(?:19|20)\d\d\s*年")


_AFTER = ("后", "之后", "以后")
_FOR = ("为", "为了", "为实现", "为了实现")  # 为实现碳达峰、碳中和奠定坚实基础: a purpose


def after_it(text: str, word: str) -> bool | None:
    """Whether every use of ``word`` in ``text`` speaks of what follows it (达峰后稳中有降) or
    of what it serves (为实现碳达峰…奠定基础), not of it; None where the word is not in the
    text."""
    at = [m.span() for m in re.finditer(re.escape(word), text)]
    if not at:
        return None
    return all(text.startswith(_AFTER, end) or text[:start].endswith(_FOR) for start, end in at)


def year_verdict(year: int | None, subject: Collection[str], quotes: Sequence[str]
                  ) -> bool | None:
    """A year the question supposes for a subject (2035年实现碳中和吗) against the sentences of
    the cited provisions: one with that year on the subject, yes; sentences with that year, none
    on the subject, no (到2035年，…碳排放达峰后稳中有降 sets no neutrality); none with that year
    but one giving the subject another, no (碳中和是2050年吗 of 到2060年…碳中和); else None."""
    if year is None or not subject:
        return None
    sentences: list[str] = []
    opened = ""  # 到2030年，: a provision after one opening so goes on from its year
    for quote in quotes:
        found = _OPENS_A_YEAR.match(quote)
        opened = found.group(0) if found else opened if not A_YEAR.search(quote) else ""
        sentences += [f"{'' if found else opened}{s}" for s in re.split("[。；]", quote)]
    on_it = [s for s in sentences if any(after_it(s, w) is False for w in subject)]
    asked = re.compile(rf"{year}\s*年")
    if any(asked.search(s) for s in sentences):
        return any(asked.search(s) for s in on_it)
    return False if any(A_YEAR.search(s) for s in on_it) else None


def year_subject(ev: Evidence, question: str, subject: str, reached: Sequence[str] = ()
                 ) -> set[str]:
    """The words of what a year is asked of, each whole with the texts' other words for it
    (碳达峰: 达峰, 达到峰值; not 达到 alone, which sets every figure): its distinctive words,
    or the words the texts use of it however often (碳中和 stands in many clauses, and is
    still what is asked); neither a year nor a word that only says it is reached (实现)."""
    def of(words: set[str]) -> set[str]:
        return {w for w in words if not w.isdigit() and w not in reached}

    english = " ".join(ev.tokenizer.translations(question)[1])  # carbon peaking: 碳达峰
    said = {t for text in (question, subject, english) for t in ev.tokenizer.tokens(text)}
    own = of(said & ev.topic(question)) \
        or of(said & ev.used_words(f"{question} {subject} {english}"))
    return own | {w for t in own for w in ev.tokenizer.synonyms_of(t)}


def gives_year(ev: Evidence, p: Provision, words: set[str]) -> bool:
    """A year stands in the provision, and the provision is on what was asked (shares a
    word of its subject, when the question has one), not on what comes after it: 到2035年，
    …碳排放达峰后稳中有降 gives no year of the peak."""
    if not A_YEAR.search(p.text):
        return False
    return not words or any(after_it(p.text, w) is False for w in words)


def dated(kit: Kit, h: Hit) -> str:
    """A provision's text with the year it goes on from (到2030年，…。 then 二氧化碳排放量达到
    峰值…: the peak is of 2030), where it has none of its own."""
    c = h.chunk
    if c.provision is None or c.provision < 2 or _OPENS_A_YEAR.search(c.text):
        return c.text
    before = kit.corpus.document(c.doc_id).provision(c.part_no, c.clause_no, c.provision - 1)
    found = _OPENS_A_YEAR.match(before.text) if before is not None else None
    return f"{found.group(0)}{c.text}" if found else c.text


def with_their_years(kit: Kit, shown: Sequence[Provision]) -> list[Provision]:
    """A year asked: a provision with no 到…年 of its own that goes on from one opening with
    a year (到2030年，…。 then 二氧化碳排放量达到峰值…) is shown after that one."""
    out: list[Provision] = []
    for p in shown:
        before = kit.corpus.document(p.doc_id).provision(p.part_no, p.clause_no, p.index - 1) \
            if p.index > 1 and not _OPENS_A_YEAR.search(p.text) else None
        if before is not None and _OPENS_A_YEAR.match(before.text) and before not in out:
            out.append(before)
        if p not in out:
            out.append(p)
    return out
