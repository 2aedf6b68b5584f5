"""Wakes HTTP requests that wait for their event's outcome (``?wait=S``).

The recorder issues NOTIFY on the outcome channel in the transaction that decides an event; one
LISTEN connection per API process dispatches those to waiting futures. A lost connection is
re-opened; a waiter always re-reads the status from the database, so a missed notification only
costs the wait's deadline, never a wrong answer.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict

import asyncpg
import structlog
from prometheus_client import Counter, Gauge

from services.adapters.postgres.outcomes import OUTCOME_CHANNEL
from services.application.ports import EventStatus, SubmissionStatuses

log = structlog.get_logger()


WAITERS = Gauge("qtrail_gateway_waiters", "Requests waiting for their event's outcome (?wait)")
WAITS_DECLINED = Counter(
    "qtrail_gateway_waits_declined_total", "?wait requests answered at once: too many waiting"
)


class OutcomeListener:
    def __init__(self, dsn: str, store: SubmissionStatuses, max_waiters: int = 1000) -> None:
        self._dsn = dsn
        self._store = store
        self._max_waiters = max_waiters
        self._waiting = 0
        self._waiters: dict[str, set[asyncio.Future[None]]] = defaultdict(set)
        self._conn: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    async def start(self) -> None:
        await self._connect()

    async def stop(self) -> None:
        self._closing = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()

    async def _connect(self) -> None:
        self._conn = await asyncpg.connect(self._dsn)
        self._conn.add_termination_listener(self._on_lost)
        await self._conn.add_listener(OUTCOME_CHANNEL, self._on_notify)

    def _on_lost(self, _conn: asyncpg.Connection) -> None:
        if not self._closing:
            self._task = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        delay = 0.2
        while not self._closing:
            try:
                await self._connect()
                log.info("outcome listener reconnected")
                for futures in self._waiters.values():  # they may have missed a notification
                    for future in futures:
                        if not future.done():
                            future.set_result(None)
                return
            except (OSError, asyncpg.PostgresError):
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    def _on_notify(self, _conn: object, _pid: int, _channel: str, event_id: str) -> None:
        for future in self._waiters.pop(event_id, ()):
            if not future.done():
                future.set_result(None)

    async def wait(self, event_id: str, timeout_s: float) -> EventStatus | None:
        """The event's status once decided, or its pending status when ``timeout_s`` runs out.

        None at once when ``max_waiters`` requests already wait: waiting holds a request open,
        so it is capped; the client then polls the status URL instead.
        """
        if self._waiting >= self._max_waiters:
            WAITS_DECLINED.inc()
            return None
        self._waiting += 1
        WAITERS.inc()
        try:
            return await self._wait(event_id, timeout_s)
        finally:
            self._waiting -= 1
            WAITERS.dec()

    async def _wait(self, event_id: str, timeout_s: float) -> EventStatus | None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            future: asyncio.Future[None] = loop.create_future()
            self._waiters[event_id].add(future)
            try:
                status = (await self._store.statuses([event_id])).get(event_id)
                if status is None or status.status != "pending":
                    return status
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return status
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(future, remaining)
            finally:
                waiters = self._waiters.get(event_id)
                if waiters is not None:
                    waiters.discard(future)
                    if not waiters:
                        del self._waiters[event_id]
