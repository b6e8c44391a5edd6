"""Homophone typos of the texts' own words: 两网溶合 → 两网融合, 汽休厂 → 汽修厂,
节能改照 → 节能改造.

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


def _sound(syllable: str) -> str:
    for long, short in _MERGED:
        if syllable.startswith(long) or (len(long) > 1 and syllable.endswith(long)):
            syllable = syllable.replace(long, short)
    return syllable


class Speller:
    def __init__(self, words: Iterable[str], texts: str, dictionary: Iterable[str],
                 segments: Callable[[str], list[str]]) -> None:
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

    @classmethod
    def of(cls, tokenizer: Tokenizer, texts: Iterable[str],
           extra: Iterable[str] = ()) -> Speller:
        texts = list(texts)
        words = {w for t in texts for w in tokenizer.tokens(t)} | set(extra)
        return cls(words, "\n".join(texts), tokenizer.dictionary(), tokenizer.segments)

    def _sounds(self, text: str) -> tuple[str, ...]:
        pinyin = _pinyin()
        return tuple(_sound(s) for s in pinyin.lazy_pinyin(text))  # type: ignore[attr-defined]

    def correct(self, text: str) -> str:
        """``text`` with each homophone typo of a text's word replaced (longest first)."""
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
        # the wrong character stands alone (and is no grammar word: 天津是 is not 天津市), or
        # sits in a piece the texts never use (溶合)
        if window[at] in _NAME_ENDS or (len(seg) == 1 and seg in _FUNCTION) \
                or (len(seg) > 1 and seg in self._texts):
            return None
        return candidates[0]
