"""Agencies a question names: canonical names and aliases (发改委, 规资局), English names in
their common word orders (Commerce Bureau, Bureau of Commerce), and one-character typos of a
Chinese name (发该委). The keys come from the agency registry and the texts, never from code.

Agencies of other jurisdictions' plans (the corpus's agency directory) are named by their
derived keys (广西发改委, 自治区发展改革委, 工信厅): a key home has means home's agency unless the
question names the other place (广西的发改委); a key only other jurisdictions have means theirs
when one has it, and is ``ambiguous`` when several do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from indexing.corpus import Corpus

# a national body is not the city's namesake: 国家发展改革委 is not 市发展改革委
_NATIONAL_PREFIXES = ("国家", "国务院", "中央", "全国")
# words that name no agency in particular, left out of English matching (with the home place's
# own words, from corpus/places.toml)
_ENGLISH_FILLER = frozenset({"of", "the", "and", "for", "municipal", "people's", "all", "city",
                             "s"})
_WORD = re.compile(r"[a-z']+")
# the last character of a department's short name: where a typo search may end (院, 府, 行
# end too many ordinary words: 医院, 政府, 银行)
_SUFFIXES = "局委厅办"


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


@dataclass(frozen=True, slots=True)
class _English:
    name: str
    words: frozenset[str]


class AgencyMatcher:
    def __init__(self, corpus: Corpus) -> None:
        filler = _ENGLISH_FILLER | {w for place in (*corpus.places.home, corpus.places.english)
                                    for w in _words(place)}
        keys: dict[str, str] = {}
        english: list[_English] = []
        for agency in corpus.registry:
            for key in (agency.name, *agency.aliases):
                keys[key.lower()] = agency.name
            if agency.english:
                keys[agency.english.lower()] = agency.name
                content = frozenset(w for w in _words(agency.english)
                                    if w not in filler)
                if len(content) >= 2:
                    english.append(_English(agency.name, content))
        for name in corpus.agencies_in_use:
            keys.setdefault(name.lower(), name)
        self._keys = keys
        self._directory = corpus.directory
        self._held = corpus.places.held
        self._others = corpus.directory.keys  # key → agencies of other jurisdictions
        self._ordered = sorted({*keys, *self._others}, key=len, reverse=True)
        self._english = english
        self._typo_keys = [k for k in keys if len(k) >= 3 and re.search(r"[\u4e00-\u9fff]", k)]

    def find(self, question: str) -> tuple[str, ...]:
        """Canonical names in the order they appear; longer names win over names inside
        them."""
        text = question.lower()
        scanned = self._scan(text)
        found = [(start, names[0]) for start, _, names in scanned if len(names) == 1]
        found += self._english_forms(text, found)
        taken = {i for start, key, _ in scanned for i in range(start, start + len(key))}
        found += self._short_forms(text, taken)
        if not scanned and not found:
            found += self._typos(text)
        return tuple(dict.fromkeys(name for _, name in sorted(found)))

    def places_of_agencies(self, question: str) -> tuple[str, ...]:
        """The other places (held by the corpus) whose agencies the question names: XX发改委,
        or 工信厅 when only other places have one. A name home has is home's."""
        held = {h.jurisdiction for h in self._held}
        out: dict[str, None] = {}
        for _, _, names in self._scan(question.lower()):
            for name in names:
                listed = self._directory.listed(name)
                if listed is not None and listed.jurisdiction in held:
                    out[listed.jurisdiction] = None
        return tuple(out)

    def ambiguous(self, question: str) -> tuple[str, tuple[str, ...]] | None:
        """The first name in the question that several other jurisdictions' agencies have
        and home's none (自治区发展改革委 with two regions' plans loaded), and those agencies."""
        return next(((question[start:start + len(key)], names)
                     for start, key, names in self._scan(question.lower()) if len(names) > 1),
                    None)

    def _scan(self, text: str) -> list[tuple[int, str, tuple[str, ...]]]:
        """Each key found, longest first, where no longer one stands: the agencies it means."""
        taken = [False] * len(text)
        places: tuple[str, ...] | None = None
        found: list[tuple[int, str, tuple[str, ...]]] = []
        for key in self._ordered:
            start = text.find(key)
            while start >= 0:
                span = range(start, start + len(key))
                if not any(taken[i] for i in span) \
                        and not text[:start].endswith(_NATIONAL_PREFIXES):
                    for i in span:
                        taken[i] = True
                    if places is None and key in self._others:
                        places = self._directory.places_named(text)
                    found.append((start, key, self._meant(key, places or ())))
                start = text.find(key, start + 1)
        return found

    def _meant(self, key: str, places: tuple[str, ...]) -> tuple[str, ...]:
        """Home's agency by default; the named place's if the question names one that has
        it; else every other jurisdiction's agency the key may mean."""
        others = self._others.get(key, ())
        there = self._directory.in_place(others, places)
        if there:
            return there
        if key in self._keys:
            return (self._keys[key],)
        return others

    def _english_forms(self, text: str,
                       found: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
        """Commerce Bureau / Bureau of Commerce / commerce bureau of Tianjin: every content
        word of the registry's English name, within one stretch of the question."""
        have = {name for _, name in found}
        words = _words(text)
        if not words:
            return []
        out = []
        for e in self._english:
            if e.name in have:
                continue
            for i in range(len(words)):
                window = set(words[i:i + len(e.words) + 3])
                if e.words <= window:
                    out.append((text.find(words[i]), e.name))
                    break
        # a longer name whose words include a shorter one's wins (Ecology and Environment
        # Bureau is not also an Environment Bureau)
        best = [o for o in out if not any(
            o[1] != p[1] and self._english_words(o[1]) < self._english_words(p[1])
            for p in out)]
        return best

    def _english_words(self, name: str) -> frozenset[str]:
        return next((e.words for e in self._english if e.name == name), frozenset())

    def _short_forms(self, text: str, taken: set[int]) -> list[tuple[int, str]]:
        """A short form no alias lists (生态局, 邮政局): a stretch that ends like an agency's
        name and keeps its characters in order, its first two among the name's first three;
        only where exactly one agency fits."""
        out = []
        for end, ch in enumerate(text, start=1):
            if ch not in _SUFFIXES or end - 1 in taken or _NATIONAL_BODY.search(text[:end]):
                continue
            for size in (5, 4, 3):
                start = end - size
                stretch = text[max(start, 0):end]
                if start < 0 or any(i in taken for i in range(start, end)) \
                        or not _CJK_ONLY.fullmatch(stretch):
                    continue
                names = {self._keys[k] for k in self._typo_keys
                         if len(k) > size and k[-1] == ch and _short_form(stretch, k)}
                if len(names) == 1:
                    out.append((start, names.pop()))
                    break
        return out

    def _typos(self, text: str) -> list[tuple[int, str]]:
        """A Chinese name with one character wrong (发该委 → 发改委), only where a stretch of
        the question ends like an agency's name."""
        out = []
        for end, ch in enumerate(text, start=1):
            if ch not in _SUFFIXES:
                continue
            for key in self._typo_keys:
                start = end - len(key)
                if start >= 0 and key[-1] == ch and _one_off(text[start:end], key):
                    out.append((start, self._keys[key]))
        names = {name for _, name in out}
        return out if len(names) == 1 else []  # two candidates: too unsure to pick


_CJK_ONLY = re.compile(r"[\u4e00-\u9fff]+")
# 国家发展改革委 names a national body: no short form of the city's namesake inside it
_NATIONAL_BODY = re.compile("(?:" + "|".join(_NATIONAL_PREFIXES) + r")[\u4e00-\u9fff]{0,6}$")


def _short_form(short: str, name: str) -> bool:
    """生态局 of 市生态环境局, 市生态局 too: the short form's characters in the name's order,
    its first two within the name's first three characters."""
    if name.find(short[:2]) not in (0, 1) and not (short[0] == name[0]
                                                   and short[1] in name[1:3]):
        return False
    return in_order(short, name)


def in_order(word: str, name: str) -> bool:
    """The word's characters stand in the name in order (邮政局 in 市邮政管理局)."""
    at = 0
    for ch in word:
        at = name.find(ch, at) + 1
        if at == 0:
            return False
    return True


def _one_off(a: str, b: str) -> bool:
    """One character differs, and not the first: 发该委 is 发改委, 求政府 is no 区政府."""
    return len(a) == len(b) and a[0] == b[0] \
        and sum(x != y for x, y in zip(a, b, strict=True)) == 1
