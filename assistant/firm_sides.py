"""Which side of a match a measure falls on for a firm (lexicon/sides.toml): its kinds give
each measure its sides (labels.toml); these rules add one for a class of firm when the task's
words say so. A task that develops a supplier's line of business (推进多式联运 for a carrier,
开展建筑屋顶光伏行动 for a solar installer) is an opportunity for it; a standard its own sector
must pass (限额管理, 规范发展) binds it; the government's own work on a user's sector
(推进生活垃圾分类) sets what the user will do. A rule may also take a side away: a task that
phases out or forbids (淘汰老旧车船) is a requirement, though a pilot it also names (示范应用)
gives it a technology kind; or move a task to its side: what builds or develops (充换电基础设施
建设) with no duty in its words is an offer, never a requirement.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assistant.trades import CLASSES
from core.errors import ConfigError
from indexing.measures.labels import Side

EFFECTS = ("add", "drop", "move")
SIDES_FILE = Path(__file__).resolve().parent / "lexicon" / "sides.toml"


@dataclass(frozen=True, slots=True)
class SideRule:
    id: str
    classes: tuple[str, ...]
    kinds: tuple[str, ...]
    words: tuple[str, ...]
    unless: tuple[str, ...]
    own: bool  # only for a task of the firm's own audience
    side: Side
    effect: str = "add"  # add the side; drop: take it away; move: add it, take the others

    def applies(self, text: str, kinds: Sequence[str], classes: Sequence[str],
                own: bool) -> bool:
        return (bool(set(self.classes) & set(classes)) and bool(set(self.kinds) & set(kinds))
                and (own or not self.own) and any(w in text for w in self.words)
                and not any(w in text for w in self.unless))


@dataclass(frozen=True)
class SideRules:
    rules: tuple[SideRule, ...]

    def sides(self, given: Sequence[Side], text: str, kinds: Sequence[str],
              classes: Sequence[str], own: bool) -> tuple[Side, ...]:
        """The sides of a task (``text``, ``kinds``; ``given`` by its kinds) for a firm of
        ``classes``; ``own``: the task is of the firm's audience. Dropping wins over adding; a
        move takes away the sides other than its own; a task never loses its last side."""
        fired = [r for r in self.rules if r.applies(text, kinds, classes, own)]
        moved = {r.side for r in fired if r.effect == "move"}
        dropped = {r.side for r in fired if r.effect == "drop"}
        dropped |= {s for s in given if moved and s not in moved}
        out = [s for s in dict.fromkeys((*given, *(r.side for r in fired if r.effect != "drop")))
               if s not in dropped]
        return tuple(out) if out else tuple(given)


def load_side_rules(path: Path = SIDES_FILE, kinds: Sequence[str] = ()) -> SideRules:
    """sides.toml; a class, kind (when ``kinds`` are given) or side outside the vocabulary is a
    ConfigError naming the rule."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        rules = tuple(SideRule(str(e["id"]), tuple(e["classes"]), tuple(e["kinds"]),
                               tuple(e["words"]), tuple(e.get("unless", ())),
                               bool(e.get("own", True)), Side(e["side"]),
                               str(e.get("effect", "add")))
                      for e in data.get("rule", []))
    except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError, TypeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    for r in rules:
        stray = [c for c in r.classes if c not in CLASSES]
        stray += [k for k in r.kinds if kinds and k not in kinds]
        if stray or r.side == Side.INTERNAL or not r.words or r.effect not in EFFECTS:
            raise ConfigError(f"{path}: rule {r.id!r}: unknown {stray or r.side} "
                              f"(or no words)")
    return SideRules(rules)


@cache
def side_rules() -> SideRules:
    """The package's side rules, read once (kinds checked by the matcher's vocabulary)."""
    return load_side_rules()
