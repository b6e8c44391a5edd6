"""What the assistant declines before searching: manipulation, harmful requests, small talk,
writing to order, opinions and personal advice, government services and places the documents
do not cover, and years they never mention; and the details a plan never gives (amounts,
rates, procedures, contacts, dates of events, results), which are answered with "the documents
do not say" and the provisions on the same subject. The patterns live in ``rules/guard.toml``.

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
_QUOTED_TERM = re.compile(r"“[^”]{1,20}”")  # a term in quotation marks, as the texts write it
# a year, not an amount: 2000元 and 2000万吨 are not years
_YEAR_RE = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?![\d.])"
                      r"(?!\s*[元万亿千百块多个家台辆吨户%])\s*年?")


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    patterns: tuple[re.Pattern[str], ...]
    unless: tuple[str, ...] = ()
    # patterns that may be said in passing of a question on the documents' subjects (我是退休的，
    # …文件里怎么说): not the question's business then (rules/guard.toml ``in_passing``)
    in_passing: tuple[str, ...] = ()
    # a detail the texts do give after all, in these words (约谈问责 is a sanction)
    stated_by: tuple[str, ...] = ()

    def matches(self, text: str) -> bool:
        if any(u in text for u in self.unless):
            return False
        return any(p.search(text) for p in self.patterns)


class Guard:
    # checked in this order: the first category that matches names the reply
    ORDER = ("manipulation", "harmful", "small_talk", "writing", "opinion", "advice",
             "other_services", "other_places")
    # details the documents never give, checked after ORDER, in this order
    UNSTATED = ("money", "rate", "procedure", "contact", "schedule", "deadline", "outcome",
                "penalty", "eligibility")

    def __init__(self, categories: dict[str, Category], known_years: frozenset[int],
                 coined_on: tuple[str, ...] = ()) -> None:
        self._categories = categories
        self._years = known_years
        # morphemes the names of policy schemes are formed on (rules/guard.toml [coined])
        self.coined_on = coined_on

    @classmethod
    def load(cls, corpus: Corpus, path: Path = RULES_FILE) -> Guard:
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
            coined_on = tuple(data.get("coined", {}).get("morphemes", ()))
            categories = {
                name: Category(name,
                               tuple(re.compile(p, re.IGNORECASE) for p in data[name]["patterns"]),
                               tuple(data[name].get("unless", ())),
                               tuple(data[name].get("in_passing", ())),
                               tuple(data[name].get("stated_by", ())))
                for name in (*cls.ORDER, *cls.UNSTATED)
            }
        except (OSError, tomllib.TOMLDecodeError, KeyError, re.error) as exc:
            raise ConfigError(f"{path}: invalid guard rules: {exc}") from exc
        # a place whose plan the corpus holds (an added provincial plan) is not declined
        others = corpus.places.not_held
        if others:  # the deployment's places replace the rules' example list
            categories["other_places"] = Category(
                "other_places",
                tuple(re.compile(re.escape(p.lower())) for p in others),
                tuple(w.lower() for w in corpus.places.home))
        years: set[int] = set()
        for doc in corpus.documents:
            years.update(int(y) for y in _YEAR_RE.findall(doc.meta.date))
            for provision in doc.provisions:
                years.update(int(y) for y in _YEAR_RE.findall(provision.text))
        return cls(categories, frozenset(years), coined_on)

    def check(self, question: str) -> str | None:
        """The category a question falls into, or None when it may be answered."""
        text = question.lower()
        for name in self.ORDER:
            if self._categories[name].matches(text):
                return name
        years = {int(y) for y in _YEAR_RE.findall(text)}
        if years - self._years:
            return "unknown_year"
        return None

    def stated(self, name: str, texts: list[str]) -> bool:
        """Whether the texts give the detail ``name`` asks after all (通报批评和约谈问责)."""
        category = self._categories.get(name)
        return category is not None and any(w in t for w in category.stated_by for t in texts)

    def in_passing(self, name: str, question: str) -> bool:
        """Whether all that made ``question`` fall into category ``name`` may be said in
        passing (退休, 下雨) of a question the documents answer."""
        category = self._categories.get(name)
        if category is None or not category.in_passing:
            return False
        text = question.lower()
        matched = {p.pattern for p in category.patterns if p.search(text)}
        return bool(matched) and matched <= set(category.in_passing)

    def without(self, question: str, name: str) -> str:
        """The question with what matched category ``name`` taken out: 申报材料 says what is
        asked, not what about."""
        text = question.lower()
        for pattern in self._categories[name].patterns:
            text = pattern.sub(" ", text)
        return text

    def unstated(self, question: str) -> tuple[str, ...]:
        """Every kind of detail asked for that the documents never give, in ``UNSTATED``
        order (有没有补贴？能补多少？ asks one; 补多少、怎么申请 two)."""
        # a quoted term is the texts' own (“保险费率调节机制”): asked whether it is written,
        # not for the rate it names
        text = _QUOTED_TERM.sub("“”", question.lower())
        return tuple(name for name in self.UNSTATED if self._categories[name].matches(text))
