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
from dataclasses import dataclass
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

    @classmethod
    def of(cls, text: str, segments: list[str], subwords: set[str]) -> Tokens:
        lowered = text.lower()
        bounds = {0, len(lowered)}
        at = 0
        for seg in segments:
            found = lowered.find(seg, at)
            if found < 0:
                continue
            bounds.update((found, found + len(seg)))
            at = found + len(seg)
        return cls(lowered, frozenset(bounds), frozenset(subwords))


@dataclass(frozen=True, slots=True)
class Cues:
    name: str
    zh: tuple[str, ...]
    en: tuple[re.Pattern[str], ...]

    def found(self, t: Tokens) -> tuple[str, ...]:
        """The cues present, in the order listed."""
        out = [cue for cue in self.zh if _zh_match(cue.lower(), t)]
        out += [p.pattern for p in self.en if p.search(t.text)]
        return tuple(out)

    @property
    def english_words(self) -> tuple[str, ...]:
        """The English cues as written (what a speller may mend a typo towards)."""
        return tuple(_LOOKAROUND.sub("", p.pattern).replace("\\", "") for p in self.en)

    def __call__(self, t: Tokens) -> bool:
        return any(_zh_match(cue.lower(), t) for cue in self.zh) \
            or any(p.search(t.text) for p in self.en)

    def spans(self, t: Tokens) -> list[tuple[int, int]]:
        """Where the cues sit in the text (to take them out of a topic)."""
        out = []
        for cue in self.zh:
            c = cue.lower()
            start = t.text.find(c)
            while start >= 0:
                if len(c) >= _ANYWHERE or (start in t.bounds and start + len(c) in t.bounds) \
                        or c in t.subwords:
                    out.append((start, start + len(c)))
                start = t.text.find(c, start + 1)
        for p in self.en:
            out += [m.span() for m in p.finditer(t.text)]
        return out


_LOOKAROUND = re.compile(r"\(\?<?!\[a-z\]\)")
_ANYWHERE = 3  # characters from which a Chinese cue matches without token boundaries


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
