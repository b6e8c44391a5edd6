"""Deadlines and a circuit breaker for the calls of one backend (the vector store).

``Guard.call(fn, what)`` runs ``fn`` on a small pool of the guard's own threads and waits at
most ``timeout`` seconds for it; a call that does not finish in time, or that fails because the
backend cannot be reached, raises ``StoreUnavailable``. After ``failures`` such calls in a row
the breaker opens: for ``reset`` seconds every call fails at once, without touching the
backend; then one call goes through as a probe, and its outcome closes the breaker or opens it
again. So a frozen store costs each caller at most one timeout while the breaker is closed and
nothing while it is open, and the service recovers by itself when the store comes back.

::

    closed ──(failures unavailable calls in a row)──▶ open ──(reset s)──▶ half-open
      ▲                                                 ▲                    │
      └────────────────── probe succeeds ───────────────┼──── probe fails ───┘
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TypeVar

from core.errors import StoreUnavailable

T = TypeVar("T")


class Guard:
    def __init__(self, name: str, timeout: float, failures: int, reset: float,
                 workers: int = 16, clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.timeout = timeout
        self.failures = failures
        self.reset = reset
        self._clock = clock
        self._lock = threading.Lock()
        self._failed = 0  # unavailable calls in a row
        self._opened_at: float | None = None
        self._probing = False
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)

    @property
    def state(self) -> str:
        with self._lock:
            if self._opened_at is None:
                return "closed"
            if self._probing or self._clock() - self._opened_at >= self.reset:
                return "half-open"
            return "open"

    def retry_after(self) -> int:
        """Whole seconds until the store is worth asking again (at least 1)."""
        with self._lock:
            if self._opened_at is None:
                return 1
            return max(1, math.ceil(self.reset - (self._clock() - self._opened_at)))

    def call(self, fn: Callable[[], T], what: str) -> T:
        probe = self._admit(what)
        future: Future[T] = self._pool.submit(fn)
        try:
            result = future.result(timeout=self.timeout)
        except FutureTimeout:
            future.cancel()  # still queued: never runs; running: its own timeout ends it
            self._record(ok=False, probe=probe)
            raise StoreUnavailable(f"{self.name}: {what} did not finish within "
                                   f"{self.timeout:g} s", self.retry_after()) from None
        except StoreUnavailable as exc:
            self._record(ok=False, probe=probe)
            exc.retry_after = self.retry_after()
            raise
        except BaseException:
            self._record(ok=True, probe=probe)  # the store answered, with an error
            raise
        self._record(ok=True, probe=probe)
        return result

    def _admit(self, what: str) -> bool:
        """True when this call is the half-open probe; raises while the breaker is open."""
        with self._lock:
            if self._opened_at is None:
                return False
            waited = self._clock() - self._opened_at
            if waited >= self.reset and not self._probing:
                self._probing = True
                return True
            wait = max(1, math.ceil(self.reset - waited))
        raise StoreUnavailable(f"{self.name} is unavailable (circuit open); {what} not tried",
                               wait)

    def _record(self, ok: bool, probe: bool) -> None:
        with self._lock:
            if probe:
                self._probing = False
            if ok:
                self._failed = 0
                self._opened_at = None
                return
            self._failed += 1
            if probe or self._failed >= self.failures:
                self._opened_at = self._clock()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
