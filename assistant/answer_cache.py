"""The answers given lately, for the same question asked again with the same turns before it.

A government site hears the same few questions over and over (the widget's suggested ones, a
topic in the news), and an answer costs tens of milliseconds of CPU, most of it embedding the
question. An answer is a pure function of the question, the earlier turns, the settings and
the index generation, so it can be given again as it is: the key holds the question, every
turn (role and text) and the settings that shape answers, and the cache belongs to one
Assistant, i.e. one index generation: a reindex serves a new Assistant with an empty cache.
Answers are frozen dataclasses, shared safely between requests. Least recently used answers
go first; size 0 turns it off.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence

from core.model import Answer, Turn


class AnswerCache:
    def __init__(self, size: int, settings: Hashable) -> None:
        self.size = size
        self._settings = settings  # what shapes the answers besides the question and turns
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._answers)

    def key(self, question: str, history: Sequence[Turn]) -> Hashable:
        return (question, tuple((t.role, t.content) for t in history), self._settings)

    def answer(self, question: str, history: Sequence[Turn],
               compute: Callable[[], Answer]) -> Answer:
        """The answer given before to this question after these turns, else ``compute()``'s,
        kept. An error is not kept: the same question raises again."""
        if self.size <= 0:
            return compute()
        key = self.key(question, history)
        with self._lock:
            given = self._answers.get(key)
            if given is not None:
                self._answers.move_to_end(key)
                self.hits += 1
                return given
            self.misses += 1
        # computed outside the lock: two threads asking the same new question both compute
        # it (the same answer), rather than every other question waiting on this one
        answer = compute()
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return answer

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
