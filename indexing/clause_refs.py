"""A clause as people write it: ``9``, ``九``, ``（九）``, ``第九条``, and for documents whose
numbering restarts in each part ``三、（一）``, ``三（一）``, ``3.1`` or the stable id ``301``.

The forms are rows of ``indexing/clause_refs.toml``; ``find_clause`` resolves one against a
document's parsed structure. A text that names no clause of the document raises UnknownClause
saying which forms that document takes (a label alone is ambiguous where numbering restarts).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.errors import CorpusError, UnknownClause
from core.model import Clause, Document
from indexing.numerals import parse_numeral, to_numeral
from indexing.parser import RESTART_BASE

FORMS_FILE = Path(__file__).with_name("clause_refs.toml")


@dataclass(frozen=True, slots=True)
class ClauseForm:
    name: str
    example: str
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class ClauseRef:
    """What a text names: a clause id, or a label number with or without its part."""

    form: str
    id: int | None = None
    part: int | None = None
    clause: int | None = None


@cache
def load_forms(path: Path = FORMS_FILE) -> tuple[ClauseForm, ...]:
    try:
        with path.open("rb") as fh:
            rows = tomllib.load(fh)["form"]
        return tuple(ClauseForm(str(r["name"]), str(r["example"]), re.compile(r["pattern"]))
                     for r in rows)
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, re.error) as exc:
        raise CorpusError(f"{path}: invalid clause forms: {exc}") from exc


def _number(text: str) -> int:
    return int(text) if text.isdigit() else parse_numeral(text)


def parse_clause_ref(text: str) -> ClauseRef | None:
    """The first form ``text`` matches, or None."""
    normal = unicodedata.normalize("NFKC", text).strip()
    for form in load_forms():
        match = form.pattern.match(normal)
        if match is None:
            continue
        groups = match.groupdict()
        try:
            return ClauseRef(form.name, *(None if groups.get(k) is None else _number(groups[k])
                                          for k in ("id", "part", "clause")))
        except ValueError:  # 九九: the shape of a numeral, not one
            continue
    return None


def restarts(doc: Document) -> bool:
    return any(c.no > RESTART_BASE for c in doc.clauses)


def label_number(clause: Clause) -> int:
    """（十二） → 12."""
    return _number(clause.label.strip("（）() "))


def expected_forms(doc: Document) -> str:
    """How this document's clauses are written, for error messages."""
    if restarts(doc):
        first = doc.clauses[0]
        part = first.label and f"{_chinese(first.part_no)}、{first.label}"
        return (f"write the part and the clause: {part}, {_chinese(first.part_no)}{first.label}, "
                f"{first.part_no}.{label_number(first)} or the id {first.no} (part × 100 + "
                "clause); 0 for the preamble")
    return "use 9, 九, （九） or 第九条, with its part 三、（九） or 3.9; 0 for the preamble"


def _chinese(n: int) -> str:
    return to_numeral(n) if 1 <= n <= 99 else str(n)


def find_clause(doc: Document, text: str) -> Clause:
    """The clause of ``doc`` that ``text`` names, or UnknownClause saying what to write."""
    ref = parse_clause_ref(text)
    if ref is None:
        raise UnknownClause(f"not a clause of {doc.doc_id}: {text.strip()[:40]!r} "
                            f"({expected_forms(doc)})")
    if ref.id is not None:
        clause = doc.clause(ref.id)
        if clause is None:
            raise unknown_id(doc, ref.id)
        return clause
    found = [c for c in doc.clauses if label_number(c) == ref.clause
             and (ref.part is None or c.part_no == ref.part)]
    if len(found) == 1:
        return found[0]
    where = f"{_chinese(ref.part)}、" if ref.part is not None else ""
    label = f"（{_chinese(ref.clause or 0)}）"
    if found:
        raise UnknownClause(f"{doc.doc_id} has {label} in {len(found)} parts "
                            f"({expected_forms(doc)})", tuple(str(c.no) for c in found))
    raise UnknownClause(f"{doc.doc_id} has no clause {where}{label} ({expected_forms(doc)})")


def unknown_id(doc: Document, no: int) -> UnknownClause:
    """The error for a clause id the document does not have, with the nearest ids."""
    ids = [c.no for c in doc.clauses]
    if not restarts(doc):
        last = len(ids)
        nearest = [0, 1] if no < 0 else [n for n in (last - 1, last) if n >= 0] \
            if no > last else []
        return UnknownClause(f"{doc.doc_id} has no clause {no}: its clauses are 0 (preamble) "
                             f"and 1…{last} （一）…（{_chinese(last)}）" if last else
                             f"{doc.doc_id} has no clause {no}: only 0 (preamble)",
                             tuple(str(n) for n in nearest))
    nearest = sorted(ids, key=lambda n: (abs(n - no), n))[:2]
    return UnknownClause(f"{doc.doc_id} has no clause {no}: its clause ids run {ids[0]}…"
                         f"{ids[-1]} ({expected_forms(doc)})",
                         tuple(str(n) for n in sorted(nearest)))
