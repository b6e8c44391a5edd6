"""Agencies keyed by jurisdiction: the agencies of every document outside the deployment's own
jurisdiction, named apart, and which of them a name a user types means.

The deployment's own agencies are the registry's (agencies.toml) and answer first
(``Corpus.agency``): 发改委 is the home 市发展改革委 however many plans are loaded. This
directory answers the names the registry does not know:

    广西壮族自治区发展改革委, 广西发改委, 自治区发改委   → the one agency        (a place named)
    工信厅 (one loaded plan has one)                      → that plan's
    自治区发展改革委 (two autonomous regions loaded)      → AmbiguousAgency: which one

Names come from ``qualify`` (agency_names.toml's rules), applied when the corpus loads.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from core.errors import AmbiguousAgency
from core.model import Clause, Document, Part, Provision
from indexing.agency_names import AgencyNaming, Place, default_naming


def _key(name: str) -> str:
    return "".join(name.split()).replace("(", "（").replace(")", "）").lower()


@dataclass(frozen=True, slots=True)
class Listed:
    """An agency of another jurisdiction, and everything a user may call it."""

    name: str  # 广西壮族自治区发展改革委
    jurisdiction: str  # 广西壮族自治区
    keys: tuple[str, ...]  # 自治区发展改革委, 广西发改委, 发改委 …


def is_other(doc: Document, home: str | None) -> bool:
    """A document whose agencies are not the registry's: it names another jurisdiction."""
    return home is not None and doc.meta.jurisdiction not in (None, home)


def qualify(doc: Document, naming: AgencyNaming | None = None) -> Document:
    """The document with its agencies named with their place (docs of another jurisdiction)."""
    naming = naming or default_naming()
    jurisdiction = doc.meta.jurisdiction
    if jurisdiction is None or jurisdiction == naming.jurisdictions.national_name:
        return doc  # a national body's name is its own: 国家发展改革委
    place = naming.place(jurisdiction)

    def names(found: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(naming.qualify(n, place) for n in found))

    def provision(p: Provision) -> Provision:
        return replace(p, agencies=names(p.agencies), leads=names(p.leads)) if p.agencies else p

    def clause(c: Clause) -> Clause:
        return replace(c, provisions=tuple(provision(p) for p in c.provisions))

    def part(p: Part) -> Part:
        return replace(p, clauses=tuple(clause(c) for c in p.clauses),
                       intro=tuple(provision(x) for x in p.intro))

    return replace(doc, preamble=clause(doc.preamble), parts=tuple(part(p) for p in doc.parts))


class AgencyDirectory:
    def __init__(self, documents: Iterable[Document], home: str | None,
                 naming: AgencyNaming | None = None) -> None:
        naming = naming or default_naming()
        national = naming.jurisdictions.national_name
        listed: dict[str, Listed] = {}
        places: dict[str, Place] = {}
        for doc in documents:
            if not is_other(doc, home):
                continue
            jurisdiction = doc.meta.jurisdiction or national
            place = None if jurisdiction == national else naming.place(jurisdiction)
            if place is not None:
                places[jurisdiction] = place
            for p in doc.provisions:
                for name in p.agencies:
                    if name not in listed:
                        listed[name] = Listed(name, jurisdiction, naming.keys(name, place))
        keys: dict[str, dict[str, None]] = {}
        for entry in listed.values():
            for key in entry.keys:
                keys.setdefault(_key(key), {})[entry.name] = None
        self._listed = listed
        self._keys = {k: tuple(v) for k, v in keys.items()}
        self._places = places

    def __len__(self) -> int:
        return len(self._listed)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._listed

    def listed(self, name: str) -> Listed | None:
        return self._listed.get(name)

    @property
    def keys(self) -> Mapping[str, tuple[str, ...]]:
        """Every key (lower-cased, no spaces) → the agencies it may mean."""
        return self._keys

    def candidates(self, query: str) -> tuple[str, ...]:
        return self._keys.get(_key(query), ())

    def resolve(self, query: str) -> str | None:
        """The one agency ``query`` names, None if it names none, AmbiguousAgency if several."""
        found = self.candidates(query)
        if len(found) > 1:
            raise self.ambiguous(query, found)
        return found[0] if found else None

    def ambiguous(self, query: str, names: Iterable[str]) -> AmbiguousAgency:
        return AmbiguousAgency(query, tuple((n, self._listed[n].jurisdiction) for n in names))

    def places_named(self, text: str) -> tuple[str, ...]:
        """The loaded jurisdictions a text names (广西, 广西壮族自治区), in no set order."""
        return tuple(j for j, place in self._places.items()
                     if any(w in text for w in (place.name, *place.short)))

    def place_words(self, jurisdiction: str) -> tuple[str, ...]:
        place = self._places.get(jurisdiction)
        return (place.name, *place.short) if place else ()

    def in_place(self, names: Iterable[str], jurisdictions: Iterable[str]) -> tuple[str, ...]:
        wanted = set(jurisdictions)
        return tuple(n for n in names if n in self._listed
                     and self._listed[n].jurisdiction in wanted)

    def suggest(self, query: str, n: int = 3) -> tuple[str, ...]:
        close = difflib.get_close_matches(_key(query), list(self._keys), n=n, cutoff=0.5)
        return tuple(dict.fromkeys(name for k in close for name in self._keys[k]))[:n]
