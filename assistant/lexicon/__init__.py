"""Cue words as data: what a question asks (asks.toml), questions about a document itself
(documents.toml), follow-up and reference words (references.toml). Loaded once; matched on
tokens, never on single characters inside a word.

A Chinese cue of one or two characters matches where it starts and ends on token boundaries of
the question (a cue may span several tokens: 谁/负责), or where it is a word inside a longer token
(牵头 in 牵头单位): 厂 never matches inside 工厂's neighbour, 吗 never inside 吗啡. A cue of three
characters or more is specific enough to match anywhere (jieba splits 谁来管 differently in
different sentences). An English cue matches whole words, case-folded.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from core.errors import ConfigError

LEXICON_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class Tokens:
    """A question as the matcher sees it: its text, token boundaries and sub-words."""

    text: str  # lower-cased
    bounds: frozenset[int]  # offsets where a token starts or ends
    subwords: frozenset[str]
    # every stretch of the text up to _STRETCH characters: a cue is looked up among them
    # (one set intersection per cue list) instead of each cue searched for in the text (a
    # question is read against some 1,500 cues, most of them in no question)
    stretches: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    @classmethod
    def of(cls, text: str, segments: list[str], subwords: set[str]) -> Tokens:
        lowered = text.lower()
        stretches = frozenset(lowered[i:i + n] for n in range(1, _STRETCH + 1)
                              for i in range(len(lowered) - n + 1))
        bounds = {0, len(lowered)}
        at = 0
        for seg in segments:
            found = lowered.find(seg, at)
            if found < 0:
                continue
            bounds.update((found, found + len(seg)))
            at = found + len(seg)
        return cls(lowered, frozenset(bounds), frozenset(subwords), stretches)


@dataclass(frozen=True, slots=True)
class Cues:
    name: str
    zh: tuple[str, ...]
    en: tuple[re.Pattern[str], ...]

    # the cues lower-cased: those of up to _STRETCH characters as a set, to intersect with
    # a question's stretches; the rare longer ones searched for as before
    _short: frozenset[str] = field(init=False, compare=False, repr=False)
    _long: frozenset[str] = field(init=False, compare=False, repr=False)
    # each English pattern's words as written: the pattern can match only where they stand
    _en_words: tuple[str, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        lowered = [cue.lower() for cue in self.zh]
        object.__setattr__(self, "_short", frozenset(c for c in lowered
                                                     if 0 < len(c) <= _STRETCH))
        object.__setattr__(self, "_long", frozenset(c for c in lowered
                                                    if not 0 < len(c) <= _STRETCH))
        object.__setattr__(self, "_en_words", self.english_words)

    def _present(self, t: Tokens) -> frozenset[str]:
        """The lower-cased cues that stand in the text (on token boundaries or not)."""
        if t.stretches or not t.text:
            return (self._short & t.stretches) | self._long
        return frozenset(c for c in self._short | self._long if c in t.text)  # made by hand

    def found(self, t: Tokens) -> tuple[str, ...]:
        """The cues present, in the order listed."""
        present = self._present(t)
        out = [cue for cue in self.zh if cue.lower() in present and _zh_match(cue.lower(), t)] \
            if present else []
        out += [p.pattern for p, w in zip(self.en, self._en_words, strict=True)
                if w in t.text and p.search(t.text)]
        return tuple(out)

    @property
    def english_words(self) -> tuple[str, ...]:
        """The English cues as written (what a speller may mend a typo towards)."""
        return tuple(_LOOKAROUND.sub("", p.pattern).replace("\\", "") for p in self.en)

    def __call__(self, t: Tokens) -> bool:
        return any(_zh_match(cue, t) for cue in self._present(t)) \
            or any(w in t.text and p.search(t.text)
                   for p, w in zip(self.en, self._en_words, strict=True))

    def spans(self, t: Tokens) -> list[tuple[int, int]]:
        """Where the cues sit in the text (to take them out of a topic)."""
        out = []
        present = self._present(t)
        for cue in self.zh if present else ():
            c = cue.lower()
            if c not in present:
                continue
            start = t.text.find(c)
            while start >= 0:
                if len(c) >= _ANYWHERE or (start in t.bounds and start + len(c) in t.bounds) \
                        or c in t.subwords:
                    out.append((start, start + len(c)))
                start = t.text.find(c, start + 1)
        for p, w in zip(self.en, self._en_words, strict=True):
            if w in t.text:
                out += [m.span() for m in p.finditer(t.text)]
        return out


_LOOKAROUND = re.compile(r"\(\?<?!\[a-z\]\)")
_ANYWHERE = 3  # characters from which a Chinese cue matches without token boundaries
_STRETCH = 8  # cues up to this long are looked up among a question's stretches


def _zh_match(cue: str, t: Tokens) -> bool:
    if len(cue) >= _ANYWHERE:
        return cue in t.text
    start = t.text.find(cue)
    while start >= 0:
        if start in t.bounds and start + len(cue) in t.bounds:
            return True
        start = t.text.find(cue, start + 1)
    return cue in t.subwords


def english(cue: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z]){re.escape(cue.lower())}(?![a-z])")


def _cues(name: str, entry: Mapping[str, object], path: Path) -> Cues:
    zh, en = entry.get("zh", []), entry.get("en", [])
    if not isinstance(zh, list) or not isinstance(en, list):
        raise ConfigError(f"{path}: [{name}] needs lists zh and en")
    return Cues(name, tuple(str(c) for c in zh), tuple(english(str(c)) for c in en))


@cache
def load(name: str, directory: Path = LEXICON_DIR) -> dict[str, Cues]:
    """``asks`` → {"count": Cues, …}; nested tables (facts.date) are flattened to "date"."""
    path = directory / f"{name}.toml"
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: invalid lexicon: {exc}") from exc
    out: dict[str, Cues] = {}
    for key, entry in data.items():
        if not isinstance(entry, dict):
            raise ConfigError(f"{path}: [{key}] is not a table")
        if "zh" in entry or "en" in entry:
            out[key] = _cues(key, entry, path)
        else:
            out.update({k: _cues(k, v, path) for k, v in entry.items()})
    return out
