"""What a question names exactly: clauses by number (第二十二条, （九）, 第9条第2项), documents
by the words users call them (documents.toml aliases, levels.toml), and agencies by name or
alias (names.py).
These go through the parsed structure, never through similarity.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from core.model import Level
from indexing.corpus import Corpus
from indexing.numerals import parse_numeral

_NUM = r"[0-9]{1,2}|[一二三四五六七八九十]{1,3}"
_CLAUSE_RE = re.compile(
    rf"(?:第\s*(?P<a>{_NUM})\s*条|[（(]\s*(?P<b>[一二三四五六七八九十]{{1,3}})\s*[）)]"
    # a bare 一条 counts (有单独一条, 对应的一条): it names clause （一） only with 第 or brackets
    rf"|(?<![这那哪每该此上下一二三四五六七八九十])(?!一条)(?P<c>[一二三四五六七八九十]{{1,3}})条"
    rf"|clause\s*[（(]?\s*(?P<d>[0-9]{{1,2}})\s*[）)]?|[（(](?P<e>[0-9]{{1,2}})[）)])"
    rf"(?:\s*(?:的)?第\s*(?P<p>{_NUM})\s*(?:项|个任务|句)|\s*item\s*(?P<q>[0-9]{{1,2}}))?",
    re.IGNORECASE,
)

# Words that make an agency the subject of the question rather than a passing mention.
_DUTY_CUES = ("负责", "职责", "分工", "任务", "工作", "牵头", "配合", "参与", "干什么", "做什么",
              "干哪些", "做哪些", "要做", "要干", "责任", "管什么", "管哪些", "duties", "duty",
              "responsible", "responsibilit", "in charge", "tasks", "role", "lead")


@dataclass(frozen=True, slots=True)
class ClauseRef:
    doc_id: str | None  # None: the question does not say which document
    clause_no: int
    provision: int | None


def number_of(text: str) -> int | None:
    """'22' or '二十二' -> 22; None for anything else."""
    if text.isdigit():
        return int(text)
    try:
        return parse_numeral(text)
    except ValueError:
        return None


def document_keys(corpus: Corpus, levels: bool = True) -> tuple[tuple[str, frozenset[str]], ...]:
    """What users call each document and, with ``levels``, each level; longest first."""
    return corpus.document_words(levels)


# words that point or link inside a document's name: 那个, 这份, 的 (between two characters)
POINTING = re.compile(r"这个|那个|这份|那份|这篇|那篇|(?<=[\u4e00-\u9fff])的(?=[\u4e00-\u9fff])")


def documents_named(question: str, corpus: Corpus) -> tuple[str, ...]:
    """Document ids the question points at, in corpus order: by alias (中央那个碳达峰意见 is
    the one document, not every national one), else by level word (国家层面); a longer word
    wins over a word inside it (国务院的指导意见 is not also 意见)."""
    found = _named(question, document_keys(corpus, levels=False))
    levels = {corpus.document(d).meta.level for d in found}
    for doc_id in _named(question, document_keys(corpus)) - found:
        # 国家层面 adds the national documents unless one of them is named already
        if corpus.document(doc_id).meta.level not in levels:
            found.add(doc_id)
    return tuple(d.doc_id for d in corpus.documents if d.doc_id in found)


def documents_called(question: str, corpus: Corpus) -> frozenset[str]:
    """Document ids the question names by what users call them (aliases and titles), level
    words aside."""
    return frozenset(_named(question, document_keys(corpus, levels=False)))


def _named(question: str, keys: tuple[tuple[str, frozenset[str]], ...]) -> set[str]:
    """By the words as written and, where that finds nothing more, with the words that only
    point or link taken out (中央那个碳达峰碳中和的意见 is the 碳达峰碳中和意见)."""
    text = question.lower()
    taken = [False] * len(text)
    found = _named_in(text, keys, taken)
    # what the first pass matched is blanked, so a full title with its own 的 is not read
    # again without it (and taken for the shorter names inside it)
    rest = "".join("\0" if t else c for c, t in zip(text, taken, strict=True))
    bare = POINTING.sub("", rest)
    if bare == rest:
        return found
    return found | _named_in(bare, keys, [False] * len(bare))


def _named_in(text: str, keys: tuple[tuple[str, frozenset[str]], ...],
              taken: list[bool]) -> set[str]:
    found: set[str] = set()
    for key, doc_ids in keys:
        start = text.find(key)
        while start >= 0:
            span = range(start, start + len(key))
            if not any(taken[i] for i in span) and _whole_word(text, start, len(key)):
                for i in span:
                    taken[i] = True
                found |= doc_ids
            start = text.find(key, start + 1)
    return found


def _whole_word(text: str, start: int, length: int) -> bool:
    """An English key is a whole word; a Chinese one may sit anywhere."""
    if not re.search(r"[a-z]", text[start:start + length]):
        return True
    before = text[start - 1] if start > 0 else " "
    after = text[start + length] if start + length < len(text) else " "
    return not (before.isascii() and before.isalpha()) and not (
        after.isascii() and after.isalpha())


def preferred_documents(question: str, corpus: Corpus) -> tuple[str, ...]:
    """The documents a question points at when it points at one side only: one document by
    name, or the national ones (国家层面, 全国 …) without the home plan. Empty otherwise."""
    named = documents_named(question, corpus)
    if len(named) == 1:
        return named
    national = {d.doc_id for d in corpus.documents if d.meta.level == Level.NATIONAL}
    if named and set(named) <= national:
        return named
    return ()


def clause_refs(question: str, corpus: Corpus | None = None) -> tuple[ClauseRef, ...]:
    named = documents_named(question, corpus) if corpus is not None else ()
    doc_id = named[0] if len(named) == 1 else None
    refs = []
    for m in _CLAUSE_RE.finditer(question):
        no = number_of(m.group("a") or m.group("b") or m.group("c") or m.group("d")
                     or m.group("e") or "")
        item = m.group("p") or m.group("q")
        provision = number_of(item) if item else None
        if no is not None and no > 0:
            refs.append(ClauseRef(doc_id, no, provision))
    return tuple(dict.fromkeys(refs))


def asks_about_duties(question: str) -> bool:
    q = question.lower()
    return any(cue in q for cue in _DUTY_CUES)


def without_document_cues(question: str, corpus: Corpus,
                          only: Callable[[str], object] | None = None) -> str:
    """The question with the words that point at a document or level removed, so that a
    follow-up naming the other side (国家层面呢？) can ask it of that side. ``only``: just
    the names it holds true (those with words of a subject in them)."""
    out = question
    for key, _ in document_keys(corpus):
        if only is None or (key in out.lower() and only(key)):
            out = re.sub(re.escape(key), "", out, flags=re.IGNORECASE)
    return out
