"""The deployment's place words: home, the other places whose plans the corpus holds, and
the places it holds nothing of.

``corpus/places.toml`` lists the home words and the places a question may name that the
deployment holds no policy of (a question about one is declined). The places whose plans the
corpus *does* hold come from documents.toml: every jurisdiction other than home's and the
nation's, named by its full name, its short names (indexing/jurisdictions.toml, or by rule: the
level ending taken off, XX市 → XX) and any listed word that names it (XX for XX新区).
A district of home (a district-level jurisdiction that begins with home's name or short name,
or is one of the home words: YY市XX区, XX区) is named by its full name and by its name
without the city (XX区, XX新区), never with its level ending off too (XX alone is often
another place or a common word). Adding or removing a plan changes them; no list is edited
by hand.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from core.errors import CorpusError
from core.model import DocumentMeta, Level
from indexing.agency_names import AgencyNaming, default_naming


@dataclass(frozen=True, slots=True)
class Held:
    """Another place whose plans the corpus holds, and the words that name it."""

    jurisdiction: str  # as documents.toml writes it: XX自治区, XX市
    words: tuple[str, ...]  # longest first
    district: bool = False  # a district of home: its plan joins the home side (sides.py)


@dataclass(frozen=True, slots=True)
class Places:
    """The deployment's own place words, and other places."""

    home: tuple[str, ...] = ()
    listed: tuple[str, ...] = ()  # places.toml ``others``: places a question may name
    name: str = ""  # how answers name home (e.g. the city's name)
    english: str = ""
    held: tuple[Held, ...] = ()  # other places whose plans the corpus holds
    # words that, after a held place's name, name its plans (XX的方案): places.toml ``plans``
    plan_words: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path) -> Places:
        if not path.exists():
            return cls()
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
            return cls(tuple(str(w) for w in data.get("home", ())),
                       tuple(str(w) for w in data.get("others", ())),
                       str(data.get("name", "")), str(data.get("english", "")),
                       plan_words=tuple(str(w) for w in data.get("plans", ())))
        except (OSError, tomllib.TOMLDecodeError, TypeError) as exc:
            raise CorpusError(f"{path}: invalid places: {exc}") from exc

    def holding(self, metas: Iterable[DocumentMeta], home: str | None,
                naming: AgencyNaming | None = None) -> Places:
        """These places with the jurisdictions of ``metas`` other than ``home`` and the
        nation's as places held."""
        naming = naming or default_naming()
        national = naming.jurisdictions.national_name
        found: dict[str, Level] = {}
        for m in metas:
            if m.jurisdiction and m.level != Level.NATIONAL \
                    and m.jurisdiction not in (home, national):
                found.setdefault(m.jurisdiction, m.level)
        # home's own names, longest first: what a district of home is written after
        cities = sorted((home, *naming.place(home).short), key=len, reverse=True) if home \
            else []
        held = []
        for jurisdiction, level in found.items():
            local = self._district_of_home(jurisdiction, level, cities)
            if local is not None:
                words = {jurisdiction, local}
            else:
                words = {jurisdiction, *naming.place(jurisdiction).short,
                         *(w for w in self.listed if len(w) >= 2 and w in jurisdiction)}
            held.append(Held(jurisdiction, tuple(sorted(words, key=lambda w: (-len(w), w))),
                             district=local is not None))
        return replace(self, held=tuple(held))

    def _district_of_home(self, jurisdiction: str, level: Level,
                          cities: list[str]) -> str | None:
        """The name of a district of home without the city (YY市XX区 → XX区), or None for a
        jurisdiction that is not one."""
        if level != Level.DISTRICT:
            return None
        if jurisdiction in self.home:
            return jurisdiction
        city = next((c for c in cities if jurisdiction.startswith(c)
                     and len(jurisdiction) > len(c) + 1), None)
        return jurisdiction[len(city):] if city else None

    @property
    def others(self) -> tuple[str, ...]:
        """Every word that names a place other than home: listed or held."""
        return tuple(dict.fromkeys([*self.listed, *(w for h in self.held for w in h.words)]))

    @property
    def not_held(self) -> tuple[str, ...]:
        """The listed places the corpus holds no plan of: a question about one is declined."""
        return tuple(p for p in self.listed
                     if not any(p in h.jurisdiction or h.jurisdiction in p for h in self.held))

    def plan_keys(self, bare: bool = True) -> dict[str, str]:
        """What a question may call the plans of a held place, lower-cased: key → the place.
        Its name with a plan word (XX的方案, XX方案); with ``bare``, another province's or
        city's name alone too (XX呢？), a district of home's not (XX区人民政府 is an agency of
        the home plan)."""
        keys = {f"{word}{joint}{plan}".lower(): h.jurisdiction for h in self.held
                for word in h.words for plan in self.plan_words for joint in ("", "的")}
        if bare:
            keys.update({word.lower(): h.jurisdiction for h in self.held if not h.district
                         for word in h.words})
        return keys

    def held_named(self, text: str) -> tuple[str, ...]:
        """The held places a text names, in the order of ``held``. A place's word inside a
        longer home word names nothing: a district of home called XX区 does not name XX省."""
        lowered = text.lower()
        return tuple(h.jurisdiction for h in self.held
                     if any(self._names(lowered, w.lower()) for w in h.words))

    def _names(self, text: str, word: str) -> bool:
        for home in self.home:
            if word in home.lower() and len(home) > len(word):
                text = text.replace(home.lower(), " ")
        return word in text
