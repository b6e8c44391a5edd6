"""What the assistant declines before searching: manipulation, harmful requests, small talk,
government services and places the documents do not cover, amounts of money the documents
never state, and years they never mention. The patterns live in ``rules/guard.toml``.

Declining is a normal answer (``refused=true``), never an error.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from core.errors import ConfigError
from indexing.corpus import Corpus

RULES_FILE = Path(__file__).with_name("rules") / "guard.toml"
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年?")


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    patterns: tuple[re.Pattern[str], ...]
    unless: tuple[str, ...] = ()

    def matches(self, text: str) -> bool:
        if any(u in text for u in self.unless):
            return False
        return any(p.search(text) for p in self.patterns)


class Guard:
    # checked in this order: the first category that matches names the reply
    ORDER = ("manipulation", "harmful", "small_talk", "other_services", "other_places", "money")

    def __init__(self, categories: dict[str, Category], known_years: frozenset[int]) -> None:
        self._categories = categories
        self._years = known_years

    @classmethod
    def load(cls, corpus: Corpus, path: Path = RULES_FILE) -> Guard:
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
            categories = {
                name: Category(name,
                               tuple(re.compile(p, re.IGNORECASE) for p in data[name]["patterns"]),
                               tuple(data[name].get("unless", ())))
                for name in cls.ORDER
            }
        except (OSError, tomllib.TOMLDecodeError, KeyError, re.error) as exc:
            raise ConfigError(f"{path}: invalid guard rules: {exc}") from exc
        years: set[int] = set()
        for doc in corpus.documents:
            years.update(int(y) for y in _YEAR_RE.findall(doc.meta.date))
            for provision in doc.provisions:
                years.update(int(y) for y in _YEAR_RE.findall(provision.text))
        return cls(categories, frozenset(years))

    def check(self, question: str) -> str | None:
        """The category a question falls into, or None when it may be answered."""
        text = question.lower()
        for name in self.ORDER:
            if name != "money" and self._categories[name].matches(text):
                return name
        years = {int(y) for y in _YEAR_RE.findall(text)}
        if years - self._years:
            return "unknown_year"
        return None

    def asks_money(self, question: str) -> bool:
        """Asking for an amount of money; answered with what the documents say and that they
        name no amount, or declined when they say nothing relevant."""
        return self._categories["money"].matches(question.lower())
