"""Policy text → Document → Part → Clause → Provision.

The texts follow the standard form of Chinese policy documents: parts 一、二、…, clauses
（一）（二）… (numbered through the document, or restarting in each part), numbered tasks
1. 2. … inside a clause, and the bracket of agencies responsible that closes a task
(``……（市商务局、各区人民政府按职责分工负责）``, ``（责任单位：…）``). Text without such brackets
splits into provisions by sentence group.

The passes, each in its own module:
- layout.py: the lines that belong to the document (page numbers, web residue, a comment
  header and a title printed twice dropped; the signature set apart);
- text.Span.normalised: stray spaces and half-width punctuation;
- outline.py: parts, clauses and numbered tasks, paragraphs rejoined across page breaks;
- brackets.py: which parentheses are responsibility brackets, and their agencies;
- here: provisions, one per bracket, with the agencies' canonical names, lead first.

Clause ids: （十） → 10 where the numbering runs on; part * 100 + number where it restarts in
each part (四、（二） → 402); see docs/documents.md.

Agency names: in a document of the agency registry's own jurisdiction (or one that names
none) a name resolves through the registry (发改委 → 市发展改革委); in any other document it is
kept as written, with the jurisdiction prefix it omits carried (自治区工业和信息化厅), so
that another city's 市发展改革委 never merges into the registry's.

A text that breaks the form (numbers out of order, an unclosed bracket, an empty clause)
raises ParseError with file and line; nothing is returned half-built.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.errors import CorpusError, ParseError
from core.model import Clause, Document, DocumentMeta, Part, Provision
from indexing.agencies import AgencyRegistry
from indexing.brackets import BracketCues, Name, Responsibility, default_cues
from indexing.layout import read_lines
from indexing.outline import ClauseDraft, Outline, is_part_heading, outline
from indexing.text import Span

__all__ = ["PREAMBLE_TITLE", "is_part_heading", "parse_document", "parse_text",
           "parse_with_notes"]

_SENTENCE_STOP = "。！？"
_PAIRS = {"（": "）", "《": "》", "〔": "〕", "“": "”"}
_CLOSERS = {v: k for k, v in _PAIRS.items()}
_MAX_TITLE = 40
_MAX_HEADER = 10  # a parallel lead-in such as 坚持重点突破。 or ——全国统筹。
PREAMBLE_TITLE = "序言"
RESTART_BASE = 100  # clause id = part * 100 + number where numbering restarts


@dataclass(frozen=True, slots=True)
class Bracket:
    start: int  # index of （
    end: int  # index after ）
    content: str


class _Parser:
    def __init__(self, meta: DocumentMeta, path: Path, registry: AgencyRegistry,
                 cues: BracketCues | None = None) -> None:
        self.meta = meta
        self.path = path
        self.registry = registry
        self.cues = cues or default_cues()
        self.use_registry = (meta.jurisdiction is None or registry.jurisdiction is None
                             or meta.jurisdiction == registry.jurisdiction)
        self.standing: tuple[str, ...] = ()  # agencies of every task from here on
        self.notes: list[str] = []

    def fail(self, line: int, message: str) -> ParseError:
        return ParseError(self.path, line, message)

    def parse(self, raw: str) -> Document:
        lines = read_lines(raw)
        if not lines.body:
            raise self.fail(1, "the text is empty")
        drafts = outline(lines.body, self.fail, self.cues)
        self.notes.extend(drafts.notes)
        return self._build(drafts)

    # -- building -------------------------------------------------------------------------

    def _build(self, drafts: Outline) -> Document:
        doc_id = self.meta.doc_id
        preamble, parts = drafts.preamble, drafts.parts
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
            intro = self._provisions(part.intro, part.no, None)
            clauses = tuple(self._clause(part.no, c, drafts.restarts) for c in part.clauses)
            if not intro and not clauses:
                raise self.fail(part.line, f"part {part.label} has no text")
            built_parts.append(Part(doc_id, part.no, part.label, part.title, clauses, intro,
                                    part.line))
        pre = Clause(doc_id, 0, "", PREAMBLE_TITLE, 0, "".join(s.text for s in preamble),
                     pre_provisions, preamble[0].first_line if preamble else 1)
        return Document(self.meta, pre, tuple(built_parts))

    def _clause(self, part_no: int, draft: ClauseDraft, restarts: bool) -> Clause:
        clause_no = part_no * RESTART_BASE + draft.no if restarts else draft.no
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
        if not body and not draft.items:
            raise self.fail(draft.heading_line, f"clause {draft.label} has no text")
        provisions = list(self._provisions(body, part_no, clause_no))
        for item in draft.items:
            provisions.extend(self._provisions(item.body, part_no, clause_no, item.no,
                                               start=len(provisions)))
        text = "".join(s.text for s in body) + "".join(
            s.text for item in draft.items for s in item.body)
        full = (f"{title}。" if draft.title is None and title else "") + text
        return Clause(self.meta.doc_id, clause_no, draft.label, title, part_no, full,
                      tuple(provisions), draft.heading_line)

    def _provisions(self, body: list[Span], part_no: int, clause_no: int | None,
                    item: int | None = None, start: int = 0) -> tuple[Provision, ...]:
        """One provision per responsibility bracket, or per sentence group when there is
        none; a numbered task without a bracket is one provision."""
        if not body:
            return ()
        whole = body[0]
        for span in body[1:]:
            whole = whole + span
        brackets = self._brackets(whole)
        if any(self.cues.read(b.content) for b in brackets):
            return self._bracketed(whole, brackets, part_no, clause_no, item, start)
        if item is not None:
            task = whole.strip()
            return (Provision(self.meta.doc_id, part_no, clause_no, start + 1, task.text,
                              task.first_line, item=item),)
        return self._sentence_groups(body, part_no, clause_no, start)

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
                   clause_no: int | None, item: int | None,
                   first: int) -> tuple[Provision, ...]:
        provisions: list[Provision] = []
        start = 0
        for bracket in brackets:
            responsibility = self.cues.read(bracket.content)
            if responsibility is None:
                continue
            task = whole[start:bracket.start].strip()
            if not task.text:
                raise self.fail(whole.line_at(bracket.start),
                                f"responsibility bracket （{bracket.content}） follows no task")
            agencies, leads = self._agencies(responsibility)
            provisions.append(Provision(
                self.meta.doc_id, part_no, clause_no, first + len(provisions) + 1, task.text,
                task.first_line, agencies, bracket.content, responsibility.and_others, item,
                leads))
            start = bracket.end
        tail = whole[start:].strip()
        if tail.text:
            provisions.append(Provision(self.meta.doc_id, part_no, clause_no,
                                        first + len(provisions) + 1, tail.text,
                                        tail.first_line, item=item))
        return tuple(provisions)

    def _agencies(self, responsibility: Responsibility,
                  ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Canonical names in order, the standing ones of earlier brackets added; the leads
        named with 牵头."""
        names = [self._name(n) for n in responsibility.names]
        for name in self.standing:
            if name not in names:
                names.append(name)
        standing = [self._name(n) for n in responsibility.standing]
        self.standing = (*self.standing, *(n for n in standing if n not in self.standing))
        leads = tuple(self._name(n) for n in responsibility.names if n.lead)
        return tuple(dict.fromkeys(names)), leads

    def _name(self, name: Name) -> str:
        if self.use_registry:
            return (self.registry.canonical(name.written) or self.registry.canonical(name.carried)
                    or name.carried)
        return name.carried

    def _sentence_groups(self, paragraphs: list[Span], part_no: int, clause_no: int | None,
                         first: int = 0) -> tuple[Provision, ...]:
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
            for i, g in enumerate(groups, start=first + 1)
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
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: cannot read: {exc}") from exc
    return _Parser(meta, path, registry).parse(raw)


def parse_text(meta: DocumentMeta, raw: str, registry: AgencyRegistry,
               path: Path | None = None) -> Document:
    """Parse text held in memory (tests, crafted documents, files read by indexing.readers)."""
    return _Parser(meta, path or Path(meta.file), registry).parse(raw)


def parse_with_notes(meta: DocumentMeta, raw: str, registry: AgencyRegistry,
                     path: Path | None = None) -> tuple[Document, tuple[str, ...]]:
    """parse_text, and what the parser read but found odd (numbering gaps)."""
    parser = _Parser(meta, path or Path(meta.file), registry)
    return parser.parse(raw), tuple(parser.notes)
