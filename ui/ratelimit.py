"""A token bucket per client for the question endpoints.

Each client may ask ``burst`` questions at once and then ``per_minute`` a minute: its bucket
holds at most ``burst`` tokens, refills at ``per_minute / 60`` tokens a second, and each
question takes one. An empty bucket answers with the whole seconds until the next token
(the Retry-After header). A client is its address (``ClientIdentity``): the peer's, or, when
the peer is one of the deployment's trusted proxies, the right-most X-Forwarded-For address
that is not a trusted proxy, as nginx's ``real_ip_recursive`` and uvicorn's
``forwarded_allow_ips`` read it. Whatever a client writes at the left of the header is ignored.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request

_MAX_CLIENTS = 10_000  # buckets kept before full (idle) ones are forgotten


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, per_minute: int, burst: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0  # tokens a second
        self.burst = float(burst)
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def acquire(self, client: str) -> int:
        """Take a token: 0 when allowed, else the seconds to wait (at least 1)."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(client)
            if bucket is None:
                if len(self._buckets) >= _MAX_CLIENTS:
                    self._forget_idle(now)
                bucket = self._buckets[client] = _Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0
            return max(1, math.ceil((1.0 - bucket.tokens) / self.rate))

    def _forget_idle(self, now: float) -> None:
        """Drop the buckets that have refilled: forgetting them changes nothing."""
        full = [k for k, b in self._buckets.items()
                if b.tokens + (now - b.updated) * self.rate >= self.burst]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= _MAX_CLIENTS:  # all busy: forget the oldest
            oldest = sorted(self._buckets, key=lambda k: self._buckets[k].updated)
            for key in oldest[: len(oldest) // 2]:
                del self._buckets[key]


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ClientIdentity:
    """Who a request comes from, given the trusted proxies (addresses or CIDR networks)."""

    def __init__(self, trusted_proxies: list[str]) -> None:
        self.trusted: tuple[Network, ...] = tuple(
            ipaddress.ip_network(p.strip(), strict=False) for p in trusted_proxies)

    def is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)

    def of(self, request: Request) -> str:
        peer = request.client.host if request.client else "unknown"
        return self.resolve(peer, request.headers.getlist("x-forwarded-for"))

    def resolve(self, peer: str, forwarded_for: list[str]) -> str:
        if not self.trusted or not self.is_trusted(peer):
            return peer
        hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
        for hop in reversed(hops):
            if not self.is_trusted(hop):
                try:
                    return str(ipaddress.ip_address(hop))
                except ValueError:
                    return peer  # garbage where an address should be: the proxy is the client
        return hops[0] if hops else peer
