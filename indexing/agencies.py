"""The agency registry: canonical names as the documents write them, kinds, English names, aliases.

Names a text uses that the registry lacks still parse (kind ``unregistered``), so that a new
document needs no code change; a test keeps the shipped corpus fully registered.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path

from core.errors import CorpusError, UnknownAgency
from core.model import Agency, AgencyKind


def _key(name: str) -> str:
    return "".join(name.split()).replace("(", "（").replace(")", "）")


class AgencyRegistry:
    def __init__(self, agencies: Iterable[Agency], jurisdiction: str | None = None) -> None:
        # the jurisdiction whose agencies these are: documents of other jurisdictions keep
        # their agency names as written instead of resolving them here
        self.jurisdiction = jurisdiction
        self._agencies: dict[str, Agency] = {}
        self._lookup: dict[str, str] = {}
        for agency in agencies:
            if agency.name in self._agencies:
                raise CorpusError(f"agency {agency.name} is registered twice")
            self._agencies[agency.name] = agency
        for agency in self._agencies.values():
            for key in (agency.name, *agency.aliases):
                owner = self._lookup.setdefault(_key(key), agency.name)
                if owner != agency.name:
                    raise CorpusError(f"alias {key} names both {owner} and {agency.name}")

    @classmethod
    def load(cls, path: Path) -> AgencyRegistry:
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
            return cls(
                (Agency(
                    name=entry["name"],
                    kind=AgencyKind(entry["kind"]),
                    english=entry["english"],
                    aliases=tuple(entry.get("aliases", ())),
                ) for entry in data.get("agency", [])),
                data.get("jurisdiction"),
            )
        except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError, TypeError) as exc:
            raise CorpusError(f"{path}: invalid agency registry: {exc}") from exc

    def __iter__(self) -> Iterator[Agency]:
        return iter(self._agencies.values())

    def __len__(self) -> int:
        return len(self._agencies)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._agencies

    def canonical(self, name: str) -> str | None:
        """The canonical name for a canonical name or alias, else None."""
        return self._lookup.get(_key(name))

    def agency(self, name: str) -> Agency:
        """The registered agency, or an ``unregistered`` stand-in for a name a text uses."""
        canonical = self.canonical(name)
        if canonical is not None:
            return self._agencies[canonical]
        return Agency(name=name, kind=AgencyKind.UNREGISTERED, english="")

    def resolve(self, query: str, known: Iterable[str] = ()) -> str:
        """Resolve what a user typed to one canonical name, or raise UnknownAgency.

        ``known`` adds names that texts use beyond the registry. A query that is part of
        exactly one name (a group's name without its place prefix) resolves too; an ambiguous
        one does not.
        """
        key = _key(query)
        if not key:
            raise UnknownAgency("agency name is empty", self.suggest(query, known))
        canonical = self.canonical(key)
        if canonical is not None:
            return canonical
        names = [*self._agencies, *(n for n in known if n not in self._agencies)]
        if key in names:
            return key
        containing = sorted({n for n in names if key in n})
        if len(key) >= 2 and len(containing) == 1:
            return containing[0]
        raise UnknownAgency(f"unknown agency: {query}", self.suggest(query, known))

    def suggest(self, query: str, known: Iterable[str] = (), n: int = 3) -> tuple[str, ...]:
        key = _key(query)
        names = [*self._agencies, *(k for k in known if k not in self._agencies)]
        by_key = dict(self._lookup)
        by_key.update({name: name for name in names})
        close = difflib.get_close_matches(key, list(by_key), n=n * 3, cutoff=0.4)
        containing = [k for k in by_key if key and (key in k or k in key)]
        out: list[str] = []
        for match in [*containing, *close]:
            name = by_key[match]
            if name not in out:
                out.append(name)
        return tuple(out[:n])
