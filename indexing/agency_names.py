"""How agencies of several jurisdictions are named apart, and the names users call them by.

A plan names its own government's departments without the place (省发展改革委,
市发展改革委), so two plans' names collide. The deployment's own jurisdiction keeps the
plain names (the agency registry's); every other jurisdiction's agencies are named with
their place (XX省发展改革委, XX市发展改革委), by the rules of agency_names.toml. The keys a
user may type for such an agency (省发展改革委, XX发改委, 工信厅) are derived by the same
rules, with the short forms (发改委 for 发展改革委) as data. (XX stands for any place.)
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.errors import CorpusError
from indexing.brackets import BracketCues, default_cues
from indexing.jurisdictions import Jurisdictions, default_jurisdictions

DATA_FILE = Path(__file__).with_name("agency_names.toml")


@dataclass(frozen=True, slots=True)
class Place:
    """A jurisdiction as its agencies' names say it."""

    name: str  # XX省, XX自治区, XX市
    short: tuple[str, ...]  # XX
    prefix: str  # what its own plans write before a department: 自治区, 省, 市 ("" if none)


@dataclass(frozen=True)
class AgencyNaming:
    national_prefixes: tuple[str, ...]
    shorts: tuple[tuple[str, str], ...]  # (long, short), longest first
    jurisdictions: Jurisdictions
    cues: BracketCues

    @classmethod
    def load(cls, path: Path = DATA_FILE, jurisdictions: Jurisdictions | None = None,
             cues: BracketCues | None = None) -> AgencyNaming:
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
            shorts = sorted(((str(e["long"]), str(e["short"])) for e in data.get("short", [])),
                            key=lambda ls: -len(ls[0]))
            return cls(tuple(data["national_prefixes"]), tuple(shorts),
                       jurisdictions or default_jurisdictions(), cues or default_cues())
        except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
            raise CorpusError(f"{path}: invalid agency naming data: {exc}") from exc

    def place(self, jurisdiction: str) -> Place:
        listed = next((j for j in self.jurisdictions.entries if j.name == jurisdiction), None)
        prefix = next((p for p in self.cues.prefixes if jurisdiction.endswith(p)), "")
        short = listed.short if listed else (
            (jurisdiction[:-len(prefix)],) if prefix and len(jurisdiction) > len(prefix) + 1
            else ())
        return Place(jurisdiction, short, prefix)

    def qualify(self, name: str, place: Place) -> str:
        """The name of one of ``place``'s agencies in a corpus of several jurisdictions."""
        prefix = self.cues.prefix_of(name)
        if prefix is not None and prefix == place.prefix:
            return place.name + name[len(prefix):]
        if name.startswith(self.national_prefixes) or self._names_a_place(name, place):
            return name
        return place.name + name

    def _names_a_place(self, name: str, place: Place) -> bool:
        return any(p in name for p in (place.name, *place.short, *self.jurisdictions.places))

    def keys(self, name: str, place: Place | None) -> tuple[str, ...]:
        """What a user may call the agency ``name`` of ``place``: the name, its part after
        the place alone, with the place's other names or its prefix (as its own plan writes
        it), and the same with the short form (XX省工业和信息化厅 → 工信厅, XX工信厅,
        省工信厅)."""
        out = [name]
        body = name[len(place.name):] if place and name.startswith(place.name) else ""
        if place is None or not body:
            return tuple(dict.fromkeys([*out, *self._short_forms(name)]))
        annotated = body.endswith(("〕", "）"))  # 发展改革委〔能源局〕: only as written
        for form in (body,) if annotated else (body, *self._short_forms(body)):
            places = (place.prefix,) if annotated else (place.name, *place.short, place.prefix)
            out += [*([] if annotated else [form]), *(p + form for p in places if p)]
        return tuple(dict.fromkeys(out))

    def _short_forms(self, text: str) -> list[str]:
        return [text[:-len(long)] + short for long, short in self.shorts if text.endswith(long)]


@cache
def default_naming() -> AgencyNaming:
    return AgencyNaming.load()
