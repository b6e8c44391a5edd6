"""A document's metadata as its own text states it: title, issuer, number, date, level,
jurisdiction, and the documents it implements (根据《…》).

Where the text does not say, a field is None, or a guess recorded in ``guesses``: a body-only
plan (江西省碳达峰实施方案) names no issuer, so the issuer is guessed as the government of
the jurisdiction its title names. Cue words and patterns are data (metadata.toml,
jurisdictions.toml).
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.errors import CorpusError
from core.model import Level
from indexing.jurisdictions import Jurisdictions, default_jurisdictions
from indexing.layout import LayoutRules, default_rules, read_lines
from indexing.outline import is_part_heading
from indexing.text import Span

DATA_FILE = Path(__file__).with_name("metadata.toml")
_NOT_IN_TITLES = "。；：，"


@dataclass(frozen=True, slots=True)
class Reference:
    title: str
    number: str | None


@dataclass(frozen=True, slots=True)
class TextMetadata:
    title: str | None
    issuer: str | None
    number: str | None
    date: str | None  # ISO
    level: Level | None
    jurisdiction: str | None
    implements: tuple[Reference, ...]
    guesses: tuple[str, ...]  # "issuer: …" for every field guessed rather than read


@dataclass(frozen=True)
class MetadataCues:
    title_words: tuple[str, ...]
    number: re.Pattern[str]
    issuer_in_title: re.Pattern[str]
    government: re.Pattern[str]
    implements: re.Pattern[str]
    implements_more: re.Pattern[str]
    government_of: str

    @classmethod
    def load(cls, path: Path = DATA_FILE) -> MetadataCues:
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
            return cls(tuple(data["title_words"]), re.compile(data["number"]),
                       re.compile(data["issuer_in_title"]), re.compile(data["government"]),
                       re.compile(data["implements"]), re.compile(data["implements_more"]),
                       data["government_of"])
        except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, re.error) as exc:
            raise CorpusError(f"{path}: invalid metadata cues: {exc}") from exc


@cache
def default_metadata_cues() -> MetadataCues:
    return MetadataCues.load()


def read_metadata(raw: str) -> TextMetadata:
    """The metadata of a policy text (the whole raw text, as the parser reads it)."""
    return _Reader(default_metadata_cues(), default_jurisdictions(), default_rules()).read(raw)


class _Reader:
    def __init__(self, cues: MetadataCues, places: Jurisdictions, rules: LayoutRules) -> None:
        self.cues = cues
        self.places = places
        self.rules = rules
        self.guesses: list[str] = []

    def read(self, raw: str) -> TextMetadata:
        lines = read_lines(raw, self.rules)
        preamble: list[str] = []
        for span in lines.body:
            if is_part_heading(span.text):
                break
            preamble.append(span.text)
        blocks = self._title_blocks(preamble)
        titles = [b for b in blocks if self._is_title(b)]
        title = titles[-1] if titles else None
        number = next((m.group("number") for t in preamble
                       if (m := self.cues.number.match(t))), None)
        issuer = self._issuer(preamble, lines.signature, titles)
        jurisdiction, level = self._where(issuer, title, number)
        if issuer is None and jurisdiction and level is not Level.NATIONAL:
            issuer = self.cues.government_of.format(jurisdiction)
            self.guesses.append(f"issuer: {issuer}, the government of the jurisdiction the "
                                "title names")
        date = self._date([*(s.text for s in lines.signature), *preamble])
        implements = tuple(dict.fromkeys(self._references("".join(preamble))))
        return TextMetadata(title, issuer, number, date, level, jurisdiction, implements,
                            tuple(self.guesses))

    def _references(self, text: str) -> list[Reference]:
        out: list[Reference] = []
        for match in self.cues.implements.finditer(text):
            out.append(Reference(match.group("title"), match.group("number")))
            rest = text[match.end():]
            while more := self.cues.implements_more.match(rest):
                out.append(Reference(more.group("title"), more.group("number")))
                rest = rest[more.end():]
        return out

    def _title_blocks(self, preamble: list[str]) -> list[str]:
        """Runs of title-like lines (no sentence punctuation, not a number, date or note),
        joined: a title wrapped over two lines is one block."""
        blocks: list[str] = []
        run: list[str] = []
        for text in [*preamble, ""]:
            if text and self._title_like(text):
                run.append(text)
                if not self._is_title("".join(run)):
                    continue
            if run:
                blocks.append("".join(run))
            run = []
        return blocks

    def _is_title(self, text: str) -> bool:
        """A title ends with the kind of document it is: …实施方案, …的通知."""
        return text.rstrip("”》）").endswith(self.cues.title_words)

    def _title_like(self, text: str) -> bool:
        return (len(text) >= 4 and not any(c in text for c in _NOT_IN_TITLES)
                and not self.cues.number.match(text) and not self.rules.is_date(text)
                and not self.rules.note.match(text))

    def _issuer(self, preamble: list[str], signature: list[Span],
                titles: list[str]) -> str | None:
        names = [s.text for s in signature
                 if not self.rules.is_date(s.text) and not self.rules.note.match(s.text)]
        if names:
            return "、".join(names)
        for before, text in itertools.pairwise(preamble):
            if (self.rules.is_date(text) and self._title_like(before)
                    and not self._is_title(before)):
                return before
        if titles and (m := self.cues.issuer_in_title.match(titles[0])):
            return m.group("issuer")
        return None

    def _where(self, issuer: str | None, title: str | None,
               number: str | None) -> tuple[str | None, Level | None]:
        if issuer and self.places.is_national_issuer(issuer):
            return self.places.national_name, Level.NATIONAL
        for text in (issuer, title):
            if not text:
                continue
            if m := self.cues.government.match(text):
                place = m.group("place")
                listed = next((j for j in self.places.entries if j.name == place), None)
                if listed:
                    return listed.name, listed.level
                found = self.places.find(place)
                level = self.places.level_of_place(place)
                if found and level in (None, found.level):
                    return found.name, found.level
                if level is not None:
                    return place, level
            if found := self.places.find(text):
                return found.name, found.level
        if number and (by_abbr := self.places.by_abbr(number[:1])):
            self.guesses.append(f"jurisdiction: {by_abbr.name}, from the number {number}")
            return by_abbr.name, by_abbr.level
        if title is None and issuer is None:
            return None, None
        self.guesses.append("level: national, as the text names no place")
        return self.places.national_name, Level.NATIONAL

    def _date(self, lines: list[str]) -> str | None:
        for text in lines:
            if m := self.rules.date.match(text):
                return f"{int(m['year']):04d}-{int(m['month']):02d}-{int(m['day']):02d}"
        return None
