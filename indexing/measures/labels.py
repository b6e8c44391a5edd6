"""The catalogue's label vocabulary (labels.toml) and its cue words (cues.toml), read once.

Audience labels say whom a task concerns, kind labels what it is for them; each kind is on one
side: support, requirement or internal (government work only). The ids are fixed: the
catalogue, its overrides, the API and the evals all use them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from core.errors import CorpusError, UnknownLabel

HERE = Path(__file__).resolve().parent
LABELS_FILE = HERE / "labels.toml"
CUES_FILE = HERE / "cues.toml"


class Group(StrEnum):
    AUDIENCE = "audience"
    KIND = "kind"


class Side(StrEnum):
    SUPPORT = "support"
    REQUIREMENT = "requirement"
    INTERNAL = "internal"


@dataclass(frozen=True, slots=True)
class Label:
    id: str
    group: Group
    name: str  # zh, shown to users
    covers: str  # the English definition
    description: str  # zh, what the embedder compares tasks with
    aliases: tuple[str, ...] = ()  # what a user may write for it (audience)
    side: Side | None = None  # kinds only
    not_stated: str = ""  # kinds: what the plans leave out of such a measure
    not_stated_en: str = ""


@dataclass(frozen=True, slots=True)
class Cues:
    """The cue words of one label (cues.toml)."""

    words: tuple[str, ...] = ()
    mask: tuple[str, ...] = ()  # blanked out of the text before matching, for this label
    heading: tuple[str, ...] = ()  # looked for in the clause title when the text names none

    def find(self, text: str) -> tuple[str, ...]:
        """The cue words in ``text`` (after the masks), longest first."""
        for phrase in self.mask:
            text = text.replace(phrase, "\u3000")
        return tuple(w for w in sorted(self.words, key=len, reverse=True) if w in text)

    def in_heading(self, heading: str) -> bool:
        return any(w in heading for w in self.heading)


@dataclass(frozen=True)
class Vocabulary:
    labels: tuple[Label, ...]
    cues: dict[str, Cues]
    # [embedder] of labels.toml
    audience_z: float = 2.5
    kind_z: float = 2.5
    default_kind: str = "obligation"
    default_kind_none: str = "internal"
    internal_headings: tuple[str, ...] = ()  # [internal] of cues.toml
    internal_phrases: tuple[str, ...] = ()

    @property
    def audience(self) -> tuple[Label, ...]:
        return tuple(lb for lb in self.labels if lb.group == Group.AUDIENCE)

    @property
    def kinds(self) -> tuple[Label, ...]:
        return tuple(lb for lb in self.labels if lb.group == Group.KIND)

    def ids(self, group: Group) -> tuple[str, ...]:
        return tuple(lb.id for lb in self.labels if lb.group == group)

    def label(self, label_id: str) -> Label:
        return next(lb for lb in self.labels if lb.id == label_id)

    def side(self, kind: str) -> Side | None:
        return self.label(kind).side

    def kinds_on(self, side: Side) -> tuple[str, ...]:
        return tuple(lb.id for lb in self.kinds if lb.side == side)

    def resolve(self, group: Group, value: str, field: str) -> str:
        """A label id from its id, its zh name or an alias; else BadInput naming the valid
        ids."""
        wanted = value.strip().lower()
        for lb in self.labels:
            if lb.group == group and wanted in (lb.id, lb.name.lower(),
                                                *(a.lower() for a in lb.aliases)):
                return lb.id
        raise UnknownLabel(f"unknown {field} {value!r}; valid: {', '.join(self.ids(group))}")

    def check(self, group: Group, ids: tuple[str, ...], where: str) -> tuple[str, ...]:
        """``ids`` in the vocabulary's order, or CorpusError naming the stray one."""
        valid = self.ids(group)
        for label_id in ids:
            if label_id not in valid:
                raise CorpusError(f"{where}: unknown {group} label {label_id!r}; valid: "
                                  + ", ".join(valid))
        return tuple(v for v in valid if v in ids)


def _strings(value: object) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def load_vocabulary(labels_file: Path = LABELS_FILE, cues_file: Path = CUES_FILE) -> Vocabulary:
    try:
        with labels_file.open("rb") as fh:
            data = tomllib.load(fh)
        with cues_file.open("rb") as fh:
            cue_data = tomllib.load(fh)
        labels = tuple(
            Label(id=str(e["id"]), group=group, name=str(e["name"]), covers=str(e["covers"]),
                  description=str(e["description"]), aliases=_strings(e.get("aliases")),
                  side=Side(e["side"]) if group == Group.KIND else None,
                  not_stated=str(e.get("not_stated", "")),
                  not_stated_en=str(e.get("not_stated_en", "")))
            for group in Group for e in data.get(group.value, []))
        emb = data.get("embedder", {})
        tuning = (float(emb.get("audience_z", 2.5)), float(emb.get("kind_z", 2.5)),
                  str(emb.get("default_kind", "obligation")),
                  str(emb.get("default_kind_none", "internal")))
        cues = {str(label_id): Cues(_strings(e.get("words")), _strings(e.get("mask")),
                                    _strings(e.get("heading")))
                for group in Group for label_id, e in cue_data.get(group.value, {}).items()}

    except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError, TypeError) as exc:
        raise CorpusError(f"invalid measure labels: {exc}") from exc
    ids = [lb.id for lb in labels]
    if len(set(ids)) != len(ids):
        raise CorpusError(f"{labels_file}: a label id is listed twice")
    stray = set(cues) - set(ids)
    if stray:
        raise CorpusError(f"{cues_file}: cue words for unknown labels {sorted(stray)}")
    internal = cue_data.get("internal", {})
    vocab = Vocabulary(labels, cues, *tuning, internal_headings=_strings(internal.get("headings")),
                       internal_phrases=_strings(internal.get("phrases")))
    vocab.check(Group.KIND, tuning[2:], str(labels_file))
    return vocab


@cache
def vocabulary() -> Vocabulary:
    """The package's vocabulary, read once."""
    return load_vocabulary()
