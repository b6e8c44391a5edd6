"""Policy text → Document → Part → Clause → Provision.

The texts follow the standard form of Chinese policy documents: parts 一、二、…, clauses
（一）（二）… numbered through the whole document, and inside a clause a run of tasks, each
closed by the bracket of agencies responsible for it (``……（市商务局、各区人民政府按职责分工
负责）``). Documents without such brackets split into provisions by sentence group.

What the Tianjin text does to us, and where it is handled:
- page breaks cut sentences and names (``市工\\n\\n业和信息化局``): a paragraph that does not
  end a sentence, or that starts with a responsibility bracket, continues the previous one;
- stray spaces and half-width brackets: ``text.Span.normalised``;
- parentheses that are not brackets (``（集群）``, ``首台（套）``, ``（油气化工码头除外）``):
  a bracket counts only if its whole content is an agency list ending in 负责.

A text that breaks the form (numbers out of order, an unclosed bracket, an empty clause)
raises ParseError with file and line; nothing is returned half-built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import ParseError
from core.model import Clause, Document, DocumentMeta, Part, Provision
from indexing.agencies import AgencyRegistry
from indexing.numerals import parse_numeral
from indexing.text import Span, read_paragraphs

_NUM = "一二三四五六七八九十"
_PART_RE = re.compile(rf"^([{_NUM}]+)、(.+)$")
_CLAUSE_RE = re.compile(rf"^（([{_NUM}]+)）")
_RESPONSIBILITY_RE = re.compile(r"^(?P<agencies>[^，。；：（）《》“”]+?)(?:按职责分工)?负责$")
# A paragraph ending in one of these (closing marks aside) ends a sentence; any other
# ending is a page break: 首台（套）|装备 continues, 工作。）| starts anew.
_SENTENCE_END = "。！？；："
_CLOSING_MARKS = "”’）》」"
_SENTENCE_STOP = "。！？"
_PAIRS = {"（": "）", "《": "》", "〔": "〕", "“": "”"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}
_MAX_TITLE = 40
_MAX_HEADER = 10  # a parallel lead-in such as 坚持重点突破。 or ——全国统筹。
PREAMBLE_TITLE = "序言"


@dataclass(frozen=True, slots=True)
class Bracket:
    start: int  # index of （
    end: int  # index after ）
    content: str


@dataclass
class _ClauseDraft:
    no: int
    label: str
    heading_line: int
    title: str | None  # None: the title is the first sentence of the body
    body: list[Span] = field(default_factory=list)


@dataclass
class _PartDraft:
    no: int
    label: str
    title: str
    line: int
    intro: list[Span] = field(default_factory=list)
    clauses: list[_ClauseDraft] = field(default_factory=list)


def is_part_heading(text: str) -> re.Match[str] | None:
    match = _PART_RE.match(text)
    if match and "。" not in text and len(match.group(2)) <= _MAX_TITLE:
        return match
    return None


def responsibility_of(content: str) -> str | None:
    """The agency list of a responsibility bracket's content, or None for any other bracket."""
    match = _RESPONSIBILITY_RE.match(content)
    return match.group("agencies") if match else None


def split_agencies(listing: str, registry: AgencyRegistry) -> tuple[tuple[str, ...], bool]:
    """'市交通运输委、市商务局等部门和各区人民政府' -> canonical names in order, and 等部门.

    ``X等部门`` says more departments than named share the task; ``X等市级有关部门`` names a
    group that is itself an agency.
    """
    names: list[str] = []
    and_others = False
    for item in listing.split("、"):
        head, sep, rest = item.partition("等")
        parts = [head]
        if sep:
            if rest.startswith("部门"):
                and_others = True
                rest = rest.removeprefix("部门").removeprefix("和")
            if rest:
                parts.append(rest)
        for name in parts:
            canonical = registry.canonical(name) or name
            if canonical not in names:
                names.append(canonical)
    return tuple(names), and_others


class _Parser:
    def __init__(self, meta: DocumentMeta, path: Path, registry: AgencyRegistry) -> None:
        self.meta = meta
        self.path = path
        self.registry = registry

    def fail(self, line: int, message: str) -> ParseError:
        return ParseError(self.path, line, message)

    # -- layout ---------------------------------------------------------------------------

    def parse(self, raw: str) -> Document:
        paragraphs = read_paragraphs(raw)
        if not paragraphs:
            raise self.fail(1, "the text is empty")
        preamble: list[Span] = []
        parts: list[_PartDraft] = []
        last_clause = 0
        for para in paragraphs:
            if part := is_part_heading(para.text):
                no = self._numeral(part.group(1), para.first_line)
                if no != len(parts) + 1:
                    raise self.fail(para.first_line,
                                    f"part {part.group(1)}、 is out of order: expected part "
                                    f"{len(parts) + 1}")
                parts.append(_PartDraft(no, f"{part.group(1)}、", part.group(2), para.first_line))
            elif clause := _CLAUSE_RE.match(para.text):
                no = self._numeral(clause.group(1), para.first_line)
                if not parts:
                    raise self.fail(para.first_line,
                                    f"clause {clause.group(0)} comes before any part heading")
                if no != last_clause + 1:
                    raise self.fail(para.first_line,
                                    f"clause {clause.group(0)} is out of order: expected clause "
                                    f"{last_clause + 1}")
                last_clause = no
                rest = para[clause.end():]
                # （一）指导思想 alone on its line is a title; otherwise the title is the
                # first sentence of the body: （三）加快工业绿色转型升级。推行…
                own_line = "。" not in rest.text and len(rest) <= _MAX_TITLE
                draft = _ClauseDraft(no, clause.group(0), para.first_line,
                                     rest.text if own_line else None)
                if not own_line:
                    draft.body.append(rest)
                parts[-1].clauses.append(draft)
            elif not parts:
                preamble.append(para)
            else:
                current = parts[-1]
                body = current.clauses[-1].body if current.clauses else current.intro
                self._append(body, para)
        return self._build(preamble, parts)

    def _append(self, body: list[Span], para: Span) -> None:
        ended = body[-1].text.rstrip(_CLOSING_MARKS)[-1:] if body else ""
        continues = bool(body) and (
            ended not in _SENTENCE_END or not ended or self._starts_with_bracket(para)
        )
        if continues:
            body[-1] = body[-1] + para
        else:
            body.append(para)

    def _starts_with_bracket(self, para: Span) -> bool:
        if not para.text.startswith("（"):
            return False
        close = para.text.find("）")
        return close > 0 and responsibility_of(para.text[1:close]) is not None

    def _numeral(self, text: str, line: int) -> int:
        try:
            return parse_numeral(text)
        except ValueError as exc:
            raise self.fail(line, f"bad number {text}: {exc}") from exc

    # -- building -------------------------------------------------------------------------

    def _build(self, preamble: list[Span], parts: list[_PartDraft]) -> Document:
        doc_id = self.meta.doc_id
        if not parts:
            raise self.fail(1, "no part heading (一、…) found")
        pre_provisions = tuple(
            Provision(doc_id, 0, 0, i, span.text, span.first_line)
            for i, span in enumerate(preamble, start=1)
        )
        for span in preamble:
            self._brackets(span)  # an unclosed bracket is an error wherever it is
        built_parts = []
        for part in parts:
            intro = self._sentence_groups(part.intro, part.no, None)
            clauses = tuple(self._clause(part.no, c) for c in part.clauses)
            if not intro and not clauses:
                raise self.fail(part.line, f"part {part.label} has no text")
            built_parts.append(Part(doc_id, part.no, part.label, part.title, clauses, intro,
                                    part.line))
        pre = Clause(doc_id, 0, "", PREAMBLE_TITLE, 0, "".join(s.text for s in preamble),
                     pre_provisions, preamble[0].first_line if preamble else 1)
        return Document(self.meta, pre, tuple(built_parts))

    def _clause(self, part_no: int, draft: _ClauseDraft) -> Clause:
        body = list(draft.body)
        title = draft.title
        if title is None:
            first = body[0] if body else Span("", ())
            stop = first.text.find("。")
            if 0 < stop <= _MAX_TITLE:
                title = first.text[:stop]
                rest = first[stop + 1:]
                body[0:1] = [rest] if rest.text else []
            else:
                title = ""
        text = "".join(s.text for s in body)
        if not body:
            raise self.fail(draft.heading_line, f"clause {draft.label} has no text")
        whole = body[0]
        for span in body[1:]:
            whole = whole + span
        brackets = self._brackets(whole)
        if any(responsibility_of(b.content) for b in brackets):
            provisions = self._bracketed(whole, brackets, part_no, draft.no)
        else:
            provisions = self._sentence_groups(body, part_no, draft.no)
        full = (f"{title}。" if draft.title is None and title else "") + text
        return Clause(self.meta.doc_id, draft.no, draft.label, title, part_no, full, provisions,
                      draft.heading_line)

    def _brackets(self, span: Span) -> list[Bracket]:
        """Top-level （…） brackets of a span; unbalanced pairs of any kind raise ParseError."""
        stack: list[tuple[str, int]] = []
        out: list[Bracket] = []
        for i, ch in enumerate(span.text):
            if ch in _PAIRS:
                stack.append((ch, i))
            elif ch in _CLOSERS:
                if not stack or stack[-1][0] != _CLOSERS[ch]:
                    raise self.fail(span.line_at(i), f"closing {ch} without a matching "
                                                     f"{_CLOSERS[ch]}")
                opener, start = stack.pop()
                if opener == "（" and not any(o == "（" for o, _ in stack):
                    out.append(Bracket(start, i + 1, span.text[start + 1:i]))
        if stack:
            opener, start = stack[-1]
            raise self.fail(span.line_at(start), f"unclosed {opener}: "
                                                 f"{span.text[start:start + 20]}…")
        return out

    def _bracketed(self, whole: Span, brackets: list[Bracket], part_no: int,
                   clause_no: int) -> tuple[Provision, ...]:
        provisions: list[Provision] = []
        start = 0
        for bracket in brackets:
            listing = responsibility_of(bracket.content)
            if listing is None:
                continue
            task = whole[start:bracket.start].strip()
            if not task.text:
                raise self.fail(whole.line_at(bracket.start),
                                f"responsibility bracket （{bracket.content}） follows no task")
            agencies, and_others = split_agencies(listing, self.registry)
            provisions.append(Provision(
                self.meta.doc_id, part_no, clause_no, len(provisions) + 1, task.text,
                task.first_line, agencies, bracket.content, and_others))
            start = bracket.end
        tail = whole[start:].strip()
        if tail.text:
            provisions.append(Provision(self.meta.doc_id, part_no, clause_no,
                                        len(provisions) + 1, tail.text, tail.first_line))
        return tuple(provisions)

    def _sentence_groups(self, paragraphs: list[Span], part_no: int,
                         clause_no: int | None) -> tuple[Provision, ...]:
        """One provision per sentence, except that a parallel lead-in (坚持重点突破。,
        ——全国统筹。) keeps the sentences that explain it."""
        split = [self._sentences(p) for p in paragraphs]
        short = [s.text for sents in split for s in sents if self._short(s.text)]
        groups: list[Span] = []
        for sentences in split:
            in_group = False
            for sentence in sentences:
                is_header = self._short(sentence.text) and (
                    sentence.text.startswith("——")
                    or sum(1 for t in short if t[:2] == sentence.text[:2]) > 1
                )
                if in_group and not is_header:
                    groups[-1] = groups[-1] + sentence
                else:
                    groups.append(sentence)
                    in_group = is_header
        return tuple(
            Provision(self.meta.doc_id, part_no, clause_no, i, g.text, g.first_line)
            for i, g in enumerate(groups, start=1)
        )

    @staticmethod
    def _short(sentence: str) -> bool:
        return len(sentence.rstrip(_SENTENCE_STOP)) <= _MAX_HEADER and "，" not in sentence

    def _sentences(self, span: Span) -> list[Span]:
        self._brackets(span)
        out: list[Span] = []
        depth = 0
        start = 0
        for i, ch in enumerate(span.text):
            if ch in _PAIRS:
                depth += 1
            elif ch in _CLOSERS:
                depth -= 1
            elif ch in _SENTENCE_STOP and depth == 0:
                out.append(span[start:i + 1])
                start = i + 1
        if start < len(span):
            out.append(span[start:])
        return [s for s in (x.strip() for x in out) if s.text]


def parse_document(meta: DocumentMeta, path: Path, registry: AgencyRegistry) -> Document:
    """Parse one policy text. Raises CorpusError if unreadable, ParseError if malformed."""
    from core.errors import CorpusError

    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: cannot read: {exc}") from exc
    return _Parser(meta, path, registry).parse(raw)


def parse_text(meta: DocumentMeta, raw: str, registry: AgencyRegistry,
               path: Path | None = None) -> Document:
    """Parse text held in memory (tests, crafted documents)."""
    return _Parser(meta, path or Path(meta.file), registry).parse(raw)
