"""The store's guard: deadlines and the circuit breaker, on a clock the test moves."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from core.errors import StoreError, StoreUnavailable
from core.settings import StoreSettings
from indexing.breaker import Guard


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def guard(clock: Clock) -> Iterator[Guard]:
    g = Guard("store", timeout=0.2, failures=3, reset=5.0, workers=2, clock=clock)
    yield g
    g.close()


def unavailable() -> None:
    raise StoreUnavailable("refused")


def test_calls_pass_while_closed(guard: Guard) -> None:
    assert guard.call(lambda: 42, "asking") == 42
    assert guard.state == "closed"


def test_an_error_the_store_gives_does_not_open_the_breaker(guard: Guard) -> None:
    def wrong() -> None:
        raise StoreError("no such collection")

    for _ in range(5):
        with pytest.raises(StoreError):
            guard.call(wrong, "asking")
    assert guard.state == "closed"


def test_a_call_over_the_deadline_is_unavailable(guard: Guard) -> None:
    release = threading.Event()
    with pytest.raises(StoreUnavailable, match=r"store: querying did not finish within 0\.2 s"):
        guard.call(lambda: release.wait(10), "querying")
    release.set()


def test_the_breaker_opens_fails_fast_probes_and_closes(guard: Guard, clock: Clock) -> None:
    for _ in range(3):
        with pytest.raises(StoreUnavailable):
            guard.call(unavailable, "asking")
    assert guard.state == "open"
    ran = []
    clock.now += 2
    with pytest.raises(StoreUnavailable, match="circuit open") as caught:
        guard.call(lambda: ran.append(1), "asking")
    assert (ran, caught.value.retry_after) == ([], 3)
    clock.now += 3  # reset passed: one probe goes through
    assert guard.state == "half-open"
    with pytest.raises(StoreUnavailable):
        guard.call(unavailable, "probing")
    assert guard.state == "open"  # the probe failed: open again for a whole reset
    clock.now += 5
    assert guard.call(lambda: "back", "probing") == "back"
    assert guard.state == "closed"


def test_failures_must_be_in_a_row(guard: Guard) -> None:
    for _ in range(3):
        for _ in range(2):
            with pytest.raises(StoreUnavailable):
                guard.call(unavailable, "asking")
        guard.call(lambda: None, "asking")
    assert guard.state == "closed"


def test_unavailable_carries_retry_after(guard: Guard, clock: Clock) -> None:
    for _ in range(3):
        with pytest.raises(StoreUnavailable) as caught:
            guard.call(unavailable, "asking")
    assert caught.value.retry_after == 5


@pytest.mark.parametrize(("host", "timeout", "build_timeout", "expected"), [
    ("chroma.internal", 1.5, 60.0, 60.0),  # a server: builds get their own, longer deadline
    ("chroma.internal", 3.0, 2.0, 3.0),  # never shorter than the questions' deadline
    ("", 1.5, 60.0, 1.5),  # embedded: the same client (its own deadline is long already)
], ids=["server", "build-deadline-shorter", "embedded"])
def test_builds_get_the_build_deadline(host: str, timeout: float, build_timeout: float,
                                       expected: float) -> None:
    settings = StoreSettings(host=host, timeout=timeout, build_timeout=build_timeout)
    for_builds = settings.for_builds()
    assert for_builds.timeout == expected
    assert (for_builds == settings) == (expected == timeout)  # same settings: same client
    assert for_builds.model_copy(update={"timeout": timeout}) == settings
