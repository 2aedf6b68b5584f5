"""Batch ingest load, as a site app syncs: ``POST /v1/events/batch`` of up to 1,000 events from a
few concurrent clients over many staffed projects, then waiting until every accepted event is
decided (sealed or rejected) in PostgreSQL.

Shared by ``make bench`` (its batch phase) and ``make bench-scale``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import asyncpg

from tests.support.events import lot, staffed
from tests.support.keys import author_token

BATCH_TYPE = "application/cloudevents-batch+json"


def batch_headers(token: str) -> dict[str, str]:
    return {"content-type": BATCH_TYPE, "authorization": f"Bearer {token}"}


async def post_batch(
    client: aiohttp.ClientSession,
    url: str,
    events: list[dict[str, Any]] | bytes,
    token: str,
    wait: float = 0,
) -> list[dict[str, Any]]:
    """The batch's results; a 503 (nothing taken in: PostgreSQL or Kafka unreachable for a moment)
    is retried after its Retry-After, for up to about a minute."""
    body = events if isinstance(events, bytes) else json.dumps(events).encode()
    for _ in range(30):
        async with client.post(
            url, params={"wait": str(wait)}, data=body, headers=batch_headers(token)
        ) as answer:
            if answer.status == 503:
                after = answer.headers.get("retry-after", "")
                await asyncio.sleep(min(5.0, float(after)) if after.isdigit() else 2.0)
                continue
            if answer.status != 200:
                raise RuntimeError(f"batch answered {answer.status}: {await answer.text()}")
            results: list[dict[str, Any]] = (await answer.json())["results"]
            return results
    raise RuntimeError("batch answered 503 for about a minute: is the stack up?")


async def staff(
    client: aiohttp.ClientSession, base_url: str, tokens: dict[str, str], projects: list[str]
) -> int:
    """Register and staff ``projects`` (registration, five appointments, five commitments each),
    in batches of one author each, waiting until sealed. Returns the events sealed."""
    url = f"{base_url}/v1/events/batch"
    by_author: dict[str, list[dict[str, Any]]] = {}
    steps = [staffed(project) for project in projects]
    sealed = 0
    # Step by step over all projects: each step's author differs, and a project's order holds.
    for step in range(len(steps[0])):
        by_author.clear()
        for events in steps:
            event = events[step]
            by_author.setdefault(author_token(tokens, event), []).append(event)
        for token, events in by_author.items():
            for i in range(0, len(events), 1000):
                results = await post_batch(client, url, events[i : i + 1000], token, wait=240)
                bad = [r for r in results if r.get("status") != "sealed"]
                if bad:
                    raise RuntimeError(f"staffing not sealed: {bad[:3]}")
                sealed += len(results)
    return sealed


def lot_batches(projects: list[str], events: int, size: int, first: int = 0) -> Iterator[bytes]:
    """Bodies of ``size`` inspection lots each, lot n for project n mod len(projects)."""
    for start in range(first, first + events, size):
        end = min(start + size, first + events)
        lots = [lot(projects[n % len(projects)], n) for n in range(start, end)]
        yield json.dumps(lots, ensure_ascii=False).encode()


@dataclass
class Sent:
    """What the clients got back: accepted (pending or already decided) and refused events."""

    accepted: int = 0
    refused: int = 0
    requests: int = 0
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0


async def send(
    client: aiohttp.ClientSession,
    base_url: str | list[str],
    token: str,
    bodies: Iterator[bytes],
    clients: int,
    sent: Sent | None = None,
) -> Sent:
    """POST every body from ``clients`` concurrent clients; each takes the next body when its
    previous request is answered. With several API base URLs, client ``i`` posts to the
    ``i``-th modulo their number (a load balancer's round robin, by connection)."""
    bases = [base_url] if isinstance(base_url, str) else base_url
    sent = sent or Sent()

    async def worker(url: str) -> None:
        for body in bodies:  # one shared iterator: each body is sent once
            t0 = time.perf_counter()
            results = await post_batch(client, url, body, token)
            sent.latencies.append(time.perf_counter() - t0)
            sent.requests += 1
            for result in results:
                if result.get("status") in ("pending", "sealed", "rejected"):
                    sent.accepted += 1
                else:
                    sent.refused += 1

    start = time.perf_counter()
    await asyncio.gather(
        *(worker(f"{bases[i % len(bases)]}/v1/events/batch") for i in range(clients))
    )
    sent.seconds = time.perf_counter() - start
    return sent


class Decided:
    """Events decided on ``projects`` so far, read cheaply enough to poll: the chain heads' seq
    (sealed) and the recorder's refusals (rejected), not a count over the outcomes. Given a pool,
    it may be read from concurrent tasks, and survives a restart of PostgreSQL."""

    def __init__(self, db: asyncpg.Connection | asyncpg.Pool, projects: list[str]) -> None:
        self.db = db
        self.projects = projects
        self.base_sealed = 0
        self.base_rejected = 0

    async def _now(self) -> tuple[int, int]:
        """Read again after a lost connection (PostgreSQL restarted under the run, which the
        services survive): a pool's connection is replaced, so retry for up to a minute."""
        for attempt in range(60):
            try:
                return await self._read()
            except (
                asyncpg.InterfaceError,
                asyncpg.PostgresConnectionError,
                asyncpg.CannotConnectNowError,
                OSError,
            ) as exc:
                if isinstance(self.db, asyncpg.Connection) or attempt == 59:
                    raise
                print(f"  (reading progress: {exc!r}; retrying)", flush=True)
                await asyncio.sleep(1)
        raise AssertionError("unreachable")

    async def _read(self) -> tuple[int, int]:
        sealed = await self.db.fetchval(
            "SELECT coalesce(sum(seq), 0) FROM project_heads WHERE project_id = any($1::text[])",
            self.projects,
        )
        rejected = await self.db.fetchval(
            "SELECT count(*) FROM rejections WHERE project_id = any($1::text[])", self.projects
        )
        return int(sealed), int(rejected)

    async def mark(self) -> Decided:
        self.base_sealed, self.base_rejected = await self._now()
        return self

    async def counts(self) -> tuple[int, int]:
        """(sealed, rejected) since ``mark()``."""
        sealed, rejected = await self._now()
        return sealed - self.base_sealed, rejected - self.base_rejected

    async def until(self, expected: int, timeout_s: float, poll_s: float = 0.05) -> float:
        """Wait until ``expected`` events are decided since ``mark()``; the monotonic time then."""
        deadline = time.monotonic() + timeout_s
        while True:
            sealed, rejected = await self.counts()
            if sealed + rejected >= expected:
                return time.perf_counter()
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"only {sealed} sealed and {rejected} rejected of {expected} in {timeout_s} s"
                )
            await asyncio.sleep(poll_s)
