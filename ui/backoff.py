"""Back-off after repeated wrong credentials, per client.

After ``allowed`` failures in a row a client is refused for 1 s, then 2, 4 … up to
``longest`` seconds, doubling with each further failure; a success clears its record. The
caller answers 429 with Retry-After while a client waits (without checking its credentials,
so guessing gains nothing).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

_MAX_CLIENTS = 10_000


class Backoff:
    def __init__(self, allowed: int, longest: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.allowed = allowed
        self.longest = longest
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, tuple[int, float]] = {}  # client -> (count, blocked until)

    def wait(self, client: str) -> int:
        """Whole seconds the client must still wait (0: it may try)."""
        with self._lock:
            _, until = self._failures.get(client, (0, 0.0))
        return max(0, math.ceil(until - self._clock()))

    def failed(self, client: str) -> None:
        with self._lock:
            if len(self._failures) >= _MAX_CLIENTS:
                now = self._clock()
                self._failures = {k: v for k, v in self._failures.items() if v[1] > now}
            count = self._failures.get(client, (0, 0.0))[0] + 1
            until = 0.0
            if count >= self.allowed:
                until = self._clock() + min(self.longest, 2 ** (count - self.allowed))
            self._failures[client] = (count, until)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)
