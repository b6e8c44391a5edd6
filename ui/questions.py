"""Where the question routes do their work: a thread pool as wide as the process's cores.

A question is CPU work (understanding, BM25, fusion, composing in Python; the embedding in the
engine's own threads). Run as a plain ``def`` route it would take a thread of Starlette's
default pool (40 threads), so every question in flight ran at once: eight of them in one
process took turns at the GIL, each finishing late, and their embeddings started OpenMP
teams side by side on two cores. The routes are ``async`` instead and hand the work to this
pool, sized for the cores (``SERVER__QUESTION_THREADS``, 0: one per core): the others wait
their turn in the queue, in order, and what is running finishes sooner. The event loop stays
free for the routes that never wait (health, widget, metrics).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar, cast

from starlette.requests import Request

T = TypeVar("T")


def cores() -> int:
    """The cores this process may run on (its affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


class QuestionPool:
    def __init__(self, threads: int = 0) -> None:
        self.threads = threads or cores()
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="question")

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` in the pool; its exceptions are raised here."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, partial(fn, *args, **kwargs))

    def close(self) -> None:
        """Stop taking work; what is running finishes (the server drains requests first)."""
        self._pool.shutdown(wait=False, cancel_futures=True)


async def get_questions(request: Request) -> QuestionPool:
    """The app's pool (a dependency: async, so resolving it takes no thread)."""
    return cast(QuestionPool, request.app.state.questions)
