"""Homophone typos of the texts' own words: 两网溶合 → 两网融合, 汽休厂 → 汽修厂,
节能改照 → 节能改造; and one-letter typos of the English words the assistant knows
(qualty → quality, resposible → responsible).

People type Chinese by pinyin, so a wrong character usually sounds like the right one. A
stretch of the question that no text contains and that is no dictionary word is replaced by
the one word of the texts that sounds the same (tones and the z/zh, c/ch, s/sh, n/l, -n/-ng
pairs that many speakers merge left aside) and differs from it in a single character. Two or
more such words, or none: the question is left as it is. The vocabulary is the texts' own
words (the index tokenizer's), so the corrections follow the corpus, not a list in code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache

from indexing.lexical import Tokenizer

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_EN_WORD = re.compile(r"[A-Za-z]+")
_EN_MIN = 5  # shorter English words have too many neighbours one letter away
# characters of grammar and of asking: a stretch with one is no misspelt term
_FUNCTION = frozenset("的了是吗呢啊吧么我你他她它们在有和就都也还要会能这那哪啥什怎谁多少几个么嘛呀"
                      "没不给让被把从向对为与及或而且但如果吧咱俺您")
# where an agency's name ends (市生太环境局有): its typos are the agency matcher's to mend
_NAME_ENDS = frozenset("局委厅办院府")
_MERGED = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("ang", "an"), ("eng", "en"), ("ing", "in"),
           ("l", "n"))


@cache
def _pinyin() -> object:
    import pypinyin  # a dictionary of several MB: loaded when the first speller is built

    return pypinyin


@cache
def _english_dictionary() -> frozenset[str]:
    """The words of English (pyspellchecker's frequency list): a real word is never mended
    towards a domain word one letter away (write is not wrote, takes is not taxes)."""
    from spellchecker import SpellChecker

    return frozenset(SpellChecker(language="en", distance=1).word_frequency.dictionary)


def _sound(syllable: str) -> str:
    for long, short in _MERGED:
        if syllable.startswith(long) or (len(long) > 1 and syllable.endswith(long)):
            syllable = syllable.replace(long, short)
    return syllable


class Speller:
    def __init__(self, words: Iterable[str], texts: str, dictionary: Iterable[str],
                 segments: Callable[[str], list[str]], english: Iterable[str] = ()) -> None:
        """``words``: the texts' vocabulary; ``texts``: all of them, to tell a stretch they
        contain; ``dictionary``: the tokenizer's general words (a real word is no typo)."""
        self._texts = texts
        self._segments = segments
        self._dictionary = frozenset(w for w in dictionary if 2 <= len(w) <= 4)
        by_sound: dict[tuple[str, ...], set[str]] = {}
        for word in words:
            if 2 <= len(word) <= 4 and _CJK_RUN.fullmatch(word):
                by_sound.setdefault(self._sounds(word), set()).add(word)
        self._by_sound = by_sound
        # English: the words of the phrases the search knows; a stem (recycl) covers any word
        # it begins
        self._english = frozenset(w for phrase in english for w in _EN_WORD.findall(phrase))
        self._english_full = [w for w in self._english if len(w) >= _EN_MIN]

    @classmethod
    def of(cls, tokenizer: Tokenizer, texts: Iterable[str],
           english: Iterable[str] = ()) -> Speller:
        """``english``: English names and phrases beyond the search's (agencies, places,
        document titles)."""
        texts = list(texts)
        words = {w for t in texts for w in tokenizer.tokens(t)}
        return cls(words, "\n".join(texts), tokenizer.dictionary(), tokenizer.segments,
                   [*tokenizer.english_phrases(), *(e.lower() for e in english)])

    def _sounds(self, text: str) -> tuple[str, ...]:
        pinyin = _pinyin()
        return tuple(_sound(s) for s in pinyin.lazy_pinyin(text))  # type: ignore[attr-defined]

    def correct(self, text: str) -> str:
        """``text`` with each homophone typo of a text's word replaced (longest first), and
        each English word one letter off a known one."""
        if self._english_full:
            text = _EN_WORD.sub(lambda m: self._word(m.group()), text)
        for run in _CJK_RUN.finditer(text):
            fixed = self._run(run.group())
            if fixed != run.group():
                text = text.replace(run.group(), fixed, 1)
        return text

    def _run(self, run: str) -> str:
        sounds = self._sounds(run)
        if len(sounds) != len(run):
            return run
        # the tokenizer's reading of the run: a typo breaks a word into odd pieces, and a
        # stretch across two good words (第二十二条讲 → 条件) is no candidate
        segments = self._segments(run)
        bounds, owner, at = {0}, [], 0
        for seg in segments:
            owner += [seg] * len(seg)
            at += len(seg)
            bounds.add(at)
        if at != len(run):
            return run
        fixed = list(run)
        for n in (4, 3, 2):
            for start in range(len(run) - n + 1):
                if start not in bounds or start + n not in bounds:
                    continue
                window = "".join(fixed[start:start + n])
                word = self._fix(window, sounds[start:start + n], owner[start:start + n])
                if word is not None:
                    fixed[start:start + n] = list(word)
        return "".join(fixed)

    def _fix(self, window: str, sounds: tuple[str, ...], owners: list[str]) -> str | None:
        if window in self._texts or window in self._dictionary:
            return None
        candidates = [w for w in self._by_sound.get(sounds, ())
                      if sum(a != b for a, b in zip(w, window, strict=True)) == 1]
        if len(candidates) != 1:
            return None
        at = next(i for i, (a, b) in enumerate(zip(candidates[0], window, strict=True))
                  if a != b)
        seg = owners[at]
        # the wrong character stands alone (and is no grammar word: X是 is not X市), or
        # sits in a piece the texts never use (溶合)
        if window[at] in _NAME_ENDS or (len(seg) == 1 and seg in _FUNCTION) \
                or (len(seg) > 1 and seg in self._texts):
            return None
        return candidates[0]

    def _word(self, word: str) -> str:
        low = word.lower()
        if len(low) < _EN_MIN or low in self._english or low in _english_dictionary() \
                or any(low.startswith(w) for w in self._english if len(w) >= 4):
            return word  # a word of the domain, or of English at all (write, takes): no typo
        near = {w for w in self._english_full if w[0] == low[0] and _one_edit(w, low)}
        return near.pop() if len(near) == 1 else word


def _one_edit(a: str, b: str) -> bool:
    """One letter left out, added, changed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((i for i in range(len(short)) if short[i] != long[i]), len(short))
    return short[i:] == long[i + 1:]
