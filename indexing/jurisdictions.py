"""Where a document applies and at what level, from the vocabulary in jurisdictions.toml.

A jurisdiction is named the way its government names it (…市, …自治区); national
documents have the jurisdiction 全国. Nothing here knows a place by name: the data file does.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.errors import CorpusError
from core.model import Level

DATA_FILE = Path(__file__).with_name("jurisdictions.toml")


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    name: str
    level: Level
    short: tuple[str, ...] = ()
    abbr: str = ""


@dataclass(frozen=True)
class Jurisdictions:
    entries: tuple[Jurisdiction, ...]
    national_name: str
    level_suffixes: tuple[tuple[str, Level], ...]  # longest suffix first
    national_issuers: tuple[str, ...]
    national_prefixes: tuple[str, ...]
    national_suffixes: tuple[str, ...]
    extra_places: tuple[str, ...]

    @classmethod
    def load(cls, path: Path = DATA_FILE) -> Jurisdictions:
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
            entries = tuple(
                Jurisdiction(e["name"], Level(e["level"]), tuple(e.get("short", ())),
                             e.get("abbr", ""))
                for e in data.get("jurisdiction", [])
            )
            levels = sorted(((k, Level(v)) for k, v in data["levels"].items()),
                            key=lambda kv: -len(kv[0]))
            national = data["national"]
            return cls(entries, data["national_name"], tuple(levels),
                       tuple(national["issuers"]), tuple(national["prefixes"]),
                       tuple(national["suffixes"]), tuple(data.get("places", ())))
        except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError, TypeError) as exc:
            raise CorpusError(f"{path}: invalid jurisdiction data: {exc}") from exc

    @property
    def places(self) -> tuple[str, ...]:
        """Every place name an agency name may contain (full names, short names, cities)."""
        names = [n for j in self.entries for n in (j.name, *j.short)]
        return tuple(dict.fromkeys([*names, *self.extra_places]))

    def by_abbr(self, abbr: str) -> Jurisdiction | None:
        return next((j for j in self.entries if j.abbr and j.abbr == abbr), None)

    def find(self, text: str) -> Jurisdiction | None:
        """The listed jurisdiction a text (an issuer, a title) names first, if any."""
        best: tuple[int, Jurisdiction] | None = None
        for j in self.entries:
            for name in (j.name, *j.short):
                at = text.find(name)
                if at >= 0 and (best is None or at < best[0]):
                    best = (at, j)
        return best[1] if best else None

    def is_national_issuer(self, issuer: str) -> bool:
        """国务院, 中共中央 or a ministry: every name of an issuer list is national."""
        names = [n for n in issuer.replace("，", "、").split("、") if n]
        return bool(names) and all(self._national_name(n) for n in names)

    def _national_name(self, name: str) -> bool:
        if self.find(name):
            return False
        if name in self.national_issuers or any(name.startswith(p) for p in self.national_prefixes):
            return True
        return any(name.endswith(s) for s in self.national_suffixes) and len(name) <= 12

    def level_of_place(self, place: str) -> Level | None:
        """The level a place name's ending says: XX省 → provincial, XX区 → district."""
        for suffix, level in self.level_suffixes:
            if place.endswith(suffix):
                return level
        return None


@cache
def default_jurisdictions() -> Jurisdictions:
    return Jurisdictions.load()
