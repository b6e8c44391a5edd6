"""First pass of the parser: the lines of a text → preamble, parts, clauses and numbered tasks.

Three levels: parts 一、二、…, clauses （一）（二）… and numbered tasks 1. 2. … inside a clause.
Clause numbers run on through the document or restart at （一） in each part; task numbers
restart in each clause.

A page break (or a hard-wrapped line) cuts paragraphs anywhere, so a line that looks like a
heading is one only where the text before it has ended: after a sentence end (。！？；：), a
responsibility bracket, or another heading. Anything else continues the paragraph before it.
This is what lets the parser read pdftotext's hard-wrapped output as well as one paragraph per
line. A line that starts with a responsibility bracket continues the previous paragraph too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from core.errors import ParseError
from indexing.brackets import BracketCues
from indexing.numerals import parse_numeral
from indexing.text import Span

_NUM = "一二三四五六七八九十"
_PART_RE = re.compile(rf"^([{_NUM}]+)、(.+)$")
_CLAUSE_RE = re.compile(rf"^（([{_NUM}]+)）")
_ITEM_RE = re.compile(r"^(\d{1,2})[.．](?=[^\d\s])")
# A paragraph ending in one of these (closing marks aside) ends a sentence; any other
# ending is a page break: 首台（套）|装备 continues, 工作。）| starts anew.
SENTENCE_END = "。！？；："
_CLOSING_MARKS = "”’）》」"
MAX_TITLE = 40
_OPENERS = "（《〔“"
_CLOSERS = "）》〕”"

Fail = Callable[[int, str], ParseError]


@dataclass
class ItemDraft:
    no: int
    line: int
    body: list[Span] = field(default_factory=list)


@dataclass
class ClauseDraft:
    no: int  # the printed number: （三） -> 3
    label: str
    heading_line: int
    title: str | None  # None: the title is the first sentence of the body
    body: list[Span] = field(default_factory=list)  # text before the first numbered task
    items: list[ItemDraft] = field(default_factory=list)


@dataclass
class PartDraft:
    no: int
    label: str
    title: str
    line: int
    intro: list[Span] = field(default_factory=list)
    clauses: list[ClauseDraft] = field(default_factory=list)


@dataclass
class Outline:
    preamble: list[Span]
    parts: list[PartDraft]
    restarts: bool  # clause numbering restarts in each part
    notes: list[str]  # what was read but looks wrong: numbering gaps


def is_part_heading(text: str) -> re.Match[str] | None:
    match = _PART_RE.match(text)
    if match and "。" not in text and len(match.group(2)) <= MAX_TITLE:
        return match
    return None


class _Outliner:
    def __init__(self, fail: Fail, cues: BracketCues) -> None:
        self.fail = fail
        self.cues = cues
        self.preamble: list[Span] = []
        self.parts: list[PartDraft] = []
        self.last_clause = 0
        self.restarts = False
        self.notes: list[str] = []

    def run(self, lines: list[Span]) -> Outline:
        for para in lines:
            if not self.parts:
                self._preamble_line(para)
            elif self._continues(para):
                self._body()[-1] = self._body()[-1] + para
            elif part := is_part_heading(para.text):
                self._part(part, para)
            elif clause := _CLAUSE_RE.match(para.text):
                self._clause(clause, para)
            elif (item := _ITEM_RE.match(para.text)) and self._item(item, para):
                pass
            else:
                self._body().append(para)
        return Outline(self.preamble, self.parts, self.restarts, self.notes)

    def _preamble_line(self, para: Span) -> None:
        """The preamble keeps one paragraph per line (title, addressee, signature, date are
        lines of their own) except where a bracket or book title runs on to the next line."""
        part = is_part_heading(para.text)
        if self.preamble and _open_brackets(self.preamble[-1].text) and not part:
            self.preamble[-1] = self.preamble[-1] + para
        elif part:
            self._part(part, para)
        elif clause := _CLAUSE_RE.match(para.text):
            raise self.fail(para.first_line,
                            f"clause {clause.group(0)} comes before any part heading")
        else:
            self.preamble.append(para)

    def _continues(self, para: Span) -> bool:
        """Whether a line continues the paragraph before it (see the module docstring). A
        heading in sequence after a closing mark starts anew: （…按职责分工）|（三）…"""
        body = self._body()
        if self._starts_with_bracket(para):
            return bool(body)
        if self._ended(body):
            return False
        text = body[-1].text
        return not (text.endswith(tuple(_CLOSING_MARKS)) and not _open_brackets(text)
                    and self._next_heading(para))

    def _next_heading(self, para: Span) -> bool:
        if part := is_part_heading(para.text):
            return _safe_numeral(part.group(1)) == len(self.parts) + 1
        if clause := _CLAUSE_RE.match(para.text):
            no = _safe_numeral(clause.group(1))
            return no == self.last_clause + 1 or (no == 1 and not self.parts[-1].clauses)
        return False

    def _body(self) -> list[Span]:
        part = self.parts[-1]
        if not part.clauses:
            return part.intro
        clause = part.clauses[-1]
        return clause.items[-1].body if clause.items else clause.body

    # -- headings ---------------------------------------------------------------------------

    def _part(self, match: re.Match[str], para: Span) -> None:
        no = self._numeral(match.group(1), para.first_line)
        if no != len(self.parts) + 1:
            raise self.fail(para.first_line, f"part {match.group(1)}、 is out of order: "
                                             f"expected part {len(self.parts) + 1}")
        self.parts.append(PartDraft(no, f"{match.group(1)}、", match.group(2), para.first_line))

    def _clause(self, match: re.Match[str], para: Span) -> None:
        no = self._numeral(match.group(1), para.first_line)
        part = self.parts[-1]
        restart = no == 1 and not part.clauses and self.last_clause > 0
        if restart:
            self.restarts = True
        elif no != self.last_clause + 1:
            expected = self.last_clause + 1
            raise self.fail(para.first_line, f"clause {match.group(0)} is out of order: "
                                             f"expected clause {expected}")
        self.last_clause = no
        rest = para[match.end():]
        # （一）指导思想 alone on its line is a title; otherwise the title is the first
        # sentence of the body: （三）加快工业绿色转型升级。推行…
        own_line = "。" not in rest.text and len(rest) <= MAX_TITLE
        draft = ClauseDraft(no, match.group(0), para.first_line, rest.text if own_line else None)
        if not own_line:
            draft.body.append(rest)
        part.clauses.append(draft)

    def _item(self, match: re.Match[str], para: Span) -> bool:
        """A numbered task 1. of the current clause; False when the number is out of place
        (a decimal such as 1.1万吨 never gets here)."""
        part = self.parts[-1]
        if not part.clauses:
            return False
        clause = part.clauses[-1]
        no = int(match.group(1))
        last = clause.items[-1].no if clause.items else 0
        if no <= last:
            return False
        if no != last + 1:
            self.notes.append(f"line {para.first_line}: task {no}. follows task {last}. in "
                              f"clause {clause.label}")
        clause.items.append(ItemDraft(no, para.first_line, [para]))
        return True

    def _numeral(self, text: str, line: int) -> int:
        try:
            return parse_numeral(text)
        except ValueError as exc:
            raise self.fail(line, f"bad number {text}: {exc}") from exc

    # -- where a paragraph ends -------------------------------------------------------------

    def _ended(self, body: list[Span]) -> bool:
        if not body:
            return True
        text = "".join(s.text for s in body)
        if _open_brackets(text):
            return False
        if text.rstrip(_CLOSING_MARKS)[-1:] in SENTENCE_END and text.rstrip(_CLOSING_MARKS):
            return True
        return self._ends_with_bracket(text)

    def _ends_with_bracket(self, text: str) -> bool:
        if not text.endswith("）"):
            return False
        depth = 0
        for i in range(len(text) - 1, -1, -1):
            if text[i] == "）":
                depth += 1
            elif text[i] == "（":
                depth -= 1
                if depth == 0:
                    return self.cues.read(text[i + 1:-1]) is not None
        return False

    def _starts_with_bracket(self, para: Span) -> bool:
        if not para.text.startswith("（"):
            return False
        close = para.text.find("）")
        return close > 0 and self.cues.read(para.text[1:close]) is not None


def _open_brackets(text: str) -> bool:
    """Whether a bracket, book title or quotation opened in the text is still open."""
    depth = 0
    for ch in text:
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS and depth > 0:
            depth -= 1
    return depth > 0


def _safe_numeral(text: str) -> int:
    try:
        return parse_numeral(text)
    except ValueError:
        return 0


def outline(lines: list[Span], fail: Fail, cues: BracketCues) -> Outline:
    return _Outliner(fail, cues).run(lines)
