"""The trade vocabulary (lexicon/firms.toml): what a business says it is or does (火锅店, 汽修,
几千个机柜) → the words the texts use for what concerns it (餐饮, 一次性用品, 挥发性有机物,
重点用能单位), and the class of firm it is (supplier, user: how the plans' measures fall on it,
firm_sides.py). The matcher searches the catalogue with the texts' words beside the description
and reads audience labels from them, so a trade no label names reaches the tasks written for it.

Matched as substrings of the lower-cased description (Chinese has no spaces; English words are
lower-cased in the data).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.errors import ConfigError

FIRMS_FILE = Path(__file__).resolve().parent / "lexicon" / "firms.toml"
CLASSES = ("supplier", "user")


@dataclass(frozen=True, slots=True)
class Trade:
    id: str
    says: tuple[str, ...]  # the business's words, lower-cased
    texts: tuple[str, ...]  # the texts' words for its concerns
    audience: tuple[str, ...] = ()  # the labels such a business is
    firm_class: str | None = None
    asks: bool = False  # its words say what the firm wants (贷款), not what it is


@dataclass(frozen=True, slots=True)
class TradeReading:
    trades: tuple[str, ...]  # the trade ids the description names, in the vocabulary's order
    words: tuple[str, ...]  # their texts' words, each once
    audience: tuple[str, ...]  # their audience labels, each once
    classes: tuple[str, ...]  # the classes of firm, from the trades or else the audience
    main: tuple[str, ...] = ()  # the words of its main line: the trade named first, or the sector's

    @property
    def text(self) -> str:
        """The texts' words as one string (for search and the cue words), '' for none."""
        return " ".join(self.words)


@dataclass(frozen=True)
class TradeVocabulary:
    trades: tuple[Trade, ...]
    label_classes: Mapping[str, str]  # audience label → class, for a firm no trade names
    blank: tuple[str, ...] = ()  # phrases holding a trade's word that name no trade (余热回收)

    def read(self, description: str, audience: Sequence[str] = (),
             sector: str | None = None) -> TradeReading:
        """The trades ``description`` names, their texts' words and the class of firm: the
        class of the ``sector`` the firm chose, else of the trade it names first (a data
        centre that wants 风电光伏 power is no supplier of it), else of its ``audience`` (the
        labels read otherwise). A trade that ``asks`` (a loan) is read in the whole
        description, the others without its words (银行贷款 names no bank); its words are a
        concern of the firm, never its main line, never named in passing."""
        lowered, plain = description.lower(), self.plain(description)
        at = {t.id: min((i for w in t.says if (i := (lowered if t.asks else plain).find(w)) >= 0),
                        default=-1) for t in self.trades}
        found = [t for t in self.trades if at[t.id] >= 0]
        words = tuple(dict.fromkeys(w for t in found for w in t.texts))
        first = sorted((at[t.id], t.firm_class) for t in found if t.firm_class)
        if sector is not None and sector in self.label_classes:
            classes = [self.label_classes[sector]]
        elif first:
            classes = [first[0][1]]
        else:
            classes = [c for a in audience if (c := self.label_classes.get(a))]
        # the firm says what it is before what concerns it (快递网点 … 回收纸箱)
        main = ([t for t in found if sector in t.audience]
                or sorted((t for t in found if not t.asks), key=lambda t: at[t.id])[:1])
        main += [t for t in found if t.asks]  # what it asks for is no passing word
        return TradeReading(tuple(t.id for t in found), words,
                            tuple(dict.fromkeys(a for t in found for a in t.audience)),
                            tuple(c for c in CLASSES if c in classes),
                            tuple(dict.fromkeys(w for t in main for w in t.texts)))

    def plain(self, description: str) -> str:
        """``description`` lower-cased without the words of what the firm asks for, nor the
        phrases that name no trade: a firm that wants a bank loan (银行贷款) is a borrower, not
        a bank; one that recovers its waste heat (余热回收) no recycler."""
        out = description.lower()
        for w in sorted((*(w for t in self.trades if t.asks for w in t.says), *self.blank),
                        key=len, reverse=True):
            out = out.replace(w, " ")
        return out


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where}: expected a list of words")
    return tuple(value)


def load_trades(path: Path = FIRMS_FILE) -> TradeVocabulary:
    """firms.toml; a trade without words, a class outside CLASSES or a trade id written twice
    is a ConfigError naming it."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    label_classes: dict[str, str] = {}
    for firm_class, labels in data.get("classes", {}).items():
        if firm_class not in CLASSES:
            raise ConfigError(f"{path}: unknown class {firm_class!r}; valid: {', '.join(CLASSES)}")
        label_classes.update((lb, firm_class) for lb in _strings(labels, f"{path} [classes]"))
    trades = []
    for entry in data.get("trade", []):
        where = f"{path}: trade {entry.get('id')!r}"
        firm_class = entry.get("class")
        if firm_class is not None and firm_class not in CLASSES:
            raise ConfigError(f"{where}: unknown class {firm_class!r}; valid: {', '.join(CLASSES)}")
        trades.append(Trade(str(entry.get("id", "")),
                            tuple(w.lower() for w in _strings(entry.get("says"), where)),
                            _strings(entry.get("texts"), where),
                            _strings(entry.get("audience", []), where) if entry.get("audience")
                            else (), firm_class, bool(entry.get("asks", False))))
    ids = [t.id for t in trades]
    if "" in ids or len(set(ids)) != len(ids):
        raise ConfigError(f"{path}: every trade needs an id of its own")
    blank = tuple(w.lower() for w in _strings(data["blank"], f"{path} blank")) \
        if "blank" in data else ()
    return TradeVocabulary(tuple(trades), label_classes, blank)


@cache
def trades() -> TradeVocabulary:
    """The package's trade vocabulary, read once."""
    return load_trades()
