"""Responsibility brackets: which （…） name the agencies of a task, and which agencies they are.

Every cue word lives in brackets.toml; this module only applies them:

    （市交通运输委、市发展改革委牵头，市工业和信息化局、市港口集团等按职责分工负责）
     └──────── group 1: leads ──────┘ └────────── group 2 ──────────┘└ ending ┘

- a bracket is a responsibility bracket when it starts with a label (责任单位：) or its last
  group ends with an ending (按职责分工负责, 负责, 具体落实 …), and every name in it is a name;
- groups are separated by ，。；, names inside a group by 、 (except inside ``unsplit``);
- a group ending in 牵头 names the leads;
- a standing rule (以下均需各区人民政府落实，不再列出) names agencies for this task and every
  later one;
- a jurisdiction prefix is carried from a name that has it to the department names after it in
  the same group that omit it (自治区发展改革委、工业和信息化厅 → 自治区工业和信息化厅),
  never to a name that is its own organisation (a province's 邮政管理局, a railway 局集团).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.errors import CorpusError
from indexing.jurisdictions import default_jurisdictions

DATA_FILE = Path(__file__).with_name("brackets.toml")
_PLACEHOLDER = "\u0000"


@dataclass(frozen=True, slots=True)
class Name:
    written: str  # as the bracket writes it
    carried: str  # with the jurisdiction prefix it omits (= written when it omits none)
    lead: bool = False


@dataclass(frozen=True, slots=True)
class Responsibility:
    names: tuple[Name, ...]  # in the order written, no repeats
    standing: tuple[Name, ...] = ()  # named for this task and every later one
    and_others: bool = False  # 等部门: more departments than named


@dataclass(frozen=True)
class BracketCues:
    labels: tuple[str, ...]
    endings: tuple[str, ...]  # longest first
    lead: str
    group_separators: str
    name_separator: str
    etc: str
    and_others: str
    and_others_joiner: str
    conjunctions: tuple[str, ...]
    unsplit: tuple[re.Pattern[str], ...]
    standing: tuple[re.Pattern[str], ...]
    max_name: int
    not_in_names: str
    agency_endings: tuple[str, ...]
    prefixes: tuple[str, ...]  # longest first
    not_prefixes: tuple[str, ...]
    suffixes: tuple[str, ...]
    own: tuple[str, ...]
    places: tuple[str, ...]

    @classmethod
    def load(cls, path: Path = DATA_FILE, places: tuple[str, ...] | None = None) -> BracketCues:
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
            carry = data["carry"]
            return cls(
                labels=tuple(data["labels"]),
                endings=tuple(sorted(data["endings"], key=len, reverse=True)),
                lead=data["lead"],
                group_separators=data["group_separators"],
                name_separator=data["name_separator"],
                etc=data["etc"],
                and_others=data["and_others"],
                and_others_joiner=data["and_others_joiner"],
                conjunctions=tuple(data["conjunctions"]),
                unsplit=tuple(re.compile(p) for p in data["unsplit"]),
                standing=tuple(re.compile(p) for p in data["standing"]),
                max_name=int(data["max_name"]),
                not_in_names=data["not_in_names"],
                agency_endings=tuple(data["agency_endings"]),
                prefixes=tuple(sorted(carry["prefixes"], key=len, reverse=True)),
                not_prefixes=tuple(carry["not_prefixes"]),
                suffixes=tuple(carry["suffixes"]),
                own=tuple(carry["own"]),
                places=default_jurisdictions().places if places is None else places,
            )
        except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError, TypeError,
                re.error) as exc:
            raise CorpusError(f"{path}: invalid bracket cues: {exc}") from exc

    # -- reading a bracket ------------------------------------------------------------------

    def read(self, content: str) -> Responsibility | None:
        """The agencies of a bracket's content (without its （）), or None for any other
        parenthesis: （集群）, （油气化工码头除外）, （2021—2025年）."""
        text = content.strip()
        standing: list[Name] = []
        for pattern in self.standing:
            match = pattern.search(text)
            if match:
                standing.extend(self._group(match.group("agencies"))[0])
                text = text[:match.start()] + text[match.end():]
        text = text.strip(self.group_separators)
        label = next((lb for lb in self.labels if text.startswith(lb)), None)
        if label is not None:
            text = text[len(label):]
        elif not any(text.endswith(e) for e in self.endings):
            return None
        names: list[Name] = []
        and_others = False
        for group in re.split(f"[{re.escape(self.group_separators)}]", text):
            found, others = self._group(group)
            names.extend(found)
            and_others = and_others or others
        names.extend(standing)
        if not names or not all(self._is_name(n.written) for n in names):
            return None
        return Responsibility(_unique(names), _unique(standing), and_others)

    def _group(self, group: str) -> tuple[list[Name], bool]:
        text = group.strip()
        for ending in self.endings:
            if text.endswith(ending):
                text = text[:-len(ending)]
                break
        lead = text.endswith(self.lead)
        if lead:
            text = text[:-len(self.lead)]
        written, and_others = self._split(text)
        out: list[Name] = []
        prefix: str | None = None
        for name in written:
            own_prefix = self.prefix_of(name)
            if own_prefix is not None:
                prefix = own_prefix
                out.append(Name(name, name, lead))
            elif prefix is not None and self._takes_prefix(name):
                out.append(Name(name, prefix + name, lead))
            else:
                out.append(Name(name, name, lead))
        return out, and_others

    def _split(self, text: str) -> tuple[list[str], bool]:
        """'市交通运输委、市商务局等部门和各区人民政府' -> names in order, and 等部门.

        ``X等部门`` says more departments than named share the task; ``X等市级有关部门``
        names a group that is itself an agency."""
        for pattern in self.unsplit:
            text = pattern.sub(lambda m: m.group(0).replace(self.name_separator, _PLACEHOLDER),
                               text)
        for conjunction in self.conjunctions:
            text = text.replace(conjunction, self.name_separator + conjunction[1:])
        names: list[str] = []
        and_others = False
        for item in text.split(self.name_separator):
            head, sep, rest = item.partition(self.etc)
            parts = [head]
            if sep:
                if rest.startswith(self.and_others):
                    and_others = True
                    rest = rest.removeprefix(self.and_others).removeprefix(
                        self.and_others_joiner)
                if rest:
                    parts.append(rest)
            for name in parts:
                name = name.strip().replace(_PLACEHOLDER, self.name_separator)
                if name and name not in names:
                    names.append(name)
        return names, and_others

    def prefix_of(self, name: str) -> str | None:
        """The jurisdiction prefix a name starts with (自治区, 省, 市), if any."""
        if any(name.startswith(p) for p in self.not_prefixes):
            return None
        return next((p for p in self.prefixes if name.startswith(p) and len(name) > len(p)),
                    None)

    def _takes_prefix(self, name: str) -> bool:
        if any(name.startswith(o) for o in self.own) or any(p in name for p in self.places):
            return False
        return _bare(name).endswith(self.suffixes)

    def _is_name(self, name: str) -> bool:
        return (0 < len(name) <= self.max_name and not any(c in self.not_in_names for c in name)
                and _bare(name).endswith(self.agency_endings))


def _bare(name: str) -> str:
    """A name without the annotation it ends with: 发展改革委〔能源局〕, 市委党校（行政学院）."""
    return re.sub(r"(?:〔[^〕]*〕|（[^）]*）)$", "", name)


def _unique(names: list[Name]) -> tuple[Name, ...]:
    seen: dict[str, Name] = {}
    for name in names:
        seen.setdefault(name.carried, name)
    return tuple(seen.values())


@cache
def default_cues() -> BracketCues:
    return BracketCues.load()
