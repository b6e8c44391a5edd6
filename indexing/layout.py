"""The lines of a text that belong to the document, and the signature at its end.

PDFs and web pages leave lines that are no part of a document: printed page numbers between
the halves of a paragraph (and inside a bracket: ``等按`` | ``10`` | ``职责分工负责）``), a
web page's date and source, a title printed twice, a comment header. The patterns are data
(layout.toml); this module drops what they match and keeps every other line with its source
line number, normalised (text.Span).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.errors import CorpusError
from indexing.text import Span

DATA_FILE = Path(__file__).with_name("layout.toml")


@dataclass(frozen=True)
class LayoutRules:
    comment: str
    dropped: tuple[re.Pattern[str], ...]
    date: re.Pattern[str]
    note: re.Pattern[str]
    signature_names: int
    max_signature_name: int

    @classmethod
    def load(cls, path: Path = DATA_FILE) -> LayoutRules:
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
            return cls(
                comment=data["comment"],
                dropped=tuple(re.compile(p) for p in (*data["page_numbers"], *data["residue"])),
                date=re.compile(data["date"]),
                note=re.compile(data["note"]),
                signature_names=int(data["signature_names"]),
                max_signature_name=int(data["max_signature_name"]),
            )
        except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError, TypeError,
                re.error) as exc:
            raise CorpusError(f"{path}: invalid layout rules: {exc}") from exc

    def is_date(self, text: str) -> bool:
        return self.date.match(text) is not None


@dataclass(frozen=True)
class Lines:
    body: list[Span]  # the document's lines, normalised, in order
    signature: list[Span]  # issuer and date lines after the last part (may be empty)
    dropped: int  # how many non-blank lines were residue


def read_lines(raw: str, rules: LayoutRules | None = None) -> Lines:
    """Split on line feeds only (a form feed is a page break, not a line) and drop residue."""
    rules = rules or default_rules()
    out: list[Span] = []
    dropped = 0
    header = True
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    for number, line in enumerate(text.split("\n"), start=1):
        if header and line.startswith(rules.comment):
            dropped += 1
            continue
        span = Span.of_line(line, number).normalised().strip()
        if not span.text:
            continue
        header = False
        if any(p.match(span.text) for p in rules.dropped) or (
                out and out[-1].text == span.text):
            dropped += 1
            continue
        out.append(span)
    body, signature = _split_signature(out, rules)
    return Lines(body, signature, dropped)


def _split_signature(lines: list[Span], rules: LayoutRules) -> tuple[list[Span], list[Span]]:
    """政府名 / 2021年9月12日 / （此件公开发布） at the very end: the signature."""
    end = len(lines)
    while end > 0 and rules.note.match(lines[end - 1].text):
        end -= 1
    if end == 0 or not rules.is_date(lines[end - 1].text):
        return lines, []
    start = end - 1
    while (start > 0 and end - start <= rules.signature_names
           and _is_name_line(lines[start - 1].text, rules)):
        start -= 1
    return lines[:start], lines[start:]


def _is_name_line(text: str, rules: LayoutRules) -> bool:
    return len(text) <= rules.max_signature_name and not any(c in text for c in "。，；：（）")


@cache
def default_rules() -> LayoutRules:
    return LayoutRules.load()
