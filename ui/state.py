"""The live objects of one app, kept on ``app.state.service`` and reached by routes through
the ``get_service`` dependency (tests may override it).

The service opens in the background: ``start`` (from the lifespan) parses the corpus at once,
so the structure routes answer immediately, and opens the index in a thread (building it
first when needed, retrying while the store is unavailable); until then question routes answer
503 "building" with Retry-After and ``/readyz`` says so.

A *generation* is one opened index with the Assistant over it. A question route takes the
current generation with ``using()`` and keeps it to the end, so a request never mixes two
indexes; a reindex builds the next generation beside the current one (same store, same
embedder), swaps it in, and drops the old collection ``generation_grace`` seconds later, once
the last request using it has left. One reindex at a time, across the processes that share the
data directory (a lock file; 409).

Replicas (processes sharing the data directory and the store) follow each other: each looks at
the index manifest every ``generation_poll`` seconds and swaps in the generation it names when
another replica has built it; the grace period is what lets them leave the old one first.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, cast

from starlette.requests import Request

from assistant.llm import Polisher
from assistant.search import Searcher
from assistant.service import Assistant
from core.errors import BuildRunning, StoreUnavailable
from core.settings import Settings
from indexing.build_lock import build_lock
from indexing.catalogue import FileSnapshot
from indexing.corpus import Corpus
from indexing.index import (
    BuildReport,
    Index,
    IndexLocation,
    build_index,
    discard_generation,
    ensure_index,
    open_index,
)
from indexing.store import VectorStore, get_store, store_location
from ui.backoff import Backoff
from ui.errors import ApiError
from ui.metrics import Metrics
from ui.ratelimit import ClientIdentity, RateLimiter

log = logging.getLogger("policy_assistant.http")

_RETRY_LIMIT = 30.0  # seconds between attempts to open the index while the store is away


class Generation:
    """An Assistant over one index, and how many requests are using it."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.users = 0
        self.drop: Callable[[], None] | None = None  # set when retired


def wire(settings: Settings, corpus: Corpus, index: Index) -> Assistant:
    """The Assistant of a new generation, warmed before it serves (no question pays seconds
    for what the first questions would load)."""
    assistant = Assistant(corpus, Searcher(index, corpus, settings.search), settings.assistant,
                          polisher=Polisher.from_settings(settings.llm, corpus))
    assistant.warm()
    return assistant


class Service:
    def __init__(self, settings: Settings, assistant: Assistant | None = None) -> None:
        self.settings = settings
        self.metrics = Metrics()
        server = settings.server
        self.limiter = RateLimiter(server.rate_limit_per_minute, server.rate_limit_burst)
        self.identity = ClientIdentity(server.trusted_proxies)
        self.admin_backoff = Backoff(server.admin_failures, server.admin_backoff_max)
        self._lock = threading.Lock()
        self._current = Generation(assistant) if assistant is not None else None
        self.corpus: Corpus | None = assistant.corpus if assistant is not None else None
        # starting → building → ready, or failed (detail says why)
        self.state = "ready" if assistant is not None else "starting"
        self.detail = ""
        self.reindex_lock = threading.Lock()  # held while a reindex runs
        self._stop = threading.Event()
        self._opener: threading.Thread | None = None
        self._follower: threading.Thread | None = None
        self._builder: VectorStore | None = None  # a reindex's own store client, made once

    # -- what routes use ------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self._current is not None

    def _not_ready(self) -> ApiError:
        retry = {"Retry-After": str(self.settings.server.retry_after)}
        if self.state == "failed":
            return ApiError(503, "unavailable", "the service could not open its index; the "
                                                "error is logged", retry)
        return ApiError(503, "building", "the service is still opening its index", retry)

    @property
    def assistant(self) -> Assistant:
        """The current Assistant (for callers that hold it only briefly: the console)."""
        current = self._current
        if current is None:
            raise self._not_ready()
        return current.assistant

    @contextmanager
    def using(self) -> Iterator[Assistant]:
        """The current Assistant, kept (its generation not dropped) until the block ends."""
        with self._lock:
            generation = self._current
            if generation is None:
                raise self._not_ready()
            generation.users += 1
        try:
            yield generation.assistant
        finally:
            with self._lock:
                generation.users -= 1
                drop = generation.drop if generation.users == 0 else None
                if drop is not None:
                    generation.drop = None
            if drop is not None:
                drop()

    def structure(self) -> Corpus:
        """The parsed corpus: available from the start, before the index is open."""
        corpus = self.corpus
        if corpus is None:
            raise self._not_ready()
        return corpus

    @property
    def reindexing(self) -> bool:
        return self.reindex_lock.locked()

    def client(self, request: Request) -> str:
        return self.identity.of(request)

    def take_question_token(self, request: Request, endpoint: str) -> None:
        """The rate limit of the question endpoints: 429 with Retry-After when spent."""
        wait = self.limiter.acquire(self.client(request))
        if wait:
            self.metrics.rate_limited.labels(endpoint).inc()
            raise ApiError(429, "rate_limited", f"too many questions from this client; "
                                                f"retry in {wait} s", {"Retry-After": str(wait)})

    def readiness(self) -> dict[str, Any]:
        """What /readyz says; ``ready`` is true only with the index open and the store
        answering. Blocking (it pings the store, within the store's timeout)."""
        current = self._current
        if current is None:
            return {"ready": False, "status": self.state, "detail": self.detail}
        index = current.assistant.searcher.index
        body = {"collection": index.manifest.collection, "reindexing": self.reindexing,
                "breaker": index.store.breaker}
        try:
            index.store.ping()
        except StoreUnavailable as exc:
            return {"ready": False, "status": "store_unavailable", "detail": str(exc), **body}
        return {"ready": True, "status": "ready", "detail": "", **body}

    # -- opening ----------------------------------------------------------------------------

    def start(self) -> None:
        """Parse the corpus now and open the index in the background (no-op when an Assistant
        was given). A corpus that does not parse raises: the service cannot start."""
        if self._current is not None or self._opener is not None:
            return
        self.corpus = Corpus.load(self.settings.corpus.dir)
        self.state = "building"
        self._opener = threading.Thread(target=self._open_until_done, name="open-index",
                                        daemon=True)
        self._opener.start()
        if self.settings.server.generation_poll > 0:
            self._follower = threading.Thread(target=self._follow, name="follow-generation",
                                              daemon=True)
            self._follower.start()

    def _open_until_done(self) -> None:
        delay = 1.0
        while not self._stop.is_set():
            try:
                self.open()
                return
            except StoreUnavailable as exc:
                self.detail = f"waiting for the store: {exc}"
                log.warning("cannot open the index yet (%s); retrying in %g s", exc, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, _RETRY_LIMIT)
            except Exception as exc:
                if self._stop.is_set():
                    return
                self.state, self.detail = "failed", str(exc).splitlines()[0][:300]
                log.error("cannot open the index: %s", exc, exc_info=exc)
                return

    def open(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Open the index, building or updating it first (and removing what a crash left
        behind). Blocking."""
        corpus = self.corpus or Corpus.load(self.settings.corpus.dir)

        def waiting(who: str) -> None:
            self.detail = f"waiting for the index build of {who}"
            log.info("another process is building the index (%s): waiting for it", who)

        # another replica or worker may be building: wait for it, then find the index current
        with build_lock(IndexLocation(self.settings.data_dir).dir, wait=True, stop=self._stop,
                        waiting=waiting):
            index, _ = ensure_index(self.settings, corpus, progress=progress,
                                    clean_older_than=self.settings.server.generation_grace)
        with self._lock:
            self.corpus = corpus
            self._current = Generation(wire(self.settings, corpus, index))
        self.state, self.detail = "ready", ""
        log.info("serving index %s", index.manifest.collection)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        for thread in (self._opener, self._follower):
            if thread is not None:
                thread.join(timeout)
        if self._builder is not None:
            self._builder.close()
            self._builder = None

    def _follow(self) -> None:
        """Swap in the generation the manifest names when another replica has built it."""
        while not self._stop.wait(self.settings.server.generation_poll):
            current = self._current
            if current is None or self.reindexing:
                continue
            try:
                manifest = IndexLocation(self.settings.data_dir).manifest()
                index = current.assistant.searcher.index
                if manifest is None or manifest.collection == index.manifest.collection:
                    continue
                settings = self.settings
                corpus = Corpus.load(settings.corpus.dir)
                fresh = open_index(corpus, settings.corpus.dir, settings.data_dir,
                                   index.embedder, index.store)
            except Exception as exc:  # the next look may find it complete
                log.warning("cannot follow the index generation yet: %s", exc)
                continue
            with self._lock:
                if self._current is current:  # not swapped meanwhile by a reindex here
                    self._current, self.corpus = Generation(wire(settings, corpus, fresh)), corpus
            log.info("following: serving index %s", fresh.manifest.collection)

    # -- reindexing -------------------------------------------------------------------------

    def reindex(self, change: Callable[[], Callable[[], None]] | None = None) -> BuildReport:
        """Reload the corpus, build the next generation beside the current one, swap it in.
        One at a time: a second call while one runs raises 409. Blocking.

        ``change`` edits the corpus on disk first, under the same locks, and returns its undo:
        when the corpus does not load or its generation cannot be built and served, the undo
        runs and the manifest is put back, so the corpus and the index are as they were."""
        if not self.reindex_lock.acquire(blocking=False):
            raise ApiError(409, "reindex_running", "a reindex is already running; try again "
                                                   "when it has finished")
        try:
            with build_lock(IndexLocation(self.settings.data_dir).dir):
                if change is None:
                    return self._reindex()
                if self._current is None:
                    raise self._not_ready()
                manifest = FileSnapshot.take(IndexLocation(self.settings.data_dir).manifest_path)
                undo = change()
                try:
                    return self._reindex()
                except BaseException:
                    undo()
                    manifest.restore()
                    raise
        except BuildRunning as exc:
            raise ApiError(409, "reindex_running", str(exc)) from None
        finally:
            self.reindex_lock.release()

    def _reindex(self) -> BuildReport:
        current = self._current
        if current is None:
            raise self._not_ready()
        settings = self.settings
        index = current.assistant.searcher.index
        # the serving store is reused (no new connections or files per reindex) when it
        # is the one settings name
        store = index.store
        if store.location != store_location(settings.store, settings.data_dir):
            store = get_store(settings.store, settings.data_dir)
        builder = self._store_for_builds(store)
        corpus = Corpus.load(settings.corpus.dir)
        report = build_index(corpus, settings.corpus.dir, settings.data_dir,
                             index.embedder, builder, settings.store.backend,
                             settings.store.collection, keep_previous=True)
        if not report.changed:
            return report
        # checked through the builder too: the manifest names the new generation already, so
        # a question's short deadline here would answer 503 for a reindex that took effect
        fresh = open_index(corpus, settings.corpus.dir, settings.data_dir, index.embedder,
                           builder)
        if builder is not store:
            fresh = replace(fresh, store=store)  # questions keep the serving client
        self._swap(Generation(wire(settings, corpus, fresh)), corpus, report)
        return report

    def _store_for_builds(self, serving: VectorStore) -> VectorStore:
        """The serving store, or for a Chroma server a client of the reindexes' own with the
        build deadline (``STORE__BUILD_TIMEOUT``), made at the first reindex and kept."""
        wanted = self.settings.store.for_builds()
        if wanted == self.settings.store:
            return serving
        if self._builder is None:
            self._builder = get_store(wanted, self.settings.data_dir)
        return self._builder

    def _swap(self, fresh: Generation, corpus: Corpus, report: BuildReport) -> None:
        """Serve ``fresh``; drop the old generation after the grace period (other replicas
        move to the new one meanwhile), and not before its last request here has left."""
        store, data_dir = fresh.assistant.searcher.index.store, self.settings.data_dir

        def drop() -> None:
            discard_generation(store, data_dir, report.previous_collection,
                               report.previous_lexical)
            log.info("dropped index %s", report.previous_collection)

        with self._lock:
            old, self._current, self.corpus = self._current, fresh, corpus

        def when_unused() -> None:
            with self._lock:
                if old is not None and old.users > 0:
                    old.drop, drop_now = drop, False
                else:
                    drop_now = True
            if drop_now:
                drop()

        grace = self.settings.server.generation_grace
        if grace <= 0:
            when_unused()
            return
        timer = threading.Timer(grace, when_unused)
        timer.daemon = True
        timer.start()


async def get_service(request: Request) -> Service:
    """Async, so that resolving it never takes a worker thread."""
    return cast(Service, request.app.state.service)
