"""A rate limit for the one form anyone may post (the public defect report), beside the body
limits of ``limits``: an anonymous client gets a few posts an hour, not a flood."""

from __future__ import annotations

import ipaddress
import time
from collections import deque
from collections.abc import Callable


def client_key(host: str | None) -> str:
    """Whom a request counts against: its IPv4 address, or its IPv6 /64 (one subscriber's
    network: anyone holding one has 2^64 addresses to rotate through)."""
    if host is None:
        return "-"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class RateLimit:
    """At most ``per_key`` hits per ``window`` for each key and ``per_client`` for each client,
    in this process's memory: nothing about a client is stored (an address is personal data),
    and a restart forgets. Behind several gateway processes each counts its own.

    When ``max_clients`` clients are being tracked, a new one is refused until some age out:
    a flood of addresses costs it bounded memory and fails closed for this form only."""

    def __init__(
        self,
        per_key: int,
        per_client: int,
        window: float,
        max_clients: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_key, self.per_client, self.window = per_key, per_client, window
        self.max_clients = max_clients
        self._clock = clock
        self._hits: dict[str, deque[tuple[float, str]]] = {}

    def hit(self, client: str, key: str) -> float | None:
        """Count one hit; None if allowed, else the seconds until the client may try again."""
        now = self._clock()
        hits = self._hits.get(client)
        if hits is None:
            if len(self._hits) >= self.max_clients:
                self._forget(now)
            if len(self._hits) >= self.max_clients:
                return self.window
            hits = self._hits[client] = deque()
        while hits and hits[0][0] <= now - self.window:
            hits.popleft()
        same = [at for at, k in hits if k == key]
        if len(same) >= self.per_key:
            return same[0] + self.window - now
        if len(hits) >= self.per_client:
            return hits[0][0] + self.window - now
        hits.append((now, key))
        return None

    def _forget(self, now: float) -> None:
        stale = [
            c for c, hits in self._hits.items() if not hits or hits[-1][0] <= now - self.window
        ]
        for client in stale:
            del self._hits[client]
