"""One index build at a time among the processes that share a data directory: a lock file.

``build_lock(index_dir)`` holds an exclusive ``flock`` on ``index_dir/build.lock`` for the
duration of a build. Replicas and workers starting together on an empty data directory take
turns: the first builds, the others wait (their ``/readyz`` says ``building``) and then find
the index current, so it is built once. A reindex asked for while another runs anywhere fails
at once with ``BuildRunning`` (HTTP 409).

Stale locks: the lock belongs to an open file, and the kernel releases it when its process
ends, however it ends (``kill -9`` and power loss included; on NFSv4 the server releases it
when the holder's lease expires). So a crashed builder never blocks the next one, which takes
the lock, removes what the crash left (``clean_leftovers``) and builds. The file's text names
the holder (``pid@host since …``) for messages only; it is never trusted for locking.
"""

from __future__ import annotations

import fcntl
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from core.errors import BuildRunning

LOCK_FILE = "build.lock"
_POLL = 0.2  # seconds between attempts while waiting


def _try(handle: IO[str]) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def holder(index_dir: Path) -> str:
    """Who holds (or last held) the lock, as its file says: ``pid@host since …``, or ""."""
    try:
        return (index_dir / LOCK_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


@contextmanager
def build_lock(index_dir: Path, wait: bool = False, stop: threading.Event | None = None,
               waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the build lock for the block. Busy: raise ``BuildRunning`` (``wait``: poll until
    free, calling ``waiting(holder)`` once; ``stop`` set meanwhile raises ``BuildRunning``)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / LOCK_FILE).open("a+", encoding="utf-8") as handle:
        if not _try(handle):
            who = holder(index_dir) or "another process"
            if not wait:
                raise BuildRunning(f"a build is already running ({who}); try again when it "
                                   "has finished")
            if waiting is not None:
                waiting(who)
            while not _try(handle):
                if stop is not None and stop.wait(_POLL):
                    raise BuildRunning(f"stopped while waiting for the build of {who}")
                if stop is None:
                    time.sleep(_POLL)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}@{socket.gethostname()} since "
                         f"{time.strftime('%Y-%m-%dT%H:%M:%S%z')}\n")
            handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
